"""Worker threads for an upload's pieces, and the meter of what they have done.

Workers never call the consumer: their events go through a queue to the thread that
runs the pool, which delivers them in order together with a :class:`Progress` snapshot
at most every :data:`PROGRESS_INTERVAL_S`. The first failure stops every worker (the
shared abort event); a cancel stops them within :data:`ABORT_GRACE_S`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from swiftui.errors import Aborted, OperationCancelled
from swiftui.swift import RetryNotice
from swiftui.upload.events import (
    Progress,
    RequestRetrying,
    SegmentFailed,
    SegmentProgress,
    UploadCancelled,
    UploadEvent,
)
from swiftui.upload.source import BLOCK_SIZE

PROGRESS_INTERVAL_S = 0.1
RATE_WINDOW_S = 10.0
# After a cancel or a failure, how long to wait for requests in flight to notice it.
ABORT_GRACE_S = 1.0
# How long an idle worker waits for the feeder's next piece before looking again.
_TASK_WAIT_S = 0.1

EventHandler = Callable[[UploadEvent], None]
PieceT = TypeVar("PieceT")


class Meter:
    """Bytes and segments done, rate and ETA; fed by workers, read by the calling thread."""

    def __init__(self, total: int, segments_total: int, *, total_known: bool = True) -> None:
        self.total = total
        self.segments_total = segments_total
        self.total_known = total_known
        """False for a stream: ``total`` and ``segments_total`` are what was read so far."""
        self._lock = threading.Lock()
        self._in_flight: dict[int, tuple[int, int]] = {}
        self._done_bytes = 0
        self._uploaded_bytes = 0
        self.segments_done = 0
        self.reused_segments = 0
        self.sent_total = 0
        self._samples: deque[tuple[float, int]] = deque()

    def read(self, length: int) -> None:
        """A stream's next segment was read (its size is known only as it goes)."""
        with self._lock:
            self.total += length
            self.segments_total += 1

    def sending(self, index: int, sent: int, length: int) -> None:
        with self._lock:
            previous = self._in_flight.get(index, (0, length))[0]
            self.sent_total += max(0, sent - previous)
            self._in_flight[index] = (sent, length)

    def finished(self, index: int, length: int, *, reused: bool) -> None:
        with self._lock:
            self._in_flight.pop(index, None)
            self._done_bytes += length
            self.segments_done += 1
            if reused:
                self.reused_segments += 1
            else:
                self._uploaded_bytes += length

    def cancelled(self, *, resumable: bool) -> UploadCancelled:
        """What a stop leaves: finished segments kept, the ones in flight to send again."""
        with self._lock:
            return UploadCancelled(
                segments_done=self.segments_done,
                segments_total=self.segments_total,
                bytes_done=self._done_bytes,
                bytes_total=self.total,
                segments_in_flight=len(self._in_flight),
                bytes_in_flight=sum(sent for sent, _ in self._in_flight.values()),
                resumable=resumable,
            )

    def snapshot(self, now: float) -> Progress:
        with self._lock:
            in_flight = sum(sent for sent, _ in self._in_flight.values())
            active = tuple(
                SegmentProgress(index, sent, length)
                for index, (sent, length) in sorted(self._in_flight.items())
            )
            done = self._done_bytes + in_flight
            transferred = self._uploaded_bytes + in_flight
            segments_done = self.segments_done
        self._samples.append((now, transferred))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        first_time, first_bytes = self._samples[0]
        elapsed = now - first_time
        rate = max(0.0, (transferred - first_bytes) / elapsed) if elapsed >= 0.5 else 0.0
        left = max(0, self.total - done)
        eta = left / rate if rate > 0 else (0.0 if left == 0 else None)
        return Progress(
            bytes_done=done,
            bytes_total=self.total,
            rate_bps=rate,
            eta_s=eta if self.total_known else None,
            segments_done=segments_done,
            segments_total=self.segments_total,
            active=active,
            total_known=self.total_known,
        )


@dataclass(frozen=True)
class _WorkerFailure:
    index: int | None
    """The failed piece's index; None for the feeder."""
    error: BaseException


