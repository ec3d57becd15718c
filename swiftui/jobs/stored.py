"""Is an archive in Swift whole, and is it the local file? What a job skips, and why.

"Already there" means: same name, same size, intact in Swift and the same bytes:

- intact: an SLO's every segment exists with the size and etag its manifest lists and the
  SLO Etag adds up (:func:`~swiftui.browse.verify_manifest`); a sealed Cloud Archive SLO,
  whose manifest cannot be read, is proven by its segments' listing instead
  (:func:`~swiftui.swift.find_segments_by_name`); a plain object's Etag is its md5, checked
  by Swift when it was stored;
- the same bytes: ``X-Object-Meta-Sha256`` (the whole file's SHA-256) when the upload
  stored one, else the Etag recomputed from the local file (its md5, or for an SLO the md5
  of each stretch the manifest lists, combined as Swift does). Either reads the whole file
  once. A job remembers what it uploaded (local path, size, modification time and the
  Etag it checked): when all of them and the stored Etag are unchanged, the local file was
  not rewritten and the object not replaced, so the bytes are not read again every run.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from swiftui.browse import segment_length, verify_manifest
from swiftui.swift import (
    SHA256_HEADER,
    expected_slo_etag,
    find_segments_by_name,
    is_slo,
    retrieval_from_headers,
)
from swiftui.upload import SourceFile

if TYPE_CHECKING:
    from swiftui.swift import SwiftService

BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Remembered:
    """What a job checked when it uploaded ``object_name`` from ``path``."""

    path: str
    object_name: str
    size: int
    mtime: float
    etag: str
    when: str
    """ISO time of the run that uploaded it."""


@dataclass(frozen=True)
class Intact:
    """The verdict on what Swift holds for one object."""

    ok: bool
    summary: str
    lengths: tuple[int, ...] = ()
    """An SLO's segment lengths in order (what the local Etag is computed over)."""


class Presence(StrEnum):
    NEW = "new"
    DIFFERENT = "different"
    DAMAGED = "damaged"
    SAME = "same"


@dataclass(frozen=True)
class Comparison:
    presence: Presence
    reason: str
    size: int
    mtime: float
    """The local file's, when it was compared."""
    etag: str | None = None
    """The stored object's Etag, when it is the same as the file."""

    @property
    def skip(self) -> bool:
        return self.presence is Presence.SAME


def check_intact(
    service: SwiftService,
    container: str,
    name: str,
    headers: Mapping[str, str],
    cancel: threading.Event,
) -> Intact:
    """Whether the object whose HEAD gave ``headers`` is whole in Swift (reads no data)."""
    etag = str(headers.get("Etag", "")).strip('"')
    if not is_slo(headers):
        return Intact(True, f"{container}/{name}: plain object, Etag {etag}")
    if retrieval_from_headers(headers).readable:
        check = verify_manifest(service, container, name, cancelled=cancel.is_set)
        lengths = tuple(segment_length(item.segment) for item in check.segments)
        return Intact(check.ok, check.summary, lengths)
    found = find_segments_by_name(service, container, name, headers)
    lengths = tuple(segment.bytes for segment in found.segments)
    return Intact(found.proven, f"{container}/{name} (sealed): {found.explanation()}", lengths)


def compare(
    service: SwiftService,
    container: str,
    path: Path,
    object_name: str,
    *,
    remembered: Remembered | None,
    cancel: threading.Event,
    on_reading: Callable[[str], None],
) -> Comparison:
    """Whether ``path`` is already stored, whole, as ``container/object_name``.

    ``on_reading`` hears it before the local file is read to compare checksums. A file
    that cannot be read is a :class:`UsageError` naming it.
    """
    with SourceFile(path) as source:
        presence, reason, etag = _compare(
            service, container, source, object_name, remembered, cancel, on_reading
        )
        return Comparison(presence, reason, source.size, source.mtime, etag)


def _compare(
    service: SwiftService,
    container: str,
    source: SourceFile,
    object_name: str,
    remembered: Remembered | None,
    cancel: threading.Event,
    on_reading: Callable[[str], None],
) -> tuple[Presence, str, str | None]:
    headers = service.object_headers(container, object_name)
    if headers is None:
        return Presence.NEW, "not in Swift yet", None
    size = source.size
    stored_size = int(headers.get("Content-Length", -1))
    if stored_size != size:
        return Presence.DIFFERENT, f"Swift holds {stored_size} bytes, the file has {size}", None
    intact = check_intact(service, container, object_name, headers, cancel)
    if not intact.ok:
        return Presence.DAMAGED, intact.summary, None
    etag = str(headers.get("Etag", "")).strip('"')
    if remembered is not None and (
        remembered.path,
        remembered.size,
        remembered.mtime,
        remembered.etag,
    ) == (str(source.path), size, source.mtime, etag):
        return Presence.SAME, f"unchanged since its upload of {remembered.when}, checked then", etag
    sha256 = str(headers.get(SHA256_HEADER, "")).lower()
    lengths = intact.lengths or (size,)
    if sum(lengths) != size:
        return Presence.DAMAGED, f"its segments add up to {sum(lengths)} bytes", None
    on_reading(f"reading {source.path} to compare it with {container}/{object_name}")
    segment_md5s, local_sha256 = _digests(source, lengths, cancel, md5=not sha256)
    if sha256:
        same, how = sha256 == local_sha256, "SHA-256"
    else:
        local = expected_slo_etag(segment_md5s) if is_slo(headers) else segment_md5s[0]
        same, how = local == etag, "Etag (md5)"
    if same:
        return Presence.SAME, f"same size and {how} as the file", etag
    return Presence.DIFFERENT, f"same size but another {how} than the file", None


def verify_upload(
    service: SwiftService,
    container: str,
    name: str,
    *,
    size: int,
    etag: str,
    cancel: threading.Event,
) -> Intact:
    """After an upload: the object is there with the size and Etag it was sent with, whole."""
    headers = service.object_headers(container, name)
    if headers is None:
        return Intact(False, f"{container}/{name} is not in Swift after its upload")
    stored_size = int(headers.get("Content-Length", -1))
    stored_etag = str(headers.get("Etag", "")).strip('"')
    if (stored_size, stored_etag) != (size, etag):
        return Intact(
            False,
            f"{container}/{name}: Swift holds {stored_size} bytes with Etag {stored_etag}, "
            f"{size} bytes with Etag {etag} were sent",
        )
    return check_intact(service, container, name, headers, cancel)


def _digests(
    source: SourceFile, lengths: tuple[int, ...], cancel: threading.Event, *, md5: bool
) -> tuple[list[str], str]:
    """md5 of each stretch of ``lengths`` (when ``md5``) and SHA-256 of the whole, in one
    read of the file."""
    whole = hashlib.sha256()
    buffer = bytearray(BLOCK)
    md5s = []
    offset = 0
    for length in lengths:
        stretch = hashlib.md5(usedforsecurity=False) if md5 else None
        for block in source.blocks(offset, length, buffer, cancel):
            whole.update(block)
            if stretch is not None:
                stretch.update(block)
        md5s.append(stretch.hexdigest() if stretch is not None else "")
        offset += length
    return md5s, whole.hexdigest()
