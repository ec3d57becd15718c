from __future__ import annotations

import hashlib
import json

import pytest

from swiftui.cli.wording import flag
from swiftui.errors import UsageError
from swiftui.swift import SwiftLimits, expected_slo_etag, segment_name, segment_prefix
from swiftui.units import GIB, KIB, MIB, TIB
from swiftui.upload.plan import SegmentSpec, make_plan

SWIFT = SwiftLimits()

# Trimmed from a real `GET /info` (Swift 2.38).
INFO = {
    "swift": {
        "max_file_size": 5368709122,
        "container_listing_limit": 10000,
        "max_object_name_length": 1024,
        "max_container_name_length": 256,
        "version": "2.38.3",
    },
    "slo": {
        "max_manifest_segments": 1000,
        "max_manifest_size": 8388608,
        "yield_frequency": 10,
        "min_segment_size": 1,
        "allow_async_delete": True,
    },
    "bulk_delete": {"max_deletes_per_request": 10000, "max_failed_deletes": 1000},
}


def test_limits_from_a_full_info() -> None:
    info = json.loads(json.dumps(INFO))
    info["slo"]["max_manifest_size"] = 2 * MIB
    info["bulk_delete"]["max_deletes_per_request"] = 500
    limits = SwiftLimits.from_info(info)
    assert limits == SwiftLimits(max_manifest_size=2 * MIB, bulk_delete_max=500)


def test_limits_fall_back_to_swift_defaults_for_missing_keys() -> None:
    limits = SwiftLimits.from_info({"swift": {}, "slo": {}, "bulk_delete": {}})
    assert limits == SwiftLimits(manifest_heartbeat=False)
    assert limits.max_file_size == 5368709122
    assert limits.max_manifest_segments == 1000
    assert limits.max_manifest_size == 8 * MIB
    assert limits.bulk_delete_max == 10000


def test_limits_without_slo_or_bulk_delete() -> None:
    limits = SwiftLimits.from_info({"swift": {"max_file_size": 1000}})
    assert limits.slo_supported is False
    assert limits.manifest_heartbeat is False
    assert limits.bulk_delete_max is None
    assert limits.max_file_size == 1000


def test_250_gb_with_1_gib_segments() -> None:
    plan = make_plan(250 * 10**9, GIB, SWIFT)
    assert plan.segment_count == 233
    assert plan.segment_size == GIB
    assert not plan.is_plain_object
    assert plan.explanation == "232.8 GiB = 233 segments of 1.0 GiB (asked)"
    segments = plan.segments()
    assert segments[0] == SegmentSpec(0, 0, GIB)
    assert segments[-1] == SegmentSpec(232, 232 * GIB, 250 * 10**9 - 232 * GIB)
    assert sum(segment.length for segment in segments) == 250 * 10**9


@pytest.mark.parametrize(
    ("file_size", "segment_size", "segment_count", "reason"),
    [
        (400 * MIB, 100 * MIB, 4, "default: a quarter of the file, for parallel uploads"),
        (400 * MIB + 1, 101 * MIB, 4, "default: a quarter of the file, for parallel uploads"),
        (100 * MIB, 64 * MIB, 2, "default: 64 MiB, the smallest default"),
        (4 * GIB, GIB, 4, "default: 1 GiB, the measured sweet spot"),
        (250 * 10**9, GIB, 233, "default: 1 GiB, the measured sweet spot"),
        (
            2 * 10**12,
            1908 * MIB,
            1000,
            "default: the smallest size this cluster's manifest allows",
        ),
    ],
)
def test_default_segment_size(
    file_size: int, segment_size: int, segment_count: int, reason: str
) -> None:
    plan = make_plan(file_size, None, SWIFT)
    assert (plan.segment_size, plan.segment_count) == (segment_size, segment_count)
    assert plan.explanation.endswith(f"({reason})")


def test_default_is_capped_at_the_largest_object() -> None:
    plan = make_plan(10 * GIB, None, SwiftLimits(max_file_size=512 * MIB))
    assert plan.segment_size == 512 * MIB
    assert plan.segment_count == 20
    assert plan.explanation == (
        "10.0 GiB = 20 segments of 512.0 MiB (default: this cluster's largest object)"
    )


