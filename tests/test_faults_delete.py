"""Deletions under faults: ``swiftui rm`` killed (``kill -9``) or interrupted in the middle
of a large SLO's segments, and Swift going away while segments are being deleted.

Whatever happens, the server never holds a manifest whose segments are partly gone
(the manifest goes first), and what is left is found again: a rerun of ``rm`` finishes
the job or says where the leftovers are, and ``swiftui orphans`` deletes them. Cancel
between archives (engine) is in ``test_delete.py``.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import make_slo, md5_of, names, random_bytes
from support.fault_support import cli_env, one_line_error, start_cli, wait_for
from support.faultproxy import Fault, FaultProxy

from swiftui.cli import main
from swiftui.cloud import Cloud
from swiftui.deletion import DeletionProgress, execute_deletion, plan_deletion
from swiftui.sandbox import Sandbox

SEGMENT_COUNT = 40
SEGMENT_SIZE = 100


def make_archives(
    checker: swiftclient.Connection, container: str
) -> tuple[list[str], str, list[str]]:
    """``archive.tar`` (40 small segments) to delete and ``keep.tar`` (3) to leave alone;
    returns the archive's segment names, keep.tar's md5 and its segment names."""
    entries = make_slo(
        checker,
        container,
        "archive.tar",
        random_bytes(SEGMENT_COUNT * SEGMENT_SIZE),
        segment_size=SEGMENT_SIZE,
        mtime=1.0,
    )
    kept = random_bytes(3 * SEGMENT_SIZE)
    keep_entries = make_slo(
        checker, container, "keep.tar", kept, segment_size=SEGMENT_SIZE, mtime=2.0
    )

    def segment_names(listed: list[dict[str, object]]) -> list[str]:
        return [str(entry["path"]).split("/", 2)[2] for entry in listed]

    return segment_names(entries), hashlib.md5(kept).hexdigest(), segment_names(keep_entries)


def is_bulk_delete(method: str, path: str, headers: dict[str, str]) -> bool:
    return method == "POST"


def is_segment_delete(method: str, path: str, headers: dict[str, str]) -> bool:
    return method == "DELETE" and "/slo/" in path


def deletes_forwarded(proxy: FaultProxy) -> int:
    return sum(
        1
        for seen in proxy.seen
        if seen.method == "DELETE" and "/slo/" in seen.path and seen.outcome.startswith("forw")
    )


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI in this process (the follow-up commands need no fault proxy)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def settled(read: Callable[[], list[str]]) -> list[str]:
    """``read()`` once two reads 0.5 s apart agree."""
    before = read()
    while True:
        time.sleep(0.5)
        now = read()
        if now == before:
            return now
        before = now


@pytest.mark.parametrize(
    ("stop", "when"),
    [
        pytest.param("kill -9", "before the manifest is deleted", marks=pytest.mark.slow),
        ("kill -9", "among the segments"),
        ("Ctrl-C", "among the segments"),
    ],
)
def test_rm_stopped_midway_leaves_nothing_silently_and_a_rerun_or_orphans_finishes(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    stop: str,
    when: str,
) -> None:
    segments = f"{container_name}_segments"
    archive_segments, keep_md5, keep_segments = make_archives(checker, container_name)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        if when == "before the manifest is deleted":
            proxy.add(
                Fault(
                    match=lambda m, p, h: m == "DELETE" and p.endswith("/archive.tar"),
                    action="hold",
                )
            )
        else:
            # No bulk delete (it fails once): one slow DELETE per segment, 4 at a time.
            proxy.add(Fault(match=is_bulk_delete, action="status", status=503))
            proxy.add(Fault(match=is_segment_delete, action="delay", delay_s=0.3, times=100))
        env = cli_env(sandbox, SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")))
        process = start_cli(env, tmp_path, "rm", container_name, "archive.tar", "--yes")
        if when == "before the manifest is deleted":
            wait_for(lambda: "held" in proxy.outcomes("DELETE"), "the manifest DELETE")
        else:
            wait_for(lambda: deletes_forwarded(proxy) >= 8, "8 segments deleted")
        process.send_signal(signal.SIGKILL if stop == "kill -9" else signal.SIGINT)
        out, err = process.communicate(timeout=30)

    # DELETEs the proxy was delaying when the client died still reach Swift (as requests
    # already sent do): read what is left once it stops changing.
    left = settled(lambda: [name for name in names(checker, segments) if name not in keep_segments])
    if when == "before the manifest is deleted":
        # Nothing was deleted: the archive is whole and the same command deletes it.
        assert process.returncode == -signal.SIGKILL
        assert names(checker, container_name) == ["archive.tar", "keep.tar"]
        assert left == archive_segments
        code, _out, err = run_main(capsys, "rm", container_name, "archive.tar", "--yes")
        assert code == 0, err
    else:
        # The manifest went first: no archive points at missing segments.
        assert names(checker, container_name) == ["keep.tar"]
        assert 0 < len(left) < SEGMENT_COUNT
        if stop == "Ctrl-C":
            assert process.returncode == 130, err
            assert "Traceback" not in err
            assert f"left: {len(left)} segments without a manifest" in err
            assert "swiftui orphans finds them" in out
        # The same command again: no such archive any more, and it says where the rest is.
        code, _out, err = run_main(capsys, "rm", container_name, "archive.tar", "--yes")
        assert code == 2
        line = one_line_error(err)
        assert f"{segments!r} still holds segments named after it" in line
        assert f"swiftui orphans {container_name} shows whether anything uses them" in line

        code, out, err = run_main(capsys, "orphans", container_name)
        assert code == 0, err
        assert f"{len(left)} segments" in out and "archive.tar/slo/" in out
        code, out, err = run_main(
            capsys, "orphans", container_name, "--delete", "--yes", "--min-age", "0"
        )
        assert code == 0, err
    assert names(checker, container_name) == ["keep.tar"]
    assert names(checker, segments) == keep_segments
    assert md5_of(checker, container_name, "keep.tar") == keep_md5


def test_swift_going_down_during_a_deletion_is_ridden_out(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    segments = f"{container_name}_segments"
    _archive, keep_md5, keep_segments = make_archives(checker, container_name)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=is_bulk_delete, action="status", status=503))
        proxy.add(Fault(match=is_segment_delete, action="delay", delay_s=0.05, times=100))
        service = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        plan = plan_deletion(service, container_name, ["archive.tar"])
        outages: list[threading.Thread] = []

        def outage(event: DeletionProgress) -> None:
            if not outages and event.done >= 10:
                outages.append(proxy.down_for(1.5))

        summary = execute_deletion(service, plan, on_event=outage)
    assert outages
    assert any(seen.outcome.startswith("forwarded") for seen in proxy.seen[-5:])
    assert summary.complete, summary
    assert summary.segments_deleted == SEGMENT_COUNT
    assert names(checker, container_name) == ["keep.tar"]
    assert names(checker, segments) == keep_segments
    assert md5_of(checker, container_name, "keep.tar") == keep_md5
