"""What verify, details, deletion and ``orphans`` make of a nested SLO, on one built by
hand with python-swiftclient in the session sandbox, named as swiftui's uploads name
them (sub-manifests among the segments). Uploads that make nested SLOs, against a
sandbox whose limit is low, are in ``test_nested_upload.py`` (slow)."""

from __future__ import annotations

import hashlib
import json

import swiftclient
from support.deletion_support import names, put_segments, random_bytes, segment_prefix

from swiftui.browse import describe_object, verify_manifest
from swiftui.cloud import Cloud
from swiftui.deletion import execute_deletion, plan_deletion
from swiftui.orphans import find_orphans
from swiftui.swift import SwiftService, expected_slo_etag, segment_name, submanifest_name

SEGMENT = 1024
PER_MANIFEST = 2


def make_nested_slo(conn: swiftclient.Connection, container: str, name: str, data: bytes) -> str:
    """``container/name``: 2 segments per sub-manifest, sub-manifests in the segments
    container listed by the top manifest. Returns the segments' prefix."""
    segments = f"{container}_segments"
    conn.put_container(container)
    prefix = segment_prefix(name, 1_700_000_000.0, len(data), SEGMENT)
    entries = put_segments(conn, segments, prefix, data, SEGMENT)
    top = []
    for number, start in enumerate(range(0, len(entries), PER_MANIFEST)):
        listed = entries[start : start + PER_MANIFEST]
        sub = submanifest_name(prefix, number)
        conn.put_object(segments, sub, json.dumps(listed), query_string="multipart-manifest=put")
        top.append(
            {
                "path": f"/{segments}/{sub}",
                "etag": expected_slo_etag(str(entry["etag"]) for entry in listed),
                "size_bytes": sum(int(str(entry["size_bytes"])) for entry in listed),
            }
        )
    conn.put_object(container, name, json.dumps(top), query_string="multipart-manifest=put")
    return prefix


def service_of(cloud: Cloud) -> SwiftService:
    return cloud.service("GRA")


def test_verify_and_details_read_every_sub_manifest_and_segment(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    data = random_bytes(5 * SEGMENT + 7)
    prefix = make_nested_slo(checker, container_name, "n.tar", data)
    _headers, body = checker.get_object(container_name, "n.tar")
    assert hashlib.md5(body).hexdigest() == hashlib.md5(data).hexdigest()
    service = service_of(cloud)

    verdict = verify_manifest(service, container_name, "n.tar")
    assert verdict.ok, verdict.summary
    assert verdict.summary == (
        f"{container_name}/n.tar: all 6 segments under 3 sub-manifests present and intact"
    )
    details = describe_object(service, container_name, "n.tar")
    assert details is not None
    assert (details.sub_manifests, len(details.leaf_segments)) == (3, 6)
    assert details.segment_containers == [f"{container_name}_segments"]

    segments = f"{container_name}_segments"
    checker.put_object(segments, segment_name(prefix, 3), b"y" * SEGMENT)
    damaged = verify_manifest(service, container_name, "n.tar")
    [problem] = damaged.problems
    assert problem.segment.name == segment_name(prefix, 3)
    assert damaged.summary.endswith("1 wrong etag")


def test_deleting_a_nested_archive_leaves_nothing_and_keeps_a_shared_segment(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    prefix = make_nested_slo(checker, container_name, "gone.tar", random_bytes(4 * SEGMENT))
    segments = f"{container_name}_segments"
    shared = segment_name(prefix, 2)
    head = checker.head_object(segments, shared)
    keeper = [{"path": f"/{segments}/{shared}", "etag": head["etag"], "size_bytes": SEGMENT}]
    checker.put_object(
        container_name, "keeper", json.dumps(keeper), query_string="multipart-manifest=put"
    )
    service = service_of(cloud)
    plan = plan_deletion(service, container_name, ["gone.tar"])
    [item] = plan.items
    nested = [segment for segment in item.segments if segment.is_manifest]
    assert [segment.name for segment in nested] == [submanifest_name(prefix, k) for k in (0, 1)]
    assert all(segment.bytes > 0 for segment in nested)  # their JSON, not their data
    assert len(item.segments) == 2 + 3
    assert [kept.object.name for kept in item.kept] == [shared]
    assert execute_deletion(service, plan).complete
    assert names(checker, segments) == [shared]
    assert names(checker, container_name) == ["keeper"]


def test_orphans_finds_the_sub_manifests_and_segments_of_a_deleted_top_manifest(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    prefix = make_nested_slo(checker, container_name, "lost.tar", random_bytes(4 * SEGMENT))
    checker.delete_object(container_name, "lost.tar")  # the manifest only, as some tools do
    service = service_of(cloud)
    report = find_orphans(service, container_name, min_age_s=0)
    [group] = report.groups
    assert (group.prefix, group.object_name, group.count) == (prefix, "lost.tar", 4 + 2)
    assert group.segments[0].object.is_manifest  # deleted before what they list
    assert group.bytes < 4 * SEGMENT + 2000  # the sub-manifests count their JSON only
    assert execute_deletion(service, report.plan()).complete
    assert names(checker, f"{container_name}_segments") == []
