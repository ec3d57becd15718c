"""What the upload engine tells its consumer (the TUI, the CLI) while it works.

Every event is a small frozen dataclass, delivered in order on the thread that called
:func:`swiftui.upload.engine.run_upload`, so a consumer needs no lock. Fine-grained progress
comes as one :class:`Progress` event at most every tenth of a second, with the bytes of
every segment in flight; segment outcomes (done, retrying, failed) are never dropped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class UploadResult:
    """What is in Swift once an upload has succeeded."""

    container: str
    object_name: str
    size: int
    etag: str
    """The object's Etag: md5 of the file for a plain object, the SLO Etag otherwise."""
    is_slo: bool
    segment_container: str | None
    segment_count: int
    reused_segments: int
    """Segments already in Swift (an interrupted upload) that were checked, not sent."""
    bytes_sent: int
    elapsed_s: float
    delete_at: int | None
    old_segments_deleted: int
    """Segments of the replaced object's manifest that the new one did not reuse."""
    sha256: str | None = None
    """The whole file's SHA-256 (also stored as ``X-Object-Meta-Sha256``), unless skipped."""
    sub_manifests: int = 0
    """A nested SLO's sub-manifests (in the segments container); 0 for a flat one."""


@dataclass(frozen=True)
class PlanReady:
    """The plan is settled; nothing has been written yet."""

    local_path: str
    container: str
    object_name: str
    segment_container: str | None
    """None for a plain object."""
    file_size: int
    segment_size: int
    segment_count: int
    explanation: str
    notes: tuple[str, ...]
    """Resume decisions worth telling: resuming, starting over and why, reused segments."""
    delete_at: int | None
    sub_manifests: int = 0
    """When more segments than one manifest holds: the nested SLO's sub-manifests."""
    size_known: bool = True
    """False for a stream: ``file_size`` is what is expected (0: unknown), and
    ``segment_count`` is 0 (known once the stream ends)."""
    rate_limit: int | None = None
    """The bandwidth cap (bytes per second) when the upload started, or None."""


@dataclass(frozen=True)
class Notice:
    """Something the user should know that does not stop the upload."""

    message: str


@dataclass(frozen=True)
class SegmentQueued:
    index: int
    offset: int
    length: int


@dataclass(frozen=True)
class SegmentStarted:
    index: int
    length: int


@dataclass(frozen=True)
class SegmentProgress:
    """Bytes of one segment sent so far in its current attempt (part of :class:`Progress`)."""

    index: int
    bytes_sent: int
    length: int


@dataclass(frozen=True)
class SegmentRetrying:
    index: int
    attempt: int
    """The attempt about to start (2 for the first retry)."""
    reason: str
    delay_s: float


@dataclass(frozen=True)
class SegmentDone:
    index: int
    length: int
    etag: str
    reused: bool
    """True when the segment was already in Swift and its md5 matched the local bytes."""


@dataclass(frozen=True)
class SegmentFailed:
    index: int
    reason: str


@dataclass(frozen=True)
class RequestRetrying:
    """A request other than a segment upload (container, manifest, listing) is retried."""

    what: str
    attempt: int
    reason: str
    delay_s: float


@dataclass(frozen=True)
class Progress:
    bytes_done: int
    """Bytes in Swift or in flight, reused segments included."""
    bytes_total: int
    rate_bps: float
    """Bytes per second sent over the last few seconds."""
    eta_s: float | None
    segments_done: int
    segments_total: int
    active: tuple[SegmentProgress, ...]
    total_known: bool = True
    """False for a stream: the totals are what was read so far, and there is no ETA."""


@dataclass(frozen=True)
class ManifestWriting:
    segment_count: int
    sub_manifests: int = 0
    """A nested SLO's sub-manifests, written before the manifest that lists them."""


@dataclass(frozen=True)
class OldSegmentsDeleted:
    """Segments of the replaced object that the new manifest does not use."""

    count: int
    failed: int


@dataclass(frozen=True)
class UploadFinished:
    result: UploadResult


@dataclass(frozen=True)
class UploadCancelled:
    """Stopped on request; finished segments are kept and the same upload resumes it."""

    segments_done: int
    """Finished segments, recorded in the journal: what a resume does not send again."""
    segments_total: int
    bytes_done: int
    """Bytes of those finished segments (not of the segments in flight)."""
    bytes_total: int
    segments_in_flight: int = 0
    """Segments that were being sent: started over by a resume."""
    bytes_in_flight: int = 0
    """What had been sent of them: to be sent again."""
    resumable: bool = True


@dataclass(frozen=True)
class UploadFailed:
    reason: str
    resumable: bool
    """True when finished segments are recorded and running the upload again resumes."""


@dataclass(frozen=True)
class BatchPlanReady:
    """Several files (or a directory's) are about to go up, one after another."""

    container: str
    files: int
    bytes_total: int
    files_to_send: int
    """Files not skipped (the others are in Swift already, same size and date)."""
    bytes_to_send: int
    lines: tuple[str, ...]
    """One per file: what will happen to it and why."""


@dataclass(frozen=True)
class FileStarted:
    """The upload of one file of a batch starts; its own events follow."""

    number: int
    """From 1, as in "file 2 of 5"."""
    count: int
    local_path: str
    object_name: str


@dataclass(frozen=True)
class FileSkipped:
    number: int
    count: int
    local_path: str
    object_name: str
    reason: str


@dataclass(frozen=True)
class FileOutcome:
    local_path: str
    object_name: str
    status: str
    """``uploaded``, ``skipped``, ``failed``, ``cancelled`` or ``not started``."""
    detail: str
    """The upload's summary, or why it was skipped or failed."""


@dataclass(frozen=True)
class BatchFinished:
    """Every file's outcome, when a batch ends (finished, failed or cancelled)."""

    outcomes: tuple[FileOutcome, ...]


UploadEvent = (
    PlanReady
    | Notice
    | SegmentQueued
    | SegmentStarted
    | SegmentRetrying
    | SegmentDone
    | SegmentFailed
    | RequestRetrying
    | Progress
    | ManifestWriting
    | OldSegmentsDeleted
    | UploadFinished
    | UploadCancelled
    | UploadFailed
    | BatchPlanReady
    | FileStarted
    | FileSkipped
    | BatchFinished
)

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def event_name(event: object) -> str:
    """``segment_done`` for :class:`SegmentDone`: the ``event`` key of the JSON lines (of
    downloads too)."""
    return _CAMEL_BOUNDARY.sub("_", type(event).__name__).lower()


def event_to_dict(event: UploadEvent) -> dict[str, Any]:
    return {"event": event_name(event), **asdict(event)}
