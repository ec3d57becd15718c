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
    plural,
)
from swiftui.errors import UsageError
from swiftui.references import build_reference_index, label
from swiftui.retention import format_duration, listing_timestamp
from swiftui.swift import archive_containers, parse_segment_name, parse_submanifest_name
from swiftui.units import format_bytes
from swiftui.upload.journal import list_journals

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from swiftui.references import ReferenceIndex
    from swiftui.swift import ObjectKey, SwiftService
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
        return not self.resumable and not self.recent


@dataclass(frozen=True)
class OrphanReport:
    region: str
    container: str
    segment_container: str
    scanned: tuple[str, ...]
    groups: tuple[OrphanGroup, ...]
    warnings: tuple[str, ...] = ()

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
        """A deletion plan for ``groups`` (default: those selected by default)."""
        chosen = self.selected if groups is None else list(groups)
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

    groups = tuple(
        _group(where, prefix, found, index, archives, journals, service.region, now, min_age_s)
        for (where, prefix), found in sorted(by_prefix.items())
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
    )


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
            cause="not named like swift or swiftui segments; no manifest references them",
            recent=recent,
        )
    object_name = parsed.object_name
    if (archives, object_name) in index.listed:
        cause = f"left by an overwrite: {label(archives, object_name)} uses other segments now"
    else:
        cause = "no manifest: an interrupted upload, or an archive deleted without its segments"
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
