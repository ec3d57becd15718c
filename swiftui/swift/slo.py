"""Static Large Objects as Swift and the ``swift`` CLI make them: the rules, written once.

Segments of ``<container>`` live in ``<container>_segments``, named
``<object>/slo/<mtime>/<file size>/<segment size>/<index>`` (index from 0, 8 digits) and
typed ``application/swiftclient-segment``; swiftui names them the same way, so either
tool recognises the other's. A manifest lists them; Swift marks the manifest with
``X-Static-Large-Object: True`` and gives the whole an Etag made from the segments' etags.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from swiftui.errors import SwiftError

SEGMENTS_SUFFIX = "_segments"
SUBMANIFEST_MARK = "manifest-"
SEGMENT_CONTENT_TYPE = "application/swiftclient-segment"
MTIME_HEADER = "X-Object-Meta-Mtime"
"""The uploaded file's modification time (``%f`` seconds), as ``swift upload`` writes it."""
SHA256_HEADER = "X-Object-Meta-Sha256"
"""The whole file's SHA-256 (lowercase hex), on the manifest or the plain object."""
SHA256_META = SHA256_HEADER.removeprefix("X-Object-Meta-").lower()
"""Its key among an object's metadata (``ObjectFacts.metadata``)."""
_SLO_HEADER = "x-static-large-object"
# Non-greedy object part: ``x/slo/1.0/...`` is object ``x`` of an SLO, not ``x/slo`` of a DLO.
_SEGMENT_NAME = re.compile(
    r"^(?P<object>.+?)/(?:slo/)?(?P<mtime>\d+(?:\.\d+)?)/(?P<size>\d+)/(?P<segment_size>\d+)/"
    r"(?P<index>\d+)$"
)
_SUBMANIFEST_NAME = re.compile(
    r"^(?P<object>.+?)/slo/(?P<mtime>\d+(?:\.\d+)?)/(?P<size>\d+)/(?P<segment_size>\d+)/"
    + re.escape(SUBMANIFEST_MARK)
    + r"(?P<index>\d+)$"
)


def segments_container_of(container: str) -> str:
    """Where the segments of ``container``'s archives go by default."""
    return container + SEGMENTS_SUFFIX


def segments_parent(container: str) -> str | None:
    """``backups`` for ``backups_segments``: the container whose archives use these segments."""
    if container.endswith(SEGMENTS_SUFFIX) and len(container) > len(SEGMENTS_SUFFIX):
        return container[: -len(SEGMENTS_SUFFIX)]
    return None


def archive_containers(container: str) -> tuple[str, str]:
    """``(container, segments container)`` whichever of the two is named."""
    parent = segments_parent(container)
    return (parent, container) if parent else (container, segments_container_of(container))


def is_slo(headers: Mapping[str, str]) -> bool:
    """Swift marks an SLO manifest (on HEAD, GET and ``multipart-manifest=get``) this way;
    ``headers`` may be any mapping, whatever the case of its keys."""
    value = next((text for key, text in headers.items() if key.lower() == _SLO_HEADER), "")
    return value.lower() == "true"


# -- segment names ---------------------------------------------------------------------------


STREAM_FILE_SIZE = 0
"""The file size in the segment names of a piped upload: unknown when they are named."""


def segment_prefix(object_name: str, mtime: float, file_size: int, segment_size: int) -> str:
    """Segment names as the ``swift`` CLI makes them, so either tool recognises the other's."""
    return f"{upload_prefix(object_name, mtime, file_size)}{segment_size}/"


def upload_prefix(object_name: str, mtime: float, file_size: int) -> str:
    """What the segments of one file share whatever their size: object, mtime, file size."""
    return f"{object_name}/slo/{mtime:f}/{file_size}/"


def segment_name(prefix: str, index: int) -> str:
    return f"{prefix}{index:08d}"


def submanifest_name(prefix: str, index: int) -> str:
    """A nested SLO's sub-manifest, among the segments it lists: ``<prefix>manifest-<index>``.

    Beside its segments, so ``orphans`` groups them together and a resume finds them;
    never a segment name (those end in digits only)."""
    return f"{prefix}{SUBMANIFEST_MARK}{index:08d}"


@dataclass(frozen=True)
class SegmentName:
    """What a segment's name says about the upload it belongs to."""

    object_name: str
    mtime: str
    file_size: int
    segment_size: int
    index: int


def parse_segment_name(name: str) -> SegmentName | None:
    """Read a segment's name; None for a name that is not one. The DLO form lacks ``slo/``."""
    return _parsed(_SEGMENT_NAME.match(name))


def parse_submanifest_name(name: str) -> SegmentName | None:
    """Read a sub-manifest's name (:func:`submanifest_name`); ``index`` is its place in the
    top manifest. None for any other name."""
    return _parsed(_SUBMANIFEST_NAME.match(name))


def _parsed(match: re.Match[str] | None) -> SegmentName | None:
    if match is None:
        return None
    return SegmentName(
        object_name=match["object"],
        mtime=match["mtime"],
        file_size=int(match["size"]),
        segment_size=int(match["segment_size"]),
        index=int(match["index"]),
    )


# -- manifests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestSegment:
    """One entry of an SLO manifest, as ``?multipart-manifest=get`` returns it."""

    container: str
    name: str
    bytes: int
    etag: str
    range: str | None = None
    sub_slo: bool = False

    @property
    def path(self) -> str:
        return f"/{self.container}/{self.name}"


@dataclass(frozen=True)
class StoredManifest:
    """One SLO manifest as stored: its entries and the size of its JSON."""

    segments: tuple[ManifestSegment, ...]
    stored_bytes: int


def parse_manifest(raw: bytes) -> list[ManifestSegment]:
    """Read a stored manifest (``name``, ``hash``, ``bytes``, ``range``, ``sub_slo`` keys)."""
    segments = []
    for entry in json.loads(raw):
        if "name" not in entry:
            raise SwiftError(
                "this manifest holds inline data segments, which swiftui does not read yet"
            )
        container, _, name = entry["name"].lstrip("/").partition("/")
        segments.append(
            ManifestSegment(
                container=container,
                name=name,
                bytes=int(entry["bytes"]),
                etag=entry["hash"],
                range=entry.get("range"),
                sub_slo=bool(entry.get("sub_slo")),
            )
        )
    return segments


def expected_slo_etag(segment_etags: Iterable[str]) -> str:
    """The Etag Swift gives the finished SLO: md5 of the segments' hex etags, concatenated."""
    return hashlib.md5("".join(segment_etags).encode("ascii"), usedforsecurity=False).hexdigest()


def manifest_etag(segments: Iterable[ManifestSegment]) -> str:
    """The Etag Swift computes for an SLO made of ``segments`` (ranges included)."""
    return expected_slo_etag(
        f"{seg.etag}:{seg.range};" if seg.range else seg.etag for seg in segments
    )
