"""Segments an upload leaves behind: those of the object it replaced, and those of an
earlier upload that cannot resume. They go only once nothing needs them, and never the
segments the object in place uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swiftui.references import expand_manifest
from swiftui.swift import delete_objects, is_slo

if TYPE_CHECKING:
    from swiftui.swift import DeleteReport, ManifestSegment, ObjectKey, SwiftService


def stored_segments(
    swift: SwiftService, container: str, object_name: str
) -> tuple[ManifestSegment, ...]:
    """Every object ``container/object_name`` uses if it is an SLO (a nested one's
    sub-manifests and their segments too), else none (HEAD first: the body of a plain
    object is never read)."""
    headers = swift.object_headers(container, object_name)
    if headers is None or not is_slo(headers):
        return ()
    manifest = swift.read_manifest(container, object_name)
    if manifest is None:
        return ()
    return tuple(item.segment for item in expand_manifest(swift, manifest.segments))


def delete_unused_segments(
    swift: SwiftService,
    container: str,
    object_name: str,
    segment_container: str,
    prefix: str,
    *,
    keep: set[ObjectKey] | None = None,
) -> DeleteReport:
    """Delete the objects of ``segment_container`` under ``prefix`` except ``keep``
    (default: whatever the object ``container/object_name`` uses now)."""
    if keep is None:
        keep = {
            (segment.container, segment.name)
            for segment in stored_segments(swift, container, object_name)
        }
    unused = [
        (segment_container, entry.name)
        for entry in swift.iter_objects(segment_container, prefix=prefix, missing_ok=True)
        if (segment_container, entry.name) not in keep
    ]
    return delete_objects(swift, unused)
