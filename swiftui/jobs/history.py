"""Each job's runs, one JSON line each, in the state directory (owner-only files).

A run is recorded when it ends, whatever the end; a marker written when it starts
survives a ``kill -9`` or a reboot, and the next run records that run as interrupted, so
the history never silently lacks a night. No password, token or webhook URL is written.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from swiftui.paths import ensure_private_dir, jobs_state_dir, write_private_file

logger = logging.getLogger(__name__)


class Result(StrEnum):
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Action(StrEnum):
    UPLOADED = "uploaded"
    SKIPPED = "skipped"
    """Already in Swift, whole and the same."""


@dataclass(frozen=True)
class ItemRecord:
    object_name: str
    action: Action
    size: int
    bytes_sent: int
    path: str | None = None
    mtime: float | None = None
    etag: str | None = None


@dataclass(frozen=True)
class NotificationRecord:
    channel: str
    """``webhook`` or ``mail``."""
    event: str
    """``start``, ``success`` or ``failure``."""
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class RunRecord:
    job: str
    started: str
    """ISO 8601 with the local offset."""
    result: Result
    ended: str | None = None
    """None when the run never finished (killed, the machine restarted)."""
    exit_code: int | None = None
    bytes_sent: int = 0
    items: tuple[ItemRecord, ...] = ()
    pruned: tuple[str, ...] = ()
    error: str | None = None
    notifications: tuple[NotificationRecord, ...] = field(default=())

    @property
    def bytes_stored(self) -> int:
        """Size of the archives this run left in Swift, sent or already there."""
        return sum(item.size for item in self.items)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            job=data["job"],
            started=data["started"],
            result=Result(data["result"]),
            ended=data.get("ended"),
            exit_code=data.get("exit_code"),
            bytes_sent=data.get("bytes_sent", 0),
            items=tuple(
                ItemRecord(**{**item, "action": Action(item["action"])})
                for item in data.get("items", ())
            ),
            pruned=tuple(data.get("pruned", ())),
            error=data.get("error"),
            notifications=tuple(
                NotificationRecord(**note) for note in data.get("notifications", ())
            ),
        )


def history_path(job: str) -> Path:
    return jobs_state_dir() / f"{job}.history.jsonl"


def running_path(job: str) -> Path:
    return jobs_state_dir() / f"{job}.running.json"


def append_record(record: RunRecord) -> None:
    """Add one line to the job's history, flushed to disk before returning."""
    path = history_path(record.job)
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(record.to_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_history(job: str) -> list[RunRecord]:
    """The job's runs, oldest first; a damaged line is skipped with a warning."""
    path = history_path(job)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(RunRecord.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            logger.warning("%s:%d: not a run record, skipped", path, number)
    return records


def last_run(job: str) -> RunRecord | None:
    records = read_history(job)
    return records[-1] if records else None


def mark_running(job: str, started: str) -> None:
    write_private_file(running_path(job), json.dumps({"job": job, "started": started}))


def clear_running(job: str) -> None:
    running_path(job).unlink(missing_ok=True)


def unfinished_run(job: str) -> RunRecord | None:
    """The run a marker says started and never ended (call it holding the job's lock)."""
    try:
        data = json.loads(running_path(job).read_text(encoding="utf-8"))
        started = str(data["started"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        started = "unknown"
    return RunRecord(
        job=job,
        started=started,
        result=Result.INTERRUPTED,
        error="the run stopped without finishing (killed, or the machine restarted)",
    )
