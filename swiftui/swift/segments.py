"""Which segments an SLO has: from its manifest when it can be read, by name when it cannot.

This is the one place that decides. Cloud Archive answers a ``GET`` of a sealed object
with 429 for hours, and reading a manifest (``?multipart-manifest=get``) is a ``GET``; so
a sealed or unsealing SLO (``HEAD``'s ``X-Ovh-Retrieval-State``, or a ``policy_extra``
listing's state) is never read: its segments are found by name and proven by its size and
Etag (:mod:`swiftui.swift.sealed`). A manifest ``GET`` that answers 429 anyway (a provider
whose ``HEAD`` does not tell, or a window that closed meanwhile) falls back to the same
path. Deletion, reference scans, orphans, the replacing upload's clean-up, details,
verify and downloads all ask here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.errors import SwiftError
from swiftui.swift.seal import (
    NOT_ARCHIVED,
    ObjectSealed,
    Retrieval,
    SealState,
    retrieval_from_headers,
)
from swiftui.swift.sealed import FoundSegments, SegmentListing, find_segments_by_name
from swiftui.swift.slo import is_slo
from swiftui.units import format_eta

if TYPE_CHECKING:
    from swiftui.swift.client import SwiftService
    from swiftui.swift.listing import ObjectEntry
    from swiftui.swift.slo import ManifestSegment, StoredManifest


@dataclass(frozen=True)
class ArchiveSegments:
    """An SLO's segments and how they were found: exactly one of ``manifest`` (read) and
    ``found`` (by name, its manifest not read) is set."""

    container: str
    name: str
    retrieval: Retrieval
    """Its seal state (not archived, for an ordinary policy)."""
    headers: Mapping[str, str] | None = None
    """Its ``HEAD``, when one was sent (always when found by name)."""
    manifest: StoredManifest | None = None
    found: FoundSegments | None = None

    @property
    def label(self) -> str:
        return f"{self.container}/{self.name}"

    @property
    def by_name(self) -> bool:
        return self.manifest is None

    @property
    def segments(self) -> tuple[ManifestSegment, ...]:
        """The manifest's entries, or the proven set; empty when nothing is proven."""
        if self.manifest is not None:
            return self.manifest.segments
        return self.found.segments if self.found is not None else ()

    @property
    def proven(self) -> bool:
        """Whether ``segments`` is exactly what its manifest lists."""
        return self.manifest is not None or (self.found is not None and self.found.proven)

    @property
    def candidates(self) -> tuple[ObjectEntry, ...]:
        """Unproven segments named after it: nothing may delete them while it exists."""
        return self.found.candidates if self.found is not None else ()

    @property
    def may_use_anything(self) -> bool:
        """Unproven, and no upload of its own size named after it: its manifest may list
        segments under any name, so none of the scanned segments is safe to delete."""
        return self.found is not None and not self.found.proven and not self.found.own_upload

    @property
    def stored_bytes(self) -> int:
        """Bytes of the manifest's JSON (unknown, 0, when not read)."""
        return self.manifest.stored_bytes if self.manifest is not None else 0

    def explanation(self) -> str:
        """One line: how the segments were found, and for a sealed archive that its data
        was not read (``sealed (Cloud Archive): 54 segments found by name in ...``)."""
        if self.found is None:
            return f"{len(self.segments)} segments listed by its manifest"
        text = f"{seal_words(self.retrieval)}: {self.found.explanation()}"
        if self.may_use_anything:
            text += "; it may use segments of any name"
        return f"{text}; data not read"


def seal_words(retrieval: Retrieval) -> str:
    """``sealed (Cloud Archive)``, ``unsealing (Cloud Archive, readable in 59m 58s)``,
    ``unsealed (Cloud Archive, readable now)``."""
    if retrieval.state is SealState.UNSEALING:
        when = f", readable in {format_eta(retrieval.delay_s)}" if retrieval.delay_s else ""
        return f"unsealing (Cloud Archive{when})"
    if retrieval.state is SealState.SEALED:
        return "sealed (Cloud Archive)"
    if retrieval.state is SealState.UNSEALED:
        return "unsealed (Cloud Archive, readable now)"
    return "not readable now (Cloud Archive)"


def segments_of(
    swift: SwiftService,
    container: str,
    name: str,
    headers: Mapping[str, str] | None = None,
    *,
    retrieval: Retrieval | None = None,
    segment_container: str | None = None,
    listing: SegmentListing | None = None,
) -> ArchiveSegments | None:
    """The segments of the SLO ``container/name``; None if it does not exist.

    ``headers`` (its ``HEAD``) or ``retrieval`` (a ``policy_extra`` listing's state) say
    whether it can be read; with neither, it is ``HEAD``ed first. A readable SLO's
    manifest is read; a sealed or unsealing one is found by name in
    ``<container>_segments`` (or ``segment_container``), from ``listing`` when the caller
    has listed that container already. No ``GET`` is ever sent to a sealed object (a
    provider that does not tell the state gets one manifest ``GET``, answered 429).
    A :class:`SwiftError` if the object is not an SLO.
    """
    if headers is None and retrieval is None:
        headers = swift.object_headers(container, name)
        if headers is None:
            return None
    if headers is not None:
        _check_slo(container, name, headers)
        retrieval = retrieval_from_headers(headers)
    state = retrieval or NOT_ARCHIVED
    if state.readable:
        try:
            manifest = swift.read_manifest(container, name)
        except ObjectSealed as sealed:
            state = sealed.retrieval
        else:
            if manifest is None:
                return None
            return ArchiveSegments(container, name, state, headers, manifest=manifest)
    if headers is None:
        headers = swift.object_headers(container, name)
        if headers is None:
            return None
        _check_slo(container, name, headers)
        told = retrieval_from_headers(headers)
        state = told if told.archived else state
    found = find_segments_by_name(
        swift, container, name, headers, segment_container=segment_container, listing=listing
    )
    return ArchiveSegments(container, name, state, headers, found=found)


def _check_slo(container: str, name: str, headers: Mapping[str, str]) -> None:
    if not is_slo(headers):
        raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
