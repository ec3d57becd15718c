"""The upload engine against the real sandbox Swift: what ends up stored, and resumes."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
import swiftclient
from support.cloud_archive_support import ArchiveHttp
from support.faultproxy import Fault, FaultProxy
from support.upload_support import (
    Recorder,
    download_md5,
    file_sha256,
    journal_files,
    object_names,
    segment_etags,
    segment_put,
    timestamps,
    upload,
    write_random,
)

from swiftui.cloud import Cloud
from swiftui.errors import OperationCancelled, UsageError
from swiftui.sandbox import Sandbox
from swiftui.swift import (
    DATA_TIMEOUT,
    SwiftService,
    expected_slo_etag,
    segment_name,
    segment_prefix,
)
from swiftui.units import KIB, MIB
from swiftui.upload import UploadRequest, abandon_upload, resumable_uploads
from swiftui.upload.events import (
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    SegmentDone,
    SegmentQueued,
    SegmentStarted,
    UploadCancelled,
    UploadFailed,
    UploadFinished,
    event_to_dict,
)
from swiftui.upload.manifest import HEARTBEAT_MIN_SEGMENTS
from swiftui.upload.target import SEGMENT_EXPIRY_MARGIN_S


@pytest.fixture
def service(cloud: Cloud) -> SwiftService:
    return cloud.service("GRA")


def test_segmented_upload_is_a_valid_slo_in_the_parents_policy(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    checker.put_container(container_name, headers={"X-Storage-Policy": "PCA"})
    path = tmp_path / "backup.tar"
    size = 5 * MIB + 123
    md5 = write_random(path, size)

    result, events = upload(
        service, UploadRequest(path, container_name, segment_size=MIB, threads=2)
    )

    segments = f"{container_name}_segments"
    mtime = path.stat().st_mtime
    etags = segment_etags(path, MIB)
    head = checker.head_object(container_name, "backup.tar")
    assert head["x-static-large-object"] == "True"
    assert int(head["content-length"]) == size
    assert head["etag"].strip('"') == expected_slo_etag(etags) == result.etag
    assert head["x-object-meta-mtime"] == f"{mtime:f}"
    assert head["x-object-meta-sha256"] == file_sha256(path) == result.sha256
    assert checker.head_container(segments)["x-storage-policy"] == "PCA"
    prefix = segment_prefix("backup.tar", mtime, size, MIB)
    assert object_names(checker, segments) == [segment_name(prefix, i) for i in range(6)]
    assert prefix == f"backup.tar/slo/{mtime:f}/{size}/{MIB}/"
    archive = ArchiveHttp(checker)  # Cloud Archive: reading needs unsealing first
    archive.unseal(container_name, ["backup.tar"])
    archive.unseal(segments, [segment_name(prefix, i) for i in range(6)])
    _headers, raw = checker.get_object(
        container_name, "backup.tar", query_string="multipart-manifest=get"
    )
    manifest = json.loads(raw)
    assert [entry["name"] for entry in manifest] == [
        f"/{segments}/{segment_name(prefix, i)}" for i in range(6)
    ]
    assert [entry["hash"] for entry in manifest] == etags
    segment_head = checker.head_object(segments, segment_name(prefix, 0))
    assert segment_head["content-type"] == "application/swiftclient-segment"
    assert download_md5(checker, container_name, "backup.tar") == md5

    assert isinstance(events.events[0], PlanReady)
    assert events.events[0].explanation == "5.0 MiB = 6 segments of 1.0 MiB (asked)"
    assert isinstance(events.events[-1], UploadFinished)
    assert sorted(e.index for e in events.of(SegmentDone)) == list(range(6))
    assert not any(e.reused for e in events.of(SegmentDone))
    assert len(events.of(SegmentQueued)) == len(events.of(SegmentStarted)) == 6
    assert events.of(Progress)[-1].bytes_done == size
    assert len(events.of(ManifestWriting)) == 1
    assert (result.segment_count, result.reused_segments, result.bytes_sent) == (6, 0, size)
    assert journal_files() == []
    json.dumps([event_to_dict(event) for event in events.events])


def test_many_segments_use_a_heartbeat_manifest(
    sandbox: Sandbox,
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "many.bin"
    # 1 MiB segments: Swift throttles GETs of SLOs made of smaller ones to 1 segment/s.
    md5 = write_random(path, 16 * MIB)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        watched = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        result, _events = upload(
            watched, UploadRequest(path, container_name, segment_size=MIB, threads=3)
        )
        manifest_puts = [
            seen
            for seen in proxy.seen
            if seen.method == "PUT" and "multipart-manifest" in seen.query
        ]
    assert [(seen.query, seen.outcome) for seen in manifest_puts] == [
        ("multipart-manifest=put&heartbeat=on", "forwarded 202")
    ]
    assert result.segment_count == HEARTBEAT_MIN_SEGMENTS == 16
    assert checker.head_object(container_name, "many.bin")["x-static-large-object"] == "True"
    assert download_md5(checker, container_name, "many.bin") == md5


@pytest.mark.parametrize("size", [0, 100 * KIB])
def test_a_file_within_one_segment_is_a_plain_object(
    service: SwiftService,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    size: int,
) -> None:
    path = tmp_path / "small.bin"
    md5 = write_random(path, size)
    result, events = upload(service, UploadRequest(path, container_name))
    head = checker.head_object(container_name, "small.bin")
    assert "x-static-large-object" not in head
    assert head["etag"] == md5 == result.etag
    assert int(head["content-length"]) == size
    assert head["x-object-meta-mtime"] == f"{path.stat().st_mtime:f}"
    assert head["x-object-meta-sha256"] == file_sha256(path) == result.sha256
    assert not result.is_slo
    assert "one plain object" in events.of(PlanReady)[0].explanation
    assert container_name + "_segments" not in [c["name"] for c in checker.get_account()[1]]


def test_expiry_is_set_on_the_manifest_and_on_every_segment(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "expiring.bin"
    write_random(path, 3 * MIB + 1)
    before = int(time.time())
    result, _events = upload(
        service,
        UploadRequest(path, container_name, segment_size=MIB, delete_after=90 * 86400),
    )
    assert result.delete_at is not None
    assert before + 90 * 86400 <= result.delete_at <= int(time.time()) + 90 * 86400
    head = checker.head_object(container_name, "expiring.bin")
    assert int(head["x-delete-at"]) == result.delete_at
    segments = f"{container_name}_segments"
    names = object_names(checker, segments)
    assert len(names) == 4
    for name in names:
        segment_expiry = int(checker.head_object(segments, name)["x-delete-at"])
        assert segment_expiry == result.delete_at + SEGMENT_EXPIRY_MARGIN_S


def test_replacing_an_object_deletes_only_the_old_segments_it_does_not_reuse(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "data.bin"
    write_random(path, 3 * MIB)
    upload(service, UploadRequest(path, container_name, segment_size=MIB))
    segments = f"{container_name}_segments"
    first = object_names(checker, segments)
    first_times = timestamps(checker, segments, first)

    # The same file again: every segment is checked and reused, none is sent or deleted.
    result, events = upload(service, UploadRequest(path, container_name))
    assert result.reused_segments == 3
    assert result.bytes_sent == 0
    assert all(event.reused for event in events.of(SegmentDone))
    assert "found 3 segments of this same file" in events.of(PlanReady)[0].notes[0]
    assert timestamps(checker, segments, first) == first_times
    assert not events.of(OldSegmentsDeleted)

    # New content: the new manifest is in place, then the old segments go.
    md5 = write_random(path, 2 * MIB + 5)
    result, events = upload(service, UploadRequest(path, container_name, segment_size=MIB))
    assert result.old_segments_deleted == 3
    assert events.of(OldSegmentsDeleted)[0].count == 3
    remaining = object_names(checker, segments)
    assert len(remaining) == 3
    assert not set(remaining) & set(first)
    assert download_md5(checker, container_name, "data.bin") == md5

    # --leave-segments keeps them.
    second = remaining
    write_random(path, MIB + 7)
    result, _events = upload(
        service, UploadRequest(path, container_name, segment_size=MIB, leave_segments=True)
    )
    assert result.old_segments_deleted == 0
    assert set(second) <= set(object_names(checker, segments))


def test_cancel_stops_within_a_second_and_the_same_upload_resumes(
    sandbox: Sandbox,
    cloud: Cloud,
    service: SwiftService,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "resume.bin"
    md5 = write_random(path, 8 * MIB)
    request = UploadRequest(path, container_name, segment_size=MIB, threads=2)
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def cancel_after_three(event: object) -> None:
        if isinstance(event, SegmentDone) and len(recorder.of(SegmentDone)) == 3:
            cancelled_at.append(time.monotonic())
            cancel.set()

    recorder = Recorder(then=cancel_after_three)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # The server stops answering segment 3 and later: cancel must not wait for it.
        proxy.add(Fault(match=segment_put(min_index=3), action="hold", times=100))
        slow = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        with pytest.raises(OperationCancelled, match="run the same upload again to resume"):
            upload(slow, request, recorder=recorder, cancel=cancel)
        stopped_after = time.monotonic() - cancelled_at[0]
    # Waiting for the held PUT would last its read timeout (minutes): the cancel did not.
    assert stopped_after < DATA_TIMEOUT[1] / 10
    cancelled = recorder.of(UploadCancelled)[0]
    assert (cancelled.segments_done, cancelled.segments_total) == (3, 8)

    [waiting] = resumable_uploads()
    assert (waiting.segments_done, waiting.segment_count, waiting.problem) == (3, 8, None)
    assert waiting.bytes_left == 5 * MIB
    segments = f"{container_name}_segments"
    sent_before = object_names(checker, segments)
    assert len(sent_before) == 3
    before = timestamps(checker, segments, sent_before)

    result, events = upload(service, waiting.to_request())
    assert "resuming the upload started" in events.of(PlanReady)[0].notes[0]
    reused = sorted(e.index for e in events.of(SegmentDone) if e.reused)
    assert reused == [0, 1, 2]
    assert sorted(e.index for e in events.of(SegmentStarted)) == [3, 4, 5, 6, 7]
    assert result.bytes_sent == 5 * MIB
    assert timestamps(checker, segments, sent_before) == before
    assert download_md5(checker, container_name, "resume.bin") == md5
    # The segments sent before the cancel were read again, locally, for the whole SHA-256.
    assert checker.head_object(container_name, "resume.bin")["x-object-meta-sha256"] == (
        file_sha256(path)
    )
    assert resumable_uploads() == []


def test_a_changed_file_starts_over_and_removes_the_stale_segments(
    sandbox: Sandbox,
    cloud: Cloud,
    service: SwiftService,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "changing.bin"
    write_random(path, 4 * MIB)
    cancel = threading.Event()
    recorder = Recorder(then=lambda event: isinstance(event, SegmentDone) and cancel.set())
    with pytest.raises(OperationCancelled):
        upload(
            service,
            UploadRequest(path, container_name, segment_size=MIB, threads=1),
            recorder=recorder,
            cancel=cancel,
        )
    segments = f"{container_name}_segments"
    stale = object_names(checker, segments)
    assert stale

    md5 = write_random(path, 4 * MIB)
    os.utime(path, (time.time() + 5, time.time() + 5))
    [waiting] = resumable_uploads()
    assert waiting.problem is not None and "changed" in waiting.problem

    result, events = upload(service, UploadRequest(path, container_name, segment_size=MIB))
    notes = events.of(PlanReady)[0].notes
    assert notes[0].startswith("starting over: the local file changed")
    assert any("removed" in notice.message for notice in events.of(Notice))
    assert result.reused_segments == 0
    assert not set(stale) & set(object_names(checker, segments))
    assert download_md5(checker, container_name, "changing.bin") == md5


def test_abandoning_an_interrupted_upload_deletes_its_segments(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "abandoned.bin"
    write_random(path, 3 * MIB)
    cancel = threading.Event()
    recorder = Recorder(then=lambda event: isinstance(event, SegmentDone) and cancel.set())
    with pytest.raises(OperationCancelled):
        upload(
            service,
            UploadRequest(path, container_name, segment_size=MIB, threads=1),
            recorder=recorder,
            cancel=cancel,
        )
    [waiting] = resumable_uploads()
    assert abandon_upload(service, waiting) >= 1
    assert object_names(checker, f"{container_name}_segments") == []
    assert resumable_uploads() == []


def test_a_file_changing_during_the_upload_is_refused_and_the_old_object_kept(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "live.db"
    md5 = write_random(path, 3 * MIB)
    upload(service, UploadRequest(path, container_name, segment_size=MIB))

    write_random(path, 4 * MIB)

    def write_more(event: object) -> None:
        if isinstance(event, SegmentDone) and event.index == 0:
            with path.open("ab") as handle:
                handle.write(b"more rows")

    recorder = Recorder(then=write_more)
    with pytest.raises(UsageError, match="changed during the upload"):
        upload(
            service,
            UploadRequest(path, container_name, segment_size=MIB, threads=1),
            recorder=recorder,
        )
    assert recorder.of(UploadFailed)[0].resumable
    assert download_md5(checker, container_name, "live.db") == md5


def test_a_plain_object_changing_during_its_upload_is_refused_by_swift(
    sandbox: Sandbox,
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "plain.bin"
    write_random(path, 16 * MIB)

    def overwrite_the_end(event: object) -> None:
        if isinstance(event, SegmentStarted):
            with path.open("r+b") as handle:
                handle.seek(-4, os.SEEK_END)
                handle.write(b"tail")

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # The body waits in the proxy long enough for the file to change under it.
        proxy.add(
            Fault(
                match=lambda m, p, h: m == "PUT" and p.endswith("/plain.bin"),
                action="delay",
                delay_s=0.5,
            )
        )
        slow = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        with pytest.raises(UsageError, match="changed during the upload"):
            upload(
                slow,
                UploadRequest(path, container_name, segment_size=32 * MIB),
                recorder=Recorder(then=overwrite_the_end),
            )
        assert "forwarded 422" in proxy.outcomes("PUT")
    with pytest.raises(swiftclient.ClientException) as missing:
        checker.head_object(container_name, "plain.bin")
    assert missing.value.http_status == 404


@pytest.mark.parametrize(
    ("size", "segment_size", "message"),
    [
        (2 * MIB, 6 * 1024**3, "is more than this cluster's largest object"),
        (2 * MIB, 1, "2097152 segments, more than this cluster's manifests can list even nested"),
    ],
)
def test_an_impossible_plan_is_refused_before_anything_is_written(
    service: SwiftService,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    size: int,
    segment_size: int,
    message: str,
) -> None:
    path = tmp_path / "big.bin"
    write_random(path, size)
    recorder = Recorder()
    with pytest.raises(UsageError, match=message):
        upload(
            service,
            UploadRequest(path, container_name, segment_size=segment_size),
            recorder=recorder,
        )
    assert not recorder.of(PlanReady)
    assert not recorder.of(UploadFailed)[0].resumable
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)


def test_a_missing_file_or_a_directory_is_a_clear_error(
    service: SwiftService, container_name: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=r"nothing\.bin: no such file"):
        upload(service, UploadRequest(tmp_path / "nothing.bin", container_name))
    with pytest.raises(UsageError, match="is a directory"):
        upload(service, UploadRequest(tmp_path, container_name))
