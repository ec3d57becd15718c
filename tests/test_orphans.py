"""Finding and deleting orphaned segments against the real sandbox Swift."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import (
    SEGMENT_TYPE,
    expire_in_two_hours,
    make_dlo,
    make_slo,
    md5_of,
    names,
    put_segments,
    random_bytes,
    segment_prefix,
    wait_until_gone,
)
from swiftclient.service import SwiftService as SwiftClientService
from swiftclient.service import SwiftUploadObject

from swiftui.cli import main
from swiftui.cloud import Cloud
from swiftui.deletion import execute_deletion
from swiftui.orphans import find_orphans
from swiftui.sandbox import Sandbox
from swiftui.upload.journal import Journal, list_journals


@pytest.fixture
def service(cloud: Cloud):
    return cloud.service("GRA")


def swift_upload(sandbox: Sandbox, container: str, path: Path, name: str) -> None:
    """``swift upload --use-slo -S 1000 --leave-segments`` with python-swiftclient itself."""
    options = {
        "auth_version": "3",
        "os_auth_url": sandbox.auth_url,
        "os_username": sandbox.username,
        "os_password": sandbox.password,
        "os_project_name": sandbox.project_name,
        "os_user_domain_name": "Default",
        "os_project_domain_name": "Default",
        "os_region_name": "GRA",
        "segment_threads": 2,
        "object_uu_threads": 1,
    }
    upload_options = {"segment_size": 1000, "use_slo": True, "leave_segments": True}
    with SwiftClientService(options=options) as swift:
        for result in swift.upload(
            container, [SwiftUploadObject(str(path), object_name=name)], options=upload_options
        ):
            assert result["success"], result


@pytest.fixture
def messy_container(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> dict[str, bytes]:
    """Live archives (SLO, DLO, plain), an interrupted upload and an overwrite's leftovers.

    Returns the live archives' contents by name.
    """
    live = {"live.tar": random_bytes(2500), "plain.txt": b"plain", "legacy.img": random_bytes(1500)}
    make_slo(checker, container_name, "live.tar", live["live.tar"], mtime=1.0)
    checker.put_object(container_name, "plain.txt", live["plain.txt"])
    make_dlo(checker, container_name, "legacy.img", live["legacy.img"], 1000)
    # Interrupted: two segments of a three-segment upload, and no manifest.
    interrupted = segment_prefix("crashed.tar", 5.0, 3000, 1000)
    put_segments(checker, f"{container_name}_segments", interrupted, random_bytes(2000), 1000)
    # Overwritten with --leave-segments by the swift CLI's own code: the first version's
    # segments stay behind.
    local = tmp_path / "db.tar"
    local.write_bytes(random_bytes(2200))
    os.utime(local, (1_700_000_000, 1_700_000_000))
    swift_upload(sandbox, container_name, local, "db.tar")
    live["db.tar"] = random_bytes(1800)
    local.write_bytes(live["db.tar"])
    os.utime(local, (1_700_086_400, 1_700_086_400))
    swift_upload(sandbox, container_name, local, "db.tar")
    # A segment uploaded into the container itself (swift upload -C <same container>).
    checker.put_object(
        container_name,
        "stray/slo/7.000000/10/10/00000000",
        b"0123456789",
        content_type=SEGMENT_TYPE,
    )
    return live


def _assert_live_intact(checker: swiftclient.Connection, container: str, live: dict) -> None:
    for name, data in live.items():
        assert md5_of(checker, container, name) == hashlib.md5(data).hexdigest(), name


def test_orphans_of_an_interrupted_upload_and_an_overwrite_are_found_and_deleted(
    service, checker: swiftclient.Connection, container_name: str, messy_container: dict
) -> None:
    report = find_orphans(service, container_name, journals=[], min_age_s=0)

    segments = f"{container_name}_segments"
    by_prefix = {group.prefix: group for group in report.groups}
    assert set(by_prefix) == {
        "crashed.tar/slo/5.000000/3000/1000/",
        "db.tar/slo/1700000000.000000/2200/1000/",
        "stray/slo/7.000000/10/10/",
    }
    crashed = by_prefix["crashed.tar/slo/5.000000/3000/1000/"]
    assert (crashed.container, crashed.count, crashed.bytes) == (segments, 2, 2000)
    assert crashed.expected_count == 3 and "no manifest" in crashed.cause
    overwritten = by_prefix["db.tar/slo/1700000000.000000/2200/1000/"]
    assert (overwritten.count, overwritten.bytes) == (3, 2200)
    assert "left by an overwrite" in overwritten.cause
    assert by_prefix["stray/slo/7.000000/10/10/"].container == container_name
    assert all(group.selected_by_default for group in report.groups)

    summary = execute_deletion(service, report.plan())

    assert summary.complete and summary.segments_deleted == 6
    assert summary.objects_deleted == 0 and summary.bytes_freed == 2000 + 2200 + 10
    assert find_orphans(service, container_name, journals=[], min_age_s=0).groups == ()
    assert sorted(names(checker, container_name)) == [
        "db.tar",
        "legacy.img",
        "live.tar",
        "plain.txt",
    ]
    _assert_live_intact(checker, container_name, messy_container)


def test_a_resumable_upload_is_marked_and_left_alone_by_default(
    service, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    local = tmp_path / "big.iso"
    local.write_bytes(random_bytes(3000))
    mtime = local.stat().st_mtime
    prefix = segment_prefix("big.iso", mtime, 3000, 1000)
    put_segments(checker, f"{container_name}_segments", prefix, local.read_bytes()[:2000], 1000)
    checker.put_container(container_name)
    Journal.create(
        target="sandbox",
        local_path=local,
        file_size=3000,
        file_mtime=mtime,
        container=container_name,
        segment_container=f"{container_name}_segments",
        object_name="big.iso",
        region="GRA",
        segment_size=1000,
        segment_prefix=prefix,
    )

    [group] = find_orphans(service, container_name, min_age_s=0).groups
    assert group.resumable and not group.selected_by_default
    assert "resumable: upload of" in group.journal_note

    # Once the local file changes, the journal cannot resume any more: plain orphans.
    os.utime(local, (mtime + 10, mtime + 10))
    [group] = find_orphans(service, container_name, min_age_s=0).groups
    assert not group.resumable and group.selected_by_default
    assert "stale" in group.journal_note


def test_recent_segments_are_left_alone_by_default(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    put_segments(
        checker,
        f"{container_name}_segments",
        segment_prefix("now.tar", 1.0, 2000, 1000),
        random_bytes(1000),
        1000,
    )

    [group] = find_orphans(service, container_name, journals=[]).groups
    assert group.recent and not group.selected_by_default
    [group] = find_orphans(service, container_name, journals=[], now=time.time() + 2 * 86400).groups
    assert not group.recent and group.selected_by_default


def test_naming_the_segments_container_finds_the_same_orphans(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    make_slo(checker, container_name, "kept", random_bytes(1500))
    put_segments(
        checker,
        f"{container_name}_segments",
        segment_prefix("gone", 1.0, 1000, 1000),
        b"x" * 1000,
        1000,
    )

    report = find_orphans(service, f"{container_name}_segments", journals=[], min_age_s=0)

    assert report.container == container_name
    assert [group.prefix for group in report.groups] == ["gone/slo/1.000000/1000/1000/"]


# -- the CLI --------------------------------------------------------------------------------


def test_orphans_lists_without_deleting(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    messy_container: dict,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = names(checker, f"{container_name}_segments")

    assert main(["orphans", container_name, "--min-age", "0"]) == 0

    out = capsys.readouterr().out
    assert "crashed.tar/slo/5.000000/3000/1000/  2 of 3 segments" in out
    assert "Total: 3 groups, 6 segments" in out
    assert "run again with --delete" in out
    assert names(checker, f"{container_name}_segments") == before


def test_orphans_delete_without_a_terminal_and_without_yes_deletes_nothing_and_exits_6(
    sandbox_env: dict[str, str], checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    put_segments(
        checker,
        f"{container_name}_segments",
        segment_prefix("x", 1.0, 1000, 1000),
        b"x" * 1000,
        1000,
    )

    result = subprocess.run(
        [sys.executable, "-m", "swiftui", "orphans", container_name, "--delete", "--min-age", "0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 6, result.stderr
    assert "nothing deleted" in result.stderr
    assert len(names(checker, f"{container_name}_segments")) == 1


def test_orphans_delete_yes_removes_them_and_live_archives_still_download(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    messy_container: dict,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["orphans", container_name, "--delete", "--yes", "--min-age", "0"]) == 0

    out = capsys.readouterr().out
    assert "Deleted 6 orphaned segments, " in out
    _assert_live_intact(checker, container_name, messy_container)
    assert main(["orphans", container_name, "--min-age", "0"]) == 0
    assert "No orphaned segments" in capsys.readouterr().out


def test_orphans_include_resumable_deletes_the_upload_and_forgets_its_journal(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    local = tmp_path / "big.iso"
    local.write_bytes(random_bytes(2000))
    mtime = local.stat().st_mtime
    prefix = segment_prefix("big.iso", mtime, 2000, 1000)
    put_segments(checker, f"{container_name}_segments", prefix, local.read_bytes()[:1000], 1000)
    checker.put_container(container_name)
    journal = Journal.create(
        target="sandbox",
        local_path=local,
        file_size=2000,
        file_mtime=mtime,
        container=container_name,
        segment_container=f"{container_name}_segments",
        object_name="big.iso",
        region="GRA",
        segment_size=1000,
        segment_prefix=prefix,
    )

    assert main(["orphans", container_name, "--delete", "--yes", "--min-age", "0"]) == 0
    assert "selected 0 groups" in capsys.readouterr().out
    assert len(names(checker, f"{container_name}_segments")) == 1

    command = ["orphans", container_name, "--delete", "--yes", "--min-age", "0"]
    assert main([*command, "--include-resumable"]) == 0

    assert f"Removed the resume journal {journal.path}" in capsys.readouterr().out
    assert names(checker, f"{container_name}_segments") == []
    assert list_journals() == []


def test_segments_of_an_expired_or_deleted_archive_are_not_called_an_overwrite(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    """The manifest expired (Swift lists it until its expirer runs) or was deleted without
    its segments: orphans says so, and when the segments will expire by themselves."""
    segments = f"{container_name}_segments"
    expired = make_slo(
        checker, container_name, "expired.tar", random_bytes(1500), headers={"X-Delete-After": "1"}
    )
    expire_in_two_hours(checker, segments, [str(e["path"]).split("/", 2)[2] for e in expired])
    deleted = make_slo(checker, container_name, "deleted.tar", random_bytes(1500))
    expiry = expire_in_two_hours(
        checker, segments, [str(e["path"]).split("/", 2)[2] for e in deleted]
    )
    checker.delete_object(container_name, "deleted.tar")
    wait_until_gone(checker, container_name, "expired.tar")

    report = find_orphans(service, container_name, journals=[], min_age_s=0)

    causes = {group.object_name: group.cause for group in report.groups}
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(expiry))
    assert causes == {
        "expired.tar": f"its manifest {container_name}/expired.tar expired or was deleted "
        "(Swift lists it until its expirer removes it)",
        "deleted.tar": f"no manifest {container_name}/deleted.tar any more (it expired or was "
        f"deleted); they expire by themselves on {when}",
    }
