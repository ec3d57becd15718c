"""What a download tells its consumer (the CLI, the TUI) while it works.

Events are small frozen dataclasses delivered in order on the thread that called the
download, so a consumer needs no lock. The per-segment events and :class:`Progress` are the
upload's own (:mod:`swiftui.upload.events`): a segment is queued, started, retried, done
(``reused`` when the partial file already held it) or failed, the same way in both
directions, so one live view serves both. The events below are a download's own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from swiftui.upload.events import (
    Notice,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
    UploadEvent,
    event_name,
)


@dataclass(frozen=True)
class DownloadResult:
    """What is on the local disk once a download has succeeded."""

    container: str
    object_name: str
    path: str
    """The file written, or ``-`` for standard output."""
    kind: str
    """``SLO``, ``DLO`` or ``plain``."""
    size: int
    etag: str
    parts: int
    reused_parts: int
    """Parts the partial file of an interrupted download already held."""
    bytes_fetched: int
    elapsed_s: float
    checks: tuple[str, ...]
    """What was verified, in words: ``md5 of 8 segments``, ``SLO etag``, ``SHA-256``."""
    sha256: str | None
    """The whole file's SHA-256, when it was computed (the object carries one)."""


@dataclass(frozen=True)
class DownloadPlanned:
    """The object is readable and its parts are known; nothing is fetched yet."""

    container: str
    object_name: str
    path: str
    kind: str
    size: int
    parts: int
    parts_done: int
    """Parts an interrupted download already fetched (0 on a fresh start)."""
    checks: tuple[str, ...]
    """What will be verified, in words."""
    notes: tuple[str, ...]
    """Resume decisions, how a sealed manifest's segments were found, not resumable."""
    rate_limit: int | None = None
    """The bandwidth cap (bytes per second) when the download started, or None."""


@dataclass(frozen=True)
class UnsealRequested:
    """Where the objects a read needs stand, after unsealing was asked for the sealed ones."""

    objects: int
    """Archived objects the read needs (manifests, segments, the object itself)."""
    readable: int
    requested: int
    """Sealed ones whose unsealing was asked for just now."""
    ready_in_s: float | None
    """Seconds until the last one is readable (None when the provider says nothing)."""
    ready_at: float | None
    """The same as a unix time."""
    notes: tuple[str, ...]


@dataclass(frozen=True)
class UnsealWaiting:
    """A countdown tick, about once a second, while Cloud Archive unseals."""

    seconds_left: float
    ready_at: float
    objects_waiting: int


@dataclass(frozen=True)
class Verifying:
    """The parts are in; the whole is being checked (the tail of the ordered hash)."""

    what: str


@dataclass(frozen=True)
class DownloadFinished:
    result: DownloadResult


@dataclass(frozen=True)
class DownloadCancelled:
    bytes_done: int
    bytes_total: int
    resumable: bool


@dataclass(frozen=True)
class DownloadFailed:
    reason: str
    resumable: bool
    """True when the partial file and its journal are kept and the same command resumes."""


DownloadEvent = (
    DownloadPlanned
    | UnsealRequested
    | UnsealWaiting
    | Notice
    | SegmentQueued
    | SegmentStarted
    | SegmentRetrying
    | SegmentDone
    | SegmentFailed
    | RequestRetrying
    | Progress
    | Verifying
    | DownloadFinished
    | DownloadCancelled
    | DownloadFailed
)


def event_to_dict(event: DownloadEvent) -> dict[str, Any]:
    """``{"event": "segment_done", ...}``: one JSON line of ``--json``."""
    return {"event": event_name(event), **asdict(event)}


_SHARED_EVENTS = (
    Notice,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
)


def shared_event(event: UploadEvent) -> DownloadEvent | None:
    """An event of the upload's worker pool as a download event (None for the upload's own,
    which a download never emits)."""
    return event if isinstance(event, _SHARED_EVENTS) else None
