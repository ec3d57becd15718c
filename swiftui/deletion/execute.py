"""Carry out a deletion plan: each archive's manifest first, then its segments.

An interruption never leaves a manifest pointing at deleted segments; the worst case is
segments without a manifest, which the summary lists and ``swiftui orphans`` finds. The
requests go through :func:`swiftui.swift.delete_objects` (bulk delete when the cluster
offers it, one DELETE per object otherwise, each retried after about 1, 2 and 4 s).
Progress goes to a callback and a ``threading.Event`` cancels it, so the TUI can run it
in a thread worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.deletion.plan import DeletionPlan, KeptObject, PlannedDeletion, StoredObject
from swiftui.references import label
from swiftui.swift import BULK_CHUNK, DeleteOutcome, DeleteReport, DeleteResult, delete_objects

if TYPE_CHECKING:
    from swiftui.swift import ObjectKey, SwiftService


@dataclass(frozen=True)
class DeletionFailure:
    label: str
    reason: str


@dataclass(frozen=True)
class DeletionProgress:
    """Sent after every request (or bulk request) and when an item is finished."""

    item: PlannedDeletion
    done: int
    """Objects handled so far (deleted, already gone or failed), segments included."""
    total: int
    bytes_done: int
    bytes_total: int
    failures: int
    item_finished: bool = False


@dataclass(frozen=True)
class DeletionSummary:
    objects_deleted: int
    """Manifests and plain objects gone (including those already gone)."""
    segments_deleted: int
    bytes_freed: int
    """Bytes of everything now gone; objects someone else deleted meanwhile count too."""
    already_gone: int
    kept: tuple[KeptObject, ...]
    """Shared segments (and refused objects) that were left on purpose."""
    failures: tuple[DeletionFailure, ...]
    objects_left: tuple[str, ...]
    """Requested objects that still exist (a failure, or cancelled before their turn)."""
    orphans_left: tuple[str, ...]
    """Segments still there although no planned manifest needs them any more."""
    cancelled: bool

    @property
    def complete(self) -> bool:
        return not (self.failures or self.objects_left or self.orphans_left or self.cancelled)


ProgressCallback = Callable[[DeletionProgress], None]


def execute_deletion(
    service: SwiftService,
    plan: DeletionPlan,
    *,
    on_event: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    bulk: bool | None = None,
) -> DeletionSummary:
    """Carry out ``plan``; a refused DELETE is not raised: the summary says what is left.

    ``on_event`` is called in the calling thread (a TUI worker hands it to the UI with
    ``call_from_thread``). ``cancel`` stops before the next archive or the next request;
    what is deleted stays deleted and the summary tells what is left. ``bulk`` None
    uses bulk delete when the cluster's ``/info`` offers it.
    """
    limits = service.limits()
    use_bulk = limits.bulk_delete_max is not None if bulk is None else bulk
    chunk = min(BULK_CHUNK, limits.bulk_delete_max or BULK_CHUNK)
    swift = service.configured(cancel=cancel or threading.Event())
    return _Execution(swift, plan, on_event, use_bulk, chunk).execute()


class _Execution:
    """The state of one :func:`execute_deletion` call (a single caller thread)."""

    def __init__(
        self,
        swift: SwiftService,
        plan: DeletionPlan,
        on_event: ProgressCallback | None,
        use_bulk: bool,
        chunk: int,
    ) -> None:
        self.swift = swift
        self.plan = plan
        self.on_event = on_event
        self.use_bulk = use_bulk
        self.chunk = chunk
        self.results: dict[ObjectKey, DeleteResult] = {}
        self.failures: dict[ObjectKey, DeletionFailure] = {}
        self.sizes: dict[ObjectKey, int] = {}
        # Which archives of the plan still need each segment: a segment two of them share
        # goes only once both manifests are gone.
        self.owners: dict[ObjectKey, set[int]] = {}
        for position, item in enumerate(plan.items):
            if item.has_object:
                self.sizes[item.key] = item.stored_bytes
            for segment in item.segments:
                self.sizes[segment.key] = segment.bytes
                if item.has_object:
                    self.owners.setdefault(segment.key, set()).add(position)
        self.total = len(self.sizes)
        self.bytes_total = sum(self.sizes.values())
        self.done = 0
        self.bytes_done = 0
        self.already_gone = 0
        # True once a cancellation made this run skip something.
        self.stopped = False

    def _stopping(self) -> bool:
        cancel = self.swift.cancel
        if cancel is not None and cancel.is_set():
            self.stopped = True
        return self.stopped

    def execute(self) -> DeletionSummary:
        # Plain objects have no segments: they go together, in as few requests as can be.
        plain = [item for item in self.plan.items if item.kind == "plain"]
        for start in range(0, len(plain), self.chunk):
            if self._stopping():
                break
            batch = plain[start : start + self.chunk]
            self._delete([StoredObject(*item.key, item.stored_bytes) for item in batch], batch[-1])
            for item in batch:
                self._emit(item, finished=True)
        for position, item in enumerate(self.plan.items):
            if item.kind == "plain":
                continue
            if self._stopping():
                break
            self._delete_item(position, item)
            self._emit(item, finished=True)
        return self._summary()

    def _delete_item(self, position: int, item: PlannedDeletion) -> None:
        if item.has_object:
            self._delete([StoredObject(*item.key, item.stored_bytes)], item)
            if not self._gone(item.key):
                return
            for segment in item.segments:
                self.owners[segment.key].discard(position)
        ready = [
            segment
            for segment in item.segments
            if not self.owners.get(segment.key) and segment.key not in self.results
        ]
        nested = [segment for segment in ready if segment.is_manifest]
        if nested:
            self._delete(nested, item)
            if not all(self._gone(segment.key) for segment in nested):
                return
        leaves = [segment for segment in ready if not segment.is_manifest]
        for start in range(0, len(leaves), self.chunk):
            if self._stopping():
                return
            self._delete(leaves[start : start + self.chunk], item)

    def _delete(self, objects: list[StoredObject], item: PlannedDeletion) -> None:
        by_key = {obj.key: obj for obj in objects}

        def record(report: DeleteReport) -> None:
            self.already_gone += report.not_found
            for outcome in report.outcomes:
                self._record(by_key[outcome.key], outcome)
            self._emit(item)

        delete_objects(
            self.swift, list(by_key), bulk=self.use_bulk, chunk=self.chunk, on_report=record
        )

    # -- bookkeeping ------------------------------------------------------------------------

    def _record(self, obj: StoredObject, outcome: DeleteOutcome) -> None:
        if outcome.result is DeleteResult.NOT_TRIED:
            self.stopped = True
            return
        self.results[obj.key] = outcome.result
        self.done += 1
        if outcome.result is DeleteResult.FAILED:
            self.failures[obj.key] = DeletionFailure(obj.label, outcome.reason)
            return
        self.failures.pop(obj.key, None)
        self.bytes_done += obj.bytes
        if outcome.result is DeleteResult.ALREADY_GONE:
            self.already_gone += 1

    def _gone(self, key: ObjectKey) -> bool:
        result = self.results.get(key)
        return result is not None and result.gone

    def _emit(self, item: PlannedDeletion, *, finished: bool = False) -> None:
        if self.on_event is None:
            return
        self.on_event(
            DeletionProgress(
                item=item,
                done=self.done,
                total=self.total,
                bytes_done=self.bytes_done,
                bytes_total=self.bytes_total,
                failures=len(self.failures),
                item_finished=finished,
            )
        )

    def _summary(self) -> DeletionSummary:
        objects = [item for item in self.plan.items if item.has_object]
        gone_objects = {item.key for item in objects if self._gone(item.key)}
        segment_keys = {segment.key for item in self.plan.items for segment in item.segments}
        # A segment whose planned manifests are all gone but which is still there has
        # nothing pointing at it any more: an orphan, unless it is deleted later.
        orphans = sorted(
            label(*key) for key in segment_keys if not self._gone(key) and not self.owners.get(key)
        )
        return DeletionSummary(
            objects_deleted=len(gone_objects),
            segments_deleted=sum(1 for key in segment_keys if self._gone(key)),
            bytes_freed=self.bytes_done,
            already_gone=self.already_gone,
            kept=(*self.plan.refused, *self.plan.kept),
            failures=tuple(self.failures.values()),
            objects_left=tuple(item.label for item in objects if item.key not in gone_objects),
            orphans_left=tuple(orphans),
            cancelled=self.stopped,
        )
