"""Decide how a file is cut into segments before the first byte is sent.

Every limit comes from the cluster's ``GET /info`` (:class:`~swiftui.swift.SwiftLimits`),
so a plan that cannot succeed (a segment bigger than the largest object, more segments
than two levels of manifests hold) is refused up front with the size that would work,
never discovered after hours of upload. More segments than one manifest holds
(``max_manifest_segments``, or ``max_manifest_size`` bytes of JSON) make a nested SLO: the
segments are listed by sub-manifests, themselves listed by the object's manifest. Refusals
name the ``segment_size`` or ``object_name`` field; each front end words it
(:class:`~swiftui.errors.UsageError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from swiftui.errors import FieldNames, UsageError
from swiftui.swift import SwiftLimits, segment_name, segment_prefix, submanifest_name
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
# A stream's size is unknown while it is planned: its manifests are bounded as if it were
# this large (16 digits, a petabyte).
_STREAM_SIZE_BOUND = 10**15


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
    segments_per_manifest: int = 0
    """When nested: segments listed by each sub-manifest (the last may list fewer); 0 for
    a flat manifest."""

    @property
    def is_plain_object(self) -> bool:
        return self.segment_count == 1

    @property
    def is_nested(self) -> bool:
        return self.segments_per_manifest > 0

    @property
    def sub_manifest_count(self) -> int:
        return sub_manifests_for(self.segment_count, self.segments_per_manifest)

    def manifest_groups(self) -> list[range]:
        """The segment indexes each sub-manifest lists, in order (one range when flat)."""
        per = self.segments_per_manifest or self.segment_count
        return [
            range(start, min(start + per, self.segment_count))
            for start in range(0, self.segment_count, per)
        ]

    def segments(self) -> list[SegmentSpec]:
        size = self.segment_size
        return [
            SegmentSpec(index, index * size, min(size, self.file_size - index * size))
            for index in range(self.segment_count)
        ]


def make_plan(
    file_size: int,
    asked_segment_size: int | None,
    limits: SwiftLimits,
    *,
    object_name: str | None = None,
    segment_container: str | None = None,
    asked_because: str = "asked",
) -> UploadPlan:
    """Plan the upload of ``file_size`` bytes, or raise :class:`UsageError` saying what works.

    Default segment size, when none is asked: a quarter of the file (so about 4 segments
    go up in parallel), at least 64 MiB and at most 1 GiB, rounded up to a whole MiB; then
    raised to the smallest size that keeps one flat manifest (what every tool and Cloud
    Archive read best), and capped at the cluster's largest object. A file no larger than
    one segment (64 MiB by default, and any empty file) is one plain object with no
    manifest. So: 50 MiB -> plain, 400 MiB -> 4 x 100 MiB, 250 GB -> 233 x 1 GiB, 2 TB ->
    1000 x 1908 MiB on a 1000-segment cluster; beyond 1000 x 5 GiB, 1 GiB segments in a
    nested SLO. An asked size that makes more segments than one manifest holds is kept,
    and the SLO nested.

    ``object_name`` and ``segment_container``, when given, make the manifest size estimate
    exact instead of assuming the longest names the cluster accepts. ``asked_because`` is
    the explanation's reason for a given ``asked_segment_size``.
    """
    if object_name is not None and _utf8_length(object_name) > limits.max_object_name_length:
        raise UsageError(
            f"object name is {_utf8_length(object_name)} bytes long; "
            f"this cluster allows {limits.max_object_name_length}",
            field="object_name",
        )
    if not limits.slo_supported:
        return _plan_without_slo(file_size, asked_segment_size, limits)

    manifest = _ManifestEstimate(limits, file_size, object_name, segment_container)
    smallest_valid = _smallest_valid_segment_size(file_size, limits, manifest)
    if asked_segment_size is None:
        segment_size, reason = _default_segment_size(file_size, smallest_valid, limits, manifest)
    else:
        _check_asked_segment_size(file_size, asked_segment_size, smallest_valid, limits, manifest)
        segment_size, reason = asked_segment_size, asked_because

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
    per_manifest = manifest.segments_allowed(segment_size)
    nested = segment_count > per_manifest
    if object_name is not None:
        _check_segment_name_length(
            object_name,
            file_size,
            segment_size,
            segment_count,
            limits,
            sub_manifests=sub_manifests_for(segment_count, per_manifest) if nested else 0,
        )
    whole = f"{format_bytes(file_size)} = {segment_count} segments of {format_bytes(segment_size)}"
    if not nested:
        return UploadPlan(file_size, segment_size, segment_count, f"{whole} ({reason})")
    return UploadPlan(
        file_size=file_size,
        segment_size=segment_size,
        segment_count=segment_count,
        explanation=(
            f"{whole} in {sub_manifests_for(segment_count, per_manifest)} sub-manifests of "
            f"at most {per_manifest} ({reason}; one manifest holds at most {per_manifest} "
            "on this cluster)"
        ),
        segments_per_manifest=per_manifest,
    )


@dataclass(frozen=True)
class StreamPlan:
    """How a stream of unknown size goes up: its segment size, and how many segments one
    manifest (then two levels of them) can list."""

    segment_size: int
    segments_per_manifest: int
    max_segments: int
    explanation: str


def plan_stream(
    expected_size: int | None,
    asked_segment_size: int | None,
    limits: SwiftLimits,
    *,
    object_name: str,
    segment_container: str,
    source: str,
) -> StreamPlan:
    """Choose a stream's segment size: the asked one, else the one a file of
    ``expected_size`` would get, else 1 GiB. Beyond one manifest the SLO is nested; a
    stream longer than two levels of manifests hold stops with an error when it gets there.
    """
    if not limits.slo_supported:
        raise UsageError(f"this cluster has no SLO support: {source} cannot be split into segments")
    if expected_size is not None:
        base = make_plan(
            expected_size,
            asked_segment_size,
            limits,
            object_name=object_name,
            segment_container=segment_container,
        )
        size = base.segment_size
        what = f"about {base.explanation}"
    else:
        size = asked_segment_size or min(DEFAULT_SEGMENT_SIZE, limits.max_file_size)
        _check_asked_segment_size(0, size, 1, limits)
        reason = "asked" if asked_segment_size else "default: 1 GiB, the measured sweet spot"
        what = f"size unknown: segments of {format_bytes(size)} ({reason})"
    # Names and sizes as long as a stream's can get, so the limits hold for any length.
    manifest = _ManifestEstimate(limits, _STREAM_SIZE_BOUND, object_name, segment_container)
    per_manifest = manifest.segments_allowed(size)
    most = manifest.two_level_capacity(size)
    return StreamPlan(
        segment_size=size,
        segments_per_manifest=per_manifest,
        max_segments=most,
        explanation=(
            f"{what}; one manifest lists {per_manifest} segments "
            f"({format_bytes(per_manifest * size)}), nested beyond, up to {most} segments "
            f"({format_bytes(most * size)})"
        ),
    )


def sub_manifests_for(segment_count: int, per_manifest: int) -> int:
    """How many sub-manifests list ``segment_count`` segments, ``per_manifest`` each."""
    return _ceil_div(segment_count, per_manifest) if per_manifest else 0


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

    def sub_manifests_allowed(self) -> int:
        """Entries of a nested SLO's top manifest: sub-manifests, each as large as the file."""
        container = self.segment_container or "c" * self.limits.max_container_name_length
        if self.object_name is None:
            name = "o" * self.limits.max_object_name_length
        else:
            prefix = segment_prefix(
                self.object_name, _WIDEST_MTIME, self.file_size, self.limits.max_file_size
            )
            name = submanifest_name(prefix, self.limits.max_manifest_segments)
        entry = {"path": f"/{container}/{name}", "etag": _ETAG_PLACEHOLDER}
        entry_length = len(json.dumps({**entry, "size_bytes": self.file_size})) + len(", ")
        by_size = self.limits.max_manifest_size // entry_length
        return min(self.limits.max_manifest_segments, by_size)

    def two_level_capacity(self, segment_size: int) -> int:
        """Segments one top manifest of sub-manifests can list at this segment size."""
        return self.segments_allowed(segment_size) * self.sub_manifests_allowed()


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
    """The smallest whole-MiB segment size whose segments two levels of manifests (a top
    manifest of sub-manifests) can list, or refuse the file."""
    # The widest segment-size field bounds every entry, so this capacity holds for all sizes.
    capacity = manifest.two_level_capacity(limits.max_file_size)
    if file_size > capacity * limits.max_file_size:
        raise UsageError(
            f"{format_bytes(file_size)} is too large for this cluster's manifests: at most "
            f"{capacity} segments of {format_bytes(limits.max_file_size)} "
            f"({format_bytes(capacity * limits.max_file_size)}), even nested"
        )
    needed = max(_ceil_div(file_size, capacity), limits.min_segment_size)
    return min(_round_up_to_mib(needed), limits.max_file_size)


