"""The state of one upload as its engine events describe it, shared by two threads.

The engine's thread applies every event (:meth:`UploadModel.apply`: a few dict updates
under a lock, never a widget); the live view, woken by a message, takes what changed since
its last look (:meth:`UploadModel.take_changes`), at most ten times a second. However fast
events come, each changed segment is redrawn once per look, and memory holds one entry per
segment and the last :data:`LOG_LINES` log lines: nothing grows with the number of events.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from swiftui.upload import describe
from swiftui.upload.events import (
    BatchFinished,
    BatchPlanReady,
    FileSkipped,
    FileStarted,
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentRetrying,
    SegmentStarted,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    UploadFinished,
    UploadResult,
)

LOG_LINES = 500


class SegmentStatus(StrEnum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    RETRYING = "retrying"
    DONE = "done"
    REUSED = "in Swift"
    """Already in Swift from an interrupted upload: checked, not sent again."""
    FAILED = "failed"


IN_FLIGHT = (SegmentStatus.UPLOADING, SegmentStatus.RETRYING)
FINISHED = (SegmentStatus.DONE, SegmentStatus.REUSED, SegmentStatus.FAILED)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    STOPPING = "stopping"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.CANCELLED, JobState.FAILED)


@dataclass(frozen=True)
class SegmentView:
    """One segment as the table shows it; replaced whole on every change."""

    index: int
    length: int
    status: SegmentStatus = SegmentStatus.QUEUED
    sent: int = 0
    attempt: int = 1
    reason: str = ""

    @property
    def fraction(self) -> float:
        if self.status in (SegmentStatus.DONE, SegmentStatus.REUSED):
            return 1.0
        return self.sent / self.length if self.length else 0.0


@dataclass(frozen=True)
class LogEntry:
    when: datetime
    text: str
    level: str = "info"
    """``info``, ``warning`` or ``error``."""


@dataclass(frozen=True)
class Outcome:
    """How the engine's run ended (set by the engine's thread as it returns)."""

    state: JobState
    message: str
    result: UploadResult | None = None
    resumable: bool = False
    cancelled: UploadCancelled | None = None


@dataclass(frozen=True)
class Summary:
    """Everything but the segments and the log, at one moment."""

    plan: PlanReady | None
    progress: Progress | None
    phase: str
    counts: dict[SegmentStatus, int]
    retries: int
    first_in_flight: int | None
    outcome: Outcome | None
    file: tuple[int, int] | None = None
    """In a batch: the file being sent, from 1, and how many there are."""

    @property
    def bytes_done(self) -> tuple[int, int]:
        """``(done, total)`` as every view of the upload shows it (bar, queue row, ``q``):
        all of it once done, what was kept once cancelled."""
        progress = self.progress
        total = progress.bytes_total if progress else self.plan.file_size if self.plan else 0
        done = progress.bytes_done if progress else 0
        if self.outcome is not None and self.outcome.state is JobState.DONE:
            done = total
        elif self.outcome is not None and self.outcome.cancelled is not None:
            done = self.outcome.cancelled.bytes_done
        return done, total

    @property
    def percent(self) -> int | None:
        """Of the bytes, rounded; None until the size is known."""
        done, total = self.bytes_done
        return round(100 * done / total) if total else None


@dataclass(frozen=True)
class Changes:
    segments: list[int]
    """Indices of the segments that changed since the last look."""
    log: list[LogEntry]
    summary: Summary
    replanned: bool
    """The plan arrived (or changed): every row is new."""


@dataclass
class _State:
    plan: PlanReady | None = None
    progress: Progress | None = None
    phase: str = "preparing: reading the cluster's limits, looking for an interrupted upload"
    segments: dict[int, SegmentView] = field(default_factory=dict)
    counts: Counter[SegmentStatus] = field(default_factory=Counter)
    in_flight: set[int] = field(default_factory=set)
    retries: int = 0
    outcome: Outcome | None = None
    cancelled: UploadCancelled | None = None
    resumable: bool = False
    file: tuple[int, int] | None = None


class UploadModel:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state = _State()
        self._log: deque[LogEntry] = deque(maxlen=LOG_LINES)
        self._new_log = 0
        self._dirty: set[int] = set()
        self._replanned = False
        self.ended = threading.Event()
        """Set once :meth:`end` has run: the engine's thread is done with this upload."""

    # -- the engine's side -----------------------------------------------------------------

    def apply(self, event: UploadEvent) -> None:
        """Record one engine event; called on the engine's thread, must stay cheap."""
        with self._lock:
            state = self._state
            if isinstance(event, PlanReady):
                self._plan(event)
            elif isinstance(event, Progress):
                state.progress = event
                for active in event.active:
                    view = state.segments.get(active.index)
                    # The last snapshot can still list a segment that failed meanwhile.
                    if view is None or view.status in FINISHED:
                        continue
                    if view.sent != active.bytes_sent:
                        status = SegmentStatus.UPLOADING if active.bytes_sent else view.status
                        self._set(replace(view, sent=active.bytes_sent, status=status))
            elif isinstance(event, SegmentStarted):
                self._update(event.index, status=SegmentStatus.UPLOADING, sent=0)
            elif isinstance(event, SegmentDone):
                status = SegmentStatus.REUSED if event.reused else SegmentStatus.DONE
                self._update(event.index, status=status, sent=event.length, reason="")
            elif isinstance(event, SegmentRetrying):
                state.retries += 1
                self._update(
                    event.index,
                    status=SegmentStatus.RETRYING,
                    sent=0,
                    attempt=event.attempt,
                    reason=event.reason,
                )
                self._log_event(event, "warning")
            elif isinstance(event, SegmentFailed):
                self._update(event.index, status=SegmentStatus.FAILED, reason=event.reason)
                self._log_event(event, "error")
            elif isinstance(event, RequestRetrying):
                state.retries += 1
                self._log_event(event, "warning")
            elif isinstance(event, Notice):
                self._log_event(event, "warning")
            elif isinstance(event, ManifestWriting):
                state.phase = (
                    f"writing the manifest: Swift checks all {event.segment_count} segments"
                )
                self._log_event(event)
            elif isinstance(event, OldSegmentsDeleted | UploadFinished | BatchPlanReady):
                self._log_event(event)
            elif isinstance(event, FileStarted | FileSkipped):
                self._next_file(event)
            elif isinstance(event, BatchFinished):
                state.file = None
                self._log_event(event)
            elif isinstance(event, UploadCancelled):
                state.cancelled = event
            elif isinstance(event, UploadFailed):
                state.resumable = event.resumable
            # SegmentQueued adds nothing: the plan already listed every segment as queued.

    def note(self, text: str, level: str = "info") -> None:
        """A step of whoever runs the upload (a job: checking, verifying, pruning), in the
        log and, its first line, as the phase."""
        lines = text.splitlines()
        with self._lock:
            if lines:
                self._state.phase = lines[0]
            for line in lines:
                self._add_log(line, level)

    def log(self, text: str, level: str = "info") -> None:
        """A line of the UI's own in the log (the cap changed), the phase untouched."""
        with self._lock:
            self._add_log(text, level)

    def end(
        self, outcome_state: JobState, message: str, result: UploadResult | None = None
    ) -> None:
        """The engine returned (``DONE``) or raised (``CANCELLED``, ``FAILED``)."""
        with self._lock:
            state = self._state
            outcome = Outcome(
                outcome_state,
                message,
                result=result,
                resumable=state.resumable or state.cancelled is not None,
                cancelled=state.cancelled,
            )
            state.outcome = outcome
            state.phase = message
            if outcome_state is JobState.DONE:
                state.in_flight.clear()
            else:
                level = "warning" if outcome_state is JobState.CANCELLED else "error"
                self._add_log(message, level)
                for index in list(state.in_flight):
                    self._update(index, status=SegmentStatus.QUEUED, sent=0)
        self.ended.set()

    def _plan(self, event: PlanReady) -> None:
        state = self._state
        state.plan = event
        state.phase = "uploading"
        state.segments = {}
        state.counts = Counter()
        state.in_flight = set()
        for index in range(event.segment_count):
            offset = index * event.segment_size
            length = min(event.segment_size, event.file_size - offset)
            state.segments[index] = SegmentView(index, length)
        state.counts[SegmentStatus.QUEUED] = event.segment_count
        self._dirty.clear()
        self._replanned = True
        self._log_event(replace(event, local_path=display_path(event.local_path)))

    def _next_file(self, event: FileStarted | FileSkipped) -> None:
        """A batch moves on: the last file's progress goes, its segments stay until the
        next plan replaces them."""
        state = self._state
        state.file = (event.number, event.count)
        state.progress = None
        text = describe(event) or ""
        state.phase = text
        self._add_log(text)

    def _update(self, index: int, **changes: object) -> None:
        view = self._state.segments.get(index)
        if view is not None:
            self._set(replace(view, **changes))  # type: ignore[arg-type]

    def _set(self, view: SegmentView) -> None:
        state = self._state
        old = state.segments[view.index]
        state.segments[view.index] = view
        if old.status is not view.status:
            state.counts[old.status] -= 1
            state.counts[view.status] += 1
        if view.status in IN_FLIGHT:
            state.in_flight.add(view.index)
        else:
            state.in_flight.discard(view.index)
        self._dirty.add(view.index)

    def _log_event(self, event: UploadEvent, level: str = "info") -> None:
        """The event in the words the CLI prints too, a log line for each of its lines."""
        for line in (describe(event) or "").splitlines():
            self._add_log(line, level)

    def _add_log(self, text: str, level: str = "info") -> None:
        self._log.append(LogEntry(self._clock(), text, level))
        self._new_log += 1

    # -- the UI's side ---------------------------------------------------------------------

    def take_changes(self) -> Changes:
        """What changed since the last call; the UI's only regular read."""
        with self._lock:
            dirty = sorted(self._dirty)
            self._dirty.clear()
            new = min(self._new_log, len(self._log))
            log = list(self._log)[len(self._log) - new :] if new else []
            self._new_log = 0
            replanned, self._replanned = self._replanned, False
            return Changes(dirty, log, self._summary(), replanned)

    def restart_view(self) -> tuple[list[LogEntry], Summary]:
        """Every kept log line and the summary, for a view drawn from scratch; what changed
        until now is part of it, so the next :meth:`take_changes` starts from here."""
        with self._lock:
            self._dirty.clear()
            self._new_log = 0
            self._replanned = False
            return list(self._log), self._summary()

    def summary(self) -> Summary:
        with self._lock:
            return self._summary()

    def _summary(self) -> Summary:
        state = self._state
        return Summary(
            plan=state.plan,
            progress=state.progress,
            phase=state.phase,
            counts={status: count for status, count in state.counts.items() if count},
            retries=state.retries,
            first_in_flight=min(state.in_flight) if state.in_flight else None,
            outcome=state.outcome,
            file=state.file,
        )

    def segment(self, index: int) -> SegmentView:
        with self._lock:
            return self._state.segments[index]

    def segment_count(self) -> int:
        with self._lock:
            return len(self._state.segments)


def display_path(path: Path | str) -> str:
    """``~/dumps/db.dump`` for a path under the home directory, the path itself otherwise:
    shorter over SSH."""
    try:
        rest = Path(path).relative_to(Path.home())
    except ValueError:
        return str(path)
    return "~" if rest == Path() else f"~/{rest}"
