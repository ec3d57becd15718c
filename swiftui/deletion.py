"""Delete archives completely and safely: plan first, show the plan, then execute it.

:func:`plan_deletion` reads what would go (manifests, their segments, plain objects, DLO
prefix segments) and what must stay because another manifest still references it; it
deletes nothing, so a dry run or a confirmation dialog shows exactly the plan.
:func:`execute_deletion` carries it out: for each archive the manifest first, then its
segments, so an interruption never leaves a manifest pointing at deleted segments; the
worst case is segments without a manifest, which the summary lists and ``swiftui
orphans`` finds. It never uses ``?multipart-manifest=delete``, which would also delete
segments shared with other manifests: bulk delete when the cluster offers it, one DELETE
per object otherwise. Progress goes to a callback and a ``threading.Event`` cancels it,
so the TUI can run it in a thread worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote

from swiftui.errors import SwiftError, UsageError
from swiftui.references import (
    ObjectKey,
    build_reference_index,
    dlo_target,
    expand_manifest,
    is_slo,
    label,
    parallel_map,
    read_manifest,
    related_containers,
)
from swiftui.swift import SEGMENTS_SUFFIX, describe_failure, object_path
from swiftui.units import format_bytes

if TYPE_CHECKING:
    from requests.structures import CaseInsensitiveDict

    from swiftui.references import ReferenceIndex, StoredManifest
    from swiftui.swift import SwiftService

Kind = Literal["slo", "dlo", "plain", "orphans"]

# One DELETE per object runs on this many threads (when there is no bulk delete).
DELETE_THREADS = 4
# At most this many paths per bulk-delete request, whatever the cluster allows, so that
# progress and cancellation are not stuck behind one huge request.
BULK_CHUNK = 1000
# Waits between attempts of one DELETE on 5xx, 408, 429 or a connection failure.
RETRY_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0)
_ANY_STATUS = tuple(range(100, 600))


@dataclass(frozen=True)
class StoredObject:
    """An object in Swift, with the bytes that deleting it frees."""

    container: str
    name: str
    bytes: int
    is_manifest: bool = False
    """A nested SLO manifest among the segments: deleted before the segments it lists."""

    @property
    def key(self) -> ObjectKey:
        return (self.container, self.name)

    @property
    def label(self) -> str:
        return label(self.container, self.name)


@dataclass(frozen=True)
class KeptObject:
    """An object the plan leaves alone, and why."""

    object: StoredObject
    used_by: tuple[str, ...] = ()
    """Manifests (``container/name``) that still reference it."""
    note: str = ""

    @property
    def reason(self) -> str:
        if self.used_by:
            return "used by " + ", ".join(self.used_by)
        return self.note


@dataclass(frozen=True)
class PlannedDeletion:
    """One unit of work: an archive (or a plain object) with its segments, or an orphan group.

    For ``orphans`` there is no object of its own: ``name`` is the segments' common prefix
    in ``container`` and only the segments are deleted.
    """

    container: str
    name: str
    kind: Kind
    size: int
    """What a listing shows: the logical size for an SLO or DLO."""
    stored_bytes: int = 0
    """Bytes of the object itself (a manifest's JSON, a plain object's data)."""
    segments: tuple[StoredObject, ...] = ()
    """Deleted after the object: nested manifests first, then data segments."""
    kept: tuple[KeptObject, ...] = ()
    """Segments of this archive that another manifest still needs."""

    @property
    def key(self) -> ObjectKey:
        return (self.container, self.name)

    @property
    def label(self) -> str:
        return label(self.container, self.name)

    @property
    def has_object(self) -> bool:
        return self.kind != "orphans"

    @property
    def bytes_total(self) -> int:
        return self.stored_bytes + sum(segment.bytes for segment in self.segments)


@dataclass(frozen=True)
class DeletionPlan:
    """Everything a deletion would remove and keep; nothing is deleted until it is executed."""

    region: str
    items: tuple[PlannedDeletion, ...]
    refused: tuple[KeptObject, ...] = ()
    """Requested objects that are not deleted because another manifest needs them."""
    scanned: tuple[str, ...] = ()
    """Containers whose manifests were read to find shared segments."""

    @property
    def objects(self) -> list[PlannedDeletion]:
        """Manifests and plain objects (orphan groups have no object of their own)."""
        return [item for item in self.items if item.has_object]

    @property
    def segments(self) -> list[StoredObject]:
        """Every segment to delete, once each (two archives may share one)."""
        unique = {segment.key: segment for item in self.items for segment in item.segments}
        return list(unique.values())

    @property
    def kept(self) -> list[KeptObject]:
        unique = {kept.object.key: kept for item in self.items for kept in item.kept}
        return list(unique.values())

    @property
    def object_count(self) -> int:
        return len(self.objects)

    @property
    def segment_count(self) -> int:
        return len(self.segments)

    @property
    def bytes_total(self) -> int:
        own = sum(item.stored_bytes for item in self.objects)
        return own + sum(segment.bytes for segment in self.segments)

    @property
    def containers(self) -> list[str]:
        """Containers something is deleted from."""
        names = {item.container for item in self.objects}
        names.update(segment.container for segment in self.segments)
        return sorted(names)

    @property
    def is_empty(self) -> bool:
        return not self.items


# -- planning -------------------------------------------------------------------------------


def plan_deletion(
    service: SwiftService,
    container: str,
    names: Iterable[str],
    *,
    also_check: Iterable[str] = (),
) -> DeletionPlan:
    """Plan the complete deletion of ``names`` in ``container``; deletes nothing.

    Each object is HEADed: an SLO brings its segments (and nested manifests), a DLO the
    objects under its prefix, anything else is a plain delete. Then the manifests of the
    container, of every segments container involved and of their ``_segments`` parents
    (plus ``also_check``) are read: a segment another manifest references is kept, and an
    object that another manifest uses as a segment is refused. A missing container or
    object is a :class:`UsageError` naming it, before anything else happens.
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        raise UsageError("no object to delete was named")
    if service.container_headers(container) is None:
        raise UsageError(f"container {container!r} does not exist in region {service.region}")
    heads = parallel_map(lambda name: service.object_headers(container, name), wanted)
    missing = [name for name, headers in zip(wanted, heads, strict=True) if headers is None]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        raise UsageError(
            f"no such object in container {container!r}: {listed}"
            + _leftovers_hint(service, container, missing)
        )

    manifest_cache: dict[ObjectKey, StoredManifest | None] = {}
    drafts = parallel_map(
        lambda pair: _draft(service, container, pair[0], pair[1], manifest_cache),
        list(zip(wanted, heads, strict=True)),
    )
    scan = related_containers(container)
    for draft in drafts:
        for segment_container in {segment.container for segment in draft.segments}:
            scan.extend(related_containers(segment_container))
    scan.extend(also_check)
    index = build_reference_index(service, scan)
    return _apply_references(service.region, drafts, index)


