"""Decide how a file is cut into segments before the first byte is sent.

Every limit comes from the cluster's ``GET /info`` (:class:`SwiftLimits`), so a plan that
cannot succeed (too many segments, a manifest too large, a segment bigger than the
largest object) is refused up front with the size that would work, never discovered
after hours of upload.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from swiftui.errors import UsageError
from swiftui.units import GIB, MIB, format_bytes

# The measured sweet spot here: 1 GiB segments beat 256 MiB ones (191 vs 165 MB/s).
DEFAULT_SEGMENT_SIZE = GIB
# Below this a segment costs more in requests than it gains in parallelism.
SMALLEST_DEFAULT_SEGMENT_SIZE = 64 * MIB
# 2-4 parallel segments were measured best; smaller files are spread over this many.
PARALLEL_SEGMENTS = 4

# The widest mtime field ('%f' of a time before the year 2286), for name length bounds.
_WIDEST_MTIME = 9999999999.999
_ETAG_PLACEHOLDER = "0" * 32
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


@dataclass(frozen=True)
class SegmentSpec:
    """One byte range of the local file, uploaded as one request."""

    index: int
    offset: int
    length: int


@dataclass(frozen=True)
class UploadPlan:
    """How a file goes up: one plain object, or ``segment_count`` segments and a manifest.

    A plain object counts as one piece (``segment_count == 1``), so the engine can treat
    both cases with :meth:`segments`.
    """

    file_size: int
    segment_size: int
    segment_count: int
    explanation: str

    @property
    def is_plain_object(self) -> bool:
        return self.segment_count == 1

    def segments(self) -> list[SegmentSpec]:
        size = self.segment_size
        return [
            SegmentSpec(index, index * size, min(size, self.file_size - index * size))
            for index in range(self.segment_count)
        ]


def segment_prefix(object_name: str, mtime: float, file_size: int, segment_size: int) -> str:
    """Segment names as the ``swift`` CLI makes them, so either tool recognises the other's."""
    return f"{object_name}/slo/{mtime:f}/{file_size}/{segment_size}/"


def segment_name(prefix: str, index: int) -> str:
    return f"{prefix}{index:08d}"


def expected_slo_etag(segment_etags: list[str]) -> str:
    """The Etag Swift gives the finished SLO: md5 of the segments' hex etags, concatenated."""
    return hashlib.md5("".join(segment_etags).encode("ascii"), usedforsecurity=False).hexdigest()


def make_plan(
    file_size: int,
    asked_segment_size: int | None,
    limits: SwiftLimits,
    *,
    object_name: str | None = None,
    segment_container: str | None = None,
) -> UploadPlan:
    """Plan the upload of ``file_size`` bytes, or raise :class:`UsageError` saying what works.

    Default segment size, when none is asked: a quarter of the file (so about 4 segments
    go up in parallel), at least 64 MiB and at most 1 GiB, rounded up to a whole MiB; then
    raised to the smallest size the cluster's manifest limits allow, and capped at its
    largest object. A file no larger than one segment (64 MiB by default, and any empty
    file) is one plain object with no manifest. So: 50 MiB -> plain, 400 MiB -> 4 x 100 MiB,
    250 GB -> 233 x 1 GiB, 2 TB -> 1000 x 1908 MiB on a 1000-segment cluster.

    ``object_name`` and ``segment_container``, when given, make the manifest size estimate
    exact instead of assuming the longest names the cluster accepts.
    """
    if object_name is not None and _utf8_length(object_name) > limits.max_object_name_length:
        raise UsageError(
            f"object name is {_utf8_length(object_name)} bytes long; "
            f"this cluster allows {limits.max_object_name_length}"
        )
    if not limits.slo_supported:
        return _plan_without_slo(file_size, asked_segment_size, limits)

    manifest = _ManifestEstimate(limits, file_size, object_name, segment_container)
    smallest_valid = _smallest_valid_segment_size(file_size, limits, manifest)
    if asked_segment_size is None:
        segment_size, reason = _default_segment_size(file_size, smallest_valid, limits)
    else:
        _check_asked_segment_size(file_size, asked_segment_size, smallest_valid, limits, manifest)
        segment_size, reason = asked_segment_size, "asked"

    if file_size <= segment_size:
        return UploadPlan(
            file_size=file_size,
            segment_size=segment_size,
            segment_count=1,
            explanation=(
                f"{format_bytes(file_size)} fits in one segment of {format_bytes(segment_size)}: "
                f"one plain object, no manifest ({reason})"
            ),
        )
    segment_count = _ceil_div(file_size, segment_size)
    if object_name is not None:
        _check_segment_name_length(object_name, file_size, segment_size, segment_count, limits)
    return UploadPlan(
        file_size=file_size,
        segment_size=segment_size,
        segment_count=segment_count,
        explanation=(
            f"{format_bytes(file_size)} = {segment_count} segments of "
            f"{format_bytes(segment_size)} ({reason})"
        ),
    )


