"""Where each byte of an object comes from: its parts, and what checks them.

A part is one GET: a whole segment (checked by its md5, the manifest's or the listing's
``hash``), a byte range of a segment (an SLO ``range`` entry: checked by the segment's Etag
on the response and its length), or a slice of a large plain object (fetched in parallel;
the whole object's md5 is then computed in order). Nested SLOs (``sub_slo`` entries) are
expanded into the segments of their sub-manifests, each sub-manifest checked against the
etag its parent gives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from swiftui.browse import ObjectFacts, ObjectKind
from swiftui.errors import IntegrityError, SwiftError
from swiftui.swift import ManifestSegment, ObjectEntry, expected_slo_etag, manifest_etag
from swiftui.units import MIB

# Large plain objects are fetched as slices of this size, in parallel; the md5 of the whole
# is computed in order, while they arrive.
PLAIN_SLICE = 128 * MIB
MAX_NESTING = 10

ManifestReader = Callable[[str, str], Sequence[ManifestSegment]]
"""Reads the manifest of the SLO ``(container, name)`` (a nested one)."""


@dataclass(frozen=True)
class Part:
    """One GET's worth of the object: ``length`` bytes from byte ``start`` of
    ``container/name``, written at ``offset`` of the file."""

    index: int
    container: str
    name: str
    offset: int
    length: int
    start: int
    object_bytes: int
    """The size of the whole object the bytes come from."""
    etag: str
    """The md5 of that whole object, as the manifest or the listing gives it."""

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.length == self.object_bytes

    @property
    def end(self) -> int:
        return self.offset + self.length

    @property
    def label(self) -> str:
        return f"{self.container}/{self.name}"


@dataclass(frozen=True)
class Layout:
    """Every part of an object in file order, and how the whole is checked."""

    kind: ObjectKind
    size: int
    parts: tuple[Part, ...]
    etag: str
    """The object's Etag as its parts give it (the SLO or DLO etag, or the md5 of a plain
    object); compared with the HEAD's at the end."""
    whole_md5: bool
    """The parts cannot check the md5 themselves (slices): compute it over the file."""

    @property
    def segment_count(self) -> int:
        return len({(part.container, part.name) for part in self.parts})

    def checks(self, sha256: bool) -> tuple[str, ...]:
        """What a download of this layout verifies, in words."""
        whole = sum(1 for part in self.parts if part.whole)
        ranged = len(self.parts) - whole
        found: list[str] = []
        if self.kind is ObjectKind.PLAIN:
            found.append("md5 of the object")
        else:
            found.append(f"md5 of {whole} segment{'s' if whole != 1 else ''}")
            if ranged:
                found.append(f"etag and length of {ranged} ranged part{'s' if ranged != 1 else ''}")
            found.append(f"{self.kind} etag")
        found.append("size")
        if sha256:
            found.append("SHA-256 of the whole file")
        return tuple(found)

    def fingerprint(self) -> str:
        """Identifies the parts list, so a journal of another layout is never resumed."""
        digest = hashlib.sha256()
        for part in self.parts:
            digest.update(
                f"{part.offset}:{part.length}:{part.start}:{part.etag}:{part.label}\n".encode()
            )
        return digest.hexdigest()[:32]


def plain_layout(facts: ObjectFacts, container: str, name: str, *, sliced: bool) -> Layout:
    """A plain object: one part, or slices of :data:`PLAIN_SLICE` when ``sliced``."""
    size = facts.size
    step = PLAIN_SLICE if sliced else max(size, 1)
    parts = tuple(
        Part(index, container, name, offset, min(step, size - offset), offset, size, facts.etag)
        for index, offset in enumerate(range(0, size, step))
    ) or (Part(0, container, name, 0, 0, 0, 0, facts.etag),)
    return Layout(ObjectKind.PLAIN, size, parts, facts.etag, whole_md5=len(parts) > 1)


def dlo_layout(segments: Sequence[ObjectEntry], container: str) -> Layout:
    """A DLO: every object under its prefix, in name order, each checked by its md5."""
    parts = []
    offset = 0
    for index, entry in enumerate(segments):
        parts.append(
            Part(index, container, entry.name, offset, entry.bytes, 0, entry.bytes, entry.etag)
        )
        offset += entry.bytes
    etag = expected_slo_etag(entry.etag for entry in segments)
    return Layout(ObjectKind.DLO, offset, tuple(parts), etag, whole_md5=False)


def slo_layout(entries: Sequence[ManifestSegment], read_manifest: ManifestReader) -> Layout:
    """An SLO: its manifest's segments, ranges cut out, nested manifests expanded."""
    size = sum(_entry_span(entry)[1] for entry in entries)
    pieces = list(_leaves(entries, 0, size, read_manifest, depth=0))
    parts = []
    offset = 0
    for index, (entry, start, length) in enumerate(pieces):
        parts.append(
            Part(index, entry.container, entry.name, offset, length, start, entry.bytes, entry.etag)
        )
        offset += length
    return Layout(ObjectKind.SLO, size, tuple(parts), manifest_etag(entries), whole_md5=False)


def _entry_span(entry: ManifestSegment) -> tuple[int, int]:
    """``(first byte, length)`` of the bytes an entry contributes (its ``range``, inclusive)."""
    if not entry.range:
        return 0, entry.bytes
    first, _, last = entry.range.partition("-")
    try:
        start, end = int(first), int(last)
    except ValueError:
        raise SwiftError(f"{entry.path}: cannot read the manifest range {entry.range!r}") from None
    return start, end - start + 1


def _leaves(
    entries: Sequence[ManifestSegment],
    low: int,
    high: int,
    read_manifest: ManifestReader,
    *,
    depth: int,
) -> Iterator[tuple[ManifestSegment, int, int]]:
    """``(segment, first byte in it, length)`` for the bytes ``[low, high)`` of the
    concatenation of ``entries``, sub-manifests expanded."""
    position = 0
    for entry in entries:
        first, length = _entry_span(entry)
        begin, finish = max(low, position), min(high, position + length)
        if begin < finish:
            inner = first + begin - position
            if entry.sub_slo:
                if depth >= MAX_NESTING:
                    raise SwiftError(f"{entry.path}: SLOs nested more than {MAX_NESTING} deep")
                sub_entries = read_manifest(entry.container, entry.name)
                if manifest_etag(sub_entries) != entry.etag:
                    raise IntegrityError(
                        f"nested manifest {entry.path} has etag {manifest_etag(sub_entries)}, "
                        f"its parent's manifest says {entry.etag}"
                    )
                yield from _leaves(
                    sub_entries, inner, inner + finish - begin, read_manifest, depth=depth + 1
                )
            else:
                yield entry, inner, finish - begin
        position += length
        if position >= high:
            return
