"""What a person browsing an account needs to know about its objects, Textual-free.

A container listing tells an SLO (it carries ``slo_etag`` and the logical size) and a
segment (its content type) apart from a plain object; a DLO looks like an empty object
there, and only a HEAD tells it (``X-Object-Manifest``), its real size and its expiry
(``X-Delete-At``). :func:`describe_object` gathers the details view of one object and
:func:`verify_manifest` checks that an SLO is whole: every segment exists with the size
and etag its manifest expects, and the SLO's etag is the one its segments give.

A sealed Cloud Archive SLO is never read (:func:`~swiftui.swift.segments_of` decides):
its details and its check come from its ``HEAD`` and the segments container's listing,
its segments found by name and proven by its size and Etag, and they say so in one line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from enum import StrEnum

import humanize

from swiftui.errors import OperationCancelled, SwiftError
from swiftui.references import expand_manifest
from swiftui.swift import (
    SEGMENT_CONTENT_TYPE,
    ArchiveSegments,
    ContainerInfo,
    ManifestSegment,
    ObjectEntry,
    Retrieval,
    SegmentName,
    SwiftService,
    is_slo,
    manifest_etag,
    parse_segment_name,
    retrieval_from_headers,
    segments_of,
)
from swiftui.swift import segments_parent as parent_by_name

DLO_LISTING_LIMIT = 1000
VERIFY_THREADS = 4
METADATA_PREFIX = "x-object-meta-"


class ObjectKind(StrEnum):
    FOLDER = "folder"
    SLO = "SLO"
    DLO = "DLO"
    PLAIN = "plain"
    SEGMENT = "segment"


def listing_kind(entry: ObjectEntry) -> ObjectKind:
    """The kind a listing line shows; a DLO shows as plain: only a HEAD tells it."""
    if entry.is_dir:
        return ObjectKind.FOLDER
    if entry.slo_etag:
        return ObjectKind.SLO
    if entry.content_type == SEGMENT_CONTENT_TYPE:
        return ObjectKind.SEGMENT
    return ObjectKind.PLAIN


def segments_parent(container: str, known_containers: Sequence[str]) -> str | None:
    """The container whose segments ``container`` holds (``<name>_segments``), if it exists."""
    parent = parent_by_name(container)
    return parent if parent in known_containers else None


def is_segments_container(info: ContainerInfo, first_page: Sequence[ObjectEntry] = ()) -> bool:
    """By name (``*_segments``) or because its objects carry the segment content type."""
    if info.is_segments:
        return True
    files = [entry for entry in first_page if not entry.is_dir]
    return bool(files) and all(entry.is_segment for entry in files)


# -- times -----------------------------------------------------------------------------------


def parse_http_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def format_age(when: datetime | None, now: datetime) -> str:
    """``3 days ago``, ``in 11 months``: how far ``when`` is from ``now``."""
    if when is None:
        return ""
    return humanize.naturaltime(when, when=now)


def format_moment(when: datetime | None, zone: tzinfo | None = None) -> str:
    """``2026-11-25 03:28``, in ``zone`` (the local zone when None)."""
    if when is None:
        return ""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# -- one object ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectFacts:
    """What a HEAD says about an object: the whole object for an SLO or a DLO."""

    kind: ObjectKind
    size: int
    etag: str
    content_type: str
    last_modified: datetime | None
    delete_at: datetime | None
    dlo_container: str | None
    dlo_prefix: str | None
    metadata: dict[str, str]
    headers: dict[str, str]
    retrieval: Retrieval
    """Cloud Archive's seal state (and time left while unsealing); not archived elsewhere."""


def object_facts(headers: Mapping[str, str], *, is_segment: bool = False) -> ObjectFacts:
    lowered = {key.lower(): value for key, value in headers.items()}
    manifest = lowered.get("x-object-manifest")
    dlo_container = dlo_prefix = None
    if manifest:
        dlo_container, _, dlo_prefix = manifest.partition("/")
        kind = ObjectKind.DLO
    elif is_slo(lowered):
        kind = ObjectKind.SLO
    elif is_segment or lowered.get("content-type", "").startswith(SEGMENT_CONTENT_TYPE):
        kind = ObjectKind.SEGMENT
    else:
        kind = ObjectKind.PLAIN
    delete_at = lowered.get("x-delete-at", "")
    return ObjectFacts(
        kind=kind,
        size=int(lowered.get("content-length", 0)),
        etag=lowered.get("etag", "").strip('"'),
        content_type=lowered.get("content-type", ""),
        last_modified=parse_http_time(lowered.get("last-modified")),
        delete_at=datetime.fromtimestamp(int(delete_at), UTC) if delete_at.isdigit() else None,
        dlo_container=dlo_container,
        dlo_prefix=dlo_prefix,
        metadata={
            key[len(METADATA_PREFIX) :]: value
            for key, value in lowered.items()
            if key.startswith(METADATA_PREFIX)
        },
        headers=dict(headers),
        retrieval=retrieval_from_headers(headers),
    )


