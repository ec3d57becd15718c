"""Uploads that make nested SLOs, against a sandbox of its own whose clusters allow 4
segments per manifest: from a file (and resumed) or a pipe, read back, verified,
described and replaced; a pipe longer than two levels of manifests stops cleanly.

A sandbox of its own (about 12 s to build, so the module is marked slow) because lowering
the session sandbox's limit would change what every other test plans. What deletion,
``orphans``, verify and details make of a nested SLO is in ``test_nested_slo.py``, on a
nested SLO built by hand in the session sandbox.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import swiftclient
from conftest import swift_checker
from support.upload_support import (
    Recorder,
    download_md5,
    file_sha256,
    object_names,
    segment_etags,
    upload,
    write_random,
)

from swiftui.browse import describe_object, verify_manifest
from swiftui.cloud import Cloud, connect
from swiftui.credentials import load_credentials
from swiftui.errors import OperationCancelled, UsageError
from swiftui.sandbox import Sandbox
from swiftui.swift import (
    SwiftService,
    expected_slo_etag,
    segment_name,
    segment_prefix,
    submanifest_name,
)
from swiftui.units import MIB
from swiftui.upload import (
    PlanReady,
    SegmentDone,
    StreamRequest,
    UploadRequest,
    resumable_uploads,
    run_stream_upload,
)

LIMIT = 4
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(
        tmp_path_factory.mktemp("nested"), unseal_delay_s=1, max_manifest_segments=LIMIT
    ) as running:
        yield running


@pytest.fixture(scope="module")
def small_cloud(small_sandbox: Sandbox) -> Iterator[Cloud]:
    connected = connect(load_credentials(environ=small_sandbox.environ(), ask_password=None))
    yield connected
    connected.close()


@pytest.fixture
def service(small_cloud: Cloud) -> SwiftService:
    return small_cloud.service("GRA")


@pytest.fixture(scope="module")
def check(small_sandbox: Sandbox) -> swiftclient.Connection:
    return swift_checker(small_sandbox)


def nested_upload(
    service: SwiftService, path: Path, container: str, size: int = 10 * MIB
) -> tuple[str, str]:
    """Upload ``size`` random bytes as 1 MiB segments; return the md5 and segment prefix."""
    md5 = write_random(path, size)
    result, _events = upload(service, UploadRequest(path, container, segment_size=MIB, threads=2))
    assert result.sub_manifests > 1
    prefix = segment_prefix(path.name, path.stat().st_mtime, size, MIB)
    return md5, prefix


def test_beyond_the_segment_limit_the_slo_is_nested_and_reads_back_whole(
    service: SwiftService, check: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    assert service.limits().max_manifest_segments == LIMIT
    path = tmp_path / "big.tar"
    md5 = write_random(path, 10 * MIB + 5)
    result, events = upload(
        service, UploadRequest(path, container_name, segment_size=MIB, threads=2)
    )
    [plan] = events.of(PlanReady)
    assert "11 segments of 1.0 MiB in 3 sub-manifests of at most 4" in plan.explanation
    assert (plan.sub_manifests, result.sub_manifests) == (3, 3)

    segments = f"{container_name}_segments"
    prefix = segment_prefix("big.tar", path.stat().st_mtime, 10 * MIB + 5, MIB)
    subs = [submanifest_name(prefix, k) for k in range(3)]
    assert object_names(check, segments) == [
        *(segment_name(prefix, i) for i in range(11)),
        *subs,
    ]
    _headers, raw = check.get_object(
        container_name, "big.tar", query_string="multipart-manifest=get"
    )
    top = json.loads(raw)
    assert [entry["name"] for entry in top] == [f"/{segments}/{sub}" for sub in subs]
    assert all(entry["sub_slo"] for entry in top)
    etags = segment_etags(path, MIB)
    sub_etags = [expected_slo_etag(etags[k : k + LIMIT]) for k in range(0, 11, LIMIT)]
    head = check.head_object(container_name, "big.tar")
    assert head["etag"].strip('"') == expected_slo_etag(sub_etags) == result.etag
    assert int(head["content-length"]) == 10 * MIB + 5
    assert head["x-object-meta-sha256"] == file_sha256(path)
    assert download_md5(check, container_name, "big.tar") == md5

    verdict = verify_manifest(service, container_name, "big.tar")
    assert verdict.ok, verdict.summary
    assert len(verdict.segments) == 3 + 11  # the sub-manifests and every segment
    details = describe_object(service, container_name, "big.tar")
    assert details is not None
    assert details.sub_manifests == 3
    assert len(details.leaf_segments) == 11
    assert details.manifest_bytes == 10 * MIB + 5


def test_a_nested_upload_resumes_and_its_sha256_covers_the_whole_file(
    service: SwiftService, check: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "resumed.bin"
    md5 = write_random(path, 9 * MIB)
    cancel = threading.Event()
    recorder = Recorder(
        then=lambda event: isinstance(event, SegmentDone) and event.index >= 4 and cancel.set()
    )
    request = UploadRequest(path, container_name, segment_size=MIB, threads=1)
    with pytest.raises(OperationCancelled):
        upload(service, request, recorder=recorder, cancel=cancel)
    [waiting] = resumable_uploads()
    result, events = upload(service, waiting.to_request())
    assert "resuming the upload started" in events.of(PlanReady)[0].notes[0]
    assert result.reused_segments == waiting.segments_done >= 5
    assert result.sub_manifests == 3
    assert download_md5(check, container_name, "resumed.bin") == md5
    head = check.head_object(container_name, "resumed.bin")
    assert head["x-object-meta-sha256"] == file_sha256(path)


def test_replacing_a_nested_object_removes_its_old_sub_manifests_and_segments(
    service: SwiftService, check: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "weekly.bin"
    nested_upload(service, path, container_name, 9 * MIB)
    segments = f"{container_name}_segments"
    old = set(object_names(check, segments))
    assert len(old) == 9 + 3
    md5, _prefix = nested_upload(service, path, container_name, 6 * MIB)
    now = set(object_names(check, segments))
    assert not now & old
    assert len(now) == 6 + 2
    assert download_md5(check, container_name, "weekly.bin") == md5


def test_a_pipe_beyond_the_segment_limit_is_nested_too(
    service: SwiftService, check: swiftclient.Connection, container_name: str
) -> None:
    data = os.urandom(9 * MIB + 1)
    result = run_stream_upload(
        service,
        StreamRequest(container_name, "piped.tar", segment_size=MIB),
        io.BytesIO(data),
        on_event=Recorder(),
        cancel=threading.Event(),
    )
    assert (result.segment_count, result.sub_manifests) == (10, 3)
    assert download_md5(check, container_name, "piped.tar") == hashlib.md5(data).hexdigest()
    assert verify_manifest(service, container_name, "piped.tar").ok


def test_a_pipe_longer_than_two_levels_hold_stops_and_removes_its_segments(
    service: SwiftService, check: swiftclient.Connection, container_name: str
) -> None:
    with pytest.raises(UsageError, match="longer than this cluster's manifests can list even"):
        run_stream_upload(
            service,
            StreamRequest(container_name, "huge.tar", segment_size=MIB),
            io.BytesIO(os.urandom((LIMIT * LIMIT + 1) * MIB)),
            on_event=Recorder(),
            cancel=threading.Event(),
        )
    assert object_names(check, f"{container_name}_segments") == []
