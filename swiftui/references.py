"""Which objects the manifests of some containers still need.

A segment may be used by more than one manifest (a copied manifest, an overwrite that
kept some segments, a DLO whose prefix covers it). Before swiftui deletes a segment, or
calls it an orphan, it reads every manifest (SLO and DLO) of the containers that could
point at it, and keeps what any of them references. A scan that cannot read a manifest
fails as a whole: an incomplete index would make a needed segment look unused.

A sealed Cloud Archive manifest is not read (:func:`~swiftui.swift.segments_of` decides):
its segments are found by name in what the scan listed, proven by its size and Etag. One
that cannot be proven protects every segment named after it; one with no upload of its
own in sight may list segments under any name, so it protects every segment scanned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote

from swiftui.swift import (
    ObjectKey,
    SegmentListing,
    archive_containers,
    is_slo,
    segments_of,
    segments_parent,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from swiftui.swift import (
        ArchiveSegments,
        ManifestSegment,
        ObjectEntry,
        Retrieval,
        StoredManifest,
        SwiftService,
    )

# Parallel HEADs and manifest GETs while scanning: small requests, a few threads suffice.
SCAN_THREADS = 4
# Swift refuses SLOs nested deeper than 10; this only guards against a malformed cycle.
MAX_NESTING = 10

_T = TypeVar("_T")
_R = TypeVar("_R")


def label(container: str, name: str) -> str:
    """How swiftui names an object to the user: ``container/name``."""
    return f"{container}/{name}"


def related_containers(container: str) -> list[str]:
    """A container and the one its segments (or its archives) live in, by the ``_segments`` rule."""
    archives, segments = archive_containers(container)
    return [container, segments if container == archives else archives]


def dlo_target(header: str) -> ObjectKey:
    """``(container, prefix)`` from an ``X-Object-Manifest`` value (URL-encoded)."""
    container, _, prefix = unquote(header).partition("/")
    return container, prefix


@dataclass(frozen=True)
class ExpandedSegment:
    """A leaf segment or a nested manifest reached from a top manifest."""

    segment: ManifestSegment
    depth: int


def expand_manifest(
    service: SwiftService,
    segments: Iterable[ManifestSegment],
    *,
    cache: dict[ObjectKey, StoredManifest | None] | None = None,
    depth: int = 0,
) -> Iterator[ExpandedSegment]:
    """Every object an SLO needs: its entries, and the entries of nested SLOs (``sub_slo``)."""
    cache = {} if cache is None else cache
    for segment in segments:
        yield ExpandedSegment(segment, depth)
        if not segment.sub_slo or depth >= MAX_NESTING:
            continue
        key = (segment.container, segment.name)
        if key not in cache:
            cache[key] = service.read_manifest(*key)
        nested = cache[key]
        if nested is not None:
            yield from expand_manifest(service, nested.segments, cache=cache, depth=depth + 1)


@dataclass
class ReferenceIndex:
    """What the manifests of ``scanned`` containers reference (SLO entries, DLO prefixes)."""

    scanned: tuple[str, ...] = ()
    manifests: set[ObjectKey] = field(default_factory=set)
    """Every SLO and DLO manifest found, top-level or nested."""
    listed: dict[ObjectKey, ObjectEntry] = field(default_factory=dict)
    """Every object of the scanned containers, as the listing showed it."""
    sealed: dict[ObjectKey, ArchiveSegments] = field(default_factory=dict)
    """SLO manifests that were not read (sealed): their segments were found by name."""
    vanished: set[ObjectKey] = field(default_factory=set)
    """Manifests the listing shows but that are gone (expired, or deleted meanwhile)."""
    manifest_bytes: dict[ObjectKey, int] = field(default_factory=dict)
    """Bytes of each SLO manifest's own JSON (a listing shows its logical size instead)."""
    _slo_users: dict[ObjectKey, set[str]] = field(default_factory=dict)
    _dlo_prefixes: list[tuple[str, str, str]] = field(default_factory=list)
    _candidate_of: dict[ObjectKey, set[str]] = field(default_factory=dict)
    _may_use_anything: set[str] = field(default_factory=set)

    def add_slo_reference(self, segment: ObjectKey, manifest_label: str) -> None:
        self._slo_users.setdefault(segment, set()).add(manifest_label)

    def add_sealed(self, archive: ArchiveSegments) -> None:
        """A manifest found by name: its proven segments, or what it protects unproven."""
        key = (archive.container, archive.name)
        self.manifests.add(key)
        self.sealed[key] = archive
        for segment in archive.segments:
            self.add_slo_reference((segment.container, segment.name), archive.label)
        if archive.proven or archive.found is None:
            return
        for entry in archive.candidates:
            self._candidate_of.setdefault((archive.found.container, entry.name), set()).add(
                archive.label
            )
        if archive.may_use_anything:
            self._may_use_anything.add(archive.label)

    def add_dlo(self, container: str, prefix: str, manifest_label: str) -> None:
        self._dlo_prefixes.append((container, prefix, manifest_label))

    def users_of(
        self, container: str, name: str, *, ignoring: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """Labels of the manifests that need ``container/name``, except those ``ignoring``."""
        ignored = set(ignoring)
        users = set(self._slo_users.get((container, name), ()))
        users.update(
            manifest_label
            for dlo_container, prefix, manifest_label in self._dlo_prefixes
            if dlo_container == container
            and name.startswith(prefix)
            and manifest_label != label(container, name)
        )
        return tuple(sorted(users - ignored))

    def unproven_users_of(
        self, container: str, name: str, *, ignoring: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """Labels of the sealed manifests, not proven, that may need ``container/name``: those
        it is named after, and those that may list any segment (if it is a segment)."""
        users = set(self._candidate_of.get((container, name), ()))
        entry = self.listed.get((container, name))
        if segments_parent(container) or (entry is not None and entry.is_segment):
            users.update(self._may_use_anything)
        users.discard(label(container, name))
        return tuple(sorted(users - set(ignoring)))


def build_reference_index(
    service: SwiftService, containers: Iterable[str], *, threads: int = SCAN_THREADS
) -> ReferenceIndex:
    """Read every manifest of ``containers`` (missing containers are skipped).

    Objects the listing shows as SLOs (``slo_etag``) are read at once; segments
    (``application/swiftclient-segment``) are not manifests; any other object is HEADed,
    because a DLO manifest, or an SLO made before listings carried ``slo_etag``, looks like
    a plain object in a listing.
    """
    names = tuple(dict.fromkeys(containers))
    index = ReferenceIndex(scanned=tuple(name for name in names if _exists(service, name)))
    slo_keys: dict[ObjectKey, Retrieval] = {}
    unknown_keys: list[ObjectKey] = []
    for container in index.scanned:
        for entry in service.iter_objects(container, seal_states=True):
            if not entry.is_dir:
                index.listed[(container, entry.name)] = entry
            if entry.is_dir or (entry.is_segment and not entry.slo_etag):
                continue
            if entry.slo_etag:
                slo_keys[(container, entry.name)] = entry.retrieval
            else:
                unknown_keys.append((container, entry.name))

    heads = parallel_map(lambda key: service.object_headers(*key), unknown_keys, threads=threads)
    headed: dict[ObjectKey, Mapping[str, str]] = {}
    for key, headers in zip(unknown_keys, heads, strict=True):
        if headers is None:
            index.vanished.add(key)
        elif is_slo(headers):
            headed[key] = headers
        elif manifest_header := headers.get("X-Object-Manifest"):
            index.manifests.add(key)
            index.add_dlo(*dlo_target(manifest_header), label(*key))

    listing = SegmentListing(
        index.scanned, ((container, entry) for (container, _), entry in index.listed.items())
    )
    # Nested manifests shared by several archives are read once; two threads reading the
    # same one at the same time only cost a duplicate GET.
    cache: dict[ObjectKey, StoredManifest | None] = {}

    def find(key: ObjectKey) -> tuple[ArchiveSegments | None, list[ExpandedSegment]]:
        archive = segments_of(
            service, *key, headed.get(key), retrieval=slo_keys.get(key), listing=listing
        )
        if archive is None or archive.by_name:
            return archive, []
        return archive, list(expand_manifest(service, archive.segments, cache=cache))

    keys = [*slo_keys, *headed]
    for key, (archive, expanded) in zip(
        keys, parallel_map(find, keys, threads=threads), strict=True
    ):
        if archive is None:
            index.vanished.add(key)
            continue
        if archive.by_name:
            index.add_sealed(archive)
            continue
        index.manifests.add(key)
        index.manifest_bytes[key] = archive.stored_bytes
        for item in expanded:
            segment_key = (item.segment.container, item.segment.name)
            index.add_slo_reference(segment_key, label(*key))
            if item.segment.sub_slo:
                index.manifests.add(segment_key)
    return index


def parallel_map(
    function: Callable[[_T], _R], items: Iterable[_T], *, threads: int = SCAN_THREADS
) -> list[_R]:
    """``map`` over a few threads, results in order; the first error is raised."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, items))


def _exists(service: SwiftService, container: str) -> bool:
    return service.container_headers(container) is not None
