"""Restoring from Cloud Archive (the sandbox's emulation of OVHcloud's protocol): one
unsealing delay for the manifest and every segment together, a countdown, ``--no-wait``
for cron (exit 8 with the time to come back), ``swiftui unseal``, and segments sealed
again in the middle of a download.

States are checked with plain HTTP HEADs (``X-Ovh-Retrieval-State``), data with
python-swiftclient's view and the downloaded bytes. A test that needs OVHcloud's hours
sets a delay of an hour and never waits for it.
"""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import swiftclient
from support.cloud_archive_support import ArchiveHttp
from support.deletion_support import random_bytes
from support.download_support import (
    archive_containers,
    archived_slo,
    download,
    segment_get,
    through,
)
from support.fault_support import cli_env, one_line_error, run_cli, start_cli, wait_for
from support.faultproxy import Fault, FaultProxy
from support.upload_support import Recorder

from swiftui.cloud import Cloud
from swiftui.download import DownloadPlanned, UnsealRequested, UnsealWaiting
from swiftui.sandbox import Sandbox
from swiftui.units import KIB
from swiftui.upload.events import SegmentDone, SegmentRetrying

HOUR = 3600


def sealed_archive(
    checker: swiftclient.Connection, container: str, data: bytes, segment_size: int
) -> list[str]:
    """An SLO ``dump.tar`` on Cloud Archive; returns its segments' names."""
    archive_containers(checker, container)
    entries = archived_slo(checker, container, "dump.tar", data, segment_size=segment_size)
    return [str(entry["path"]).split("/", 2)[2] for entry in entries]