def plan_segments_deletion(
    region: str, groups: Sequence[tuple[str, str, Sequence[StoredObject]]], scanned: Sequence[str]
) -> DeletionPlan:
    """A plan that deletes unreferenced segments only: ``(container, prefix, segments)`` groups."""
    items = tuple(
        PlannedDeletion(
            container=container,
            name=prefix,
            kind="orphans",
            size=sum(segment.bytes for segment in segments),
            segments=tuple(segments),
        )
        for container, prefix, segments in groups
        if segments
    )
    return DeletionPlan(region=region, items=items, scanned=tuple(scanned))


def _leftovers_hint(service: SwiftService, container: str, missing: list[str]) -> str:
    """Where a deletion (or upload) that was killed half-way left segments of a missing
    object, so running the same ``rm`` again does not end in silence."""
    segment_container = container + SEGMENTS_SUFFIX
    try:
        named = [
            name
            for name in missing
            if service.list_objects(segment_container, prefix=f"{name}/", limit=1)
        ]
    except SwiftError:
        return ""
    if not named:
        return ""
    which = "it" if len(missing) == 1 else ", ".join(repr(name) for name in named)
    return (
        f"; {segment_container!r} still holds segments named after {which} (an interrupted "
        f"deletion or upload?): swiftui orphans {container} shows whether anything uses them"
    )


