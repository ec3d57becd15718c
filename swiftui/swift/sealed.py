"""Find a sealed SLO's segments without reading its manifest.

On Cloud Archive a sealed manifest cannot be read (``?multipart-manifest=get`` is a GET:
429 until unsealed, hours later), yet deleting, replacing, checking or planning a restore
of an archive needs its segments. ``HEAD`` still works: it gives the SLO's size and Etag,
and the segment names that swiftui and the ``swift`` CLI write encode the object, the
file's mtime and size and the segment size. Listing the segments container gives each
candidate's size and md5, and md5 of the concatenated md5s must equal the SLO's Etag: a
set that passes is exactly the manifest's (complete, in order, the same bytes). A set
that does not pass is never guessed into the archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.swift.listing import ObjectEntry
from swiftui.swift.slo import (
    ManifestSegment,
    SegmentName,
    expected_slo_etag,
    parse_segment_name,
    segments_container_of,
)

if TYPE_CHECKING:
    from swiftui.swift.client import SwiftService

MTIME_HEADER = "X-Object-Meta-Mtime"


@dataclass(frozen=True)
class FoundSegments:
    """What the names and the listing tell about one sealed SLO."""

    container: str
    """The segments container that was searched."""
    segments: tuple[ManifestSegment, ...]
    """The proven set, in manifest order; empty when nothing could be proven."""
    candidates: tuple[ObjectEntry, ...]
    """Segments named after this object that could not be proven to be its own: keep them."""

    @property
    def proven(self) -> bool:
        return bool(self.segments)

    def explanation(self) -> str:
        """One line saying what was checked without reading the archive."""
        if self.proven:
            return (
                f"{len(self.segments)} segments found by name in {self.container}; their sizes "
                "and md5s add up to the archive's size and Etag"
            )
        if self.candidates:
            return (
                f"{len(self.candidates)} segments named after it in {self.container} do not add "
                "up to its size and Etag: they are kept"
            )
        return f"no segment named after it in {self.container}"


def find_segments_by_name(
    swift: SwiftService,
    container: str,
    name: str,
    headers: Mapping[str, str],
    *,
    segment_container: str | None = None,
) -> FoundSegments:
    """The segments of the SLO ``container/name`` whose ``HEAD`` gave ``headers``, proven by
    its size and Etag, found by listing ``<container>_segments`` (or ``segment_container``)."""
    where = segment_container or segments_container_of(container)
    size = int(headers.get("Content-Length") or -1)
    etag = (headers.get("Etag") or "").strip('"')
    groups: dict[tuple[str, int], list[tuple[SegmentName, ObjectEntry]]] = {}
    candidates = []
    for entry in swift.iter_objects(where, prefix=f"{name}/slo/", missing_ok=True):
        parsed = parse_segment_name(entry.name)
        if parsed is None or parsed.object_name != name:
            continue
        candidates.append(entry)
        if parsed.file_size == size:
            groups.setdefault((parsed.mtime, parsed.segment_size), []).append((parsed, entry))
    # The upload of this very file first: its mtime is in the manifest's metadata.
    mtime = headers.get(MTIME_HEADER, "")
    for _key, group in sorted(groups.items(), key=lambda item: item[0][0] != mtime):
        proven = _prove(where, group, size, etag)
        if proven:
            return FoundSegments(where, proven, ())
    return FoundSegments(where, (), tuple(candidates))


def _prove(
    where: str, group: list[tuple[SegmentName, ObjectEntry]], size: int, etag: str
) -> tuple[ManifestSegment, ...]:
    """The group as manifest entries if indexes run 0..n-1 and size and Etag match."""
    ordered = sorted(group, key=lambda pair: pair[0].index)
    if [parsed.index for parsed, _ in ordered] != list(range(len(ordered))):
        return ()
    if sum(entry.bytes for _, entry in ordered) != size:
        return ()
    if expected_slo_etag(entry.etag for _, entry in ordered) != etag:
        return ()
    return tuple(
        ManifestSegment(container=where, name=entry.name, bytes=entry.bytes, etag=entry.etag)
        for _, entry in ordered
    )
