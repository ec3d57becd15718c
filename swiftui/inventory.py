"""What an account holds, for the headless ``list`` and ``stat``, without reading any data.

A listing line tells an SLO (``slo_etag``) and a segment (content type) from a plain
object; a DLO looks like an empty object there, so a detailed listing asks ``HEAD`` of the
empty ones. ``stat`` of an object adds what ``HEAD`` and the manifest tell: the kind, the
segments and their containers, the expiry, Cloud Archive's seal state, the SHA-256 the
upload stored. On Cloud Archive a sealed manifest is never read (that GET would start its
unsealing): its segments are found by name instead, or reported unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from requests.structures import CaseInsensitiveDict

from swiftui.browse import ObjectFacts, ObjectKind, listing_kind, object_facts
from swiftui.errors import SwiftError, UsageError
from swiftui.swift import (
    SHA256_META,
    ObjectEntry,
    Retrieval,
    SwiftService,
    find_segments_by_name,
    parse_listing_time,
    retrieval_from_headers,
)


@dataclass(frozen=True)
class ListedObject:
    """One object of a listing: its logical size and kind (a DLO's from its HEAD)."""

    entry: ObjectEntry
    kind: ObjectKind
    size: int

    @property
    def modified(self) -> datetime | None:
        return parse_listing_time(self.entry.last_modified)


def container_missing(swift: SwiftService, container: str) -> UsageError:
    return UsageError(f"container {container!r} does not exist in region {swift.region}")


def list_objects(
    swift: SwiftService, container: str, *, prefix: str = "", detailed: bool = False
) -> Iterator[ListedObject]:
    """Every object under ``prefix``; ``detailed`` also asks Cloud Archive's seal states
    and HEADs the empty objects to tell DLOs (and their size)."""
    if swift.container_headers(container) is None:
        raise container_missing(swift, container)
    for entry in swift.iter_objects(container, prefix=prefix, seal_states=detailed):
        kind = listing_kind(entry)
        size = entry.bytes
        if detailed and kind is ObjectKind.PLAIN and entry.bytes == 0:
            headers = swift.object_headers(container, entry.name)
            if headers is not None:
                facts = object_facts(headers)
                kind, size = facts.kind, facts.size
        yield ListedObject(entry, kind, size)


@dataclass(frozen=True)
class ObjectStatus:
    """``stat`` of one object."""

    container: str
    name: str
    facts: ObjectFacts
    retrieval: Retrieval
    segment_count: int | None = None
    """None when unknown (a sealed manifest whose segments cannot be found by name)."""
    segment_containers: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def sha256(self) -> str | None:
        return self.facts.metadata.get(SHA256_META) or None


def object_status(swift: SwiftService, container: str, name: str) -> ObjectStatus:
    """HEAD, and for a large object its segments (never waking a sealed manifest)."""
    headers = swift.object_headers(container, name)
    if headers is None:
        if swift.container_headers(container) is None:
            raise container_missing(swift, container)
        raise UsageError(f"no such object in container {container!r}: {name!r}")
    facts = object_facts(headers)
    retrieval = retrieval_from_headers(headers)
    if facts.kind is ObjectKind.DLO and facts.dlo_container is not None:
        count = sum(
            1
            for entry in swift.iter_objects(
                facts.dlo_container, prefix=facts.dlo_prefix or "", missing_ok=True
            )
            if not entry.is_dir
        )
        return ObjectStatus(container, name, facts, retrieval, count, (facts.dlo_container,))
    if facts.kind is not ObjectKind.SLO:
        return ObjectStatus(container, name, facts, retrieval)
    if retrieval.readable:
        manifest = swift.read_manifest(container, name)
        if manifest is None:
            raise SwiftError(f"{container}/{name}: it does not exist")
        segments = manifest.segments
        containers = tuple(dict.fromkeys(segment.container for segment in segments))
        return ObjectStatus(container, name, facts, retrieval, len(segments), containers)
    found = find_segments_by_name(swift, container, name, CaseInsensitiveDict(headers))
    note = f"sealed: the manifest is not read; {found.explanation()}"
    if found.proven:
        return ObjectStatus(
            container, name, facts, retrieval, len(found.segments), (found.container,), (note,)
        )
    return ObjectStatus(container, name, facts, retrieval, notes=(note,))


_WORDED_HEADERS = {
    "content-length",
    "content-type",
    "etag",
    "last-modified",
    "x-delete-at",
    "x-object-manifest",
    "x-ovh-retrieval-state",
    "x-ovh-retrieval-delay",
}


def status_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers ``stat`` shows as they are, after the ones it words itself (as ``swift
    stat`` does): ``Accept-Ranges``, ``X-Timestamp``, ``X-Static-Large-Object``..."""
    return {
        key: value
        for key, value in headers.items()
        if key.lower() not in _WORDED_HEADERS and not key.lower().startswith("x-object-meta-")
    }
