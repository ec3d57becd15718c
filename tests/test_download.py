"""Downloads against the sandbox: what lands on the local disk is what python-swiftclient
wrote, whatever the object's kind; a damaged segment never becomes a file that looks
complete; an interrupted download fetches only what is missing.

Run in this process through the engine's API (the CLI's own cases are in
``test_download_cli.py``); a fault proxy in front of Swift counts and damages what the
server sends.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import make_dlo, make_slo, random_bytes
from support.download_support import (
    MTIME,
    archived_slo,
    download,
    interrupt_after,
    journal_done,
    journals,
    md5_of,
    nested_slo,
    segment_get,
    segment_gets,
    sha256_of,
    through,
)
from support.faultproxy import Fault, FaultProxy

from swiftui.cloud import Cloud
from swiftui.download import PARTIAL_SUFFIX, DownloadPlanned, Verifying
from swiftui.download.layout import PLAIN_SLICE
from swiftui.errors import IntegrityError, UsageError
from swiftui.sandbox import Sandbox
from swiftui.units import KIB, MIB
from swiftui.upload.events import SegmentDone, SegmentRetrying


def test_an_slo_arrives_whole_with_its_file_date_and_every_check_named(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(5 * 64 * KIB + 123)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=64 * KIB)
    target = tmp_path / "dump.tar"

    result, events = download(cloud.service("GRA"), container_name, "dump.tar", target)

    assert target.read_bytes() == data
    assert target.stat().st_mtime == pytest.approx(MTIME, abs=1e-3)
    assert not (tmp_path / f"dump.tar{PARTIAL_SUFFIX}").exists()
    assert journals() == []
    assert result.sha256 == sha256_of(data)
    assert result.checks == (
        "md5 of 6 segments",
        "SLO etag",
        "size",
        "SHA-256 of the whole file",
    )
    [planned] = events.of(DownloadPlanned)
    assert (planned.kind, planned.parts, planned.size) == ("SLO", 6, len(data))
    assert len(events.of(SegmentDone)) == 6
    assert events.of(Verifying)


def test_a_dlo_and_a_plain_object_arrive_whole(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    dlo_data = random_bytes(10 * KIB + 7)
    make_dlo(checker, container_name, "old-style.tar", dlo_data, 4 * KIB)
    plain_data = random_bytes(3 * KIB)
    checker.put_object(container_name, "notes.txt", plain_data)
    service = cloud.service("GRA")

    dlo, _events = download(service, container_name, "old-style.tar", tmp_path / "dlo")
    plain, _events = download(service, container_name, "notes.txt", tmp_path)

    assert (tmp_path / "dlo").read_bytes() == dlo_data
    assert (dlo.kind, dlo.parts) == ("DLO", 3)
    assert (tmp_path / "notes.txt").read_bytes() == plain_data
    assert (plain.kind, plain.checks) == ("plain", ("md5 of the object", "size"))
    assert md5_of(plain_data) == checker.head_object(container_name, "notes.txt")["etag"]


def test_a_large_plain_object_comes_in_parallel_slices_and_its_md5_is_checked_in_order(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(PLAIN_SLICE + 5 * MIB)
    checker.put_container(container_name)
    checker.put_object(
        container_name, "big.img", data, headers={"X-Object-Meta-Sha256": sha256_of(data)}
    )

    result, events = download(cloud.service("GRA"), container_name, "big.img", tmp_path / "big")

    assert hashlib.md5((tmp_path / "big").read_bytes()).hexdigest() == md5_of(data)
    assert result.parts == 2
    assert result.checks == ("md5 of the object", "size", "SHA-256 of the whole file")
    assert events.of(Verifying)[0].what == "SHA-256 and md5 of the whole file"


def test_ranged_and_nested_manifest_entries_give_the_bytes_swift_serves(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    checker.put_container(container_name)
    expected = nested_slo(checker, container_name, "layered")
    _headers, served = checker.get_object(container_name, "layered")
    assert served == expected

    result, _events = download(cloud.service("GRA"), container_name, "layered", tmp_path / "out")

    assert (tmp_path / "out").read_bytes() == expected
    # Whole: the inner SLO's middle segment and the tail; ranged: the head and the inner
    # SLO's first and last segments, which its range cuts.
    assert result.checks == (
        "md5 of 2 segments",
        "etag and length of 3 ranged parts",
        "SLO etag",
        "size",
    )


def test_a_segment_replaced_on_the_server_fails_with_exit_9_and_no_file(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(4 * 32 * KIB)
    entries = archived_slo(checker, container_name, "dump.tar", data, segment_size=32 * KIB)
    segments_container, _, third = str(entries[2]["path"]).lstrip("/").partition("/")
    checker.put_object(segments_container, third, random_bytes(32 * KIB))  # same length
    out = tmp_path / "out"
    out.mkdir()
    target = out / "dump.tar"

    with pytest.raises(IntegrityError) as failure:
        download(cloud.service("GRA"), container_name, "dump.tar", target)

    assert failure.value.exit_code == 9
    assert third in str(failure.value)
    assert "the segment was replaced or damaged on the server" in str(failure.value)
    assert [path.name for path in out.iterdir()] == [f"dump.tar{PARTIAL_SUFFIX}"]


def test_bytes_damaged_in_transit_are_fetched_again_once_then_the_download_fails(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(3 * 32 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=32 * KIB)

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_get(1, 1), action="corrupt", times=1))
        _result, events = download(
            through(cloud, sandbox, proxy), container_name, "dump.tar", tmp_path / "once"
        )
        [retried] = events.of(SegmentRetrying)
        assert retried.index == 1
        assert "fetching it again" in retried.reason
        assert (tmp_path / "once").read_bytes() == data

        proxy.add(Fault(match=segment_get(1, 1), action="corrupt", times=2))
        with pytest.raises(IntegrityError) as failure:
            download(through(cloud, sandbox, proxy), container_name, "dump.tar", tmp_path / "twice")
    assert "again" in str(failure.value) and "00000001" in str(failure.value)
    assert not (tmp_path / "twice").exists()


def test_a_connection_lost_mid_segment_resumes_from_the_byte_where_it_stopped(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(3 * 64 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=64 * KIB)

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_get(1, 1), action="truncate", times=1))
        result, events = download(
            through(cloud, sandbox, proxy), container_name, "dump.tar", tmp_path / "dump.tar"
        )
        ranges = [
            seen.headers.get("Range")
            for seen in proxy.seen
            if seen.method == "GET" and seen.path.endswith("/00000001")
        ]
    assert (tmp_path / "dump.tar").read_bytes() == data
    [retried] = events.of(SegmentRetrying)
    assert retried.index == 1
    assert "resuming at byte" in retried.reason
    # The first GET was whole; the second asked for the rest only.
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1].startswith("bytes=")
    assert int(ranges[1].split("=")[1].split("-")[0]) > 0
    assert result.bytes_fetched == len(data)


def test_a_wrong_sha256_removes_the_partial_file_and_leaves_no_target(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(3 * 16 * KIB)
    make_slo(
        checker,
        container_name,
        "dump.tar",
        data,
        segment_size=16 * KIB,
        headers={"X-Object-Meta-Sha256": sha256_of(b"another file")},
    )
    out = tmp_path / "out"
    out.mkdir()
    target = out / "dump.tar"

    with pytest.raises(IntegrityError) as failure:
        download(cloud.service("GRA"), container_name, "dump.tar", target)

    assert f"SHA-256 {sha256_of(data)}, the upload stored {sha256_of(b'another file')}" in str(
        failure.value
    )
    assert "the partial download was removed" in str(failure.value)
    assert list(out.iterdir()) == []
    assert journals() == []


def test_an_existing_file_is_replaced_only_when_asked(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "notes.txt", b"from swift")
    target = tmp_path / "notes.txt"
    target.write_bytes(b"precious local file")
    service = cloud.service("GRA")

    with pytest.raises(UsageError) as refused:
        download(service, container_name, "notes.txt", target)
    assert "exists; pass force to replace it" in str(refused.value)
    assert target.read_bytes() == b"precious local file"

    download(service, container_name, "notes.txt", target, force=True)
    assert target.read_bytes() == b"from swift"


def test_a_cancelled_download_resumes_fetching_only_the_missing_segments(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(8 * 32 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=32 * KIB)
    target = tmp_path / "dump.tar"

    stopped = interrupt_after(cloud, sandbox, container_name, "dump.tar", target, 3)
    assert "run the same command again to resume" in str(stopped)
    assert not target.exists()
    assert (tmp_path / f"dump.tar{PARTIAL_SUFFIX}").exists()
    assert journal_done() == 3

    with FaultProxy(sandbox.proxy_url("GRA")) as counting:
        result, events = download(
            through(cloud, sandbox, counting), container_name, "dump.tar", target
        )
        fetched = segment_gets(counting, f"{container_name}_segments")
    assert target.read_bytes() == data
    assert [event.index for event in events.of(SegmentDone) if event.reused] == [0, 1, 2]
    assert result.reused_parts == 3
    assert sorted(name.rsplit("/", 1)[-1] for name in fetched) == [f"{i:08d}" for i in range(3, 8)]
    assert "resuming the download started" in events.of(DownloadPlanned)[0].notes[0]


def test_an_object_replaced_since_the_interruption_starts_over_and_says_why(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    first = random_bytes(4 * 16 * KIB)
    archived_slo(checker, container_name, "dump.tar", first, segment_size=16 * KIB)
    target = tmp_path / "dump.tar"
    interrupt_after(cloud, sandbox, container_name, "dump.tar", target, 1)
    second = random_bytes(4 * 16 * KIB)
    make_slo(checker, container_name, "dump.tar", second, segment_size=16 * KIB, mtime=MTIME + 1)

    _result, events = download(cloud.service("GRA"), container_name, "dump.tar", target)

    assert target.read_bytes() == second
    [note] = events.of(DownloadPlanned)[0].notes
    assert note.startswith(
        "starting over: the object changed on the server since the interrupted download (etag "
    )


def test_the_journal_holds_no_secret_and_is_private(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(4 * 16 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=16 * KIB)
    interrupt_after(cloud, sandbox, container_name, "dump.tar", tmp_path / "dump.tar", 1)
    [journal] = journals()
    assert journal.parent.name == "downloads"
    assert os.stat(journal).st_mode & 0o777 == 0o600
    text = journal.read_text()
    token = cloud.session.get_token()
    assert token not in text
    assert container_name in text and str(tmp_path / "dump.tar") in text
