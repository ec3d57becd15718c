"""``swiftui list``, ``stat`` and ``verify`` against the sandbox: what they print, their JSON,
their exit codes, and that none of them wakes a sealed Cloud Archive object.

Run through ``swiftui.cli.main`` in this process with the sandbox user's ``OS_*``
variables; the objects are made with python-swiftclient.
"""

from __future__ import annotations

import json

import pytest
import swiftclient
from support.cloud_archive_support import ArchiveHttp
from support.deletion_support import make_dlo, random_bytes
from support.download_support import MTIME, archive_containers, archived_slo, sha256_of
from test_bad_input import refused, run

from swiftui.units import KIB


@pytest.fixture
def filled(
    sandbox_env: dict[str, str], checker: swiftclient.Connection, container_name: str
) -> bytes:
    """An SLO ``dump.tar`` (3 segments), a DLO ``old.tar`` and a plain ``notes.txt``."""
    data = random_bytes(3 * 8 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=8 * KIB)
    make_dlo(checker, container_name, "old.tar", random_bytes(5 * KIB), 2 * KIB)
    checker.put_object(container_name, "notes.txt", b"twelve bytes")
    return data


def test_list_shows_containers_and_objects_with_sizes_kinds_and_json(
    filled: bytes, container_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "list", "--prefix", container_name)
    assert code == 0
    assert out.splitlines() == [container_name, f"{container_name}_segments"]

    code, out, _err = run(capsys, "ls", container_name)
    assert (code, out.splitlines()) == (0, ["dump.tar", "notes.txt", "old.tar"])

    code, out, _err = run(capsys, "list", container_name, "--long")
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert [(row[0], row[1], row[4], row[5]) for row in rows] == [
        ("24.0", "KiB", "SLO", "dump.tar"),
        ("12", "Bytes", "plain", "notes.txt"),
        ("5.0", "KiB", "DLO", "old.tar"),
    ]

    code, out, _err = run(capsys, "list", container_name, "--json")
    listed = {item["name"]: item for item in json.loads(out)}
    assert (code, set(listed)) == (0, {"dump.tar", "notes.txt", "old.tar"})
    assert (listed["dump.tar"]["bytes"], listed["dump.tar"]["kind"]) == (len(filled), "SLO")
    assert (listed["old.tar"]["bytes"], listed["old.tar"]["kind"]) == (5 * KIB, "DLO")
    assert listed["notes.txt"]["bytes"] == 12


def test_listing_a_missing_container_is_one_line(
    sandbox_env: dict[str, str], container_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused(capsys, 2, "list", container_name) == (
        f"swiftui: container {container_name!r} does not exist in region GRA"
    )


def test_stat_shows_what_swift_stat_does_and_the_archive_facts(
    filled: bytes, container_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "stat", container_name, "dump.tar")
    assert code == 0
    shown = dict(line.strip().split(": ", 1) for line in out.splitlines() if ": " in line)
    assert shown["Object"] == "dump.tar"
    assert shown["Kind"] == "SLO"
    assert shown["Content Length"] == f"{len(filled)} (24.0 KiB)"
    assert shown["Segments"] == "3"
    assert shown["Segments Container"] == f"{container_name}_segments"
    assert shown["Expires"] == "never"
    assert shown["SHA-256"] == sha256_of(filled)
    assert "Cloud Archive" not in shown

    code, out, _err = run(capsys, "stat", container_name, "old.tar", "--json")
    facts = json.loads(out)
    assert (code, facts["kind"], facts["segment_count"]) == (0, "DLO", 3)
    assert facts["segment_containers"] == [f"{container_name}_segments"]
    assert facts["sha256"] is None

    code, out, _err = run(capsys, "stat", container_name, "--json")
    container = json.loads(out)
    assert (code, container["container"], container["objects"]) == (0, container_name, 3)


def test_stat_list_and_verify_of_sealed_objects_wake_nothing(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive_containers(checker, container_name)
    entries = archived_slo(
        checker, container_name, "dump.tar", random_bytes(16 * KIB), segment_size=8 * KIB
    )
    http = ArchiveHttp(checker)

    code, out, _err = run(capsys, "stat", container_name, "dump.tar")
    assert code == 0
    shown = dict(line.strip().split(": ", 1) for line in out.splitlines() if ": " in line)
    assert shown["Cloud Archive"] == "sealed (download or unseal asks for its unsealing)"
    assert shown["Segments"] == "2"
    assert shown["Note"].startswith("sealed: the manifest is not read; 2 segments found by name")
    assert "X-Static-Large-Object: True" in out
    code, out, _err = run(capsys, "list", container_name, "--long")
    assert (code, out.split()[-2:]) == (0, ["sealed", "dump.tar"])
    code, out, _err = run(capsys, "verify", container_name, "dump.tar")
    assert code == 0
    assert out.startswith(
        f"{container_name}/dump.tar: sealed: the manifest is not read; 2 segments found by name"
    )

    assert http.state(container_name, "dump.tar") == "sealed"
    for entry in entries:
        assert (
            http.state(f"{container_name}_segments", str(entry["path"]).split("/", 2)[2])
            == "sealed"
        )


def test_verify_is_0_when_whole_and_9_naming_each_bad_segment(
    filled: bytes,
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = run(capsys, "verify", container_name, "dump.tar")
    assert code == 0
    assert out.splitlines()[0].startswith(
        f"{container_name}/dump.tar: all 3 segments present and intact, SLO etag "
    )
    assert f"SHA-256 stored by the upload: {sha256_of(filled)}" in out

    segments = f"{container_name}_segments"
    prefix = f"dump.tar/slo/{MTIME:f}/{len(filled)}/{8 * KIB}/"
    checker.delete_object(segments, f"{prefix}00000000")
    checker.put_object(segments, f"{prefix}00000002", random_bytes(8 * KIB))

    code, out, _err = run(capsys, "verify", container_name, "dump.tar")
    assert code == 9
    lines = out.splitlines()
    assert lines[0] == f"  segment #0 {segments}/{prefix}00000000: missing"
    assert lines[1].startswith(f"  segment #2 {segments}/{prefix}00000002: etag ")
    assert lines[2] == f"{container_name}/dump.tar: 3 segments, 1 missing, 1 wrong etag"

    code, out, _err = run(capsys, "verify", container_name, "dump.tar", "--json")
    verdict = json.loads(out)
    assert (code, verdict["ok"], verdict["segments"]) == (9, False, 3)
    assert [problem["state"] for problem in verdict["problems"]] == ["missing", "wrong etag"]

    code, out, _err = run(capsys, "verify", container_name, "old.tar")
    assert (code, out.strip()) == (
        0,
        f"{container_name}/old.tar: DLO of 3 segments, etag matches its listing",
    )


def test_verify_or_stat_of_a_missing_object_is_one_line(
    filled: bytes, container_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("verify", "stat"):
        assert refused(capsys, 2, command, container_name, "nothing.tar") == (
            f"swiftui: no such object in container {container_name!r}: 'nothing.tar'"
        )