def test_a_sealed_slo_costs_one_unsealing_delay_then_downloads(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(4 * 16 * KIB)
    segments = sealed_archive(checker, container_name, data, 16 * KIB)
    http = ArchiveHttp(checker)

    with sandbox.unseal_timing(delay_s=2):
        result, events = download(
            cloud.service("GRA"), container_name, "dump.tar", tmp_path / "dump.tar"
        )

    assert (tmp_path / "dump.tar").read_bytes() == data
    [asked] = events.of(UnsealRequested)
    assert (asked.objects, asked.readable, asked.requested) == (5, 0, 5)
    assert asked.ready_in_s is not None and 1 <= asked.ready_in_s <= 2
    assert asked.notes == (
        f"the manifest {container_name}/dump.tar is sealed: 4 segments found by name in "
        f"{container_name}_segments; their sizes and md5s add up to the archive's size and Etag",
    )
    assert events.of(UnsealWaiting)
    assert events.events.index(asked) < events.events.index(events.of(DownloadPlanned)[0])
    assert result.checks[-1] == "SHA-256 of the whole file"
    assert http.state(container_name, "dump.tar") == "unsealed"
    for name in segments:
        assert http.state(f"{container_name}_segments", name) == "unsealed"


def test_no_wait_asks_for_everything_at_once_and_exits_8_with_the_time(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(5 * 8 * KIB)
    segments = sealed_archive(checker, container_name, data, 8 * KIB)
    http = ArchiveHttp(checker)
    command = ("download", container_name, "dump.tar", "-o", str(tmp_path / "dump.tar"))

    with sandbox.unseal_timing(delay_s=HOUR):
        first = run_cli(cli_env(sandbox), tmp_path, *command, "--no-wait")
        assert http.state(container_name, "dump.tar") == "unsealing"
        for name in segments:
            assert http.state(f"{container_name}_segments", name) == "unsealing"
        again = run_cli(cli_env(sandbox), tmp_path, *command, "--no-wait")

    assert first.returncode == 8, first.stderr
    line = one_line_error(first.stderr)
    assert line.startswith(
        f"swiftui: {container_name}/dump.tar: 6 archived objects are unsealing; ready in 1h 00m"
    )
    assert line.endswith("; run the same command again then")
    assert "Cloud Archive: 6 of 6 objects not readable yet (unsealing asked for 6)" in first.stdout
    assert again.returncode == 8
    # The rerun asks nothing new of what is already unsealing: the same time is given.
    assert "(unsealing asked for" in again.stdout
    ready_at = re.search(r"\(at [^)]+\)", line)
    assert ready_at is not None and ready_at.group(0) in again.stderr
    assert not (tmp_path / "dump.tar").exists()


def test_ctrl_c_while_waiting_stops_at_once_and_the_rerun_carries_on(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(2 * 8 * KIB)
    sealed_archive(checker, container_name, data, 8 * KIB)
    command = ("download", container_name, "dump.tar", "-o", str(tmp_path / "dump.tar"))
    with sandbox.unseal_timing(delay_s=HOUR):
        waiting = start_cli(cli_env(sandbox), tmp_path, *command)
        counting_down = threading.Event()

        def watch() -> None:
            assert waiting.stdout is not None
            for line in iter(waiting.stdout.readline, ""):
                if "waiting for Cloud Archive to unseal 3 objects: ready in" in line:
                    counting_down.set()
                    return

        threading.Thread(target=watch, daemon=True).start()
        try:
            wait_for(counting_down.is_set, "the countdown")
            waiting.send_signal(signal.SIGINT)
            _out, err = waiting.communicate(timeout=30)
        finally:
            waiting.kill()
        rerun = run_cli(cli_env(sandbox), tmp_path, *command, "--no-wait")

    assert waiting.returncode == 130
    assert one_line_error(err) == (
        "swiftui: stopped waiting for Cloud Archive; the unsealing goes on at the provider: "
        "run the same command again to carry on"
    )
    assert rerun.returncode == 8
    assert "ready in 59m" in rerun.stderr or "ready in 1h 00m" in rerun.stderr
    assert "Cloud Archive: 3 of 3 objects not readable yet" in rerun.stdout


def test_unseal_reports_readiness_and_waits_when_asked(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(3 * 8 * KIB)
    segments = sealed_archive(checker, container_name, data, 8 * KIB)
    checker.put_object(container_name, "notes.txt", b"archived too")
    checker.put_container(f"{container_name}-std")
    checker.put_object(f"{container_name}-std", "plain.txt", b"standard policy")
    http = ArchiveHttp(checker)

    with sandbox.unseal_timing(delay_s=HOUR):
        later = run_cli(
            cli_env(sandbox), tmp_path, "unseal", container_name, "dump.tar", "notes.txt"
        )
    standard = run_cli(cli_env(sandbox), tmp_path, "unseal", f"{container_name}-std", "plain.txt")

    assert later.returncode == 8, later.stderr
    lines = later.stdout.splitlines()
    assert (
        f"{container_name}/dump.tar: 4 of 4 archived objects unsealing; ready in 1h 00m" in lines[0]
    )
    assert (
        f"{container_name}/notes.txt: 1 of 1 archived objects unsealing; ready in 1h 00m"
        in lines[2]
    )
    assert {http.state(f"{container_name}_segments", name) for name in segments} == {"unsealing"}
    assert standard.returncode == 0, standard.stderr
    assert "plain.txt: not on Cloud Archive, readable now" in standard.stdout

    other = f"{container_name}-2"
    sealed_archive(checker, other, data, 8 * KIB)
    with sandbox.unseal_timing(delay_s=1):
        waited = run_cli(cli_env(sandbox), tmp_path, "unseal", other, "dump.tar", "--wait")
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout.splitlines()[-1].endswith(
        f"{other}/dump.tar: readable (3 archived objects unsealed)"
    )
    assert http.state(other, "dump.tar") == "unsealed"


def test_a_readable_manifest_is_read_and_its_sealed_segments_awaited(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(3 * 8 * KIB)
    sealed_archive(checker, container_name, data, 8 * KIB)
    http = ArchiveHttp(checker)
    with sandbox.unseal_timing(delay_s=1):
        http.unseal(container_name, ["dump.tar"])
        _result, events = download(
            cloud.service("GRA"), container_name, "dump.tar", tmp_path / "dump.tar"
        )
    assert (tmp_path / "dump.tar").read_bytes() == data
    [asked] = events.of(UnsealRequested)
    assert (asked.objects, asked.requested, asked.notes) == (3, 3, ())


def test_segments_sealed_again_mid_download_are_unsealed_again_and_the_download_goes_on(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    data = random_bytes(4 * 8 * KIB)
    segments = sealed_archive(checker, container_name, data, 8 * KIB)
    http = ArchiveHttp(checker)
    first_done = threading.Event()
    outcome: list[object] = []

    with (
        sandbox.unseal_timing(delay_s=1, window_s=2),
        FaultProxy(sandbox.proxy_url("GRA")) as proxy,
    ):

        def on_event(event: object) -> None:
            # Once unsealed, two workers: segments 1 and 2 wait in the proxy while the
            # readable window closes.
            if isinstance(event, DownloadPlanned):
                proxy.add(Fault(match=segment_get(1), action="hold", times=2))
            if isinstance(event, SegmentDone):
                first_done.set()

        recorder = Recorder(on_event)
        service = through(cloud, sandbox, proxy)

        def run() -> None:
            try:
                outcome.append(
                    download(
                        service,
                        container_name,
                        "dump.tar",
                        tmp_path / "dump.tar",
                        recorder=recorder,
                        threads=2,
                    )
                )
            except Exception as error:  # reported below
                outcome.append(error)

        worker = threading.Thread(target=run)
        worker.start()
        wait_for(first_done.is_set, "segment #0 received")
        http.wait_for_state(f"{container_name}_segments", segments[1:3], "sealed")
        proxy.release()
        worker.join(timeout=60)

    assert not isinstance(outcome[0], Exception), outcome
    assert (tmp_path / "dump.tar").read_bytes() == data
    again = [event for event in recorder.of(SegmentRetrying) if "sealed again" in event.reason]
    # Segment 3, not fetched yet either, was sealed again too.
    assert {event.index for event in again} >= {1, 2}
    assert "unsealing asked for, ready in" in again[0].reason