def _default_segment_size(
    file_size: int, smallest_valid: int, limits: SwiftLimits, manifest: _ManifestEstimate
) -> tuple[int, str]:
    spread = _round_up_to_mib(_ceil_div(file_size, PARALLEL_SEGMENTS))
    if spread >= DEFAULT_SEGMENT_SIZE:
        size, reason = DEFAULT_SEGMENT_SIZE, "default: 1 GiB, the measured sweet spot"
    elif spread > SMALLEST_DEFAULT_SEGMENT_SIZE:
        size, reason = spread, "default: a quarter of the file, for parallel uploads"
    else:
        size, reason = SMALLEST_DEFAULT_SEGMENT_SIZE, "default: 64 MiB, the smallest default"
    flat_capacity = manifest.segments_allowed(limits.max_file_size)
    if file_size <= flat_capacity * limits.max_file_size:
        needed = max(_ceil_div(file_size, flat_capacity), limits.min_segment_size)
        smallest_flat = _round_up_to_mib(needed)
        if smallest_flat > size:
            size = smallest_flat
            reason = "default: the smallest size this cluster's manifest allows"
    elif smallest_valid > size:
        size, reason = smallest_valid, "default: the smallest size nested manifests allow"
    if size > limits.max_file_size:
        size, reason = limits.max_file_size, "default: this cluster's largest object"
    return size, reason


