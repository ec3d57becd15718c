"""``swiftui download`` as a user runs it: a subprocess against the sandbox, killed with
``kill -9`` half-way and run again; its output piped into ``tar x``; its refusals.

What the server sent is counted by a fault proxy in front of Swift (the CLI reaches it
through ``fault_support``'s launcher); what the server holds by python-swiftclient.
Refusals that need no network run ``swiftui.cli.main`` in this process.
"""

from __future__ import annotations

import io
import json
import os
import pty
import signal
import subprocess
import tarfile
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import random_bytes
from support.download_support import (
    archived_slo,
    journal_done,
    segment_get,
    segment_gets,
    sha256_of,
)
from support.fault_support import (
    cli_env,
    launcher_command,
    one_line_error,
    run_cli,
    start_cli,
    wait_for,
)
from support.faultproxy import Fault, FaultProxy
from test_bad_input import refused

from swiftui.download import PARTIAL_SUFFIX
from swiftui.sandbox import Sandbox
from swiftui.units import KIB


def proxied(sandbox: Sandbox, proxy: FaultProxy) -> dict[str, str]:
    """The CLI's environment with its Swift requests going through ``proxy``."""
    return cli_env(sandbox, SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")))


def test_after_kill_9_the_same_command_fetches_only_the_missing_segments(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(8 * 32 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=32 * KIB)
    target = tmp_path / "restore" / "dump.tar"
    target.parent.mkdir()
    command = ("download", container_name, "dump.tar", "-o", str(target), "--threads", "2")
    segments = f"{container_name}_segments"

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_get(3), action="hold", times=1000))
        process = start_cli(proxied(sandbox, proxy), tmp_path, *command)
        wait_for(lambda: journal_done() == 3, "3 parts in the download journal")
        second = run_cli(cli_env(sandbox), tmp_path, *command)
        assert second.returncode == 10, second.stderr
        assert "another swiftui is already downloading" in one_line_error(second.stderr)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert not target.exists()
    assert (target.parent / f"dump.tar{PARTIAL_SUFFIX}").exists()

    with FaultProxy(sandbox.proxy_url("GRA")) as counting:
        rerun = run_cli(proxied(sandbox, counting), tmp_path, *command)
        fetched = segment_gets(counting, segments)
    assert rerun.returncode == 0, rerun.stderr
    assert target.read_bytes() == data
    assert sorted(name.rsplit("/", 1)[-1] for name in fetched) == [f"{i:08d}" for i in range(3, 8)]
    assert "resuming the download started" in rerun.stdout
    assert rerun.stdout.count("already in the partial file") == 3
    assert "SHA-256 of the whole file" in rerun.stdout
    assert os.listdir(target.parent) == ["dump.tar"]


def test_standard_output_streams_in_order_into_tar(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    files = {f"backup/file-{index}.bin": random_bytes(10 * KIB + index) for index in range(5)}
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    data = archive.getvalue()
    archived_slo(checker, container_name, "backup.tar", data, segment_size=8 * KIB)
    extracted = tmp_path / "extracted"
    extracted.mkdir()

    download = subprocess.Popen(
        launcher_command(tmp_path, "download", container_name, "backup.tar", "-o", "-"),
        env=cli_env(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=False,
    )
    untar = subprocess.run(
        ["tar", "x", "-C", str(extracted)], stdin=download.stdout, capture_output=True, check=False
    )
    assert download.stdout is not None
    download.stdout.close()
    _out, err = download.communicate(timeout=60)
    assert download.returncode == 0, err
    assert untar.returncode == 0, untar.stderr
    for name, content in files.items():
        assert (extracted / name).read_bytes() == content
    log = err.decode()
    assert "standard output is not resumable: an interrupted stream starts over" in log
    assert f"(sha256 {sha256_of(data)})" in log


def test_json_events_tell_the_plan_each_segment_and_the_end(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(3 * 16 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=16 * KIB, sha256=False)
    target = tmp_path / "dump.tar"

    done = run_cli(
        cli_env(sandbox),
        tmp_path,
        "download",
        container_name,
        "dump.tar",
        "-o",
        str(target),
        "--json",
    )

    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    names = [event["event"] for event in events]
    assert names[0] == "download_planned"
    assert names[-1] == "download_finished"
    assert names.count("segment_done") == 3
    finished = events[-1]["result"]
    assert (finished["size"], finished["kind"], finished["sha256"]) == (len(data), "SLO", None)
    assert finished["checks"] == ["md5 of 3 segments", "SLO etag", "size"]
    assert target.read_bytes() == data


def test_an_existing_file_is_kept_without_force(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "notes.txt", b"from swift")
    target = tmp_path / "notes.txt"
    target.write_bytes(b"precious")

    line = refused(capsys, 2, "download", container_name, "notes.txt", "-o", str(target))

    assert line == f"swiftui: {target} exists; pass --force to replace it, or choose another place"
    assert target.read_bytes() == b"precious"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--threads", "0"), "--threads must be between 1 and 32, not 0"),
        (("--limit-rate", "20"), "--limit-rate: 20: add a unit: 20MiB, 2MB/s or 160Mbit"),
        (
            ("--limit-rate", "0"),
            "--limit-rate: a rate must be at least 1 byte per second, got '0' (for no cap, "
            "leave it out)",
        ),
        (("-o", "/nonexistent/dir/dump.tar"), "/nonexistent/dir: no such directory (for dump.tar)"),
    ],
)
def test_bad_options_are_refused_before_authenticating(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    # No OS_* variables: a case that reached authentication would exit 3.
    assert refused(capsys, 2, "download", "backups", "dump.tar", *argv) == f"swiftui: {message}"


def test_a_missing_object_or_container_is_one_line(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker.put_container(container_name)
    monkeypatch.chdir(tmp_path)
    assert refused(capsys, 2, "download", container_name, "nothing.tar") == (
        f"swiftui: no such object in container {container_name!r}: 'nothing.tar'"
    )
    assert refused(capsys, 2, "download", f"{container_name}-x", "dump.tar") == (
        f"swiftui: container '{container_name}-x' does not exist in region GRA"
    )
    assert os.listdir(tmp_path) == []


def test_standard_output_on_a_terminal_is_refused(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            launcher_command(tmp_path, "download", "backups", "dump.tar", "-o", "-"),
            stdout=terminal,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.returncode == 2
    assert one_line_error(done.stderr) == (
        "swiftui: -o - writes the object to standard output: pipe it (| tar x) or redirect it"
    )
