"""``swiftui upload CONTAINER - --object-name NAME``: a pipe stored as Swift holds it,
its bad input refused in one line, and a failed or stopped pipe leaving nothing unknown.

Subprocesses as a user runs them (through the fault proxy where the network must break);
``run_stream_upload`` on an in-memory stream, as the jobs feature calls it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import swiftclient
from support.fault_support import cli_env, launcher_command, one_line_error, wait_for
from support.faultproxy import Fault, FaultProxy
from support.upload_support import Recorder, download_md5, object_names, segment_put

from swiftui.cloud import Cloud
from swiftui.orphans import find_orphans
from swiftui.sandbox import Sandbox
from swiftui.swift import parse_segment_name
from swiftui.units import MIB
from swiftui.upload import (
    PlanReady,
    SegmentDone,
    StreamRequest,
    UploadFinished,
    run_stream_upload,
)


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def pipe_into(
    env: dict[str, str], tmp_path: Path, data: bytes, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """``printf DATA | swiftui ARGS``: the CLI (through the test launcher) fed ``data``."""
    return subprocess.run(
        launcher_command(tmp_path, *args),
        env=env,
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def feed(process: subprocess.Popen[bytes], data: bytes) -> None:
    """Write ``data`` to the process's standard input until it is read or the process ends;
    the pipe stays open (no end of stream)."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write(data)
        process.stdin.flush()


def test_a_pipe_is_stored_as_an_slo_holding_exactly_what_went_in(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(5 * MIB + 3)
    spool = tmp_path / "spool"
    done = pipe_into(
        cli_env(sandbox),
        tmp_path,
        data,
        "upload",
        container_name,
        "-",
        "--object-name",
        "www.tar",
        "-S",
        "1MiB",
        "--spool-memory",
        "2MiB",  # two segments wait in memory, the others on disk
        "--spool-dir",
        str(spool),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "size unknown: segments of 1.0 MiB (asked)" in out
    assert "standard input cannot be resumed" in out
    assert f"then in {spool} (up to 3.0 MiB on disk" in out
    head = checker.head_object(container_name, "www.tar")
    assert head["x-static-large-object"] == "True"
    assert int(head["content-length"]) == len(data)
    assert head["x-object-meta-sha256"] == hashlib.sha256(data).hexdigest()
    assert download_md5(checker, container_name, "www.tar") == hashlib.md5(data).hexdigest()
    segments = object_names(checker, f"{container_name}_segments")
    assert len(segments) == 6
    parsed = parse_segment_name(segments[0])
    assert parsed is not None and (parsed.file_size, parsed.segment_size) == (0, MIB)
    assert list(spool.iterdir()) == []  # spooled segments never had a name


def test_a_pipe_that_fits_in_one_segment_is_a_plain_object(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    """As the jobs feature calls it: an in-memory stream, events on the calling thread."""
    data = random_bytes(300_000)
    recorder = Recorder()
    result = run_stream_upload(
        cloud.service("GRA"),
        StreamRequest(container_name, "dump.sql", source_name="the output of pg_dump"),
        io.BytesIO(data),
        on_event=recorder,
        cancel=threading.Event(),
    )
    assert not result.is_slo
    assert result.etag == hashlib.md5(data).hexdigest()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    head = checker.head_object(container_name, "dump.sql")
    assert "x-static-large-object" not in head
    assert head["etag"] == result.etag
    [plan] = recorder.of(PlanReady)
    assert plan.local_path == "the output of pg_dump" and not plan.size_known
    assert isinstance(recorder.events[-1], UploadFinished)


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        (b"", ("--object-name", "x"), "swiftui: standard input is empty: nothing was uploaded"),
        (b"abc", (), "swiftui: reading standard input (-) needs --object-name NAME"),
    ],
    ids=["empty pipe", "no object name"],
)
def test_an_empty_pipe_or_one_without_a_name_is_one_line_and_exit_2(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    data: bytes,
    args: tuple[str, ...],
    message: str,
) -> None:
    refused = pipe_into(cli_env(sandbox), tmp_path, data, "upload", container_name, "-", *args)
    assert refused.returncode == 2
    assert one_line_error(refused.stderr.decode()).startswith(message)
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)