@dataclass(frozen=True)
class _ManifestEstimate:
    """Bounds the manifest JSON (as ``json.dumps`` writes it) for one file's segments."""

    limits: SwiftLimits
    file_size: int
    object_name: str | None
    segment_container: str | None

    def entry_length(self, segment_size: int) -> int:
        """Bytes of one manifest entry and its separator, for the widest segment name."""
        container = self.segment_container or "c" * self.limits.max_container_name_length
        if self.object_name is None:
            name = "o" * self.limits.max_object_name_length
        else:
            prefix = segment_prefix(self.object_name, _WIDEST_MTIME, self.file_size, segment_size)
            name = segment_name(prefix, self.limits.max_manifest_segments)
        entry = {
            "path": f"/{container}/{name}",
            "etag": _ETAG_PLACEHOLDER,
            "size_bytes": segment_size,
        }
        return len(json.dumps(entry)) + len(", ")

    def segments_allowed(self, segment_size: int) -> int:
        by_size = self.limits.max_manifest_size // self.entry_length(segment_size)
        return min(self.limits.max_manifest_segments, by_size)


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def _ceil_div(dividend: int, divisor: int) -> int:
    """Integer ceiling: a float quotient just above n can round down to n."""
    return -(-dividend // divisor)


def _round_up_to_mib(size: int) -> int:
    return _ceil_div(size, MIB) * MIB


def _as_option_value(size: int) -> str:
    """``5GiB``, ``257MiB`` or bytes: the shortest exact way to type ``size``."""
    if size % GIB == 0:
        return f"{size // GIB}GiB"
    if size % MIB == 0:
        return f"{size // MIB}MiB"
    return str(size)


def _smallest_valid_segment_size(
    file_size: int, limits: SwiftLimits, manifest: _ManifestEstimate
) -> int:
    """The smallest whole-MiB segment size that fits every manifest limit, or refuse the file."""
    # The widest segment-size field bounds every entry, so this capacity holds for all sizes.
    capacity = manifest.segments_allowed(limits.max_file_size)
    if file_size > capacity * limits.max_file_size:
        raise UsageError(
            f"{format_bytes(file_size)} is too large for one manifest on this cluster: "
            f"at most {capacity} segments of {format_bytes(limits.max_file_size)} "
            f"({format_bytes(capacity * limits.max_file_size)})"
        )
    needed = max(_ceil_div(file_size, capacity), limits.min_segment_size)
    return min(_round_up_to_mib(needed), limits.max_file_size)


def _default_segment_size(
    file_size: int, smallest_valid: int, limits: SwiftLimits
) -> tuple[int, str]:
    spread = _round_up_to_mib(_ceil_div(file_size, PARALLEL_SEGMENTS))
    if spread >= DEFAULT_SEGMENT_SIZE:
        size, reason = DEFAULT_SEGMENT_SIZE, "default: 1 GiB, the measured sweet spot"
    elif spread > SMALLEST_DEFAULT_SEGMENT_SIZE:
        size, reason = spread, "default: a quarter of the file, for parallel uploads"
    else:
        size, reason = SMALLEST_DEFAULT_SEGMENT_SIZE, "default: 64 MiB, the smallest default"
    if smallest_valid > size:
        size, reason = smallest_valid, "default: the smallest size this cluster's manifest allows"
    if size > limits.max_file_size:
        size, reason = limits.max_file_size, "default: this cluster's largest object"
    return size, reason


def _check_asked_segment_size(
    file_size: int,
    segment_size: int,
    smallest_valid: int,
    limits: SwiftLimits,
    manifest: _ManifestEstimate,
) -> None:
    asked = f"--segment-size {_as_option_value(segment_size)}"
    if segment_size > limits.max_file_size:
        largest = limits.max_file_size // MIB * MIB
        raise UsageError(
            f"{asked} is more than this cluster's largest object "
            f"({format_bytes(limits.max_file_size)}): "
            f"use --segment-size {_as_option_value(largest)} or less"
        )
    if segment_size < limits.min_segment_size:
        raise UsageError(
            f"{asked} is less than this cluster's smallest segment "
            f"({format_bytes(limits.min_segment_size)}): "
            f"use --segment-size {_as_option_value(_round_up_to_mib(limits.min_segment_size))} "
            "or more"
        )
    if file_size <= segment_size:
        return
    segment_count = _ceil_div(file_size, segment_size)
    use_instead = f"use --segment-size {_as_option_value(smallest_valid)} or more"
    if segment_count > limits.max_manifest_segments:
        raise UsageError(
            f"{asked} makes {segment_count} segments; this cluster allows "
            f"{limits.max_manifest_segments} per manifest: {use_instead}"
        )
    if segment_count > manifest.segments_allowed(segment_size):
        manifest_size = segment_count * manifest.entry_length(segment_size)
        raise UsageError(
            f"{asked} makes a manifest of about {format_bytes(manifest_size)} "
            f"({segment_count} segments); this cluster allows "
            f"{format_bytes(limits.max_manifest_size)}: {use_instead}"
        )


def _check_segment_name_length(
    object_name: str, file_size: int, segment_size: int, segment_count: int, limits: SwiftLimits
) -> None:
    prefix = segment_prefix(object_name, _WIDEST_MTIME, file_size, segment_size)
    longest = _utf8_length(segment_name(prefix, segment_count - 1))
    if longest > limits.max_object_name_length:
        raise UsageError(
            f"object name is too long for its segment names: they add "
            f"{longest - _utf8_length(object_name)} bytes to its {_utf8_length(object_name)} "
            f"and this cluster allows {limits.max_object_name_length}"
        )


def _plan_without_slo(
    file_size: int, asked_segment_size: int | None, limits: SwiftLimits
) -> UploadPlan:
    """Without SLO the only upload is one plain object, within the largest object size."""
    if file_size > limits.max_file_size:
        raise UsageError(
            f"{format_bytes(file_size)} is more than this cluster's largest object "
            f"({format_bytes(limits.max_file_size)}) and it has no SLO support to split it"
        )
    if asked_segment_size is not None and asked_segment_size < file_size:
        raise UsageError(
            f"--segment-size {_as_option_value(asked_segment_size)}: this cluster has no SLO "
            "support; the file can only go up as one object"
        )
    return UploadPlan(
        file_size=file_size,
        segment_size=limits.max_file_size,
        segment_count=1,
        explanation=f"{format_bytes(file_size)}: one plain object (this cluster has no SLO)",
    )
