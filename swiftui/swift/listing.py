"""One line of an account or container listing, as swiftui reads it.

Listings are JSON pages of at most ``LISTING_PAGE`` entries after a ``marker``; the client
(:mod:`swiftui.swift.client`) pages them, this module reads the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from swiftui.swift.seal import NOT_ARCHIVED, Retrieval, retrieval_from_listing
from swiftui.swift.slo import SEGMENT_CONTENT_TYPE, segments_parent

LISTING_PAGE = 1000


def parse_listing_time(text: str) -> datetime | None:
    """A listing's ``last_modified`` (ISO 8601, UTC, without a zone) as an aware datetime."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ContainerInfo:
    name: str
    count: int
    bytes: int
    last_modified: str

    @classmethod
    def from_listing(cls, item: dict[str, Any]) -> ContainerInfo:
        return cls(
            name=item["name"],
            count=int(item.get("count", 0)),
            bytes=int(item.get("bytes", 0)),
            last_modified=item.get("last_modified", ""),
        )

    @property
    def is_segments(self) -> bool:
        return self.parent is not None

    @property
    def parent(self) -> str | None:
        """The container whose segments this one holds, by the ``_segments`` convention."""
        return segments_parent(self.name)


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
    retrieval: Retrieval = NOT_ARCHIVED
    """Cloud Archive's seal state, when the listing was asked with ``policy_extra``."""

    @classmethod
    def from_listing(cls, item: dict[str, Any]) -> ObjectEntry:
        if "subdir" in item:
            return cls(name=item["subdir"], is_dir=True)
        return cls(
            name=item["name"],
            bytes=int(item.get("bytes", 0)),
            etag=item.get("hash", ""),
            last_modified=item.get("last_modified", ""),
            content_type=item.get("content_type", ""),
            slo_etag=item.get("slo_etag", ""),
            retrieval=retrieval_from_listing(item),
        )

    @property
    def is_segment(self) -> bool:
        return self.content_type == SEGMENT_CONTENT_TYPE
