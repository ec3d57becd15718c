"""Find a sealed SLO's segments without reading its manifest.

On Cloud Archive a sealed manifest cannot be read (``?multipart-manifest=get`` is a GET:
429 until unsealed, hours later), yet deleting, replacing, checking or planning a restore
of an archive needs its segments. ``HEAD`` still works: it gives the SLO's size and Etag,
and the segment names that swiftui and the ``swift`` CLI write encode the object, the
file's mtime and size and the segment size. Listing the segments container gives each
candidate's size and md5, and md5 of the concatenated md5s must equal the SLO's Etag: a
set that passes is exactly the manifest's (complete, in order, the same bytes). A set
that does not pass is never guessed into the archive.

A scan that has listed whole containers already (the reference index) hands them in as a
:class:`SegmentListing`: no request is sent, and a manifest copied from another archive
(its entries named after that one) is proven too, by any upload of the same size and Etag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.swift.listing import ObjectEntry
from swiftui.swift.slo import (
    MTIME_HEADER,
    STREAM_FILE_SIZE,
    ManifestSegment,
    SegmentName,
    expected_slo_etag,
    parse_segment_name,
    segments_container_of,
)

if TYPE_CHECKING:
    from swiftui.swift.client import SwiftService


NamedSegment = tuple[SegmentName, ObjectEntry]
UploadKey = tuple[str, str, str, int, int]
"""(container, object name, mtime, file size, segment size): one upload's segments."""


class SegmentListing:
    """Segment-named objects of ``containers``, listed whole, by object and by file size
    (a scan of many sealed archives looks each one up without going through them all)."""

    def __init__(
        self, containers: Iterable[str], entries: Iterable[tuple[str, ObjectEntry]]
    ) -> None:
        self.containers = set(containers)
        self._by_object: dict[tuple[str, str], list[NamedSegment]] = {}
        self._by_size: dict[int, dict[UploadKey, list[NamedSegment]]] = {}
        for container, entry in entries:
            parsed = None if entry.is_dir else parse_segment_name(entry.name)
            if parsed is None:
                continue
            pair = (parsed, entry)
            if entry.name.startswith(f"{parsed.object_name}/slo/"):
                self._by_object.setdefault((container, parsed.object_name), []).append(pair)
            key = (
                container,
                parsed.object_name,
                parsed.mtime,
                parsed.file_size,
                parsed.segment_size,
            )
            self._by_size.setdefault(parsed.file_size, {}).setdefault(key, []).append(pair)

    def named_after(self, container: str, name: str) -> list[NamedSegment]:
        """Segments of ``container`` whose names say they belong to object ``name``."""
        return self._by_object.get((container, name), [])

    def uploads_of_size(self, size: int) -> list[tuple[str, list[NamedSegment]]]:
        """Every upload of a file of ``size`` bytes, whatever object it was named after."""
        return [(key[0], pairs) for key, pairs in self._by_size.get(size, {}).items()]


@dataclass(frozen=True)
class FoundSegments:
    """What the names and the listing tell about one sealed SLO."""

    container: str
    """The segments container that was searched (for a proven set: where it lives)."""
    segments: tuple[ManifestSegment, ...]
    """The proven set, in manifest order; empty when nothing could be proven."""
    candidates: tuple[ObjectEntry, ...]
    """Segments named after this object that could not be proven to be its own: keep them."""
    own_upload: bool = True
    """Whether segments named after it for a file of its very size exist (when unproven:
    an upload of its own with pieces missing or changed, rather than an unknown manifest)."""
    missing: tuple[int, ...] = ()
    """When unproven: indexes its own upload's names call for but that are not there."""
    ambiguous: int = 0
    """When unproven: how many uploads add up to its size and Etag (more than one: which
    one it uses cannot be told, so it may use any of them)."""

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
        if self.ambiguous:
            return (
                f"{self.ambiguous} uploads found by name add up to its size and Etag: which one "
                "it uses cannot be told"
            )
        gap = ""
        if self.missing:
            shown = ", ".join(f"{index:08d}" for index in self.missing[:3])
            more = " ..." if len(self.missing) > 3 else ""
            gap = f" (segment {shown}{more} missing)"
        if self.candidates:
            return (
                f"{len(self.candidates)} segments named after it in {self.container}{gap} do "
                "not add up to its size and Etag"
            )
        return f"no segment named after it in {self.container}"


def find_segments_by_name(
    swift: SwiftService,
    container: str,
    name: str,
    headers: Mapping[str, str],
    *,
    segment_container: str | None = None,
    listing: SegmentListing | None = None,
) -> FoundSegments:
    """The segments of the SLO ``container/name`` whose ``HEAD`` gave ``headers``, proven by
    its size and Etag, found in ``<container>_segments`` (or ``segment_container``): from
    ``listing`` when it holds that container, else by listing it under the object's name."""
    where = segment_container or segments_container_of(container)
    size = int(headers.get("Content-Length") or -1)
    etag = (headers.get("Etag") or "").strip('"')
    if listing is not None and where in listing.containers:
        named = listing.named_after(where, name)
    else:
        named = [
            (parsed, entry)
            for entry in swift.iter_objects(where, prefix=f"{name}/slo/", missing_ok=True)
            if (parsed := parse_segment_name(entry.name)) is not None and parsed.object_name == name
        ]
    groups: dict[tuple[str, int], list[NamedSegment]] = {}
    for parsed, entry in named:
        # A stream's segments carry 0 for a size nobody knew when they were named.
        if parsed.file_size in (size, STREAM_FILE_SIZE):
            groups.setdefault((parsed.mtime, parsed.segment_size), []).append((parsed, entry))
    # The upload of this very file (its mtime is in the manifest's metadata) if there is one,
    # else any upload named after it, else (a copied manifest) any upload of its size.
    mtime = headers.get(MTIME_HEADER, "")
    own = {key: group for key, group in groups.items() if key[0] == mtime}
    chosen = [
        proven
        for group in (own or groups).values()
        if (proven := prove_upload(where, group, size, etag))
    ]
    if not chosen and not own and listing is not None:
        copied = [
            (group[0][0].mtime, proven)
            for other, group in listing.uploads_of_size(size)
            if (proven := prove_upload(other, group, size, etag))
        ]
        chosen = [proven for when, proven in copied if when == mtime] or [p for _, p in copied]
    if len(chosen) == 1:
        return FoundSegments(chosen[0][0].container, chosen[0], ())
    ordered = sorted(groups.items(), key=lambda item: item[0][0] != mtime)
    missing = _missing_indexes(ordered[0][0][1], ordered[0][1], size) if ordered else ()
    return FoundSegments(
        where,
        (),
        tuple(entry for _, entry in named),
        own_upload=bool(groups) and not chosen,
        missing=() if chosen else missing,
        ambiguous=len(chosen),
    )


def prove_upload(
    where: str, group: list[NamedSegment], size: int, etag: str
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


def _missing_indexes(segment_size: int, group: list[NamedSegment], size: int) -> tuple[int, ...]:
    """Indexes an upload of ``size`` bytes in ``segment_size`` pieces has but ``group`` lacks."""
    if segment_size <= 0:
        return ()
    expected = max(1, -(-size // segment_size))
    present = {parsed.index for parsed, _ in group}
    return tuple(index for index in range(expected) if index not in present)