def _segment_size_error(message: Callable[[str], str]) -> UsageError:
    """A refused segment size; ``message`` gets what the reader calls the field."""

    def worded(names: FieldNames) -> str:
        return message(names("segment_size"))

    return UsageError(worded, field="segment_size")


def _check_asked_segment_size(
    file_size: int,
    segment_size: int,
    smallest_valid: int,
    limits: SwiftLimits,
    manifest: _ManifestEstimate | None = None,
) -> None:
    asked = _as_option_value(segment_size)
    if segment_size > limits.max_file_size:
        largest = _as_option_value(limits.max_file_size // MIB * MIB)
        raise _segment_size_error(
            lambda field: (
                f"{field} {asked} is more than this cluster's largest object "
                f"({format_bytes(limits.max_file_size)}): use {field} {largest} or less"
            )
        )
    if segment_size < limits.min_segment_size:
        smallest = _as_option_value(_round_up_to_mib(limits.min_segment_size))
        raise _segment_size_error(
            lambda field: (
                f"{field} {asked} is less than this cluster's smallest segment "
                f"({format_bytes(limits.min_segment_size)}): use {field} {smallest} or more"
            )
        )
    if file_size <= segment_size or manifest is None:
        return
    segment_count = _ceil_div(file_size, segment_size)
    if segment_count > manifest.two_level_capacity(segment_size):
        valid = _as_option_value(smallest_valid)
        raise _segment_size_error(
            lambda field: (
                f"{field} {asked} makes {segment_count} segments, more than this cluster's "
                f"manifests can list even nested: use {field} {valid} or more"
            )
        )


def _check_segment_name_length(
    object_name: str,
    file_size: int,
    segment_size: int,
    segment_count: int,
    limits: SwiftLimits,
    *,
    sub_manifests: int,
) -> None:
    prefix = segment_prefix(object_name, _WIDEST_MTIME, file_size, segment_size)
    longest = _utf8_length(segment_name(prefix, segment_count - 1))
    if sub_manifests:
        longest = max(longest, _utf8_length(submanifest_name(prefix, sub_manifests - 1)))
    if longest > limits.max_object_name_length:
        raise UsageError(
            f"object name is too long for its segment names: they add "
            f"{longest - _utf8_length(object_name)} bytes to its {_utf8_length(object_name)} "
            f"and this cluster allows {limits.max_object_name_length}",
            field="object_name",
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
        asked = _as_option_value(asked_segment_size)
        raise _segment_size_error(
            lambda field: (
                f"{field} {asked}: this cluster has no SLO support; the file can "
                "only go up as one object"
            )
        )
    return UploadPlan(
        file_size=file_size,
        segment_size=limits.max_file_size,
        segment_count=1,
        explanation=f"{format_bytes(file_size)}: one plain object (this cluster has no SLO)",
    )