@dataclass
class _Draft:
    """An object to delete before the shared-segment check."""

    container: str
    name: str
    kind: Kind
    size: int
    stored_bytes: int
    segments: list[StoredObject] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.container, self.name)


def _draft(
    service: SwiftService,
    container: str,
    name: str,
    headers: CaseInsensitiveDict[str],
    manifest_cache: dict[ObjectKey, StoredManifest | None],
) -> _Draft:
    size = int(headers.get("Content-Length", 0))
    if is_slo(headers):
        manifest = read_manifest(service, container, name)
        if manifest is None:
            raise UsageError(f"no such object in container {container!r}: {name!r}")
        draft = _Draft(container, name, "slo", size, manifest.stored_bytes)
        nested: dict[ObjectKey, StoredObject] = {}
        leaves: dict[ObjectKey, StoredObject] = {}
        for item in expand_manifest(service, manifest.segments, cache=manifest_cache):
            key = (item.segment.container, item.segment.name)
            if item.segment.sub_slo:
                stored = manifest_cache.get(key)
                stored_bytes = stored.stored_bytes if stored else 0
                nested.setdefault(key, StoredObject(*key, stored_bytes, is_manifest=True))
            else:
                leaves.setdefault(key, StoredObject(*key, item.segment.bytes))
        draft.segments = [*nested.values(), *leaves.values()]
        return draft
    if manifest_header := headers.get("X-Object-Manifest"):
        segment_container, prefix = dlo_target(manifest_header)
        draft = _Draft(container, name, "dlo", size, 0)
        draft.segments = [
            StoredObject(segment_container, entry.name, entry.bytes)
            for entry in service.iter_objects(segment_container, prefix=prefix)
            if not entry.is_dir and (segment_container, entry.name) != (container, name)
        ]
        return draft
    return _Draft(container, name, "plain", size, size)


def _apply_references(region: str, drafts: list[_Draft], index: ReferenceIndex) -> DeletionPlan:
    """Keep what manifests outside the plan need; refuse requested objects they use."""
    deleting = {draft.label for draft in drafts}
    refused: dict[str, KeptObject] = {}
    # Refusing one object can make the objects it references needed: repeat until stable.
    while True:
        for draft in drafts:
            if draft.label in refused:
                continue
            users = index.users_of(draft.container, draft.name, ignoring=deleting)
            if users:
                stored = StoredObject(draft.container, draft.name, draft.stored_bytes)
                refused[draft.label] = KeptObject(stored, used_by=users)
        still = {label for label in deleting if label not in refused}
        if still == deleting:
            break
        deleting = still

    items = []
    for draft in drafts:
        if draft.label in refused:
            continue
        segments, kept = [], []
        for segment in draft.segments:
            if segment.key == (draft.container, draft.name) or segment.label in deleting:
                continue
            users = index.users_of(segment.container, segment.name, ignoring=deleting)
            if users:
                kept.append(KeptObject(segment, used_by=users))
            elif draft.kind == "dlo" and segment.key in index.manifests:
                kept.append(KeptObject(segment, note="it is a manifest of its own"))
            else:
                segments.append(segment)
        items.append(
            PlannedDeletion(
                container=draft.container,
                name=draft.name,
                kind=draft.kind,
                size=draft.size,
                stored_bytes=draft.stored_bytes,
                segments=tuple(segments),
                kept=tuple(kept),
            )
        )
    return DeletionPlan(
        region=region,
        items=tuple(items),
        refused=tuple(refused.values()),
        scanned=index.scanned,
    )


# -- execution ------------------------------------------------------------------------------


class _Result(Enum):
    DELETED = "deleted"
    ALREADY_GONE = "already gone"
    FAILED = "failed"
    NOT_TRIED = "not tried"


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
    use_bulk = service.limits().bulk_delete_max is not None if bulk is None else bulk
    chunk = min(BULK_CHUNK, service.limits().bulk_delete_max or BULK_CHUNK)
    run = _Execution(service, plan, on_event, cancel or threading.Event(), use_bulk, chunk)
    return run.execute()


class _Execution:
    """The state of one :func:`execute_deletion` call (a single caller thread)."""

    def __init__(
        self,
        service: SwiftService,
        plan: DeletionPlan,
        on_event: ProgressCallback | None,
        cancel: threading.Event,
        use_bulk: bool,
        chunk: int,
    ) -> None:
        self.service = service
        self.plan = plan
        self.on_event = on_event
        self.cancel = cancel
        self.use_bulk = use_bulk
        self.chunk = chunk
        self.pool: ThreadPoolExecutor
        self.results: dict[ObjectKey, _Result] = {}
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
        if self.cancel.is_set():
            self.stopped = True
        return self.stopped

    def execute(self) -> DeletionSummary:
        with ThreadPoolExecutor(max_workers=DELETE_THREADS) as self.pool:
            # Plain objects have no segments: they go together, in as few requests as can be.
            plain = [item for item in self.plan.items if item.kind == "plain"]
            for start in range(0, len(plain), self.chunk):
                if self._stopping():
                    break
                batch = plain[start : start + self.chunk]
                objects = [StoredObject(*item.key, item.stored_bytes) for item in batch]
                self._delete(objects, batch[-1])
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

    # -- requests ---------------------------------------------------------------------------

    def _delete(self, objects: list[StoredObject], item: PlannedDeletion) -> None:
        if self.use_bulk and len(objects) > 1:
            self._bulk_delete(objects, item)
        elif len(objects) == 1:
            self._record(objects[0], *self._delete_one(objects[0]))
            self._emit(item)
        else:
            futures = {self.pool.submit(self._delete_one, obj): obj for obj in objects}
            for future in as_completed(futures):
                self._record(futures[future], *future.result())
                self._emit(item)

    def _delete_one(self, obj: StoredObject) -> tuple[_Result, str]:
        """One DELETE with retries on transient failures; a 404 means already gone."""
        reason = ""
        for delay in (*RETRY_DELAYS_S, None):
            if self._stopping():
                return _Result.NOT_TRIED, ""
            try:
                response = self.service.request(
                    "DELETE",
                    object_path(obj.container, obj.name),
                    ok=_ANY_STATUS,
                    what=obj.label,
                )
            except SwiftError as error:
                reason, retry = str(error), True
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return _Result.DELETED, ""
                if status == 404:
                    return _Result.ALREADY_GONE, ""
                reason = describe_failure(response, obj.label, "DELETE")
                retry = status >= 500 or status in (408, 429)
            if not retry or delay is None:
                return _Result.FAILED, reason
            self.cancel.wait(delay)
        return _Result.FAILED, reason

    def _bulk_delete(self, objects: list[StoredObject], item: PlannedDeletion) -> None:
        """One bulk-delete request; whatever it does not clearly account for is retried alone.

        The reply counts deletions and lists failures without naming what succeeded: when
        the numbers add up, every path not listed as failed is gone; otherwise (an aborted
        request) each path is deleted again on its own, which is harmless (404 = gone).
        """
        body = "\n".join("/" + object_path(obj.container, obj.name) for obj in objects)
        try:
            response = self.service.request(
                "POST",
                "",
                params={"bulk-delete": ""},
                data=body.encode("utf-8"),
                headers={"Content-Type": "text/plain", "Accept": "application/json"},
                ok=(200,),
                what="bulk delete",
            )
            reply = response.json()
            deleted = int(reply["Number Deleted"])
            not_found = int(reply["Number Not Found"])
            errors = {unquote(path).lstrip("/") for path, _status in reply.get("Errors", [])}
        except (SwiftError, ValueError, KeyError, TypeError):
            retry = objects
        else:
            accounted = deleted + not_found + len(errors) == len(objects)
            retry = [obj for obj in objects if not accounted or obj.label in errors]
            if accounted:
                self.already_gone += not_found
                for obj in objects:
                    if obj.label not in errors:
                        self._record(obj, _Result.DELETED, "", count_gone=False)
                self._emit(item)
        if retry:
            futures = {self.pool.submit(self._delete_one, obj): obj for obj in retry}
            for future in as_completed(futures):
                self._record(futures[future], *future.result())
            self._emit(item)

    # -- bookkeeping ------------------------------------------------------------------------

    def _record(
        self, obj: StoredObject, result: _Result, reason: str, *, count_gone: bool = True
    ) -> None:
        if result is _Result.NOT_TRIED:
            return
        self.results[obj.key] = result
        self.done += 1
        if result is _Result.FAILED:
            self.failures[obj.key] = DeletionFailure(obj.label, reason)
            return
        self.failures.pop(obj.key, None)
        self.bytes_done += obj.bytes
        if result is _Result.ALREADY_GONE and count_gone:
            self.already_gone += 1

    def _gone(self, key: ObjectKey) -> bool:
        return self.results.get(key) in (_Result.DELETED, _Result.ALREADY_GONE)

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


