"""Read the jobs file (TOML, standard library) into checked :class:`Job` values.

Every refusal is one line naming the file, the job and the key (``upload.segment_size``),
and the line when the TOML itself is broken, so a typo in a file cron reads at 3 a.m. is
found by ``swiftui job list`` the day it is made. Unknown keys are refused too: a
misspelt ``keep_lats`` must not silently keep every archive forever.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from swiftui.errors import UsageError
from swiftui.jobs.command import command_argv
from swiftui.jobs.model import (
    JOB_NAME,
    CredentialsSource,
    Job,
    JobsFile,
    Mail,
    Notifications,
    NotifyOn,
    Quantity,
    Retention,
    Source,
    SourceKind,
    UploadSettings,
)
from swiftui.units import parse_duration, parse_size
from swiftui.upload import MAX_THREADS

T = TypeVar("T")
GLOB_CHARACTERS = "*?["


class JobsFileError(UsageError):
    """The jobs file cannot be read, or one of its values is wrong (exit 2)."""


def load_jobs(path: Path) -> JobsFile:
    """The jobs of ``path``; a missing file has no jobs."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return JobsFile(path, {})
    except OSError as error:
        raise JobsFileError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise JobsFileError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise JobsFileError(f"{path}: {error}") from None
    return parse_jobs(path, data)


def parse_jobs(path: Path, data: dict[str, Any]) -> JobsFile:
    """Check a parsed jobs file (also what a form is about to save)."""
    unknown = sorted(set(data) - {"jobs"})
    if unknown:
        raise JobsFileError(f"{path}: unknown key {unknown[0]!r} (jobs go under [jobs.NAME])")
    jobs_table = data.get("jobs", {})
    if not isinstance(jobs_table, dict):
        raise JobsFileError(f"{path}: jobs must be a table of [jobs.NAME] sections")
    jobs = {}
    for name, table in jobs_table.items():
        if not JOB_NAME.fullmatch(name):
            raise JobsFileError(
                f"{path}: job {name!r}: a job name is 1 to 64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if not isinstance(table, dict):
            raise JobsFileError(f"{path}: job {name!r}: must be a table ([jobs.{name}])")
        jobs[name] = _job(_Table(table, f"{path}: job {name!r}: "), name)
    return JobsFile(path, jobs)


class _Table:
    """One TOML table of a job, read key by key; what was never asked for is unknown."""

    def __init__(self, data: dict[str, Any], where: str, prefix: str = "") -> None:
        self.data = data
        self.where = where
        self.prefix = prefix
        self.read: set[str] = set()

    def fail(self, key: str, problem: str) -> JobsFileError:
        """``key`` empty: the table itself is at fault."""
        return JobsFileError(f"{self.where}{(self.prefix + key).rstrip('.')}: {problem}")

    def option(self, key: str) -> str:
        """What units parsers call the option: the job and the key."""
        return f"{self.where}{self.prefix}{key}"

    def get(self, key: str, kind: type[T], noun: str) -> T | None:
        self.read.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {noun}, not {value!r}")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key, str, "a string")
        if value is not None and not value.strip():
            raise self.fail(key, "must not be empty")
        if value is None and required:
            raise self.fail(key, "is missing")
        return value

    def path(self, key: str) -> Path | None:
        value = self.text(key)
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute():
            raise self.fail(
                key, f"{value!r} must be an absolute path (cron runs jobs from another directory)"
            )
        return path

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self.get(key, int, "a whole number")
        if value is not None and not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}, not {value}")
        return value

    def quantity(self, key: str, parse: Callable[[str, str], int]) -> Quantity | None:
        value = self.text(key)
        return None if value is None else Quantity(value, parse(value, self.option(key)))

    def table(self, key: str) -> _Table:
        value = self.get(key, dict, "a table")
        return _Table(value or {}, self.where, f"{self.prefix}{key}.")

    def strings(self, key: str) -> tuple[str, ...] | None:
        self.read.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise self.fail(key, f"must be a string or a list of strings, not {value!r}")
        return tuple(items)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise self.fail(unknown[0], "unknown key")


