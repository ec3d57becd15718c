"""The secrets file a job may name: passwords kept out of the jobs file, owner-only.

A small TOML file with the names the environment would use::

    OS_PASSWORD = "..."                        # or OS_APPLICATION_CREDENTIAL_SECRET
    SMTP_PASSWORD = "..."

It is refused unless it belongs to the user running the job and nobody else may read or
write it (``chmod 600``), as ``ssh`` refuses a private key others can read. Its values
never appear in a message.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from swiftui.errors import CredentialsError

OS_SECRETS = ("OS_PASSWORD", "OS_APPLICATION_CREDENTIAL_SECRET")
SMTP_PASSWORD = "SMTP_PASSWORD"
KNOWN = (*OS_SECRETS, SMTP_PASSWORD)


def read_secrets(path: Path) -> dict[str, str]:
    """The secrets of ``path`` after its owner and mode are checked."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CredentialsError(f"secrets file {path}: no such file") from None
    except OSError as error:
        raise CredentialsError(f"secrets file {path}: {error.strerror or error}") from None
    with os.fdopen(fd, "rb") as handle:
        check_private(path, os.fstat(handle.fileno()))
        raw = handle.read()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        # The parser's message may quote the line, which holds a secret: say where only.
        raise CredentialsError(
            f'secrets file {path}: not a TOML file of NAME = "value" lines'
        ) from None
    unknown = sorted(set(data) - set(KNOWN))
    if unknown:
        raise CredentialsError(
            f"secrets file {path}: unknown name {unknown[0]!r} (known: {', '.join(KNOWN)})"
        )
    for name, value in data.items():
        if not isinstance(value, str) or not value:
            raise CredentialsError(f"secrets file {path}: {name} must be a non-empty string")
    return data


def check_private(path: Path, info: os.stat_result) -> None:
    """Refuse a secrets file that is not a regular file of ours, readable by us alone."""
    if not stat.S_ISREG(info.st_mode):
        raise CredentialsError(f"secrets file {path}: not a regular file")
    if info.st_uid != os.getuid():
        raise CredentialsError(
            f"secrets file {path} belongs to uid {info.st_uid}, not to this user "
            f"(uid {os.getuid()}): refused"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise CredentialsError(
            f"secrets file {path} has mode {mode:04o}, so others may read it: refused "
            f"(chmod 600 {path})"
        )