def head_object(service: SwiftService, container: str, name: str) -> ObjectFacts | None:
    """The object's facts, or None if it is gone."""
    headers = service.object_headers(container, name)
    return None if headers is None else object_facts(headers)


def segment_length(segment: ManifestSegment) -> int:
    """Bytes a manifest entry adds to the whole: its range when it has one."""
    if segment.range:
        start, _, end = segment.range.partition("-")
        return int(end) - int(start) + 1
    return segment.bytes


@dataclass(frozen=True)
class DloListing:
    container: str
    prefix: str
    segments: list[ObjectEntry]
    complete: bool

    @property
    def total_bytes(self) -> int:
        return sum(entry.bytes for entry in self.segments)


@dataclass(frozen=True)
class ObjectDetails:
    container: str
    name: str
    facts: ObjectFacts
    manifest: list[ManifestSegment] | None = None
    """An SLO's segments: its manifest's, or (sealed) those proven by name; None when a
    sealed SLO's segments could not be proven."""
    dlo: DloListing | None = None
    segment_of: SegmentName | None = None
    expanded: list[ManifestSegment] | None = None
    """An SLO's every entry: a nested one's sub-manifests, each followed by its segments."""
    slo: ArchiveSegments | None = None
    """How an SLO's segments were found (``slo.explanation()`` for a sealed one)."""

    @property
    def sealed_note(self) -> str:
        """One line for a sealed SLO: found by name, what was checked, data not read."""
        return self.slo.explanation() if self.slo is not None and self.slo.by_name else ""

    @property
    def segment_containers(self) -> list[str]:
        """Containers an SLO's segments live in, in manifest order."""
        entries = self.expanded or self.manifest or ()
        return list(dict.fromkeys(seg.container for seg in entries if not seg.sub_slo))

    @property
    def sub_manifests(self) -> int:
        """A nested SLO's sub-manifests (0 for a flat one)."""
        return sum(1 for seg in self.expanded or () if seg.sub_slo)

    @property
    def leaf_segments(self) -> list[ManifestSegment]:
        """The segments that hold the data, under any sub-manifest."""
        return [seg for seg in self.expanded or self.manifest or () if not seg.sub_slo]

    @property
    def manifest_bytes(self) -> int:
        return sum(segment_length(seg) for seg in self.manifest or ())


def describe_object(
    service: SwiftService, container: str, name: str, *, dlo_limit: int = DLO_LISTING_LIMIT
) -> ObjectDetails | None:
    """Headers and metadata; an SLO's manifest; a DLO's first ``dlo_limit`` segments."""
    facts = head_object(service, container, name)
    if facts is None:
        return None
    manifest = dlo = slo = expanded = None
    if facts.kind is ObjectKind.SLO:
        slo = segments_of(service, container, name, facts.headers)
        if slo is None:
            return None
        manifest = list(slo.segments) if slo.proven else None
        if not slo.by_name:
            expanded = [item.segment for item in expand_manifest(service, slo.segments)]
    elif facts.kind is ObjectKind.DLO and facts.dlo_container:
        segments = service.list_objects(
            facts.dlo_container, prefix=facts.dlo_prefix or "", limit=dlo_limit
        )
        dlo = DloListing(
            container=facts.dlo_container,
            prefix=facts.dlo_prefix or "",
            segments=segments,
            complete=len(segments) < dlo_limit,
        )
    segment_of = parse_segment_name(name) if facts.kind is ObjectKind.SEGMENT else None
    return ObjectDetails(container, name, facts, manifest, dlo, segment_of, expanded, slo)


# -- manifest verification -------------------------------------------------------------------


class SegmentState(StrEnum):
    OK = "ok"
    MISSING = "missing"
    WRONG_SIZE = "wrong size"
    WRONG_ETAG = "wrong etag"


@dataclass(frozen=True)
class SegmentCheck:
    index: int
    segment: ManifestSegment
    state: SegmentState
    found_size: int | None = None
    found_etag: str | None = None

    @property
    def explanation(self) -> str:
        if self.state is SegmentState.WRONG_SIZE:
            return f"{self.found_size} bytes, manifest says {self.segment.bytes}"
        if self.state is SegmentState.WRONG_ETAG:
            return f"etag {self.found_etag}, manifest says {self.segment.etag}"
        return str(self.state)


