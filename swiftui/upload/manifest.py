"""Write an SLO manifest so that Swift checks the whole, and read it back before success.

A nested SLO's sub-manifests (:func:`write_sub_manifests`) are written first, each
checked the same way, then the manifest that lists them.

The manifest PUT carries the expected SLO Etag, so Swift refuses it if any segment's etag
or size differs; from :data:`HEARTBEAT_MIN_SEGMENTS` segments it asks for heartbeats,
and Swift's verdict then comes in the body of a 202. The stored object is HEADed: only an
SLO of the file's size with the expected Etag counts as uploaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from swiftui.errors import SwiftError
from swiftui.swift import (
    SEGMENT_CONTENT_TYPE,
    TokenRefused,
    describe_failure,
    expected_slo_etag,
    is_slo,
    object_path,
    submanifest_name,
)

if TYPE_CHECKING:
    import requests

    from swiftui.swift import ObjectKey, ResponseCheck, SwiftService

# From this many segments the manifest PUT asks for heartbeats while Swift checks them.
HEARTBEAT_MIN_SEGMENTS = 16
"""Lowercase hex SHA-256 of the whole file or stream, on the manifest or plain object."""


ManifestEntry = tuple[str, int, str]
"""One entry of a manifest to write: path (``/container/name``), bytes, etag."""


def write_sub_manifests(
    swift: SwiftService,
    segments: Sequence[ManifestEntry],
    *,
    groups: Sequence[range],
    segment_container: str,
    prefix: str,
    headers: dict[str, str],
) -> tuple[list[ManifestEntry], list[ObjectKey]]:
    """For a nested SLO (more than one group): each group's segments get a sub-manifest
    in ``segment_container``, named after the upload's ``prefix``. Returns the entries of
    the object's manifest (the sub-manifests; the segments themselves when flat) and the
    sub-manifests written."""
    if len(groups) <= 1:
        return list(segments), []
    entries, written = [], []
    for number, group in enumerate(groups):
        name = submanifest_name(prefix, number)
        listed = [segments[index] for index in group]
        size = sum(size for _path, size, _etag in listed)
        sub_etag = write_manifest(
            swift,
            segment_container,
            name,
            listed,
            file_size=size,
            headers={"Content-Type": SEGMENT_CONTENT_TYPE, **headers},
        )
        entries.append((f"/{segment_container}/{name}", size, sub_etag))
        written.append((segment_container, name))
    return entries, written


def write_manifest(
    swift: SwiftService,
    container: str,
    object_name: str,
    segments: Sequence[ManifestEntry],
    *,
    file_size: int,
    headers: dict[str, str],
) -> str:
    """PUT the manifest of ``segments`` (path, bytes, etag, in order) and check what is
    stored; returns the SLO Etag."""
    entries = [{"path": path, "etag": etag, "size_bytes": size} for path, size, etag in segments]
    slo_etag = expected_slo_etag(etag for _path, _size, etag in segments)
    params = {"multipart-manifest": "put"}
    if len(segments) >= HEARTBEAT_MIN_SEGMENTS:
        params["heartbeat"] = "on"
    what = f"manifest {container}/{object_name}"
    path = object_path(container, object_name)
    swift.request(
        "PUT",
        path,
        what=what,
        ok=(201, 202, 400),
        check=_manifest_check(what),
        data=json.dumps(entries).encode(),
        headers={"Etag": slo_etag, "Accept": "application/json", **headers},
        params=params,
    )
    stored = swift.request("HEAD", path, what=what)
    stored_etag = stored.headers.get("Etag", "").strip('"')
    length = int(stored.headers.get("Content-Length", -1))
    stored_slo = is_slo(stored.headers)
    if not stored_slo or length != file_size or stored_etag != slo_etag:
        raise SwiftError(
            f"{what}: read back as {length} bytes, Etag {stored_etag or '?'}"
            f"{'' if stored_slo else ', not an SLO'}; expected {file_size} bytes, "
            f"Etag {slo_etag}"
        )
    return slo_etag


def _manifest_check(what: str) -> ResponseCheck:
    """Read Swift's verdict on a manifest: in the body with ``heartbeat=on`` (202), or a
    400 listing the segments it refused. Retry a 5xx verdict; segments refused with 401
    mean the token was refused; anything else is final."""

    def check(response: requests.Response) -> str | None:
        if response.status_code == 201:
            return None
        text = response.text.strip()
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code == 202:
                return f"unreadable manifest verdict: {text[:100]!r}"
            raise SwiftError(describe_failure(response, what, "PUT"))
        status = str(body.get("Response Status") or f"{response.status_code} {response.reason}")
        if status.startswith("2"):
            return None
        if status.startswith("5"):
            return f"manifest check answered {status}"
        errors = [(str(path), str(reason)) for path, reason in body.get("Errors") or []]
        if errors and all(reason.startswith("401") for _path, reason in errors):
            raise TokenRefused
        detail = "; ".join(f"{path}: {reason}" for path, reason in errors[:5])
        raise SwiftError(
            f"{what}: Swift refused the manifest: {status}: "
            f"{detail or str(body.get('Response Body', '')).strip()}"
        )

    return check
