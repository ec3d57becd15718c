"""The state of one transfer (an upload, a download) as its engine's events describe it,
shared by two threads.

Uploads and downloads report their segments with the same events
(:mod:`swiftui.upload.events`: queued, started, retrying, done, failed, progress), so the
segments, counters, retries and log are kept here once; each kind adds its own events (a
plan, the end) in a subclass. The engine's thread applies every event
(:meth:`TransferModel.apply`: a few dict updates under a lock, never a widget); the live
view, woken by a message, takes what changed since its last look
(:meth:`TransferModel.take_changes`), at most ten times a second. However fast events
come, each changed segment is redrawn once per look, and memory holds one entry per
segment and the last :data:`LOG_LINES` log lines: nothing grows with the number of events.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from swiftui.upload.events import (
    Notice,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
)

LOG_LINES = 500

SharedEvent = (
    Notice
    | Progress
    | RequestRetrying
    | SegmentDone
    | SegmentFailed
    | SegmentQueued
    | SegmentRetrying
    | SegmentStarted
)
"""What an upload and a download both report, the same way."""

Event = TypeVar("Event")
Plan = TypeVar("Plan")
Result = TypeVar("Result")


class SegmentStatus(StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"
    """Its bytes are on their way (uploading, downloading)."""
    RETRYING = "retrying"
    DONE = "done"
    REUSED = "reused"
    """Already there from an interrupted run (in Swift, in the partial file): not moved again."""
    FAILED = "failed"


IN_FLIGHT = (SegmentStatus.ACTIVE, SegmentStatus.RETRYING)
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
    moved: int = 0
    """Bytes sent or received so far."""
    attempt: int = 1
    reason: str = ""

    @property
    def fraction(self) -> float:
        if self.status in (SegmentStatus.DONE, SegmentStatus.REUSED):
            return 1.0
        return self.moved / self.length if self.length else 0.0


@dataclass(frozen=True)
class LogEntry:
    when: datetime
    text: str
    level: str = "info"
    """``info``, ``warning`` or ``error``."""


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    """How the engine's run ended (set by the engine's thread as it returns)."""

    state: JobState
    message: str
    result: Result | None = None
    resumable: bool = False
    kept_bytes: int | None = None
    """Once cancelled: the bytes of the finished segments, which a resume does not move."""


@dataclass(frozen=True)
class Summary(Generic[Plan, Result]):
    """Everything but the segments and the log, at one moment."""

    plan: Plan | None
    planned_bytes: int
    """The size the plan announced (0 before it)."""
    progress: Progress | None
    phase: str
    stage: object | None
    """The last event of the kind's own that the view words itself (a countdown...)."""
    counts: dict[SegmentStatus, int]
    retries: int
    first_in_flight: int | None
    outcome: Outcome[Result] | None
    file: tuple[int, int] | None = None
    """In a batch: the file being moved, from 1, and how many there are."""

    @property
    def bytes_done(self) -> tuple[int, int]:
        """``(done, total)`` as every view of the transfer shows it (bar, queue row, ``q``):
        all of it once done, what was kept once cancelled."""
        progress = self.progress
        total = progress.bytes_total if progress else self.planned_bytes
        done = progress.bytes_done if progress else 0
        if self.outcome is not None and self.outcome.state is JobState.DONE:
            done = total
        elif self.outcome is not None and self.outcome.kept_bytes is not None:
            done = self.outcome.kept_bytes
        return done, total

    @property
    def percent(self) -> int | None:
        """Of the bytes, rounded; None until the size is known."""
        done, total = self.bytes_done
        return round(100 * done / total) if total else None


@dataclass(frozen=True)
class Changes(Generic[Plan, Result]):
    segments: list[int]
    """Indices of the segments that changed since the last look."""
    log: list[LogEntry]
    summary: Summary[Plan, Result]
    replanned: bool
    """The plan arrived (or changed): every row is new."""