@dataclass(frozen=True)
class ManifestCheck:
    """The verdict on one SLO; ``ok`` only when every segment and the etag agree."""

    container: str
    name: str
    segments: list[SegmentCheck]
    expected_etag: str
    actual_etag: str
    sealed: ArchiveSegments | None = None
    """For a sealed SLO: its segments were found by name, from the listing (data not read)."""
    problems: list[SegmentCheck] = field(init=False)

    def __post_init__(self) -> None:
        bad = [check for check in self.segments if check.state is not SegmentState.OK]
        object.__setattr__(self, "problems", bad)

    @property
    def etag_matches(self) -> bool:
        return self.expected_etag == self.actual_etag

    @property
    def ok(self) -> bool:
        proven = self.sealed is None or self.sealed.proven
        return proven and not self.problems and self.etag_matches

    @property
    def summary(self) -> str:
        if self.sealed is not None:
            return f"{self.container}/{self.name}: {self.sealed.explanation()}"
        subs = sum(1 for check in self.segments if check.segment.sub_slo)
        count = len(self.segments) - subs
        if self.ok:
            nested = f" under {subs} sub-manifests" if subs else ""
            return f"{self.container}/{self.name}: all {count} segments{nested} present and intact"
        parts = []
        for state in (SegmentState.MISSING, SegmentState.WRONG_SIZE, SegmentState.WRONG_ETAG):
            found = sum(1 for check in self.problems if check.state is state)
            if found:
                parts.append(f"{found} {state}")
        if not self.etag_matches:
            parts.append(f"SLO etag {self.actual_etag} but the manifest gives {self.expected_etag}")
        return f"{self.container}/{self.name}: {count} segments, " + ", ".join(parts)


def check_segment(service: SwiftService, index: int, segment: ManifestSegment) -> SegmentCheck:
    """HEAD one segment and compare it with what the manifest expects."""
    headers = service.object_headers(segment.container, segment.name)
    if headers is None:
        return SegmentCheck(index, segment, SegmentState.MISSING)
    size = int(headers.get("Content-Length", -1))
    etag = headers.get("Etag", "").strip('"')
    if size != segment.bytes:
        state = SegmentState.WRONG_SIZE
    elif etag != segment.etag:
        state = SegmentState.WRONG_ETAG
    else:
        state = SegmentState.OK
    return SegmentCheck(index, segment, state, size, etag)


def verify_manifest(
    service: SwiftService,
    container: str,
    name: str,
    *,
    threads: int = VERIFY_THREADS,
    on_segment: Callable[[SegmentCheck], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ManifestCheck:
    """Check an SLO against the server: each segment (HEAD, in ``threads``) and the etag.

    A nested SLO's sub-manifests are checked like segments (their size and SLO etag),
    then every segment they list. ``on_segment`` hears every result as it comes (from the
    worker threads); ``cancelled`` stops the check between segments with
    :class:`OperationCancelled`.
    """
    headers = service.object_headers(container, name)
    archive = segments_of(service, container, name, headers) if headers is not None else None
    if headers is None or archive is None:
        raise SwiftError(f"{container}/{name}: it no longer exists")
    actual_etag = headers.get("Etag", "").strip('"')
    segments = archive.segments
    if archive.by_name:
        return _sealed_check(archive, actual_etag, on_segment, cancelled)
    expanded = [item.segment for item in expand_manifest(service, segments)]
    stop = threading.Event()

    def check(item: tuple[int, ManifestSegment]) -> SegmentCheck:
        if stop.is_set() or cancelled():
            stop.set()
            raise OperationCancelled(f"verification of {container}/{name} stopped")
        result = check_segment(service, *item)
        if on_segment is not None:
            on_segment(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        try:
            results = list(pool.map(check, enumerate(expanded)))
        except BaseException:
            stop.set()
            raise
    return ManifestCheck(
        container=container,
        name=name,
        segments=results,
        expected_etag=manifest_etag(segments),
        actual_etag=actual_etag,
    )


def _sealed_check(
    archive: ArchiveSegments,
    actual_etag: str,
    on_segment: Callable[[SegmentCheck], None] | None,
    cancelled: Callable[[], bool],
) -> ManifestCheck:
    """A sealed SLO's check from the listing that found its segments: each one's size and
    md5, and the SLO etag they add up to; no request more, no byte of data read."""
    checks = []
    for index, segment in enumerate(archive.segments):
        if cancelled():
            raise OperationCancelled(f"verification of {archive.label} stopped")
        check = SegmentCheck(index, segment, SegmentState.OK, segment.bytes, segment.etag)
        if on_segment is not None:
            on_segment(check)
        checks.append(check)
    return ManifestCheck(
        container=archive.container,
        name=archive.name,
        segments=checks,
        expected_etag=manifest_etag(archive.segments) if archive.proven else "",
        actual_etag=actual_etag,
        sealed=archive,
    )


# -- containers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSummary:
    containers: int
    objects: int
    bytes: int


def account_summary(service: SwiftService) -> AccountSummary:
    headers = service.account_headers()
    return AccountSummary(
        containers=int(headers.get("X-Account-Container-Count", 0)),
        objects=int(headers.get("X-Account-Object-Count", 0)),
        bytes=int(headers.get("X-Account-Bytes-Used", 0)),
    )


@dataclass(frozen=True)
class ContainerStats:
    """A container's HEAD: fresher than the account listing, and the only place for its policy."""

    count: int
    bytes: int
    policy: str


def container_stats(service: SwiftService, container: str) -> ContainerStats | None:
    """None if the container vanished meanwhile."""
    headers = service.container_headers(container)
    if headers is None:
        return None
    return ContainerStats(
        count=int(headers.get("X-Container-Object-Count", 0)),
        bytes=int(headers.get("X-Container-Bytes-Used", 0)),
        policy=headers.get("X-Storage-Policy", ""),
    )