@pytest.mark.parametrize("file_size", [0, 1, 50 * MIB, 64 * MIB])
def test_small_and_empty_files_are_one_plain_object(file_size: int) -> None:
    plan = make_plan(file_size, None, SWIFT)
    assert plan.is_plain_object
    assert plan.segment_count == 1
    assert plan.segments() == [SegmentSpec(0, 0, file_size)]
    assert "one plain object, no manifest (default: 64 MiB, the smallest default)" in (
        plan.explanation
    )


def test_file_no_larger_than_the_asked_segment_is_one_plain_object() -> None:
    plan = make_plan(GIB, GIB, SWIFT)
    assert plan.is_plain_object
    assert plan.explanation == (
        "1.0 GiB fits in one segment of 1.0 GiB: one plain object, no manifest (asked)"
    )


def test_asked_segments_beyond_one_manifest_make_a_nested_slo() -> None:
    plan = make_plan(2500 * GIB, GIB, SWIFT)
    assert plan.is_nested
    assert (plan.segment_count, plan.segments_per_manifest, plan.sub_manifest_count) == (
        2500,
        1000,
        3,
    )
    assert plan.explanation == (
        "2.4 TiB = 2500 segments of 1.0 GiB in 3 sub-manifests of at most 1000 (asked; one "
        "manifest holds at most 1000 on this cluster)"
    )
    assert plan.manifest_groups() == [range(0, 1000), range(1000, 2000), range(2000, 2500)]
    flat = make_plan(1000 * GIB, GIB, SWIFT)
    assert not flat.is_nested and flat.manifest_groups() == [range(0, 1000)]


def test_a_low_segment_limit_nests_small_files_too() -> None:
    plan = make_plan(10 * MIB, MIB, SwiftLimits(max_manifest_segments=4))
    assert plan.manifest_groups() == [range(0, 4), range(4, 8), range(8, 10)]
    assert "10 segments of 1.0 MiB in 3 sub-manifests of at most 4" in plan.explanation


def test_asked_segments_beyond_two_levels_suggest_the_smallest_valid_size() -> None:
    with pytest.raises(UsageError) as caught:
        make_plan(256 * GIB, KIB, SWIFT)
    # The core names the field; the CLI words it as its option, the TUI as its label.
    assert caught.value.field == "segment_size"
    assert caught.value.worded(flag) == (
        "--segment-size 1024 makes 268435456 segments, more than this cluster's manifests "
        "can list even nested: use --segment-size 1MiB or more"
    )
    assert str(caught.value).startswith("segment size 1024 makes 268435456 segments")
    assert make_plan(256 * GIB, MIB, SWIFT).sub_manifest_count == 263
    # The suggestion is a whole MiB; any size two levels can list is kept as asked.
    assert make_plan(20 * MIB, 16 * KIB, SWIFT).sub_manifest_count == 2


def test_asked_segment_larger_than_the_largest_object() -> None:
    with pytest.raises(UsageError) as caught:
        make_plan(GIB, 6 * GIB, SWIFT)
    assert caught.value.worded(flag) == (
        "--segment-size 6GiB is more than this cluster's largest object (5.0 GiB): "
        "use --segment-size 5GiB or less"
    )


def test_asked_segment_smaller_than_the_smallest_segment() -> None:
    with pytest.raises(UsageError) as caught:
        make_plan(GIB, 4096, SwiftLimits(min_segment_size=MIB))
    assert caught.value.worded(flag) == (
        "--segment-size 4096 is less than this cluster's smallest segment (1.0 MiB): "
        "use --segment-size 1MiB or more"
    )


def test_a_file_beyond_one_flat_manifest_is_nested_with_1_gib_segments() -> None:
    plan = make_plan(5 * TIB, None, SWIFT)
    assert plan.explanation == (
        "5.0 TiB = 5120 segments of 1.0 GiB in 6 sub-manifests of at most 1000 (default: "
        "1 GiB, the measured sweet spot; one manifest holds at most 1000 on this cluster)"
    )


def test_file_too_large_even_for_nested_manifests() -> None:
    limits = SwiftLimits(max_manifest_segments=2, max_file_size=MIB)
    with pytest.raises(UsageError) as caught:
        make_plan(5 * MIB, None, limits)
    assert str(caught.value) == (
        "5.0 MiB is too large for this cluster's manifests: at most 4 segments of 1.0 MiB "
        "(4.0 MiB), even nested"
    )
    assert make_plan(4 * MIB, None, limits).sub_manifest_count == 2