# -- words for people -----------------------------------------------------------------------

_KIND_NAMES = {"slo": "SLO", "dlo": "DLO", "plain": "object", "orphans": "orphaned segments"}


def plural(count: int, word: str) -> str:
    """``1 segment``, ``2 segments``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe_item(item: PlannedDeletion) -> str:
    """``c/backup.tar  SLO 250.0 GiB: manifest and 233 segments in c_segments``."""
    if not item.has_object:
        return (
            f"{item.label}*  {plural(len(item.segments), 'orphaned segment')}, "
            f"{format_bytes(item.bytes_total)}"
        )
    text = f"{item.label}  {_KIND_NAMES[item.kind]}, {format_bytes(item.size)}"
    if item.kind == "plain":
        return text
    containers = ", ".join(sorted({segment.container for segment in item.segments}))
    where = f" in {containers}" if containers else ""
    text += f": manifest and {plural(len(item.segments), 'segment')}{where}"
    if item.kept:
        text += f"; {plural(len(item.kept), 'shared segment')} kept"
    return text


def describe_plan(plan: DeletionPlan) -> list[str]:
    """The plan as lines for a terminal or a confirmation dialog."""
    lines = [f"To delete in region {plan.region}:"]
    lines += [f"  {describe_item(item)}" for item in plan.items] or ["  nothing"]
    if plan.kept:
        lines.append("Kept, still used by other manifests:")
        lines += [
            f"  {kept.object.label} ({format_bytes(kept.object.bytes)}): {kept.reason}"
            for kept in plan.kept
        ]
    if plan.refused:
        lines.append("Not deleted, another manifest uses it as a segment:")
        lines += [f"  {kept.object.label}: {kept.reason}" for kept in plan.refused]
    lines.append(plan_total(plan))
    return lines


def plan_total(plan: DeletionPlan) -> str:
    """``Total: 2 objects, 466 segments, 500.0 GiB in c, c_segments``."""
    containers = ", ".join(plan.containers) or "no container"
    return (
        f"Total: {plural(plan.object_count, 'object')}, {plural(plan.segment_count, 'segment')}, "
        f"{format_bytes(plan.bytes_total)} in {containers}"
    )


def describe_summary(summary: DeletionSummary) -> list[str]:
    """What was done and what is left, as lines; the first one is the summary line."""
    line = (
        f"Deleted {plural(summary.objects_deleted, 'object')} and "
        f"{plural(summary.segments_deleted, 'segment')}, "
        f"{format_bytes(summary.bytes_freed)} freed"
    )
    if summary.kept:
        line += f"; kept {len(summary.kept)} shared"
    if summary.failures:
        line += f"; {len(summary.failures)} failed"
    if summary.cancelled:
        line += "; cancelled"
    lines = [line]
    lines += [f"  failed: {failure.reason}" for failure in summary.failures]
    if summary.objects_left:
        lines.append("Still there: " + ", ".join(summary.objects_left))
    if summary.orphans_left:
        lines.append(
            f"{plural(len(summary.orphans_left), 'segment')} left without a manifest "
            "(swiftui orphans finds them): "
            + ", ".join(summary.orphans_left[:5])
            + (" ..." if len(summary.orphans_left) > 5 else "")
        )
    return lines
