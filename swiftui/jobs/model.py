"""What a job is, once its file has been read and checked: plain frozen values.

Sizes, durations and rates keep the text the user wrote next to their value, so a job
written back (by ``swiftui job add`` or a form) reads as it was typed: ``1GiB``, not
``1073741824``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A job's name is part of file names and systemd unit names: letters, digits, ``._-``."""


@dataclass(frozen=True)
class Quantity:
    """A size, duration or rate as written (``1GiB``, ``400d``) and its value in bytes,
    seconds or bytes per second."""

    text: str
    value: int


@dataclass(frozen=True)
class CredentialsSource:
    """Where the job logs in from; a password never lives in the jobs file."""

    openrc: Path | None = None
    cloud: str | None = None
    """A clouds.yaml cloud (``OS_CLIENT_CONFIG_FILE`` names the file, as for ``--os-cloud``)."""
    secrets: Path | None = None
    """An owner-only file holding ``OS_PASSWORD`` (or the application credential secret)
    and ``SMTP_PASSWORD``; it wins over the environment."""
    region: str | None = None


class SourceKind(StrEnum):
    FILE = "file"
    GLOB = "glob"
    """The newest file that matches the pattern (by modification time)."""
    DIRECTORY = "directory"
    """Every file under it, under its relative name."""
    COMMAND = "command"
    """The command's standard output is the archive."""


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    location: str
    """The path, the pattern, the directory, or the command line (split as a shell splits
    words, run without one unless :attr:`shell`)."""
    prefix: str = ""
    """Put before every object name (``monthly/``)."""
    object_name: str | None = None
    """The object's name for a command (``strftime`` fields: ``www-%Y-%m.tar``)."""
    shell: bool = False
    """Run the command line by ``/bin/sh -c`` (pipes, redirections, variables)."""


@dataclass(frozen=True)
class UploadSettings:
    segment_size: Quantity | None = None
    threads: int | None = None
    limit_rate: Quantity | None = None
    """Bytes per second over all of a run's uploads and threads."""
    delete_after: Quantity | None = None
    """Expiry of each uploaded archive, counted from its upload."""


@dataclass(frozen=True)
class Retention:
    """Applied after a run whose every archive is in Swift and verified, never otherwise."""

    keep_last: int | None = None
    older_than: Quantity | None = None

    @property
    def active(self) -> bool:
        return self.keep_last is not None or self.older_than is not None


class NotifyOn(StrEnum):
    START = "start"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    sender: str
    """The ``From:`` address (``from`` in the file)."""
    smtp_host: str | None = None
    smtp_port: int = 25
    starttls: bool = False
    username: str | None = None
    """Logs in with ``SMTP_PASSWORD`` (the environment or the secrets file)."""
    sendmail: Path | None = None
    """The local sendmail program, used instead of SMTP."""
    when: tuple[NotifyOn, ...] = (NotifyOn.FAILURE,)


@dataclass(frozen=True)
class Notifications:
    webhook: str | None = None
    """Pinged at ``URL/start``, ``URL`` (success) and ``URL/fail`` (healthchecks.io)."""
    mail: Mail | None = None


@dataclass(frozen=True)
class Job:
    name: str
    credentials: CredentialsSource
    container: str
    source: Source
    upload: UploadSettings = field(default_factory=UploadSettings)
    retention: Retention = field(default_factory=Retention)
    notify: Notifications = field(default_factory=Notifications)


@dataclass(frozen=True)
class JobsFile:
    path: Path
    jobs: dict[str, Job]
    """By name, in the order of the file."""