@dataclass
class _State(Generic[Plan, Result]):
    phase: str
    plan: Plan | None = None
    planned_bytes: int = 0
    progress: Progress | None = None
    stage: object | None = None
    segments: dict[int, SegmentView] = field(default_factory=dict)
    counts: Counter[SegmentStatus] = field(default_factory=Counter)
    in_flight: set[int] = field(default_factory=set)
    retries: int = 0
    outcome: Outcome[Result] | None = None
    kept_bytes: int | None = None
    resumable: bool = False
    file: tuple[int, int] | None = None


class TransferModel(ABC, Generic[Event, Plan, Result]):
    """The shared part; a subclass words the events (:meth:`describe`) and records its own
    (:meth:`apply_own`) with the helpers below, called under the lock."""

    first_phase = "preparing"

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state: _State[Plan, Result] = _State(self.first_phase)
        self._log: deque[LogEntry] = deque(maxlen=LOG_LINES)
        self._new_log = 0
        self._dirty: set[int] = set()
        self._replanned = False
        self.ended = threading.Event()
        """Set once :meth:`end` has run: the engine's thread is done with this transfer."""

    @abstractmethod
    def describe(self, event: Event | SharedEvent) -> str | None:
        """The event in the words the CLI prints too (None: nothing to log)."""

    @abstractmethod
    def apply_own(self, event: Event) -> None:
        """Record an event that is not a segment's; called under the lock."""

    # -- the engine's side -----------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Record one engine event; called on the engine's thread, must stay cheap."""
        with self._lock:
            if not self._apply_shared(event):
                self.apply_own(event)

    def _apply_shared(self, event: Event | SharedEvent) -> bool:
        state = self._state
        if isinstance(event, Progress):
            state.progress = event
            for active in event.active:
                view = state.segments.get(active.index)
                # The last snapshot can still list a segment that failed meanwhile.
                if view is None or view.status in FINISHED:
                    continue
                if view.moved != active.bytes_sent:
                    status = SegmentStatus.ACTIVE if active.bytes_sent else view.status
                    self._set(replace(view, moved=active.bytes_sent, status=status))
        elif isinstance(event, SegmentQueued):
            # A plan that knew every length listed the segment already: then nothing changes.
            view = state.segments.get(event.index)
            if view is None or view.length != event.length:
                self._set(SegmentView(event.index, event.length))
        elif isinstance(event, SegmentStarted):
            self._update(event.index, status=SegmentStatus.ACTIVE, moved=0)
        elif isinstance(event, SegmentDone):
            status = SegmentStatus.REUSED if event.reused else SegmentStatus.DONE
            if event.index not in state.segments:
                self._set(SegmentView(event.index, event.length))
            self._update(
                event.index, status=status, length=event.length, moved=event.length, reason=""
            )
        elif isinstance(event, SegmentRetrying):
            state.retries += 1
            self._update(
                event.index,
                status=SegmentStatus.RETRYING,
                moved=0,
                attempt=event.attempt,
                reason=event.reason,
            )
            self.log_event(event, "warning")
        elif isinstance(event, SegmentFailed):
            self._update(event.index, status=SegmentStatus.FAILED, reason=event.reason)
            self.log_event(event, "error")
        elif isinstance(event, RequestRetrying):
            state.retries += 1
            self.log_event(event, "warning")
        elif isinstance(event, Notice):
            self.log_event(event, "warning")
        else:
            return False
        return True

    def note(self, text: str, level: str = "info") -> None:
        """A step of whoever runs the transfer (a job: checking, verifying, pruning), in the
        log and, its first line, as the phase."""
        lines = text.splitlines()
        with self._lock:
            if lines:
                self._state.phase = lines[0]
            for line in lines:
                self.add_log(line, level)

    def log(self, text: str, level: str = "info") -> None:
        """A line of the UI's own in the log (the cap changed), the phase untouched."""
        with self._lock:
            self.add_log(text, level)

    def end(self, outcome_state: JobState, message: str, result: Result | None = None) -> None:
        """The engine returned (``DONE``) or raised (``CANCELLED``, ``FAILED``)."""
        with self._lock:
            state = self._state
            outcome = Outcome(
                outcome_state,
                message,
                result=result,
                resumable=state.resumable or state.kept_bytes is not None,
                kept_bytes=state.kept_bytes,
            )
            state.outcome = outcome
            state.phase = message
            state.stage = None
            if outcome_state is JobState.DONE:
                state.in_flight.clear()
            else:
                level = "warning" if outcome_state is JobState.CANCELLED else "error"
                self.add_log(message, level)
                for index in list(state.in_flight):
                    self._update(index, status=SegmentStatus.QUEUED, moved=0)
        self.ended.set()

    # -- for the subclasses' events, under the lock ----------------------------------------

    def set_plan(self, plan: Plan, size: int, lengths: Sequence[int], phase: str) -> None:
        """The plan: ``lengths`` of the segments, all queued (0 for a length a later
        :class:`SegmentQueued` tells)."""
        state = self._state
        state.plan = plan
        state.planned_bytes = size
        state.phase = phase
        state.stage = None
        state.segments = {index: SegmentView(index, length) for index, length in enumerate(lengths)}
        state.counts = Counter({SegmentStatus.QUEUED: len(lengths)} if lengths else {})
        state.in_flight = set()
        self._dirty.clear()
        self._replanned = True

    def set_phase(self, phase: str, stage: object | None = None) -> None:
        self._state.phase = phase
        self._state.stage = stage

    def next_file(self, number: int, count: int, phase: str) -> None:
        """A batch moves on to file ``number`` of ``count``: the last file's progress goes,
        its segments stay until the next plan replaces them."""
        state = self._state
        state.file = (number, count)
        state.progress = None
        state.phase = phase
        self.add_log(phase)

    def batch_over(self) -> None:
        self._state.file = None

    def stopped(self, *, kept_bytes: int | None = None, resumable: bool = False) -> None:
        """The engine's own word on how it stopped: what a cancel kept, whether it resumes."""
        if kept_bytes is not None:
            self._state.kept_bytes = kept_bytes
        self._state.resumable = self._state.resumable or resumable

    def log_event(self, event: Event | SharedEvent, level: str = "info") -> None:
        """The event in the words the CLI prints too, a log line for each of its lines."""
        for line in (self.describe(event) or "").splitlines():
            self.add_log(line, level)

    def add_log(self, text: str, level: str = "info") -> None:
        self._log.append(LogEntry(self._clock(), text, level))
        self._new_log += 1

    def _update(self, index: int, **changes: object) -> None:
        view = self._state.segments.get(index)
        if view is not None:
            self._set(replace(view, **changes))  # type: ignore[arg-type]

    def _set(self, view: SegmentView) -> None:
        state = self._state
        old = state.segments.get(view.index)
        state.segments[view.index] = view
        if old is None or old.status is not view.status:
            if old is not None:
                state.counts[old.status] -= 1
            state.counts[view.status] += 1
        if view.status in IN_FLIGHT:
            state.in_flight.add(view.index)
        else:
            state.in_flight.discard(view.index)
        self._dirty.add(view.index)

    # -- the UI's side ---------------------------------------------------------------------

    def take_changes(self) -> Changes[Plan, Result]:
        """What changed since the last call; the UI's only regular read."""
        with self._lock:
            dirty = sorted(self._dirty)
            self._dirty.clear()
            new = min(self._new_log, len(self._log))
            log = list(self._log)[len(self._log) - new :] if new else []
            self._new_log = 0
            replanned, self._replanned = self._replanned, False
            return Changes(dirty, log, self._summary(), replanned)

    def restart_view(self) -> tuple[list[LogEntry], Summary[Plan, Result]]:
        """Every kept log line and the summary, for a view drawn from scratch; what changed
        until now is part of it, so the next :meth:`take_changes` starts from here."""
        with self._lock:
            self._dirty.clear()
            self._new_log = 0
            self._replanned = False
            return list(self._log), self._summary()

    def summary(self) -> Summary[Plan, Result]:
        with self._lock:
            return self._summary()

    def _summary(self) -> Summary[Plan, Result]:
        state = self._state
        return Summary(
            plan=state.plan,
            planned_bytes=state.planned_bytes,
            progress=state.progress,
            phase=state.phase,
            stage=state.stage,
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
