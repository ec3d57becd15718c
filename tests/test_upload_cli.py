"""``swiftui upload`` as a user runs it: a subprocess against the sandbox.

Where a test needs the upload to stop half-way, the subprocess goes through the fault
proxy (a small launcher routes the CLI's Swift endpoint to it) and the proxy holds the
later segments; the upload is then killed or interrupted, and the same command is run
again straight against Swift.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import swiftclient
from support.faultproxy import Fault, FaultProxy
from support.upload_support import (
    download_md5,
    journal_files,
    journal_segments,
    object_names,
    segment_put,
    timestamps,
    write_random,
)

from swiftui.sandbox import Sandbox
from swiftui.swift import DATA_TIMEOUT, segment_name, segment_prefix
from swiftui.units import MIB
from swiftui.upload import resumable_uploads

LAUNCHER = """\
import sys

from swiftui import cloud

endpoint = sys.argv[1]
original = cloud.Cloud.service


def through_proxy(self, region, *, endpoint_override=None):
    return original(self, region, endpoint_override=endpoint)


cloud.Cloud.service = through_proxy
from swiftui.cli import main

raise SystemExit(main(sys.argv[2:]))
"""


@pytest.fixture
def cli_env(sandbox: Sandbox) -> dict[str, str]:
    """This test's XDG dirs (set by ``isolated_dirs``) plus the sandbox user's OS_* vars."""
    return {**os.environ, **sandbox.environ(), "PYTHONWARNINGS": "ignore"}


def swiftui(*args: str) -> list[str]:
    return [sys.executable, "-m", "swiftui", *args]


def run_cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        swiftui(*args), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_through_proxy(
    env: dict[str, str], proxy: FaultProxy, sandbox: Sandbox, tmp_path: Path, *args: str
) -> subprocess.Popen:
    launcher = tmp_path / "through_proxy.py"
    launcher.write_text(LAUNCHER)
    endpoint = proxy.url_for(sandbox.storage_url("GRA"))
    return subprocess.Popen(
        [sys.executable, str(launcher), endpoint, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_after_kill_9_the_same_command_sends_only_the_missing_segments(
    sandbox: Sandbox,
    cli_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "monthly.tar"
    md5 = write_random(path, 8 * MIB)
    command = ("upload", container_name, str(path), "--segment-size", "1MiB", "--threads", "2")
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=3), action="hold", times=100))
        process = start_through_proxy(cli_env, proxy, sandbox, tmp_path, *command)
        wait_for(lambda: journal_segments() == 3, "3 segments in the journal")
        [running] = resumable_uploads()
        assert running.in_progress
        second = run_cli(cli_env, *command)
        assert second.returncode == 10
        assert "another swiftui is already uploading" in second.stderr
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert not resumable_uploads()[0].in_progress

    segments = f"{container_name}_segments"
    sent_before = object_names(checker, segments)
    assert len(sent_before) == 3
    before = timestamps(checker, segments, sent_before)

    rerun = run_cli(cli_env, *command)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming the upload started" in rerun.stdout
    assert rerun.stdout.count("already in Swift") == 3
    assert timestamps(checker, segments, sent_before) == before
    assert len(object_names(checker, segments)) == 8
    assert download_md5(checker, container_name, "monthly.tar") == md5
    assert journal_files() == []


def test_an_interrupted_swift_upload_is_resumed(
    sandbox: Sandbox,
    cli_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "dump.sql"
    md5 = write_random(path, 6 * MIB)
    storage_url, token = checker.get_auth()
    swift_cli = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert swift_cli, "python-swiftclient's swift CLI is needed"
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=3), action="hold", times=100))
        swift = subprocess.Popen(
            [
                swift_cli,
                "--os-auth-token",
                token,
                "--os-storage-url",
                proxy.url_for(storage_url),
                "upload",
                "--use-slo",
                "--segment-size",
                str(MIB),
                "--object-name",
                "dump.sql",
                container_name,
                str(path),
            ],
            env=cli_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        segments = f"{container_name}_segments"

        def three_segments_stored() -> bool:
            try:
                return len(object_names(checker, segments)) == 3
            except swiftclient.ClientException:
                return False

        wait_for(three_segments_stored, "3 segments from swift upload")
        swift.kill()
        swift.wait(timeout=10)

    mtime = path.stat().st_mtime
    prefix = segment_prefix("dump.sql", mtime, path.stat().st_size, MIB)
    left = object_names(checker, segments)
    assert left == [segment_name(prefix, index) for index in range(3)]
    before = timestamps(checker, segments, left)
    with pytest.raises(swiftclient.ClientException):
        checker.head_object(container_name, "dump.sql")

    rerun = run_cli(cli_env, "upload", container_name, str(path))
    assert rerun.returncode == 0, rerun.stderr
    assert "found 3 segments of this same file (1.0 MiB each)" in rerun.stdout
    assert rerun.stdout.count("already in Swift, md5 matches") == 3
    assert timestamps(checker, segments, left) == before
    assert object_names(checker, segments) == [segment_name(prefix, i) for i in range(6)]
    assert download_md5(checker, container_name, "dump.sql") == md5


def test_ctrl_c_stops_cleanly_and_prints_the_command_that_resumes(
    sandbox: Sandbox,
    cli_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "photos.tar"
    md5 = write_random(path, 5 * MIB)
    command = ("upload", container_name, str(path), "--segment-size", "1MiB", "--threads", "2")
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=2), action="hold", times=100))
        process = start_through_proxy(cli_env, proxy, sandbox, tmp_path, *command)
        wait_for(lambda: journal_segments() == 2, "2 segments in the journal")
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=20)
        took = time.monotonic() - interrupted
    assert process.returncode == 130
    # Waiting for the held PUTs would last their read timeout (minutes): Ctrl-C did not.
    assert took < DATA_TIMEOUT[1] / 10
    # Only finished, recorded segments count as kept; what was in flight is sent again.
    assert re.search(
        r"upload cancelled: 2 of 5 segments \(2\.0 MiB of 5\.0 MiB\) are kept in Swift; "
        r"(the .* sent of 2 unfinished segments will be sent again; )?"
        r"run the same upload again to resume",
        err,
    ), err
    assert "Traceback" not in err
    [resume] = re.findall(r"swiftui: resume with: (.*)", err)
    words = shlex.split(resume)
    assert words[:4] == ["swiftui", "upload", "--region", "GRA"]
    assert str(path) in words

    rerun = run_cli(cli_env, *words[1:])
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.count("already in Swift") == 2
    assert download_md5(checker, container_name, "photos.tar") == md5


def test_without_a_terminal_one_timestamped_line_per_segment_and_a_summary(
    cli_env: dict[str, str], checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "cron.bin"
    write_random(path, 3 * MIB)
    done = run_cli(
        cli_env,
        "upload",
        container_name,
        str(path),
        "--segment-size",
        "1MiB",
        "--delete-after",
        "30d",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d "
    assert all(re.match(stamp, line) for line in lines), lines
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", done.stdout)
    assert "3 segments of 1.0 MiB (asked), segments in" in lines[0]
    assert "expires" in lines[0]
    done = [line for line in lines if re.search(r" segment #\d sent .* of 3 done$", line)]
    assert [line.rsplit("; ", 1)[1] for line in done] == [f"{n} of 3 done" for n in (1, 2, 3)]
    assert "writing the manifest of 3 segments" in lines[-2]
    assert re.search(r"done: .*/cron\.bin is 3\.0 MiB, sent 3\.0 MiB in .* 3 segments", lines[-1])
    assert checker.head_object(container_name, "cron.bin")["x-static-large-object"] == "True"


def test_json_gives_one_event_per_line(
    cli_env: dict[str, str], container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "machine.bin"
    md5 = write_random(path, 2 * MIB)
    done = run_cli(cli_env, "upload", container_name, str(path), "--segment-size", "1MiB", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    names = [event["event"] for event in events]
    assert names[0] == "plan_ready"
    assert names[-1] == "upload_finished"
    assert names.count("segment_done") == 2
    assert "progress" in names and "manifest_writing" in names
    assert events[-1]["result"]["size"] == 2 * MIB
    assert events[-1]["result"]["etag"] != md5  # an SLO's Etag, not the file's md5


def test_on_a_terminal_one_live_status_line(
    cli_env: dict[str, str], container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "tty.bin"
    write_random(path, 4 * MIB)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        swiftui("upload", container_name, str(path), "--segment-size", "1MiB"),
        env=cli_env,
        stdout=terminal,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    text = output.decode()
    assert "\r\x1b[K" in text
    assert re.search(r"4\.0 MiB / 4\.0 MiB\s+100%.*segments 4/4", text)
    assert " segment #" not in text  # no per-segment lines on a terminal
    assert "done: " in text.splitlines()[-1]


def test_a_missing_or_unreadable_file_is_refused_before_authenticating(
    cli_env: dict[str, str], container_name: str, tmp_path: Path
) -> None:
    missing = run_cli({**cli_env, "OS_PASSWORD": ""}, "upload", container_name, "nope.tar")
    assert (missing.returncode, missing.stderr) == (2, "swiftui: nope.tar: no such file\n")

    secret = tmp_path / "secret.tar"
    write_random(secret, 1000)
    secret.chmod(0)
    command = swiftui("upload", container_name, str(secret))
    if os.geteuid() == 0:
        # root reads anything: drop the capabilities that let it.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    refused = subprocess.run(command, env=cli_env, capture_output=True, text=True, check=False)
    assert refused.returncode == 2
    assert refused.stderr == f"swiftui: {secret}: permission denied (cannot read it)\n"


def test_an_impossible_segment_size_is_refused_with_one_that_works(
    cli_env: dict[str, str], checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge.bin"
    write_random(path, 2 * MIB)
    refused = run_cli(cli_env, "upload", container_name, str(path), "--segment-size", "1")
    assert refused.returncode == 2
    assert "makes 2097152 segments, more than this cluster's manifests can list" in refused.stderr
    assert "use --segment-size 1MiB or more" in refused.stderr
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)


def test_expiry_options_exclude_each_other(cli_env: dict[str, str], tmp_path: Path) -> None:
    both = run_cli(
        cli_env, "upload", "c", str(tmp_path), "--delete-after", "1d", "--delete-at", "2099-01-01"
    )
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr
