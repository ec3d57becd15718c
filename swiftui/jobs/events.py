"""What a running job tells its consumer (the CLI, a TUI screen), in order, on the thread
that called :func:`~swiftui.jobs.runner.run_job`. Upload events of each archive come in
between, unchanged, so a live upload view shows a job's upload as any other."""

from __future__ import annotations

from dataclasses import dataclass

from swiftui.jobs.history import NotificationRecord, RunRecord
from swiftui.jobs.stored import Presence
from swiftui.retention import PruneDecision
from swiftui.upload import UploadEvent


@dataclass(frozen=True)
class JobStarted:
    job: str
    started: str


@dataclass(frozen=True)
class JobNotice:
    """Something worth a line that does not change the run's course."""

    message: str


@dataclass(frozen=True)
class ItemChecked:
    """What Swift already holds for one archive, and so whether it is uploaded."""

    object_name: str
    presence: Presence
    reason: str


@dataclass(frozen=True)
class ItemVerified:
    object_name: str
    summary: str


@dataclass(frozen=True)
class RetentionDecided:
    decisions: tuple[PruneDecision, ...]
    """Every archive of the job, newest first, with its decision and why."""
    protected: tuple[str, ...]
    """Archives of this run, never deleted by it whatever the rule says."""


@dataclass(frozen=True)
class ArchivesPruned:
    names: tuple[str, ...]
    bytes_freed: int


@dataclass(frozen=True)
class NotificationSent:
    record: NotificationRecord


@dataclass(frozen=True)
class JobFinished:
    record: RunRecord


JobEvent = (
    JobStarted
    | JobNotice
    | ItemChecked
    | ItemVerified
    | RetentionDecided
    | ArchivesPruned
    | NotificationSent
    | JobFinished
)
RunEvent = JobEvent | UploadEvent
