"""The Textual-free browse core against the sandbox: kinds, details and SLO verification."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import swiftclient
from support.tui_support import upload_slo

from swiftui.browse import (
    ObjectKind,
    SegmentState,
    describe_object,
    format_age,
    segments_parent,
    verify_manifest,
)
from swiftui.cloud import Cloud
from swiftui.errors import OperationCancelled
from swiftui.sandbox import Sandbox
from swiftui.swift import parse_segment_name
from swiftui.units import MIB


@pytest.fixture
def slo(sandbox: Sandbox, container_name: str, tmp_path: Path) -> str:
    source = tmp_path / "dump.bin"
    source.write_bytes(os.urandom(4 * MIB))
    upload_slo(sandbox, container_name, "dump.bin", source, segment_size=MIB)
    return "dump.bin"


def segment_names(checker: swiftclient.Connection, container: str) -> list[str]:
    return [item["name"] for item in checker.get_container(container + "_segments")[1]]


def test_an_intact_slo_passes(cloud: Cloud, container_name: str, slo: str) -> None:
    heard = []
    result = verify_manifest(cloud.service("GRA"), container_name, slo, on_segment=heard.append)
    assert result.ok
    assert result.etag_matches
    assert sorted(check.index for check in heard) == [0, 1, 2, 3]
    assert result.summary == f"{container_name}/dump.bin: all 4 segments present and intact"


def test_each_damaged_segment_is_named(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, slo: str
) -> None:
    segments = container_name + "_segments"
    names = segment_names(checker, container_name)
    checker.put_object(segments, names[1], os.urandom(MIB))
    checker.put_object(segments, names[2], b"short")
    checker.delete_object(segments, names[3])

    result = verify_manifest(cloud.service("GRA"), container_name, slo)

    assert not result.ok
    assert [(check.index, check.state) for check in result.problems] == [
        (1, SegmentState.WRONG_ETAG),
        (2, SegmentState.WRONG_SIZE),
        (3, SegmentState.MISSING),
    ]
    assert result.problems[1].explanation == f"5 bytes, manifest says {MIB}"
    assert result.summary.endswith("4 segments, 1 missing, 1 wrong size, 1 wrong etag")


def test_a_cancelled_check_stops(cloud: Cloud, container_name: str, slo: str) -> None:
    with pytest.raises(OperationCancelled):
        verify_manifest(cloud.service("GRA"), container_name, slo, cancelled=lambda: True)


def test_details_of_each_kind(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, slo: str
) -> None:
    service = cloud.service("GRA")
    segments = container_name + "_segments"
    checker.put_object(container_name, "plain.txt", b"hello", headers={"X-Delete-After": "3600"})
    checker.put_object(
        container_name, "dlo", b"", headers={"X-Object-Manifest": f"{segments}/dump.bin/"}
    )

    whole = describe_object(service, container_name, slo)
    assert whole is not None and whole.facts.kind is ObjectKind.SLO
    assert whole.manifest_bytes == whole.facts.size == 4 * MIB
    assert whole.segment_containers == [segments]

    dlo = describe_object(service, container_name, "dlo")
    assert dlo is not None and dlo.facts.kind is ObjectKind.DLO
    assert dlo.dlo is not None and dlo.dlo.total_bytes == 4 * MIB == dlo.facts.size
    assert len(dlo.dlo.segments) == 4 and dlo.dlo.complete

    plain = describe_object(service, container_name, "plain.txt")
    assert plain is not None and plain.facts.kind is ObjectKind.PLAIN
    assert plain.facts.delete_at is not None
    left = plain.facts.delete_at - datetime.now(UTC)
    assert timedelta(minutes=55) < left <= timedelta(hours=1)

    segment = describe_object(service, segments, segment_names(checker, container_name)[2])
    assert segment is not None and segment.facts.kind is ObjectKind.SEGMENT
    assert segment.segment_of is not None
    assert (segment.segment_of.object_name, segment.segment_of.index) == ("dump.bin", 2)

    assert describe_object(service, container_name, "gone") is None


def test_names_and_times() -> None:
    parsed = parse_segment_name("a/b.tar/slo/1795573718.464575/3145828/1048576/00000003")
    assert parsed is not None
    assert (parsed.object_name, parsed.file_size, parsed.segment_size, parsed.index) == (
        "a/b.tar",
        3145828,
        1048576,
        3,
    )
    assert parse_segment_name("notes/readme.txt") is None
    assert segments_parent("backups_segments", ["backups", "backups_segments"]) == "backups"
    assert segments_parent("lost_segments", ["lost_segments"]) is None
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert format_age(now - timedelta(days=3), now) == "3 days ago"
    assert format_age(None, now) == ""
