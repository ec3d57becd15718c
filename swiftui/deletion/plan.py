"""Plan the complete and safe deletion of archives; the plan deletes nothing.

:func:`plan_deletion` reads what would go (manifests, their segments, plain objects, DLO
prefix segments) and what must stay because another manifest still references it, so a
dry run or a confirmation dialog shows exactly what
:func:`~swiftui.deletion.execute.execute_deletion` will do. Deletion never uses
``?multipart-manifest=delete``, which would also delete segments shared with other
manifests. A sealed Cloud Archive SLO is planned without reading its manifest: its
segments found by name and proven by its size and Etag go with it; segments named after
it that cannot be proven are kept and listed, and ``orphans`` finds them once its manifest
is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from swiftui.errors import SwiftError, UsageError
from swiftui.references import (
    build_reference_index,
    dlo_target,
    expand_manifest,
    label,
    parallel_map,
    related_containers,
)
from swiftui.swift import is_slo, segments_container_of, segments_of

if TYPE_CHECKING:
    from requests.structures import CaseInsensitiveDict

    from swiftui.references import ReferenceIndex
    from swiftui.swift import ArchiveSegments, ObjectKey, StoredManifest, SwiftService

Kind = Literal["slo", "dlo", "plain", "orphans"]

UNPROVEN_NOTE = (
    "named after this sealed archive, but its sizes and md5s do not prove it is one of its segments"
)


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
    maybe_used_by: tuple[str, ...] = ()
    """Sealed manifests, not read, whose segments could not be proven: they may need it."""
    note: str = ""

    @property
    def reason(self) -> str:
        parts = []
        if self.used_by:
            parts.append("used by " + ", ".join(self.used_by))
        if self.maybe_used_by:
            parts.append(
                "may belong to sealed " + ", ".join(self.maybe_used_by) + " (not proven either way)"
            )
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


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
    """Segments of this archive that another manifest still needs, and segments named
    after a sealed archive that could not be proven to be its own."""
    note: str = ""
    """For a sealed archive: one line on how its segments were found without reading it."""

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
    found = [
        (name, headers) for name, headers in zip(wanted, heads, strict=True) if headers is not None
    ]
    drafts = parallel_map(
        lambda pair: _draft(service, container, pair[0], pair[1], manifest_cache), found
    )
    scan = related_containers(container)
    for draft in drafts:
        for segment_container in {segment.container for segment in draft.segments}:
            scan.extend(related_containers(segment_container))
    scan.extend(also_check)
    index = build_reference_index(service, scan)
    # The scan found each sealed archive again, in everything it listed: a manifest copied
    # from another archive (entries named after that one) is proven there.
    drafts = [
        _slo_draft(service, index.sealed[draft.key], draft.size, manifest_cache)
        if draft.note and draft.key in index.sealed
        else draft
        for draft in drafts
    ]
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
    segment_container = segments_container_of(container)
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
    unproven: list[StoredObject] = field(default_factory=list)
    """Named after a sealed archive, not proven to be its own: never deleted with it."""
    note: str = ""

    @property
    def key(self) -> ObjectKey:
        return (self.container, self.name)

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
        archive = segments_of(service, container, name, headers)
        if archive is None:
            raise UsageError(f"no such object in container {container!r}: {name!r}")
        return _slo_draft(service, archive, size, manifest_cache)
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


def _slo_draft(
    service: SwiftService,
    archive: ArchiveSegments,
    size: int,
    manifest_cache: dict[ObjectKey, StoredManifest | None],
) -> _Draft:
    """An SLO with its segments: the manifest's (nested manifests first), or those found
    by name for a sealed one, whose unproven candidates are kept."""
    draft = _Draft(archive.container, archive.name, "slo", size, archive.stored_bytes)
    if archive.by_name:
        draft.note = archive.explanation()
        draft.segments = [
            StoredObject(seg.container, seg.name, seg.bytes) for seg in archive.segments
        ]
        where = archive.found.container if archive.found is not None else ""
        draft.unproven = [
            StoredObject(where, entry.name, entry.bytes) for entry in archive.candidates
        ]
        return draft
    nested: list[ObjectKey] = []
    leaves: dict[ObjectKey, StoredObject] = {}
    for item in expand_manifest(service, archive.segments, cache=manifest_cache):
        key = (item.segment.container, item.segment.name)
        if item.segment.sub_slo:
            nested.append(key)
        else:
            leaves.setdefault(key, StoredObject(*key, item.segment.bytes))
    # A nested manifest is read (and the size of its JSON known) once expanding goes past it.
    stored = {key: manifest_cache.get(key) for key in dict.fromkeys(nested)}
    draft.segments = [
        *(
            StoredObject(*key, found.stored_bytes if found else 0, is_manifest=True)
            for key, found in stored.items()
        ),
        *leaves.values(),
    ]
    return draft


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
            maybe = index.unproven_users_of(draft.container, draft.name, ignoring=deleting)
            if users or maybe:
                stored = StoredObject(draft.container, draft.name, draft.stored_bytes)
                refused[draft.label] = KeptObject(stored, used_by=users, maybe_used_by=maybe)
        still = {label for label in deleting if label not in refused}
        if still == deleting:
            break
        deleting = still

    # A nested SLO's sub-manifests go with it (unless another manifest uses them), and do
    # not keep their segments.
    going = deleting | _nested_manifests_going(drafts, deleting, index)
    items = []
    for draft in drafts:
        if draft.label in refused:
            continue
        segments, kept = [], []
        for segment in draft.segments:
            if segment.key == (draft.container, draft.name) or segment.label in deleting:
                continue
            users = index.users_of(segment.container, segment.name, ignoring=going)
            maybe = index.unproven_users_of(segment.container, segment.name, ignoring=going)
            if users or maybe:
                kept.append(KeptObject(segment, used_by=users, maybe_used_by=maybe))
            elif draft.kind == "dlo" and segment.key in index.manifests:
                kept.append(KeptObject(segment, note="it is a manifest of its own"))
            else:
                segments.append(segment)
        kept += [KeptObject(segment, note=UNPROVEN_NOTE) for segment in draft.unproven]
        items.append(
            PlannedDeletion(
                container=draft.container,
                name=draft.name,
                kind=draft.kind,
                size=draft.size,
                stored_bytes=draft.stored_bytes,
                segments=tuple(segments),
                kept=tuple(kept),
                note=draft.note,
            )
        )
    return DeletionPlan(
        region=region,
        items=tuple(items),
        refused=tuple(refused.values()),
        scanned=index.scanned,
    )


def _nested_manifests_going(
    drafts: list[_Draft], deleting: set[str], index: ReferenceIndex
) -> set[str]:
    """Labels of the nested manifests that only the archives being deleted use."""
    going: set[str] = set()
    while True:
        found = {
            segment.label
            for draft in drafts
            if draft.label in deleting
            for segment in draft.segments
            if segment.is_manifest
            and not index.users_of(segment.container, segment.name, ignoring=deleting | going)
        }
        if found <= going:
            return going
        going |= found
