"""The SLO conventions the whole of swiftui relies on, written once (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from requests.structures import CaseInsensitiveDict

from swiftui.swift import (
    ManifestSegment,
    SegmentName,
    archive_containers,
    expected_slo_etag,
    is_slo,
    manifest_etag,
    parse_listing_time,
    parse_segment_name,
    segment_name,
    segment_prefix,
    segments_parent,
)


def test_a_segment_name_is_read_back_as_it_was_made() -> None:
    name = segment_name(segment_prefix("db/pg.dump", 1700000000.25, 5000, 1000), 3)
    assert name == "db/pg.dump/slo/1700000000.250000/5000/1000/00000003"
    assert parse_segment_name(name) == SegmentName("db/pg.dump", "1700000000.250000", 5000, 1000, 3)


@pytest.mark.parametrize(
    ("name", "object_name"),
    [
        ("x/slo/1.0/100/10/00000001", "x"),  # an SLO segment of x, not a DLO one of x/slo
        ("x/1.0/100/10/00000001", "x"),  # the DLO form has no slo/
        ("readme.txt", None),
        ("logs/2026/11/25", None),
    ],
)
def test_names_that_are_segments_and_names_that_are_not(name: str, object_name: str | None) -> None:
    parsed = parse_segment_name(name)
    assert (parsed.object_name if parsed else None) == object_name


def test_the_slo_mark_is_read_whatever_the_case_of_the_header() -> None:
    assert is_slo({"x-static-large-object": "True"})
    assert is_slo(CaseInsensitiveDict({"X-Static-Large-Object": "true"}))
    assert not is_slo({"X-Static-Large-Object": "False"})
    assert not is_slo({"Content-Length": "3"})


def test_a_segments_container_and_its_parent() -> None:
    assert segments_parent("backups_segments") == "backups"
    assert segments_parent("backups") is None
    assert segments_parent("_segments") is None
    assert archive_containers("backups") == ("backups", "backups_segments")
    assert archive_containers("backups_segments") == ("backups", "backups_segments")


def test_the_slo_etag_of_whole_segments_and_of_ranges() -> None:
    etags = ["0" * 32, "f" * 32]
    assert expected_slo_etag(etags) == "709de96a4bd07075a0cab3958b557ffd"
    whole = [ManifestSegment("c", f"s{index}", 10, etag) for index, etag in enumerate(etags)]
    assert manifest_etag(whole) == expected_slo_etag(etags)
    ranged = [ManifestSegment("c", "s0", 10, etags[0], range="0-4")]
    assert manifest_etag(ranged) == expected_slo_etag([f"{etags[0]}:0-4;"])


def test_a_listing_time_is_utc() -> None:
    assert parse_listing_time("2026-11-25T03:28:01.123456") == datetime(
        2026, 11, 25, 3, 28, 1, 123456, tzinfo=UTC
    )
    assert parse_listing_time("") is None
    assert parse_listing_time("yesterday") is None
