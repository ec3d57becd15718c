"""What an object is made of, and which of its objects Cloud Archive must unseal first.

``HEAD`` tells the kind (SLO, DLO, plain), size, Etag, ``X-Object-Meta-Mtime``,
``X-Object-Meta-Sha256`` and the seal state, and never needs unsealing. The parts come from
the manifest (``?multipart-manifest=get``, nested manifests too), a DLO's prefix listing,
or the object itself. On Cloud Archive a manifest's GET may answer 429 until it is
unsealed: that GET has then started its unsealing, and the segments are found by their
names instead (:func:`~swiftui.swift.find_segments_by_name`, proven by the SLO's size and
Etag), so that they can be unsealed at the same time as the manifest. Seal states of an
archived SLO's segments come from ``policy_extra`` listings, a page per thousand segments.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from requests.structures import CaseInsensitiveDict

from swiftui.browse import ObjectFacts, ObjectKind, object_facts
from swiftui.download.layout import Layout, Part, dlo_layout, plain_layout, slo_layout
from swiftui.errors import SwiftError, UsageError
from swiftui.swift import (
    SHA256_META,
    ManifestSegment,
    Retrieval,
    SealState,
    SwiftService,
    find_segments_by_name,
    is_slo,
    object_path,
    parse_manifest,
    retrieval_from_headers,
    retry_after_seconds,
)

MTIME_KEY = "mtime"


@dataclass(frozen=True)
class ArchivedObject:
    """An object a read needs, on Cloud Archive: a manifest, a segment or the object."""

    container: str
    name: str
    role: str
    """``manifest``, ``segment`` or ``object``: how a message names it."""
    retrieval: Retrieval

    @property
    def label(self) -> str:
        return f"{self.container}/{self.name}"


@dataclass(frozen=True)
class Resolution:
    """One look at an object: its facts, its parts when known, what must be unsealed."""

    container: str
    name: str
    facts: ObjectFacts
    layout: Layout | None
    """None while a sealed manifest hides the parts (they are known once it is unsealed)."""
    needed: tuple[ArchivedObject, ...]
    """Archived objects to read (manifests not yet read, the parts' objects)."""
    notes: tuple[str, ...]

    @property
    def waiting(self) -> tuple[ArchivedObject, ...]:
        return tuple(item for item in self.needed if not item.retrieval.readable)

    @property
    def ready(self) -> bool:
        return self.layout is not None and not self.waiting

    @property
    def sha256(self) -> str | None:
        value = self.facts.metadata.get(SHA256_META, "").strip().lower()
        return value or None

    @property
    def mtime(self) -> float | None:
        try:
            return float(self.facts.metadata[MTIME_KEY])
        except (KeyError, ValueError):
            return None


def head(swift: SwiftService, container: str, name: str) -> ObjectFacts:
    """The object's facts; a missing object or container is one line naming it (exit 2)."""
    headers = swift.object_headers(container, name)
    if headers is not None:
        return object_facts(headers)
    if swift.container_headers(container) is None:
        raise UsageError(f"container {container!r} does not exist in region {swift.region}")
    raise UsageError(f"no such object in container {container!r}: {name!r}")


def resolve_object(swift: SwiftService, container: str, name: str, *, sliced: bool) -> Resolution:
    """Look at ``container/name`` without waiting for anything; ``sliced`` splits a large
    plain object into parts fetched in parallel."""
    facts = head(swift, container, name)
    retrieval = retrieval_from_headers(facts.headers)
    notes: list[str] = []
    needed: list[ArchivedObject] = []
    layout: Layout | None
    if facts.kind is ObjectKind.DLO:
        layout = _dlo(swift, facts, needed)
    elif facts.kind is ObjectKind.SLO:
        layout = _Slo(swift, needed, notes).top(container, name, facts, retrieval)
    else:
        layout = plain_layout(facts, container, name, sliced=sliced)
        if retrieval.archived:
            needed.append(ArchivedObject(container, name, "object", retrieval))
    if layout is not None and facts.kind is ObjectKind.SLO and retrieval.archived:
        # Segments of an archive that is not sealed itself are not looked up: one sealed
        # all the same is unsealed when its GET says so (:mod:`.fetch`).
        needed += segment_states(swift, layout.parts)
    return Resolution(container, name, facts, layout, tuple(needed), tuple(notes))


def _dlo(swift: SwiftService, facts: ObjectFacts, needed: list[ArchivedObject]) -> Layout:
    """Every object under the DLO's prefix, with their seal states (one listing)."""
    container, prefix = facts.dlo_container or "", facts.dlo_prefix or ""
    entries = [
        entry
        for entry in swift.iter_objects(container, prefix=prefix, seal_states=True, missing_ok=True)
        if not entry.is_dir
    ]
    needed += [
        ArchivedObject(container, entry.name, "segment", entry.retrieval)
        for entry in entries
        if entry.retrieval.archived
    ]
    return dlo_layout(entries, container)


def segment_states(swift: SwiftService, parts: Sequence[Part]) -> list[ArchivedObject]:
    """Seal states of the parts' objects, from ``policy_extra`` listings of their containers
    (under the names' common prefix); objects not on Cloud Archive are left out."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        wanted[part.container].add(part.name)
    found = []
    for container, names in wanted.items():
        # Object names, not paths: the longest common run of characters.
        prefix = os.path.commonprefix(sorted(names))  # noqa: RUF071
        for entry in swift.iter_objects(
            container, prefix=prefix, seal_states=True, missing_ok=True
        ):
            if entry.name in names and entry.retrieval.archived:
                found.append(ArchivedObject(container, entry.name, "segment", entry.retrieval))
    return found


class _Slo:
    """Reads an SLO's manifests, nested ones included; what is sealed is noted, not awaited."""

    def __init__(self, swift: SwiftService, needed: list[ArchivedObject], notes: list[str]) -> None:
        self.swift = swift
        self.needed = needed
        self.notes = notes
        self.manifests: dict[tuple[str, str], list[ManifestSegment]] = {}

    def top(
        self, container: str, name: str, facts: ObjectFacts, retrieval: Retrieval
    ) -> Layout | None:
        entries = self._manifest(container, name, retrieval, CaseInsensitiveDict(facts.headers))
        if entries is None or not self._read_nested(entries):
            return None
        return slo_layout(
            entries, lambda sub_container, sub_name: self.manifests[sub_container, sub_name]
        )

    def _read_nested(self, entries: Sequence[ManifestSegment]) -> bool:
        """Read every nested manifest, level by level; False if a sealed one hides parts."""
        level = [entry for entry in entries if entry.sub_slo]
        complete = True
        while level:
            following = []
            for entry in level:
                key = (entry.container, entry.name)
                if key in self.manifests:
                    continue
                headers = self.swift.object_headers(entry.container, entry.name)
                if headers is None:
                    raise SwiftError(f"nested manifest {entry.path} does not exist")
                sub = self._manifest(
                    entry.container, entry.name, retrieval_from_headers(headers), headers
                )
                if sub is None:
                    complete = False
                    continue
                self.manifests[key] = sub
                following += [item for item in sub if item.sub_slo]
            level = following
        return complete

    def _manifest(
        self,
        container: str,
        name: str,
        retrieval: Retrieval,
        headers: Mapping[str, str],
    ) -> list[ManifestSegment] | None:
        """The manifest's entries; None when Cloud Archive keeps it sealed, after noting it
        and, when they can be proven by name, its segments."""
        if not retrieval.archived:
            manifest = self.swift.read_manifest(container, name)
            if manifest is None:
                raise SwiftError(f"{container}/{name}: it does not exist")
            return list(manifest.segments)
        response = self.swift.request(
            "GET",
            object_path(container, name),
            params={"multipart-manifest": "get"},
            ok=(200, 404, 429),
            what=f"{container}/{name}",
        )
        if response.status_code == 404:
            raise SwiftError(f"manifest {container}/{name} no longer exists")
        if response.status_code == 200:
            if not is_slo(response.headers):
                raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
            return parse_manifest(response.content)
        # The 429 of this GET started the manifest's unsealing.
        delay = retry_after_seconds(response)
        self.needed.append(
            ArchivedObject(container, name, "manifest", Retrieval(SealState.UNSEALING, delay))
        )
        found = find_segments_by_name(self.swift, container, name, headers)
        if found.proven:
            self.notes.append(f"the manifest {container}/{name} is sealed: {found.explanation()}")
            return list(found.segments)
        self.notes.append(
            f"the manifest {container}/{name} is sealed and its segments cannot be found "
            f"without it ({found.explanation()}): they are unsealed once it is readable"
        )
        return None
