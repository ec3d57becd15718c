"""Find segments that no manifest references any more, grouped by the upload that made them.

Orphans come from uploads that stopped before their manifest was written, from
overwrites that left the old segments (``swift upload --leave-segments``), and from
tools that delete a manifest without its segments. They are billed forever and no
mainstream tool finds them.

For a container and its segments container (``<container>_segments``), every object of
the segments container, and every object typed ``application/swiftclient-segment`` in
the container itself, that no SLO entry and no DLO prefix of their manifests references
is an orphan. They are grouped by upload: ``<object>/slo/<mtime>/<size>/<segment size>/``
(``swift`` CLI and swiftui names; DLO segments lack the ``slo/``). Groups are not
selected for deletion by default when a resume journal of this machine can still
continue their upload, or when a segment is younger than ``min_age_s`` (an upload may be
running from another machine).

Sealed Cloud Archive manifests are not read: their segments are found by name and proven
by size and Etag (:mod:`swiftui.references`). Segments a sealed manifest may use but that
could not be proven either way are listed with the reason and never offered for deletion.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.deletion import (
    DeletionPlan,
    DeletionSummary,
    StoredObject,
    plan_segments_deletion,
)
from swiftui.errors import UsageError
from swiftui.references import build_reference_index, label, parallel_map
from swiftui.retention import format_date, format_duration, listing_timestamp
from swiftui.swift import archive_containers, parse_segment_name, parse_submanifest_name
from swiftui.units import format_bytes, plural
from swiftui.upload.journal import list_journals

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from swiftui.references import ReferenceIndex
    from swiftui.swift import ArchiveSegments, ObjectKey, SwiftService
    from swiftui.upload.journal import Journal

# An upload writes a segment every few minutes even at 10 MB/s with 1 GiB segments; a
# group untouched for a day is not being uploaded any more.
DEFAULT_MIN_AGE_S = 86400


@dataclass(frozen=True)
class OrphanSegment:
    object: StoredObject
    last_modified: float


@dataclass(frozen=True)
class OrphanGroup:
    """Unreferenced segments that share an upload prefix (or a folder, for other names)."""

    container: str
    prefix: str
    segments: tuple[OrphanSegment, ...]
    cause: str
    object_name: str | None = None
    file_mtime: float | None = None
    file_size: int | None = None
    segment_size: int | None = None
    resumable: bool = False
    journal_note: str = ""
    """What the resume journal of this upload says, when there is one."""
    journal: Journal | None = None
    recent: bool = False
    protected_by: tuple[str, ...] = ()
    """Sealed manifests, not read, that may use these segments: never deleted while they
    exist (their segments could not be proven either way)."""

    @property
    def deletable(self) -> bool:
        return not self.protected_by

    @property
    def label(self) -> str:
        return label(self.container, self.prefix)

    @property
    def count(self) -> int:
        return len(self.segments)

    @property
    def bytes(self) -> int:
        return sum(segment.object.bytes for segment in self.segments)

    @property
    def first_modified(self) -> float:
        return min(segment.last_modified for segment in self.segments)

    @property
    def last_modified(self) -> float:
        return max(segment.last_modified for segment in self.segments)

    @property
    def expected_count(self) -> int | None:
        """Segments of the whole upload, from the sizes in the names."""
        if not self.file_size or not self.segment_size:
            return None
        return math.ceil(self.file_size / self.segment_size)

    @property
    def selected_by_default(self) -> bool:
        return self.deletable and not self.resumable and not self.recent


@dataclass(frozen=True)
class OrphanReport:
    region: str
    container: str
    segment_container: str
    scanned: tuple[str, ...]
    groups: tuple[OrphanGroup, ...]
    warnings: tuple[str, ...] = ()
    sealed: tuple[ArchiveSegments, ...] = ()
    """Sealed manifests whose segments were found by name (their manifests not read)."""

    @property
    def selected(self) -> list[OrphanGroup]:
        return [group for group in self.groups if group.selected_by_default]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def bytes(self) -> int:
        return sum(group.bytes for group in self.groups)

    def plan(self, groups: Iterable[OrphanGroup] | None = None) -> DeletionPlan:
        """A deletion plan for ``groups`` (default: those selected by default); groups a
        sealed manifest may use are never part of it."""
        chosen = self.selected if groups is None else [g for g in groups if g.deletable]
        return plan_segments_deletion(
            self.region,
            [
                (group.container, group.prefix, [segment.object for segment in group.segments])
                for group in chosen
            ],
            self.scanned,
        )


def find_orphans(
    service: SwiftService,
    container: str,
    *,
    also_check: Iterable[str] = (),
    journals: Sequence[Journal] | None = None,
    now: float | None = None,
    min_age_s: float = DEFAULT_MIN_AGE_S,
) -> OrphanReport:
    """Scan ``container`` and its segments container (either may be named) for orphans.

    ``also_check`` adds containers whose manifests may use these segments. ``journals``
    defaults to this machine's resume journals. Deletes nothing.
    """
    archives, segments = archive_containers(container)
    if service.container_headers(container) is None:
        raise UsageError(f"container {container!r} does not exist in region {service.region}")
    index = build_reference_index(service, [archives, segments, *also_check])
    if journals is None:
        journals = list_journals()
    now = time.time() if now is None else now

    dangling = _dangling_sub_manifests(index, (archives, segments))
    ignoring = {label(*key) for key in dangling}
    by_prefix: dict[tuple[str, str], list[OrphanSegment]] = {}
    protected: dict[tuple[str, str], set[str]] = {}
    for (where, name), entry in index.listed.items():
        if where == archives and not entry.is_segment:
            continue
        if where not in (archives, segments):
            continue
        if (where, name) in index.manifests and (where, name) not in dangling:
            continue
        if index.users_of(where, name, ignoring=ignoring):
            continue
        prefix = name[: name.rfind("/") + 1] if "/" in name else ""
        if (where, name) in dangling:
            stored = StoredObject(
                where, name, index.manifest_bytes.get((where, name), 0), is_manifest=True
            )
        else:
            stored = StoredObject(where, name, entry.bytes)
        segment = OrphanSegment(stored, listing_timestamp(entry.last_modified))
        by_prefix.setdefault((where, prefix), []).append(segment)
        protected.setdefault((where, prefix), set()).update(index.unproven_users_of(where, name))

    keys = sorted(by_prefix)
    gone = parallel_map(lambda key: _segments_fate(service, by_prefix[key], index, archives), keys)
    groups = tuple(
        _group(
            where,
            prefix,
            by_prefix[(where, prefix)],
            index,
            archives,
            journals,
            service.region,
            now,
            min_age_s,
            protected=tuple(sorted(protected[(where, prefix)])),
            fate=fate,
        )
        for (where, prefix), fate in zip(keys, gone, strict=True)
    )
    warnings = []
    if groups and not index.manifests:
        warnings.append(
            f"no manifest at all in {', '.join(index.scanned)}: if archives in another "
            "container use these segments, name it with --also-check, or they look orphaned"
        )
    return OrphanReport(
        region=service.region,
        container=archives,
        segment_container=segments,
        scanned=index.scanned,
        groups=groups,
        warnings=tuple(warnings),
        sealed=tuple(index.sealed.values()),
    )


def _segments_fate(
    service: SwiftService, segments: list[OrphanSegment], index: ReferenceIndex, archives: str
) -> str:
    """What a ``HEAD`` of a group's first segment says when no manifest of its name is
    listed: expired already (gone but still listed), or set to expire; else nothing."""
    first = min(segments, key=lambda segment: segment.object.name).object
    parsed = parse_segment_name(first.name)
    if parsed is None or (archives, parsed.object_name) in index.listed:
        return ""
    headers = service.object_headers(first.container, first.name)
    if headers is None:
        return "these segments expired too (Swift lists them until its expirer removes them)"
    delete_at = headers.get("X-Delete-At", "")
    if delete_at.isdigit():
        return f"they expire by themselves on {format_date(int(delete_at))}"
    return ""


def _dangling_sub_manifests(index: ReferenceIndex, containers: tuple[str, str]) -> set[ObjectKey]:
    """The sub-manifests of nested SLOs whose top manifest is gone (named as swiftui names
    them, in these containers): orphans, and what they list is too unless others use it."""
    dangling: set[ObjectKey] = set()
    while True:
        ignoring = {label(*key) for key in dangling}
        found = {
            key
            for key in index.manifests
            if key[0] in containers
            and parse_submanifest_name(key[1]) is not None
            and not index.users_of(*key, ignoring=ignoring)
        }
        if found <= dangling:
            return dangling
        dangling |= found


def _group(
    container: str,
    prefix: str,
    segments: list[OrphanSegment],
    index: ReferenceIndex,
    archives: str,
    journals: Sequence[Journal],
    region: str,
    now: float,
    min_age_s: float,
    *,
    protected: tuple[str, ...],
    fate: str,
) -> OrphanGroup:
    # Nested manifests first: they are deleted before the segments they list.
    segments.sort(key=lambda segment: (not segment.object.is_manifest, segment.object.name))
    parsed = next(
        (
            name
            for segment in segments
            if (name := parse_segment_name(segment.object.name))
            or (name := parse_submanifest_name(segment.object.name))
        ),
        None,
    )
    recent = now - max(segment.last_modified for segment in segments) < min_age_s
    if parsed is None:
        return OrphanGroup(
            container=container,
            prefix=prefix,
            segments=tuple(segments),
            cause=_protected_cause(protected, index)
            or "not named like swift or swiftui segments; no manifest references them",
            recent=recent,
            protected_by=protected,
        )
    object_name = parsed.object_name
    cause = _protected_cause(protected, index) or _cause((archives, object_name), index, fate)
    journal, resumable, journal_note = _journal_state(container, prefix, journals, region)
    return OrphanGroup(
        container=container,
        prefix=prefix,
        segments=tuple(segments),
        cause=cause,
        object_name=object_name,
        file_mtime=float(parsed.mtime),
        file_size=parsed.file_size,
        segment_size=parsed.segment_size,
        resumable=resumable,
        journal_note=journal_note,
        journal=journal,
        recent=recent,
        protected_by=protected,
    )


def _cause(manifest: tuple[str, str], index: ReferenceIndex, fate: str) -> str:
    """Why no manifest references a group named after the object ``manifest``."""
    name = label(*manifest)
    if manifest in index.vanished:
        return (
            f"its manifest {name} expired or was deleted (Swift lists it until its expirer "
            "removes it)"
        )
    if manifest in index.manifests:
        return f"left by an overwrite: {name} uses other segments now"
    if manifest in index.listed:
        return f"left by an overwrite: {name} is a plain object now"
    if fate:
        return f"no manifest {name} any more (it expired or was deleted); {fate}"
    return "no manifest: an interrupted upload, or an archive deleted without its segments"


def _protected_cause(protected: tuple[str, ...], index: ReferenceIndex) -> str:
    """Why a group is kept although no manifest read references it: sealed manifests that
    could not be proven may."""
    if not protected:
        return ""
    archives = [index.sealed[key] for key in index.sealed if label(*key) in protected]
    if any(archive.may_use_anything for archive in archives):
        return (
            f"kept: sealed {', '.join(protected)} may use segments of any name (no upload of "
            "its own found); unseal it or delete it to decide"
        )
    return (
        f"kept: named after sealed {', '.join(protected)}, whose segments could not be proven "
        "(sizes and md5s do not add up to its Etag)"
    )


def _journal_state(
    container: str, prefix: str, journals: Sequence[Journal], region: str
) -> tuple[Journal | None, bool, str]:
    """The resume journal that wrote these segments, and whether it can still continue."""
    for journal in journals:
        if (journal.region, journal.segment_container, journal.segment_prefix) != (
            region,
            container,
            prefix,
        ):
            continue
        try:
            stat = os.stat(journal.local_path)
        except OSError as error:
            stale = f"{journal.local_path}: {error.strerror}"
            return journal, False, f"its resume journal is stale: {stale}"
        mismatch = journal.matches_file(stat.st_size, stat.st_mtime)
        if mismatch:
            return journal, False, f"its resume journal is stale: {mismatch}"
        sent = f"{format_bytes(journal.bytes_done)} of {format_bytes(journal.file_size)} sent"
        return journal, True, f"resumable: upload of {journal.local_path}, {sent}"
    return None, False, ""


def forget_deleted_uploads(groups: Iterable[OrphanGroup], summary: DeletionSummary) -> list[str]:
    """Remove the resume journals of groups whose segments are now all gone.

    A journal that lists deleted segments would make a resume write a manifest Swift
    refuses; without it, the next upload of that file starts over cleanly.
    """
    left = set(summary.orphans_left) | {failure.label for failure in summary.failures}
    removed = []
    for group in groups:
        if group.journal is None:
            continue
        if any(segment.object.label in left for segment in group.segments):
            continue
        group.journal.remove()
        removed.append(str(group.journal.path))
    return removed


def describe_sealed(report: OrphanReport) -> list[str]:
    """One line on the sealed manifests that were not read, then one per unproven one."""
    if not report.sealed:
        return []
    proven = sum(1 for archive in report.sealed if archive.proven)
    line = (
        f"{plural(len(report.sealed), 'sealed manifest')} (Cloud Archive) not read, their "
        f"segments found by name: {proven} proven (sizes and md5s add up to the manifest's "
        "size and Etag)"
    )
    unproven = [archive for archive in report.sealed if not archive.proven]
    if unproven:
        line += f", {len(unproven)} not (what they may use is kept)"
    return [f"{line}; data not read", *(f"  {a.label}: {a.explanation()}" for a in unproven)]


def describe_group(group: OrphanGroup, *, now: float) -> str:
    """``c_segments/obj/slo/.../  3 segments, 3.0 GiB, last written 2 days ago: <cause>``."""
    if group.expected_count:
        count = f"{group.count} of {group.expected_count} segments"
    else:
        count = plural(group.count, "segment")
    text = (
        f"{group.label}  {count}, {format_bytes(group.bytes)}, "
        f"last written {format_duration(now - group.last_modified)} ago: {group.cause}"
    )
    if group.journal_note:
        text += f"; {group.journal_note}"
    if group.recent:
        text += "; recent, an upload may still be writing it"
    return text
