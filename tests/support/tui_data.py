"""Fixed data for the TUI's snapshot tests: the same account every run, dated from one "now".

Snapshots compare pictures, so what they show must not depend on when the test runs: the
listing times a real Swift gives would move every relative date. These classes answer the
few read calls the browser makes from an in-memory account: :class:`FixedService` is a
:class:`swiftui.swift.SwiftService` whose reading methods (checked against the real ones
by the type checker) never send a request, and :class:`FixedCloud` is a
:class:`swiftui.tui.widgets.screens.Connection`, as :class:`swiftui.cloud.Cloud` is. They
are only for pictures: every test of behaviour runs against the sandbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from swiftui.cloud import RegionEndpoint
from swiftui.credentials import Credentials
from swiftui.errors import SwiftError
from swiftui.swift import (
    INTERACTIVE_RETRY,
    SEGMENT_CONTENT_TYPE,
    ContainerInfo,
    ManifestSegment,
    ObjectEntry,
    StoredManifest,
    SwiftService,
    manifest_etag,
)
from swiftui.units import GIB, MIB

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
PROJECT_ID = "5e1fa0253d0c4d538fe56c5b05aee40c"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class FixedObject:
    size: int
    modified: datetime
    content_type: str = "application/octet-stream"
    etag: str = ""
    delete_at: datetime | None = None
    manifest: list[ManifestSegment] | None = None
    dlo: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    def listing_bytes(self) -> int:
        return 0 if self.dlo else self.size


@dataclass
class FixedContainer:
    policy: str
    objects: dict[str, FixedObject] = field(default_factory=dict)
    created: datetime = NOW - timedelta(days=400)


class FixedService(SwiftService):
    """Read-only answers from a dict of containers, with Swift's listing rules; no request
    ever leaves (the request path refuses)."""

    def __init__(self, region: str, containers: dict[str, FixedContainer]) -> None:
        # Not the real constructor: there is no connection behind a fixed account.
        self.region = region
        self.containers = containers
        self.retry = INTERACTIVE_RETRY
        self.cancel = None
        self.on_retry = None

    @property
    def storage_url(self) -> str:
        return f"https://storage.{self.region.lower()}.cloud.ovh.net/v1/AUTH_{PROJECT_ID}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        raise SwiftError(f"{method} {path}: not part of the picture data")

    def account_headers(self) -> CaseInsensitiveDict[str]:
        return CaseInsensitiveDict(
            {
                "X-Account-Container-Count": str(len(self.containers)),
                "X-Account-Object-Count": str(
                    sum(len(c.objects) for c in self.containers.values())
                ),
                "X-Account-Bytes-Used": str(sum(self._bytes(c) for c in self.containers.values())),
            }
        )

    @staticmethod
    def _bytes(container: FixedContainer) -> int:
        return sum(
            len(obj.manifest) * 80 if obj.manifest else obj.listing_bytes()
            for obj in container.objects.values()
        )

    def iter_containers(self) -> Iterator[ContainerInfo]:
        for name in sorted(self.containers):
            container = self.containers[name]
            yield ContainerInfo(
                name,
                len(container.objects),
                self._bytes(container),
                container.created.strftime("%Y-%m-%dT%H:%M:%S.000000"),
            )

    def container_headers(self, container: str) -> CaseInsensitiveDict[str] | None:
        found = self.containers.get(container)
        if found is None:
            return None
        return CaseInsensitiveDict(
            {
                "X-Container-Object-Count": str(len(found.objects)),
                "X-Container-Bytes-Used": str(self._bytes(found)),
                "X-Storage-Policy": found.policy,
                "X-Timestamp": f"{found.created.timestamp():.5f}",
                "Content-Type": "text/plain; charset=utf-8",
            }
        )

    def list_objects(
        self,
        container: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        marker: str = "",
        limit: int = 1000,
        missing_ok: bool = False,
        seal_states: bool = False,
    ) -> list[ObjectEntry]:
        found = self.containers.get(container)
        if found is None and missing_ok:
            return []
        if found is None:
            raise SwiftError(f"container {container!r}: GET answered 404: it does not exist")
        entries: list[ObjectEntry] = []
        for name in sorted(found.objects):
            if not name.startswith(prefix) or name <= marker:
                continue
            rest = name[len(prefix) :]
            if delimiter and delimiter in rest:
                folder = prefix + rest[: rest.index(delimiter) + 1]
                if folder > marker and (not entries or entries[-1].name != folder):
                    entries.append(ObjectEntry(name=folder, is_dir=True))
            else:
                obj = found.objects[name]
                entries.append(
                    ObjectEntry(
                        name=name,
                        bytes=obj.listing_bytes(),
                        etag=obj.etag,
                        last_modified=obj.modified.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                        content_type=obj.content_type,
                        slo_etag=f'"{manifest_etag(obj.manifest)}"' if obj.manifest else "",
                    )
                )
            if len(entries) >= limit:
                break
        return entries

    def iter_objects(
        self,
        container: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        missing_ok: bool = False,
        seal_states: bool = False,
    ) -> Iterator[ObjectEntry]:
        yield from self.list_objects(
            container, prefix=prefix, delimiter=delimiter, limit=10**6, missing_ok=missing_ok
        )

    def object_headers(self, container: str, name: str) -> CaseInsensitiveDict[str] | None:
        found = self.containers.get(container)
        obj = found.objects.get(name) if found else None
        if obj is None:
            return None
        headers = {
            "Content-Length": str(obj.size),
            "Content-Type": obj.content_type,
            "Etag": f'"{manifest_etag(obj.manifest)}"' if obj.manifest else obj.etag,
            "Last-Modified": format_datetime(obj.modified, usegmt=True),
            "X-Timestamp": f"{obj.modified.timestamp():.5f}",
            "Accept-Ranges": "bytes",
        }
        if obj.manifest:
            headers["X-Static-Large-Object"] = "True"
        if obj.dlo:
            headers["X-Object-Manifest"] = obj.dlo
        if obj.delete_at:
            headers["X-Delete-At"] = str(int(obj.delete_at.timestamp()))
        headers.update({f"X-Object-Meta-{k}": v for k, v in obj.metadata.items()})
        return CaseInsensitiveDict(headers)

    def read_manifest(self, container: str, name: str) -> StoredManifest | None:
        obj = self.containers[container].objects[name]
        if obj.manifest is None:
            raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
        return StoredManifest(tuple(obj.manifest), 100 * len(obj.manifest))


class FixedCloud:
    """The parts of :class:`swiftui.cloud.Cloud` the browser uses, over fixed services."""

    def __init__(self, services: Mapping[str, FixedService]) -> None:
        self._services = services
        self.credentials = Credentials(
            source="fixed",
            auth_type="password",
            auth={
                "auth_url": "https://auth.cloud.ovh.net/v3",
                "username": "user-archive",
                "project_name": "backups-project",
            },
            region_name="GRA",
        )

    def regions(self) -> list[RegionEndpoint]:
        return [
            RegionEndpoint(
                name, f"https://storage.{name.lower()}.cloud.ovh.net/v1/AUTH_{PROJECT_ID}"
            )
            for name in sorted(self._services)
        ]

    def default_region(self) -> str:
        return "GRA"

    def service(self, region: str) -> FixedService:
        return self._services[region]

    def close(self) -> None:
        """Nothing to close: no connection behind it."""


def _slo(
    containers: dict[str, FixedContainer],
    container: str,
    name: str,
    *,
    size: int,
    segment_size: int,
    modified: datetime,
    delete_at: datetime | None = None,
) -> None:
    """An SLO and its segments, named as the swift CLI names them."""
    mtime = f"{modified.timestamp():f}"
    prefix = f"{name}/slo/{mtime}/{size}/{segment_size}/"
    segments_container = containers[container + "_segments"]
    manifest = []
    for index, offset in enumerate(range(0, size, segment_size)):
        length = min(segment_size, size - offset)
        segment_name = f"{prefix}{index:08d}"
        etag = _md5(segment_name)
        segments_container.objects[segment_name] = FixedObject(
            length,
            modified - timedelta(minutes=30),
            SEGMENT_CONTENT_TYPE,
            etag,
            delete_at=delete_at + timedelta(days=1) if delete_at else None,
        )
        manifest.append(ManifestSegment(container + "_segments", segment_name, length, etag))
    containers[container].objects[name] = FixedObject(
        size,
        modified,
        "application/x-gtar",
        _md5(name),
        delete_at=delete_at,
        manifest=manifest,
        metadata={"Mtime": mtime},
    )


def demo_cloud() -> FixedCloud:
    """Monthly database dumps in GRA kept a year, Cloud Archive copies in SBG."""
    gra = {
        "backups": FixedContainer("Standard"),
        "backups_segments": FixedContainer("Standard"),
        "website": FixedContainer("Standard"),
    }
    for month in range(1, 12):
        when = datetime(2026, month, 1, 3, 15, tzinfo=UTC)
        _slo(
            gra,
            "backups",
            f"db/pg-2026-{month:02d}.dump",
            size=(8 + month) * GIB + 123 * MIB,
            segment_size=GIB,
            modified=when,
            delete_at=when + timedelta(days=365),
        )
    gra["backups"].objects["README.txt"] = FixedObject(
        1843, NOW - timedelta(days=320), "text/plain", _md5("readme")
    )
    gra["backups"].objects["legacy/www-2024.tar"] = FixedObject(
        3 * GIB + 512 * MIB,
        datetime(2024, 12, 30, 22, 0, tzinfo=UTC),
        etag=_md5(""),
        dlo="backups_segments/legacy/www-2024.tar/",
    )
    for index in range(4):
        segment = f"legacy/www-2024.tar/{index:08d}"
        gra["backups_segments"].objects[segment] = FixedObject(
            GIB if index < 3 else 512 * MIB,
            datetime(2024, 12, 30, 21, 40, tzinfo=UTC),
            SEGMENT_CONTENT_TYPE,
            _md5(segment),
        )
    for day in range(1, 6):
        name = f"assets/site-2026-11-{day:02d}.tar.gz"
        gra["website"].objects[name] = FixedObject(
            (40 + day) * MIB, datetime(2026, 11, day, 2, 0, tzinfo=UTC), etag=_md5(name)
        )
    sbg = {"archive": FixedContainer("PCA"), "archive_segments": FixedContainer("PCA")}
    for year in (2023, 2024, 2025):
        _slo(
            sbg,
            "archive",
            f"yearly/pg-{year}.dump",
            size=(180 + 20 * (year - 2023)) * GIB,
            segment_size=5 * GIB,
            modified=datetime(year, 12, 31, 23, 0, tzinfo=UTC),
        )
    return FixedCloud({"GRA": FixedService("GRA", gra), "SBG": FixedService("SBG", sbg)})
