"""The fixed account of ``tui_data`` made deletable, for pictures of the deletion screens.

:class:`DeletableService` adds what planning and deleting call (the full listing, stored
manifests, DELETE, a cluster without bulk delete) to the in-memory account, and the account
gets the leftovers of an interrupted upload for the orphans view. Only for pictures: the
behaviour is tested against the sandbox in ``test_tui_delete.py``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import requests
from requests.structures import CaseInsensitiveDict

from support.tui_data import NOW, FixedCloud, FixedObject, FixedService, demo_cloud
from swiftui.errors import SwiftError
from swiftui.swift import SEGMENT_CONTENT_TYPE, StoredManifest, SwiftLimits
from swiftui.units import MIB

# An upload of db/pg-2026-12.dump stopped after 3 of its 10 segments, two days ago.
INTERRUPTED = "db/pg-2026-12.dump/slo/1764547200.000000/10485760000/1048576000/"


def _response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers or {})
    return response


class DeletableService(FixedService):
    def limits(self) -> SwiftLimits:
        return SwiftLimits(bulk_delete_max=None)

    def read_manifest(self, container: str, name: str) -> StoredManifest | None:
        objects = self.containers[container].objects if container in self.containers else {}
        found = objects.get(name)
        if found is None:
            return None
        if not found.manifest:
            raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
        entries = [
            {"name": segment.path, "hash": segment.etag, "bytes": segment.bytes}
            for segment in found.manifest
        ]
        return StoredManifest(tuple(found.manifest), len(json.dumps(entries)))

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        container, _, name = unquote(path).partition("/")
        objects = self.containers[container].objects if container in self.containers else {}
        if method == "DELETE":
            if objects.pop(name, None) is None:
                return _response(404)
            return _response(204)
        raise SwiftError(f"{method} {path}: not part of the picture data")


def deletable_cloud() -> FixedCloud:
    """``demo_cloud()`` with deletion, and three orphaned segments in backups_segments."""
    demo = demo_cloud()
    services = {
        region: DeletableService(region, demo.service(region).containers)
        for region in ("GRA", "SBG")
    }
    segments = services["GRA"].containers["backups_segments"].objects
    for index in range(3):
        segments[f"{INTERRUPTED}{index:08d}"] = FixedObject(
            1000 * MIB, NOW - timedelta(days=2, minutes=10 - index), SEGMENT_CONTENT_TYPE
        )
    return FixedCloud(services)
