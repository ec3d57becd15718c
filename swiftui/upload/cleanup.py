"""Segments an upload leaves behind: those of the object it replaced, and those of an
earlier upload that cannot resume. They go only once nothing needs them, and never the
segments the object in place uses.

The object in place may be a sealed Cloud Archive SLO whose manifest cannot be read for
hours: its segments are then found by name (:func:`~swiftui.swift.segments_of`), and
those that cannot be proven to be its own are kept, never overwritten nor deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.references import expand_manifest
from swiftui.swift import delete_objects, is_slo, segments_of

if TYPE_CHECKING:
    from swiftui.swift import DeleteReport, ObjectKey, SwiftService


@dataclass(frozen=True)
class ReplacedObject:
    """What the object an upload replaces uses, found without reading a sealed one."""

    segments: frozenset[ObjectKey] = frozenset()
    """Its segments (the manifest's, or proven by name): deleted once replaced, unless
    the new object reuses them."""
    unproven: frozenset[ObjectKey] = frozenset()
    """Named after it (sealed), not proven to be its own: kept."""
    note: str = ""
    """For a sealed archive: how its segments were found without reading it."""

    @property
    def protected(self) -> frozenset[ObjectKey]:
        """What nothing may overwrite or delete while it is the object in place."""
        return self.segments | self.unproven


def replaced_object(swift: SwiftService, container: str, object_name: str) -> ReplacedObject:
    """What ``container/object_name`` uses if it is an SLO (a nested one's sub-manifests
    and their segments too), else nothing (HEAD first: the body of a plain object is never
    read, nor a sealed manifest)."""
    headers = swift.object_headers(container, object_name)
    if headers is None or not is_slo(headers):
        return ReplacedObject()
    archive = segments_of(swift, container, object_name, headers)
    if archive is None:
        return ReplacedObject()
    if not archive.by_name:
        expanded = expand_manifest(swift, archive.segments)
        return ReplacedObject(
            frozenset((item.segment.container, item.segment.name) for item in expanded)
        )
    segments = frozenset((segment.container, segment.name) for segment in archive.segments)
    where = archive.found.container if archive.found is not None else ""
    unproven = frozenset((where, entry.name) for entry in archive.candidates)
    return ReplacedObject(segments, unproven, archive.explanation())


def delete_unused_segments(
    swift: SwiftService,
    container: str,
    object_name: str,
    segment_container: str,
    prefix: str,
    *,
    keep: frozenset[ObjectKey] | None = None,
) -> DeleteReport:
    """Delete the objects of ``segment_container`` under ``prefix`` except ``keep``
    (default: whatever the object ``container/object_name`` uses or may use now)."""
    if keep is None:
        keep = replaced_object(swift, container, object_name).protected
    unused = [
        (segment_container, entry.name)
        for entry in swift.iter_objects(segment_container, prefix=prefix, missing_ok=True)
        if (segment_container, entry.name) not in keep
    ]
    return delete_objects(swift, unused)