def test_a_spool_directory_that_cannot_be_used_is_refused_before_reading(
    sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    refused = pipe_into(
        cli_env(sandbox),
        tmp_path,
        b"x" * 1000,
        "upload",
        container_name,
        "-",
        "--object-name",
        "x",
        "--spool-dir",
        str(blocker / "spool"),
    )
    assert refused.returncode == 2
    line = one_line_error(refused.stderr.decode())
    assert line == f"swiftui: spool directory {blocker / 'spool'}: Not a directory"


def test_a_failed_pipe_removes_the_segments_it_wrote(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(6 * MIB)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=3), action="status", status=503, times=100))
        env = cli_env(
            sandbox,
            SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")),
            SWIFTUI_TEST_RETRY="3,0.05,0.1",
        )
        failed = pipe_into(
            env, tmp_path, data, "upload", container_name, "-", "--object-name", "x.tar",
            "-S", "1MiB", "--threads", "1",
        )  # fmt: skip
    assert failed.returncode == 5, failed.stderr
    err = failed.stderr.decode()
    assert "resume with" not in err
    assert re.search(r"removed the 3 segments it had written", failed.stdout.decode())
    assert object_names(checker, f"{container_name}_segments") == []
    with pytest.raises(swiftclient.ClientException):
        checker.head_object(container_name, "x.tar")


def test_ctrl_c_on_a_pipe_says_it_cannot_resume_and_leaves_nothing(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=2), action="hold", times=100))
        env = cli_env(sandbox, SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")))
        process = subprocess.Popen(
            launcher_command(tmp_path, "upload", container_name, "-", "--object-name", "y.tar",
                             "-S", "1MiB", "--threads", "2"),
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        # The pipe fills up while segments are held: write from a thread, as tar would.
        writer = threading.Thread(target=feed, args=(process, random_bytes(8 * MIB)))
        writer.start()
        segments = f"{container_name}_segments"

        def two_stored() -> bool:
            try:
                return len(object_names(checker, segments)) == 2
            except swiftclient.ClientException:
                return False

        wait_for(two_stored, "2 segments stored")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        writer.join()
    assert process.stderr is not None
    line = one_line_error(process.stderr.read().decode())
    # Segments 2 and 3 are still held by the proxy: said, and left to orphans.
    assert re.match(
        r"swiftui: upload of standard input cancelled after .* read: a stream cannot be "
        r"resumed; removed the 2 segments it had written; requests still in flight may "
        rf"store more segments \({segments} under y\.tar/slo/.*\): swiftui orphans "
        rf"{container_name} --delete --min-age 0 removes them$",
        line,
    ), line
    assert object_names(checker, segments) == []


def test_after_kill_9_orphans_recognises_what_a_pipe_left(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, container_name: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    process = subprocess.Popen(
        launcher_command(tmp_path, "upload", container_name, "-", "--object-name", "z.tar",
                         "-S", "1MiB", "--threads", "1"),
        env=cli_env(sandbox), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    feed(process, random_bytes(3 * MIB))  # and the pipe stays open: no end yet
    segments = f"{container_name}_segments"

    def some_stored() -> bool:
        try:
            return len(object_names(checker, segments)) >= 2
        except swiftclient.ClientException:
            return False

    wait_for(some_stored, "segments stored")
    process.kill()
    process.wait(timeout=10)
    report = find_orphans(cloud.service("GRA"), container_name, min_age_s=0)
    [group] = report.groups
    assert group.object_name == "z.tar"
    assert group.count == len(object_names(checker, segments))
    assert group.selected_by_default


def test_segments_are_sent_while_the_pipe_is_still_being_written(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    """Memory stays bounded because segments go as they are read, not at the end."""
    reader_fd, writer_fd = os.pipe()
    stream = os.fdopen(reader_fd, "rb")
    sent_before_end: list[int] = []
    ended = threading.Event()
    recorder = Recorder(
        then=lambda event: (
            isinstance(event, SegmentDone)
            and not ended.is_set()
            and sent_before_end.append(event.index)
        )
    )

    def write() -> None:
        with os.fdopen(writer_fd, "wb") as pipe:
            for _ in range(4):
                pipe.write(random_bytes(MIB))
                pipe.flush()
            wait_for(lambda: len(sent_before_end) >= 2, "segments sent before the end")
            pipe.write(random_bytes(MIB))
        ended.set()

    writer = threading.Thread(target=write)
    writer.start()
    result = run_stream_upload(
        cloud.service("GRA"),
        StreamRequest(container_name, "live.bin", segment_size=MIB),
        stream,
        on_event=recorder,
        cancel=threading.Event(),
    )
    writer.join()
    stream.close()
    assert result.segment_count == 5
    assert len(sent_before_end) >= 2
