"""Where swiftui keeps its files, and how it writes them (owner-only).

Paths come from platformdirs, so ``XDG_STATE_HOME`` / ``XDG_DATA_HOME`` move them (the
tests use that to stay in a temporary directory).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "swiftui"


def state_dir() -> Path:
    """Journals of unfinished uploads live here."""
    return Path(platformdirs.user_state_dir(APP_NAME))


def journal_dir() -> Path:
    return state_dir() / "journals"


def config_dir() -> Path:
    """What the user writes by hand: the jobs file."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def jobs_file() -> Path:
    return config_dir() / "jobs.toml"


def jobs_state_dir() -> Path:
    """Each job's run history, lock and the marker of a run in progress."""
    return state_dir() / "jobs"


def spool_dir() -> Path:
    """Segments of a stream wait here while they are sent (unnamed files, gone on exit)."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "spool"


def sandbox_default_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "sandbox"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by the owner only, and its missing parents too (as the XDG
    base directory spec asks: ``~/.local/state/swiftui`` must not show what it holds);
    parents that exist already are left as they are."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, data: str | bytes) -> None:
    """Write atomically (temp file + rename) with mode 0600, so a crash never leaves half a file."""
    ensure_private_dir(path.parent)
    raw = data.encode() if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