def _real_manifest(
    plan_size: int, segment_size: int, object_name: str, segment_container: str
) -> str:
    """The manifest JSON the engine will send, with a real mtime."""
    prefix = segment_prefix(object_name, 1700000000.123456, plan_size, segment_size)
    plan = make_plan(plan_size, segment_size, SWIFT)
    return json.dumps(
        [
            {
                "path": f"/{segment_container}/{segment_name(prefix, spec.index)}",
                "etag": "d41d8cd98f00b204e9800998ecf8427e",
                "size_bytes": spec.length,
            }
            for spec in plan.segments()
        ]
    )


def test_manifest_size_limit_is_checked_before_upload() -> None:
    names = {"object_name": "backups/db.tar", "segment_container": "backups_segments"}
    manifest = _real_manifest(900 * MIB, MIB, **names)
    assert not make_plan(
        900 * MIB, MIB, SwiftLimits(max_manifest_size=len(manifest)), **names
    ).is_nested

    too_small = SwiftLimits(max_manifest_size=len(manifest) - 1)
    plan = make_plan(900 * MIB, MIB, too_small, **names)
    assert plan.is_nested
    assert plan.segments_per_manifest < 900
    assert plan.sub_manifest_count == 2


def test_manifest_estimate_without_names_assumes_the_longest_names() -> None:
    # 1000 entries of about 1.35 kB each do not fit in 1 MiB.
    limits = SwiftLimits(max_manifest_size=MIB)
    assert make_plan(1000 * MIB, MIB, limits).is_nested
    named = make_plan(1000 * MIB, MIB, limits, object_name="a", segment_container="a_segments")
    assert not named.is_nested


def test_object_name_too_long() -> None:
    with pytest.raises(UsageError) as caught:
        make_plan(10, None, SWIFT, object_name="é" * 600)
    assert str(caught.value) == "object name is 1200 bytes long; this cluster allows 1024"


def test_object_name_too_long_for_its_segment_names() -> None:
    assert make_plan(10, None, SWIFT, object_name="x" * 1000).is_plain_object
    with pytest.raises(UsageError) as caught:
        make_plan(10 * GIB, None, SWIFT, object_name="x" * 1000)
    assert str(caught.value) == (
        "object name is too long for its segment names: they add 54 bytes to its 1000 "
        "and this cluster allows 1024"
    )


def test_cluster_without_slo_takes_one_plain_object_only() -> None:
    limits = SwiftLimits.from_info({"swift": {"max_file_size": 5368709122}})
    plan = make_plan(GIB, None, limits)
    assert plan.is_plain_object
    assert plan.explanation == "1.0 GiB: one plain object (this cluster has no SLO)"
    with pytest.raises(UsageError) as caught:
        make_plan(6 * GIB, None, limits)
    assert str(caught.value) == (
        "6.0 GiB is more than this cluster's largest object (5.0 GiB) "
        "and it has no SLO support to split it"
    )
    with pytest.raises(UsageError) as caught:
        make_plan(GIB, 256 * MIB, limits)
    assert caught.value.worded(flag).startswith("--segment-size 256MiB: this cluster has no SLO")


def test_segment_names_match_the_swift_cli() -> None:
    # swiftclient: '%s/slo/%s/%s/%s/%08d' % (obj, '%f' % getmtime(path), size, seg_size, i)
    prefix = segment_prefix("dir/backup.tar", 1700000000.123456, 250 * 10**9, GIB)
    assert prefix == "dir/backup.tar/slo/1700000000.123456/250000000000/1073741824/"
    assert segment_name(prefix, 7) == prefix + "00000007"
    assert segment_prefix("o", 1700000000.5, 1, 1) == "o/slo/1700000000.500000/1/1/"


def test_expected_slo_etag() -> None:
    etags = [hashlib.md5(part).hexdigest() for part in (b"first", b"second")]
    assert expected_slo_etag(etags) == hashlib.md5("".join(etags).encode()).hexdigest()
    assert expected_slo_etag(["d41d8cd98f00b204e9800998ecf8427e"]) == (
        "74be16979710d4c4e7c6647856088456"
    )
