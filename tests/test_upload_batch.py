"""``swiftui upload CONTAINER PATH...`` with directories and several files: names, one
plan for all, a summary per file, the set resumed by running the same command again, and
what cannot be read refused in one line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import swiftclient
from support.fault_support import (
    cli_env,
    launcher_command,
    one_line_error,
    run_cli,
    start_cli,
    wait_for,
)
from support.faultproxy import Fault, FaultProxy
from support.upload_support import (
    Recorder,
    download_md5,
    journal_segments,
    segment_put,
    timestamps,
    write_random,
)

from swiftui.cli import main
from swiftui.cloud import Cloud
from swiftui.errors import UsageError
from swiftui.sandbox import Sandbox
from swiftui.units import MIB
from swiftui.upload import BatchFinished, UploadRequest, plan_batch, run_batch


def stored(checker: swiftclient.Connection, container: str, name: str) -> bool:
    try:
        checker.head_object(container, name)
    except swiftclient.ClientException:
        return False
    return True


def make_tree(root: Path) -> dict[str, str]:
    """``root`` with files at two levels; returns md5 by relative path."""
    (root / "www").mkdir(parents=True)
    return {
        "db.sql": write_random(root / "db.sql", 3 * MIB + 5),
        "www/site.tar": write_random(root / "www" / "site.tar", 4 * MIB),
        "www/notes.txt": write_random(root / "www" / "notes.txt", 1000),
    }


def test_a_directory_and_a_file_go_up_under_their_names_with_one_plan_and_a_summary(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    tree = tmp_path / "2026-11"
    md5s = make_tree(tree)
    extra = tmp_path / "extra.bin"
    md5s["extra"] = write_random(extra, 2000)
    os.mkfifo(tree / "a-pipe")  # a special file: named and skipped, never read
    done = run_cli(
        cli_env(sandbox), tmp_path, "upload", container_name, str(tree), str(extra), "-S", "1MiB"
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"skipped {tree / 'a-pipe'}: a named pipe" in out
    assert re.search(rf"uploading 4 files \(.*\) to {container_name}: 4 to send", out)
    assert f"{tree / 'db.sql'} → 2026-11/db.sql: 3.0 MiB = 4 segments of 1.0 MiB" in out
    assert re.search(r"file 1 of 4: .*/db\.sql → 2026-11/db\.sql", out)
    assert "4 files: 4 uploaded" in out
    stored = {
        "2026-11/db.sql": md5s["db.sql"],
        "2026-11/www/site.tar": md5s["www/site.tar"],
        "2026-11/www/notes.txt": md5s["www/notes.txt"],
        "extra.bin": md5s["extra"],
    }
    for name, md5 in stored.items():
        assert download_md5(checker, container_name, name) == md5, name

    again = run_cli(cli_env(sandbox), tmp_path, "upload", container_name, str(tree), str(extra))
    assert again.returncode == 0, again.stderr
    assert "4 to send" not in again.stdout
    assert "4 files: 4 skipped" in again.stdout


def test_an_interrupted_set_resumes_by_running_the_same_command_again(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    tree = tmp_path / "set"
    md5s = make_tree(tree)
    command = ("upload", container_name, str(tree), "-S", "1MiB", "--threads", "1")
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # db.sql (4 segments) goes whole; site.tar's segments from the third on hang.
        proxy.add(Fault(match=lambda m, p, h: m == "PUT" and "site.tar/slo/" in p and
                        segment_put(min_index=2)(m, p, h), action="hold", times=100))  # fmt: skip
        env = cli_env(sandbox, SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")))
        process = start_cli(env, tmp_path, *command)
        # Files go in name order: db.sql, www/notes.txt, then www/site.tar.
        wait_for(
            lambda: (
                stored(checker, container_name, "set/www/notes.txt") and journal_segments() == 2
            ),
            "2 segments of site.tar in its journal",
        )
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "3 files: 2 uploaded, 1 cancelled" in out, out
    assert "resume with: swiftui upload" in err
    done_first = ["set/db.sql", "set/www/notes.txt"]
    before = timestamps(checker, container_name, done_first)

    rerun = run_cli(cli_env(sandbox), tmp_path, *command)
    assert rerun.returncode == 0, rerun.stderr
    assert "→ set/db.sql: in Swift already (same size and date)" in rerun.stdout
    assert "resuming the upload started" in rerun.stdout
    assert rerun.stdout.count("already in Swift, md5 matches") == 2  # site.tar's first two
    assert "3 files: 2 skipped, 1 uploaded" in rerun.stdout
    assert timestamps(checker, container_name, done_first) == before
    for relative, md5 in md5s.items():
        assert download_md5(checker, container_name, f"set/{relative}") == md5


def test_unreadable_files_are_refused_in_one_line_unless_skipped(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    tree = tmp_path / "dumps"
    tree.mkdir()
    write_random(tree / "ok.sql", 1000)
    (tree / "gone.sql").symlink_to(tmp_path / "nowhere")  # a file that cannot be read
    refused = run_cli(cli_env(sandbox), tmp_path, "upload", container_name, str(tree))
    assert refused.returncode == 2
    assert one_line_error(refused.stderr) == (
        f"swiftui: 1 file cannot be read, nothing was uploaded: {tree / 'gone.sql'}: No such "
        "file or directory (--skip-unreadable uploads the others)"
    )
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)

    skipping = run_cli(
        cli_env(sandbox), tmp_path, "upload", container_name, str(tree), "--skip-unreadable"
    )
    assert skipping.returncode == 0, skipping.stderr
    assert f"skipped {tree / 'gone.sql'}: No such file or directory" in skipping.stdout
    assert [item["name"] for item in checker.get_container(container_name)[1]] == ["dumps/ok.sql"]


def test_dry_run_of_a_directory_plans_every_file_and_writes_nothing(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    tree = tmp_path / "plan-me"
    make_tree(tree)
    shown = run_cli(
        cli_env(sandbox), tmp_path, "upload", container_name, str(tree), "--dry-run",
        "--object-name", "monthly/2026-11",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "uploading 3 files" in shown.stdout
    assert "→ monthly/2026-11/www/site.tar: 4.0 MiB fits in one segment" in shown.stdout
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)


def test_two_files_with_the_same_name_are_refused(
    sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_random(tmp_path / folder / "same.tar", 10)
    refused = run_cli(
        cli_env(sandbox), tmp_path, "upload", container_name,
        str(tmp_path / "a" / "same.tar"), str(tmp_path / "b" / "same.tar"),
    )  # fmt: skip
    assert refused.returncode == 2
    assert "would both be stored as 'same.tar'" in one_line_error(refused.stderr)


def test_standard_input_goes_alone(sandbox: Sandbox, container_name: str, tmp_path: Path) -> None:
    other = tmp_path / "f"
    write_random(other, 10)
    refused = subprocess.run(
        launcher_command(tmp_path, "upload", container_name, "-", str(other)),
        env=cli_env(sandbox),
        input=b"x",
        capture_output=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "standard input (-) is uploaded alone" in one_line_error(refused.stderr.decode())


def test_a_file_that_vanishes_fails_alone_and_the_others_go_up(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    write_random(first, 100)
    md5 = write_random(second, 200)
    service = cloud.service("GRA")
    plan = plan_batch(service, [UploadRequest(path, container_name) for path in (first, second)])
    first.unlink()  # rotated away between the plan and its turn
    recorder = Recorder()
    with pytest.raises(UsageError, match=r"1 of 2 files could not be uploaded \(first: .*a\.log"):
        run_batch(service, plan, on_event=recorder, cancel=threading.Event())
    [finished] = recorder.of(BatchFinished)
    assert [outcome.status for outcome in finished.outcomes] == ["failed", "uploaded"]
    assert "no such file" in finished.outcomes[0].detail
    assert download_md5(checker, container_name, "b.log") == md5


def test_an_empty_directory_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    (empty / "only-a-folder").mkdir(parents=True)
    assert main(["upload", "c", str(empty)]) == 2  # before any credentials are read
    assert capsys.readouterr().err == f"swiftui: no file to upload in {empty}\n"