class WorkerPool(Generic[PieceT]):
    """Runs pieces on threads for one upload; :meth:`emit` is safe from any thread."""

    def __init__(
        self,
        on_event: EventHandler,
        cancel: threading.Event,
        abort: threading.Event,
        describe_cancel: Callable[[], str],
    ) -> None:
        self.on_event = on_event
        self.cancel = cancel
        self.abort = abort
        """Set on cancel or on the first failure: every worker stops at its next check."""
        self.closed = threading.Event()
        """Set once the pool stopped listening: a late worker must not record anything."""
        self.meter = Meter(0, 0)
        self._describe_cancel = describe_cancel
        self._events: queue.SimpleQueue[UploadEvent | _WorkerFailure] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[PieceT] = queue.SimpleQueue()
        self._first_error: BaseException | None = None
        self._caller = threading.get_ident()
        self._workers: list[threading.Thread] = []

    def wait_stopped(self, timeout: float) -> bool:
        """After a run: wait up to ``timeout`` seconds for requests still in flight to end
        (a run gives up on them after :data:`ABORT_GRACE_S`); True once none is left."""
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        return not any(worker.is_alive() for worker in self._workers)

    def report_retry(self, notice: RetryNotice) -> None:
        """A request other than a segment's is retried: an ``on_retry`` for Swift views."""
        self.emit(RequestRetrying(notice.what, notice.attempt, notice.reason, notice.delay_s))

    def emit(self, event: UploadEvent) -> None:
        """Deliver now on the calling thread; from a worker, queue it for :meth:`run`."""
        if threading.get_ident() == self._caller:
            self.on_event(event)
        else:
            self._events.put(event)

    def run(
        self,
        pieces: Iterable[PieceT],
        handle: Callable[[PieceT, bytearray], None],
        index_of: Callable[[PieceT], int],
        *,
        threads: int,
    ) -> None:
        """Run ``handle`` on each piece over ``threads`` workers; deliver their events here.

        ``pieces`` may be a list, or an iterator that makes them as it goes (a stream read
        into segments): a feeder thread then takes them from it, and its error fails the
        run like a worker's. Raises the first error, or :class:`OperationCancelled` after
        a cancel.
        """
        fed = threading.Event()
        if isinstance(pieces, Sequence):
            for piece in pieces:
                self._tasks.put(piece)
            fed.set()
            count = min(threads, len(pieces))
            threads_to_watch: list[threading.Thread] = []
        else:
            feeder = threading.Thread(
                target=self._feed, args=(pieces, fed), name="swiftui-feeder", daemon=True
            )
            count = threads
            threads_to_watch = [feeder]
        workers = [
            threading.Thread(
                target=self._work,
                args=(handle, index_of, fed),
                name=f"swiftui-upload-{number}",
                daemon=True,
            )
            for number in range(count)
        ]
        threads_to_watch += workers
        self._workers = workers
        for thread in threads_to_watch:
            thread.start()
        try:
            self._deliver(threads_to_watch)
        except BaseException:
            self.abort.set()
            self.closed.set()
            raise
        self.closed.set()
        self._flush()
        self.on_event(self.meter.snapshot(time.monotonic()))
        if self._first_error is not None:
            raise self._first_error
        if self.cancel.is_set() or self.abort.is_set():
            raise OperationCancelled(self._describe_cancel())

    def _deliver(self, threads: list[threading.Thread]) -> None:
        next_tick = 0.0
        give_up_at: float | None = None
        while True:
            now = time.monotonic()
            if self.cancel.is_set():
                self.abort.set()
            if self.abort.is_set() and give_up_at is None:
                give_up_at = now + ABORT_GRACE_S
            if not any(thread.is_alive() for thread in threads) and self._events.empty():
                return
            if give_up_at is not None and now > give_up_at:
                return
            try:
                item = self._events.get(timeout=min(PROGRESS_INTERVAL_S, max(0.0, next_tick - now)))
            except queue.Empty:
                pass
            else:
                self._dispatch(item)
            if time.monotonic() >= next_tick:
                self.on_event(self.meter.snapshot(time.monotonic()))
                next_tick = time.monotonic() + PROGRESS_INTERVAL_S

    def _dispatch(self, item: UploadEvent | _WorkerFailure) -> None:
        if isinstance(item, _WorkerFailure):
            if self._first_error is None:
                self._first_error = item.error
            if item.index is not None:
                reason = str(item.error) or type(item.error).__name__
                self.on_event(SegmentFailed(item.index, reason))
        else:
            self.on_event(item)

    def _flush(self) -> None:
        while True:
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return
            self._dispatch(item)

    def _feed(self, pieces: Iterator[PieceT], fed: threading.Event) -> None:
        try:
            for piece in pieces:
                self._tasks.put(piece)
        except Aborted:
            pass
        except BaseException as error:
            if not self.abort.is_set():
                self._events.put(_WorkerFailure(None, error))
                self.abort.set()
        finally:
            fed.set()

    def _work(
        self,
        handle: Callable[[PieceT, bytearray], None],
        index_of: Callable[[PieceT], int],
        fed: threading.Event,
    ) -> None:
        buffer = bytearray(BLOCK_SIZE)
        while not self.abort.is_set():
            try:
                if fed.is_set():
                    piece = self._tasks.get_nowait()
                else:
                    piece = self._tasks.get(timeout=_TASK_WAIT_S)
            except queue.Empty:
                if fed.is_set() and self._tasks.empty():
                    return
                continue
            try:
                handle(piece, buffer)
            except Aborted:
                return
            except BaseException as error:
                if not self.abort.is_set():
                    self._events.put(_WorkerFailure(index_of(piece), error))
                    self.abort.set()
                return
