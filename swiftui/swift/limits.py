"""What one Swift cluster accepts, read from its ``GET /info``; never hard-coded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swiftui.units import MIB

_SWIFT_DEFAULT_BULK_DELETE_MAX = 10000


@dataclass(frozen=True)
class SwiftLimits:
    """What one Swift cluster accepts; the defaults are Swift's own."""

    max_file_size: int = 5368709122
    slo_supported: bool = True
    max_manifest_segments: int = 1000
    max_manifest_size: int = 8 * MIB
    min_segment_size: int = 1
    container_listing_limit: int = 10000
    max_object_name_length: int = 1024
    max_container_name_length: int = 256
    bulk_delete_max: int | None = _SWIFT_DEFAULT_BULK_DELETE_MAX
    """Paths per bulk-delete request; None when the cluster has no bulk delete."""
    manifest_heartbeat: bool = True
    """``?heartbeat=on`` keeps a long manifest PUT alive (Swift >= 2.18 reports it)."""

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> SwiftLimits:
        """Read ``GET /info``; a missing key means Swift's default, a missing section no support."""
        defaults = cls()
        swift = info.get("swift", {})
        slo = info.get("slo")
        bulk_delete = info.get("bulk_delete")

        def read(section: dict[str, Any] | None, key: str, default: int) -> int:
            return int(section.get(key, default)) if section else default

        return cls(
            max_file_size=read(swift, "max_file_size", defaults.max_file_size),
            slo_supported=slo is not None,
            max_manifest_segments=read(
                slo, "max_manifest_segments", defaults.max_manifest_segments
            ),
            max_manifest_size=read(slo, "max_manifest_size", defaults.max_manifest_size),
            min_segment_size=read(slo, "min_segment_size", defaults.min_segment_size),
            container_listing_limit=read(
                swift, "container_listing_limit", defaults.container_listing_limit
            ),
            max_object_name_length=read(
                swift, "max_object_name_length", defaults.max_object_name_length
            ),
            max_container_name_length=read(
                swift, "max_container_name_length", defaults.max_container_name_length
            ),
            bulk_delete_max=(
                read(bulk_delete, "max_deletes_per_request", _SWIFT_DEFAULT_BULK_DELETE_MAX)
                if bulk_delete is not None
                else None
            ),
            manifest_heartbeat=slo is not None and "yield_frequency" in slo,
        )
