"""``swiftui upload`` for people arriving from ``swift upload``, for scripts reading
``--json``, and ``--dry-run``: subprocesses against the sandbox, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import swiftclient
from support.upload_support import download_md5, file_sha256, write_random

from swiftui.sandbox import Sandbox
from swiftui.units import MIB


@pytest.fixture
def env(sandbox: Sandbox) -> dict[str, str]:
    return {**os.environ, **sandbox.environ(), "PYTHONWARNINGS": "ignore"}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "swiftui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_the_classic_swift_upload_line_works_and_says_once_that_slo_is_the_way(
    env: dict[str, str], checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "backup.tar"
    md5 = write_random(path, 3 * MIB)
    done = run_cli(
        env,
        "upload",
        "-S",
        "1048576",  # a bare number of bytes is a size
        "--use-slo",
        "--object-name",
        "backup.tar",
        container_name,
        str(path),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("--use-slo: swiftui always uploads") == 1
    assert "3 segments of 1.0 MiB (asked)" in done.stdout
    head = checker.head_object(container_name, "backup.tar")
    assert head["x-static-large-object"] == "True"
    assert head["x-object-meta-sha256"] == file_sha256(path)
    assert download_md5(checker, container_name, "backup.tar") == md5


def test_dry_run_prints_the_plan_and_writes_nothing(
    env: dict[str, str], checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "plan.bin"
    write_random(path, 3 * MIB)
    shown = run_cli(env, "upload", container_name, str(path), "-S", "1MiB", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert "3.0 MiB = 3 segments of 1.0 MiB (asked)" in shown.stdout
    assert f"{container_name} (new), segments in {container_name}_segments" in shown.stdout
    as_json = run_cli(env, "upload", container_name, str(path), "-S", "1MiB", "--dry-run", "--json")
    assert as_json.returncode == 0, as_json.stderr
    [event] = json_lines(as_json.stdout)
    assert event["event"] == "dry_run"
    assert (event["segment_count"], event["segment_size"], event["resumes"]) == (3, MIB, False)
    assert event["lines"][0] == "3.0 MiB = 3 segments of 1.0 MiB (asked)"
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)
    state = Path(env.get("XDG_STATE_HOME", "/nonexistent")) / "swiftui" / "journals"
    assert not state.exists() or not list(state.iterdir())


@pytest.mark.parametrize(
    ("change", "args", "code", "message"),
    [
        ({"OS_PASSWORD": "wrong"}, (), 4, "wrong password"),
        ({}, ("-S", "1"), 2, "--segment-size 1 makes 2097152 segments"),
        ({}, ("--threads", "many"), 2, "argument --threads: invalid int value"),
        ({}, ("--delete-after", "90"), 2, "--delete-after: 90: add a unit"),
        ({}, ("--limit-rate", "0"), 2, "--limit-rate: a rate must be at least 1 byte per"),
        ({}, ("--limit-rate", "20"), 2, "--limit-rate: 20: add a unit: 20MiB, 2MB/s or 160Mbit"),
    ],
    ids=["wrong password", "impossible plan", "argparse", "bare duration", "no cap", "bare rate"],
)
def test_with_json_every_failure_ends_with_an_error_event(
    env: dict[str, str],
    container_name: str,
    tmp_path: Path,
    change: dict[str, str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    path = tmp_path / "f.bin"
    write_random(path, 2 * MIB)
    failed = run_cli({**env, **change}, "upload", container_name, str(path), "--json", *args)
    assert failed.returncode == code, failed.stderr
    last = json_lines(failed.stdout)[-1]
    assert last["event"] == "error"
    assert last["exit_code"] == code
    assert message in last["message"]
    assert "Traceback" not in failed.stderr


def test_json_progress_comes_at_most_about_once_a_second_segment_events_always(
    env: dict[str, str], container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "log.bin"
    write_random(path, 24 * MIB)
    started = time.monotonic()
    # One thread and 1 MiB segments: many segment events over a few seconds.
    done = run_cli(
        env, "upload", container_name, str(path), "-S", "1MiB", "--threads", "1", "--json"
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    events = json_lines(done.stdout)
    names = [event["event"] for event in events]
    assert names.count("segment_done") == names.count("segment_started") == 24
    assert names.count("progress") <= elapsed + 1
    assert names[-1] == "upload_finished"
    assert events[-1]["result"]["sha256"] == file_sha256(path)