def _job(table: _Table, name: str) -> Job:
    openrc, cloud = table.path("openrc"), table.text("cloud")
    if (openrc is None) == (cloud is None):
        raise table.fail("openrc", "give openrc (a file) or cloud (a clouds.yaml cloud), one")
    credentials = CredentialsSource(
        openrc=openrc, cloud=cloud, secrets=table.path("secrets"), region=table.text("region")
    )
    container = table.text("container", required=True) or ""
    if "/" in container or len(container.encode()) > 256:
        raise table.fail("container", f"{container!r} is not a container name")
    source = _source(table.table("source"))
    upload = _upload(table.table("upload"))
    retention = _retention(table.table("retention"))
    notify = _notifications(table.table("notify"))
    table.done()
    return Job(name, credentials, container, source, upload, retention, notify)


def _source(table: _Table) -> Source:
    kinds = [kind for kind in SourceKind if kind in table.data]
    if len(kinds) != 1:
        raise table.fail("", "give one of file, glob, directory or command")
    kind = kinds[0]
    prefix = table.text("prefix") or ""
    shell = False
    if kind is SourceKind.COMMAND:
        location = table.text("command") or ""
        object_name = table.text("object_name", required=True)
        shell = bool(table.get("shell", bool, "true or false"))
        try:
            command_argv(location, shell=shell)
        except UsageError as error:
            raise table.fail("command", str(error)) from None
    else:
        location = str(table.path(kind))
        object_name = None
        for key in ("object_name", "shell"):
            if key in table.data:
                raise table.fail(key, "only a command source takes it")
    if kind is SourceKind.GLOB and not any(char in location for char in GLOB_CHARACTERS):
        raise table.fail("glob", f"{location!r} has no wildcard (*, ? or [...]): use file")
    table.done()
    return Source(kind, location, prefix, object_name, shell)


def _upload(table: _Table) -> UploadSettings:
    settings = UploadSettings(
        segment_size=table.quantity("segment_size", _size),
        threads=table.integer("threads", 1, MAX_THREADS),
        limit_rate=table.quantity("limit_rate", parse_rate),
        delete_after=table.quantity("delete_after", _duration),
    )
    table.done()
    return settings


def _retention(table: _Table) -> Retention:
    retention = Retention(
        keep_last=table.integer("keep_last", 1, 1_000_000),
        older_than=table.quantity("older_than", _duration),
    )
    table.done()
    return retention


def _notifications(table: _Table) -> Notifications:
    webhook = table.text("webhook")
    if webhook is not None:
        url = urlsplit(webhook)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise table.fail("webhook", f"{webhook!r} is not an http:// or https:// URL")
    mail = _mail(table.table("mail")) if "mail" in table.data else None
    table.done()
    return Notifications(webhook, mail)


def _mail(table: _Table) -> Mail:
    to = table.strings("to")
    if not to:
        raise table.fail("to", "is missing (one address or a list)")
    sender = table.text("from", required=True) or ""
    for key, address in [*(("to", item) for item in to), ("from", sender)]:
        if "@" not in address or any(char in address for char in "\r\n"):
            raise table.fail(key, f"{address!r} is not a mail address")
    host, sendmail = table.text("smtp_host"), table.path("sendmail")
    if (host is None) == (sendmail is None):
        raise table.fail("smtp_host", "give smtp_host (a server) or sendmail (a program), one")
    when = table.strings("when") or (NotifyOn.FAILURE,)
    wrong = [item for item in when if item not in NotifyOn.__members__.values()]
    if wrong:
        raise table.fail("when", f"{wrong[0]!r}: choose among start, success, failure")
    mail = Mail(
        to=to,
        sender=sender,
        smtp_host=host,
        smtp_port=table.integer("smtp_port", 1, 65535) or 25,
        starttls=bool(table.get("starttls", bool, "true or false")),
        username=table.text("username"),
        sendmail=sendmail,
        when=tuple(NotifyOn(item) for item in when),
    )
    table.done()
    return mail


def _size(text: str, option: str) -> int:
    return parse_size(text, option=option)


def _duration(text: str, option: str) -> int:
    return parse_duration(text, option=option)


def parse_rate(text: str, option: str) -> int:
    """Bytes per second from ``20MiB/s`` or ``20MiB``; a rate always carries a size unit."""
    stripped = text.strip()
    amount = stripped.removesuffix("/s").strip()
    if amount.isdigit():
        raise UsageError(f"{option}: {stripped}: add a unit: {amount}MiB/s, 500KB/s")
    return parse_size(amount, option=option)
