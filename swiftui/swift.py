"""The Swift operations swiftui needs, for one region, over openstacksdk's session.

Requests go through the region's object-store proxy (a keystoneauth adapter: catalog
endpoint, token, renewal). We build the Swift URLs ourselves where openstacksdk's
resources hide what we need (``multipart-manifest`` queries, listing pages, raw headers).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from keystoneauth1 import exceptions as ks_exceptions
from requests.structures import CaseInsensitiveDict

from swiftui.errors import SwiftError
from swiftui.upload.plan import SwiftLimits

if TYPE_CHECKING:
    import requests
    from openstack.connection import Connection

SEGMENT_CONTENT_TYPE = "application/swiftclient-segment"
SEGMENTS_SUFFIX = "_segments"
LISTING_PAGE = 1000


def object_path(container: str, name: str = "") -> str:
    """URL path (relative to the account) of a container or object, percent-encoded."""
    path = quote(container, safe="")
    if name:
        path += "/" + quote(name, safe="/")
    return path


@dataclass(frozen=True)
class ContainerInfo:
    name: str
    count: int
    bytes: int
    last_modified: str

    @property
    def is_segments(self) -> bool:
        return self.name.endswith(SEGMENTS_SUFFIX)

    @property
    def parent(self) -> str | None:
        """The container whose segments this one holds, by the ``_segments`` convention."""
        return self.name[: -len(SEGMENTS_SUFFIX)] if self.is_segments else None


@dataclass(frozen=True)
class ObjectEntry:
    """One line of a container listing: an object, or a pseudo-folder (``is_dir``)."""

    name: str
    bytes: int = 0
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    is_dir: bool = False
    slo_etag: str = ""

    @property
    def is_segment(self) -> bool:
        return self.content_type == SEGMENT_CONTENT_TYPE


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


class SwiftService:
    """Object storage of one region. Safe to share between threads."""

    def __init__(self, connection: Connection, region: str) -> None:
        self.region = region
        self._connection = connection
        self.proxy = connection.object_store
        self._info: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @property
    def storage_url(self) -> str:
        return self.proxy.get_endpoint().rstrip("/")

    # -- raw requests ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        what: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request relative to the account URL; a status outside ``ok`` is a SwiftError."""
        try:
            response = self.proxy.request(path, method, raise_exc=False, **kwargs)
        except ks_exceptions.ClientException as error:
            raise SwiftError(f"{what or path}: {method} failed: {error}") from None
        if response.status_code not in ok:
            raise SwiftError(describe_failure(response, what or path, method))
        return response

    def info(self) -> dict[str, Any]:
        """The cluster's ``GET /info`` (capabilities and limits), fetched once."""
        with self._lock:
            if self._info is None:
                parts = urlsplit(self.storage_url)
                root = urlunsplit((parts.scheme, parts.netloc, "/info", "", ""))
                response = self.request("GET", root, what="/info", authenticated=False)
                self._info = response.json()
            return self._info

    def limits(self) -> SwiftLimits:
        return SwiftLimits.from_info(self.info())

    # -- account and containers ------------------------------------------------------------

    def account_headers(self) -> CaseInsensitiveDict[str]:
        return CaseInsensitiveDict(self.request("HEAD", "", what="account").headers)

    def list_containers(
        self, *, marker: str = "", limit: int = LISTING_PAGE
    ) -> list[ContainerInfo]:
        params = {"format": "json", "limit": str(limit)}
        if marker:
            params["marker"] = marker
        response = self.request("GET", "", params=params, what="account listing")
        return [
            ContainerInfo(
                name=item["name"],
                count=int(item.get("count", 0)),
                bytes=int(item.get("bytes", 0)),
                last_modified=item.get("last_modified", ""),
            )
            for item in response.json()
        ]

    def iter_containers(self) -> Iterator[ContainerInfo]:
        marker = ""
        while page := self.list_containers(marker=marker):
            yield from page
            marker = page[-1].name

    def container_headers(self, container: str) -> CaseInsensitiveDict[str] | None:
        """Headers of ``container``, or None if it does not exist."""
        response = self.request(
            "HEAD", object_path(container), ok=(204, 200, 404), what=f"container {container!r}"
        )
        return None if response.status_code == 404 else CaseInsensitiveDict(response.headers)

    def ensure_container(self, container: str, *, policy: str | None = None) -> None:
        """Create ``container`` if missing (with ``policy`` when given); keep it as it is if not."""
        headers = {"X-Storage-Policy": policy} if policy else {}
        self.request(
            "PUT", object_path(container), headers=headers, what=f"container {container!r}"
        )

    # -- objects ---------------------------------------------------------------------------

    def list_objects(
        self,
        container: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        marker: str = "",
        limit: int = LISTING_PAGE,
    ) -> list[ObjectEntry]:
        """One listing page (at most ``limit`` entries after ``marker``)."""
        params = {"format": "json", "limit": str(limit)}
        if prefix:
            params["prefix"] = prefix
        if delimiter:
            params["delimiter"] = delimiter
        if marker:
            params["marker"] = marker
        response = self.request(
            "GET", object_path(container), params=params, what=f"container {container!r}"
        )
        entries = []
        for item in response.json():
            if "subdir" in item:
                entries.append(ObjectEntry(name=item["subdir"], is_dir=True))
                continue
            entries.append(
                ObjectEntry(
                    name=item["name"],
                    bytes=int(item.get("bytes", 0)),
                    etag=item.get("hash", ""),
                    last_modified=item.get("last_modified", ""),
                    content_type=item.get("content_type", ""),
                    slo_etag=item.get("slo_etag", ""),
                )
            )
        return entries

    def iter_objects(
        self, container: str, *, prefix: str = "", delimiter: str | None = None
    ) -> Iterator[ObjectEntry]:
        marker = ""
        while page := self.list_objects(
            container, prefix=prefix, delimiter=delimiter, marker=marker
        ):
            yield from page
            marker = page[-1].name

    def object_headers(self, container: str, name: str) -> CaseInsensitiveDict[str] | None:
        """Headers of an object (for an SLO: of the whole), or None if it does not exist."""
        response = self.request(
            "HEAD", object_path(container, name), ok=(200, 404), what=f"{container}/{name}"
        )
        return None if response.status_code == 404 else CaseInsensitiveDict(response.headers)

    def get_manifest(self, container: str, name: str) -> list[ManifestSegment]:
        """The segments of the SLO ``container/name`` (SwiftError if it is not an SLO)."""
        response = self.request(
            "GET",
            object_path(container, name),
            params={"multipart-manifest": "get"},
            what=f"{container}/{name}",
        )
        if response.headers.get("X-Static-Large-Object", "").lower() != "true":
            raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
        return parse_manifest(response.content)


def describe_failure(response: requests.Response, what: str, method: str) -> str:
    """A one-line account of a refused request, with Swift's own reason when short."""
    reason = " ".join(response.text.split())[:200] if response.text else response.reason
    hints = {
        401: "the token was refused",
        403: "this user may not do that (check the project's roles)",
        404: "it does not exist",
        409: "conflict (not empty, or changed meanwhile)",
        413: "too large for this cluster",
        507: "the cluster is out of space",
    }
    hint = hints.get(response.status_code)
    detail = f"{reason}; {hint}" if hint and reason else hint or reason
    return f"{what}: {method} answered {response.status_code}: {detail}"
