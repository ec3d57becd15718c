"""Uploads that meet trouble: a flaky Swift, refused or expiring tokens, Swift or Keystone
going away and coming back, the local file changing under the upload, the journal's disk
refusing writes.

Faults come from the fault proxy in front of the real sandbox Swift (or Keystone), which
forwards everything else; each case ends in success or in a clear stop that the same
command resumes, and every check of the outcome is made against the server
(python-swiftclient listings, download md5). The slow cases kill the real servers of a
sandbox of their own and let tokens really expire or be renewed. ``kill -9`` and Ctrl-C of
``swiftui upload`` are in ``test_upload_cli.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import swiftclient
from conftest import swift_checker
from keystoneauth1 import session as ks_session
from keystoneauth1.access import AccessInfo
from keystoneauth1.identity import v3
from support.fault_support import (
    SandboxServers,
    cli_env,
    one_line_error,
    run_cli,
    start_cli,
    wait_for,
)
from support.faultproxy import Fault, FaultProxy
from support.upload_support import (
    FAST_RETRY,
    Recorder,
    download_md5,
    file_md5,
    journal_files,
    journal_segments,
    manifest_put,
    object_names,
    segment_put,
    timestamps,
    upload,
    write_random,
)

from swiftui.cloud import Cloud, connect
from swiftui.credentials import load_credentials
from swiftui.errors import OperationCancelled, UsageError
from swiftui.sandbox import Sandbox
from swiftui.swift import RetryPolicy, SwiftService, segment_name, segment_prefix
from swiftui.units import MIB
from swiftui.upload import UploadRequest, resumable_uploads
from swiftui.upload.events import (
    ManifestWriting,
    PlanReady,
    RequestRetrying,
    SegmentDone,
    SegmentRetrying,
    UploadCancelled,
    UploadFailed,
)

# Enough retries to outlast an outage of a few seconds (about 8 s of waiting in all).
RIDE_OUT = RetryPolicy(attempts=12, first_delay_s=0.2, max_delay_s=1.0)


def through(cloud: Cloud, sandbox: Sandbox, proxy: FaultProxy) -> SwiftService:
    return cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))


def assert_whole_slo(
    checker: swiftclient.Connection, container: str, name: str, path: Path, segment_size: int
) -> None:
    """The object is an SLO of exactly the planned segments, and downloads as the file."""
    info = path.stat()
    prefix = segment_prefix(name, info.st_mtime, info.st_size, segment_size)
    count = -(-info.st_size // segment_size)
    assert checker.head_object(container, name)["x-static-large-object"] == "True"
    assert object_names(checker, f"{container}_segments") == [
        segment_name(prefix, index) for index in range(count)
    ]
    assert download_md5(checker, container, name) == file_md5(path)


def assert_no_object(checker: swiftclient.Connection, container: str, name: str) -> None:
    with pytest.raises(swiftclient.ClientException) as missing:
        checker.head_object(container, name)
    assert missing.value.http_status == 404


@pytest.fixture
def proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.proxy_url("GRA")) as running:
        yield running


def revoked_token(sandbox: Sandbox) -> AccessInfo:
    """A fresh token of the sandbox user that Keystone has just revoked.

    Swift has never seen it, so its proxy (which caches validated tokens for 10 s) asks
    Keystone and refuses it at once.
    """
    plugin = v3.Password(
        auth_url=sandbox.auth_url,
        username=sandbox.username,
        password=sandbox.password,
        project_name=sandbox.project_name,
        user_domain_name="Default",
        project_domain_name="Default",
    )
    access = plugin.get_access(ks_session.Session())
    revoked = requests.delete(
        f"{sandbox.auth_url}/auth/tokens",
        headers={"X-Auth-Token": access.auth_token, "X-Subject-Token": access.auth_token},
        timeout=10,
    )
    assert revoked.status_code == 204
    return access


# -- one request refused, cut or told to wait ---------------------------------------------


def test_a_burst_of_503_does_not_stop_the_upload(
    sandbox: Sandbox,
    cloud: Cloud,
    proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "flaky.bin"
    md5 = write_random(path, 4 * MIB)
    proxy.add(Fault(match=segment_put(), action="status", status=503, times=4))
    proxy.add(Fault(match=manifest_put, action="status", status=503, times=2))
    proxy.add(Fault(match=lambda m, p, h: m == "HEAD", action="status", status=502, times=1))
    result, events = upload(
        through(cloud, sandbox, proxy),
        UploadRequest(path, container_name, segment_size=MIB, threads=2, retry=FAST_RETRY),
    )
    retries = events.of(SegmentRetrying)
    assert len(retries) == 4
    assert all(retry.reason.startswith("503") for retry in retries)
    assert [e.reason[:3] for e in events.of(RequestRetrying)].count("503") == 2
    assert any(e.reason.startswith("502") for e in events.of(RequestRetrying))
    assert proxy.outcomes("PUT").count("answered 503") == 6
    assert result.segment_count == 4
    assert download_md5(checker, container_name, "flaky.bin") == md5


def test_a_connection_reset_in_the_middle_of_a_segment_is_retried(
    sandbox: Sandbox,
    cloud: Cloud,
    proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "reset.bin"
    md5 = write_random(path, 3 * MIB)
    proxy.add(Fault(match=segment_put(min_index=1), action="reset", after_bytes=MIB // 2))
    result, events = upload(
        through(cloud, sandbox, proxy),
        UploadRequest(path, container_name, segment_size=MIB, threads=1, retry=FAST_RETRY),
    )
    [retry] = events.of(SegmentRetrying)
    assert retry.index == 1
    # One short line: what broke and where, not urllib3's text with the URL twice.
    assert re.fullmatch(
        r"connection (reset|closed while sending|closed by the server) \(127\.0\.0\.1:\d+\)",
        retry.reason,
    ), retry.reason
    assert "reset" in proxy.outcomes("PUT")
    assert result.segment_count == 3
    assert download_md5(checker, container_name, "reset.bin") == md5


def test_429_with_retry_after_is_honoured(
    sandbox: Sandbox,
    cloud: Cloud,
    proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "ratelimited.bin"
    md5 = write_random(path, 2 * MIB)
    proxy.add(
        Fault(
            match=segment_put(),
            action="status",
            status=429,
            headers={"Retry-After": "1"},
            times=1,
        )
    )
    started = time.monotonic()
    upload(
        through(cloud, sandbox, proxy),
        UploadRequest(path, container_name, segment_size=MIB, threads=1, retry=FAST_RETRY),
        recorder=(recorder := Recorder()),
    )
    [retry] = recorder.of(SegmentRetrying)
    assert retry.delay_s == 1.0  # Retry-After, not the 0.05 s backoff
    assert "429" in retry.reason and "Retry-After 1 s" in retry.reason
    assert time.monotonic() - started >= 1.0
    assert download_md5(checker, container_name, "ratelimited.bin") == md5


def test_a_cancel_while_the_upload_waits_to_retry_its_first_requests_stops_it(
    sandbox: Sandbox,
    cloud: Cloud,
    proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    """Swift answers 503 before anything is sent; the user gives up during the wait."""
    path = tmp_path / "patience.bin"
    write_random(path, 2 * MIB)
    proxy.add(Fault(match=lambda m, p, h: m == "HEAD", action="status", status=503, times=100))
    cancel = threading.Event()

    def give_up(event: object) -> None:
        if isinstance(event, RequestRetrying):
            cancel.set()

    # The engine's own policy: its next attempt would come a second later.
    request = UploadRequest(path, container_name, segment_size=MIB, threads=1)
    with pytest.raises(OperationCancelled) as stopped:
        upload(
            through(cloud, sandbox, proxy),
            request,
            recorder=(recorder := Recorder(then=give_up)),
            cancel=cancel,
        )

    assert str(stopped.value) == "upload cancelled: nothing is kept in Swift yet"
    assert len(recorder.of(RequestRetrying)) == 1
    assert recorder.of(UploadCancelled)
    assert proxy.outcomes("HEAD") == ["answered 503"]
    assert proxy.outcomes("PUT") == []
    assert container_name not in {item["name"] for item in checker.get_account()[1]}


# -- tokens revoked, Keystone going away -------------------------------------------------


@pytest.mark.parametrize("when", ["segments", "manifest"])
def test_a_token_revoked_in_the_middle_of_the_upload_is_replaced(
    sandbox: Sandbox,
    proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    when: str,
) -> None:
    """The session's token is revoked mid-upload: Swift refuses it (for real), the engine
    drops it once for every thread, keystoneauth gets a new one, the upload goes on. Before
    the manifest, Swift's refusal is a 400 whose segment checks all answer 401."""
    own_cloud = connect(load_credentials(environ=sandbox.environ(), ask_password=None))
    path = tmp_path / "revoked.bin"
    md5 = write_random(path, 6 * MIB)
    # Segments from the third on wait a little in the proxy, so the swap below lands
    # while one is in flight and the next ones go with the revoked token.
    proxy.add(Fault(match=segment_put(min_index=2), action="delay", delay_s=0.3, times=100))

    def revoke(event: object) -> None:
        if when == "segments" and isinstance(event, SegmentDone) and event.index == 1:
            own_cloud.session.auth.auth_ref = revoked_token(sandbox)
        if when == "manifest" and isinstance(event, ManifestWriting):
            own_cloud.session.auth.auth_ref = revoked_token(sandbox)

    try:
        result, events = upload(
            through(own_cloud, sandbox, proxy),
            UploadRequest(path, container_name, segment_size=MIB, threads=1),
            recorder=Recorder(then=revoke),
        )
    finally:
        own_cloud.close()
    refused = "token refused (401): authenticating again"
    if when == "segments":
        assert [retry.reason for retry in events.of(SegmentRetrying)] == [refused]
        assert proxy.outcomes("PUT").count("forwarded 401") == 1
    else:
        assert [retry.reason for retry in events.of(RequestRetrying)] == [refused]
        assert proxy.outcomes("PUT").count("forwarded 400") == 1
    tokens = {seen.token for seen in proxy.seen if seen.token}
    assert len(tokens) == 3  # the first, the revoked one, the replacement
    assert result.segment_count == 6
    assert download_md5(checker, container_name, "revoked.bin") == md5


@pytest.fixture
def keystone_proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    """A fault proxy in front of Keystone: the client authenticates through it."""
    with FaultProxy(sandbox.auth_url) as running:
        yield running


def cloud_through_keystone_proxy(sandbox: Sandbox, keystone_proxy: FaultProxy) -> Cloud:
    environ = {**sandbox.environ(), "OS_AUTH_URL": f"http://127.0.0.1:{keystone_proxy.port}/v3"}
    return connect(load_credentials(environ=environ, ask_password=None))


@pytest.mark.parametrize("how", ["refuses connections", "answers 503"])
def test_keystone_unavailable_when_the_token_must_be_renewed_is_ridden_out(
    sandbox: Sandbox,
    keystone_proxy: FaultProxy,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    how: str,
) -> None:
    """Mid-upload the token is refused and Keystone is unavailable for a while (down, or
    a load balancer answering 503 in front of it): the upload waits and goes on."""
    own_cloud = cloud_through_keystone_proxy(sandbox, keystone_proxy)
    assert any(seen.path == "/v3/auth/tokens" for seen in keystone_proxy.seen)
    path = tmp_path / "keystone.bin"
    write_random(path, 5 * MIB)
    refused_token = revoked_token(sandbox)

    def trouble(event: object) -> None:
        if isinstance(event, SegmentDone) and event.index == 1:
            if how == "refuses connections":
                keystone_proxy.down_for(2.0)
            else:
                keystone_proxy.add(
                    Fault(
                        match=lambda m, p, h: p.endswith("/auth/tokens"),
                        action="status",
                        status=503,
                        times=3,
                    )
                )
            # Swift refuses this token at once: the client must authenticate again.
            own_cloud.session.auth.auth_ref = refused_token

    try:
        with FaultProxy(sandbox.proxy_url("GRA")) as swift:
            # Slow segments, so the trouble starts with segments still to send.
            swift.add(Fault(match=segment_put(min_index=2), action="delay", delay_s=0.3, times=9))
            result, events = upload(
                through(own_cloud, sandbox, swift),
                UploadRequest(path, container_name, segment_size=MIB, threads=1, retry=RIDE_OUT),
                recorder=Recorder(then=trouble),
            )
    finally:
        own_cloud.close()
    reasons = [retry.reason for retry in events.of(SegmentRetrying)]
    assert reasons[0] == "token refused (401): authenticating again"
    expected = (
        f"connection refused (127.0.0.1:{keystone_proxy.port})"
        if how == "refuses connections"
        else "authentication answered 503"
    )
    assert reasons[1].startswith(expected), reasons
    assert len(reasons) >= 2
    assert result.segment_count == 5
    assert_whole_slo(checker, container_name, "keystone.bin", path, MIB)


def test_keystone_down_at_the_start_is_one_line_and_nothing_is_sent(
    sandbox: Sandbox, keystone_proxy: FaultProxy, container_name: str, tmp_path: Path
) -> None:
    keystone_proxy.go_down()
    path = tmp_path / "early.bin"
    write_random(path, 2 * MIB)
    env = cli_env(sandbox, OS_AUTH_URL=f"http://127.0.0.1:{keystone_proxy.port}/v3")
    refused = run_cli(env, tmp_path, "upload", container_name, str(path))
    assert refused.returncode == 4
    assert one_line_error(refused.stderr).startswith(
        f"swiftui: cannot reach 127.0.0.1:{keystone_proxy.port}: connection failed"
    )
    with pytest.raises(swiftclient.ClientException):
        swift_checker(sandbox).head_container(container_name)
    assert journal_files() == []


# -- Swift going away --------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["segments", "manifest"])
def test_swift_going_down_and_coming_back_mid_upload_is_ridden_out(
    sandbox: Sandbox,
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    when: str,
) -> None:
    """The endpoint drops every open connection and refuses new ones for 1.5 s, as a
    restarted Swift proxy does: the requests in flight and the next ones are retried."""
    path = tmp_path / "outage.bin"
    write_random(path, 6 * MIB)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # Segments in flight while the outage starts, so some die half-sent.
        proxy.add(Fault(match=segment_put(), action="delay", delay_s=0.2, times=100))

        outages: list[float] = []

        def outage(event: object) -> None:
            # Once, after two segments and the container PUT went through.
            if outages or proxy.outcomes("PUT").count("forwarded 201") < 3:
                return
            if (when == "segments" and isinstance(event, SegmentDone)) or (
                when == "manifest" and isinstance(event, ManifestWriting)
            ):
                outages.append(time.monotonic())
                proxy.down_for(1.5)

        result, events = upload(
            through(cloud, sandbox, proxy),
            UploadRequest(path, container_name, segment_size=MIB, threads=2, retry=RIDE_OUT),
            recorder=Recorder(then=outage),
        )
    assert len(outages) == 1
    retried = events.of(SegmentRetrying) if when == "segments" else events.of(RequestRetrying)
    assert retried and all(r.reason.startswith("connection ") for r in retried), retried
    assert all(len(r.reason) < 60 for r in retried), retried
    assert result.segment_count == 6
    assert_whole_slo(checker, container_name, "outage.bin", path, MIB)
    assert journal_files() == []


def test_an_outage_longer_than_the_retries_stops_clearly_and_the_printed_command_resumes(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "nightly.tar"
    write_random(path, 5 * MIB)
    command = ("upload", container_name, str(path), "--segment-size", "1MiB", "--threads", "1")
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # Segments from the third on hang in the proxy until it goes down with them.
        proxy.add(Fault(match=segment_put(min_index=2), action="hold", times=100))
        env = cli_env(
            sandbox,
            SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")),
            SWIFTUI_TEST_RETRY="4,0.05,0.2",
        )
        process = start_cli(env, tmp_path, *command)
        wait_for(lambda: journal_segments() >= 2, "2 segments in the journal")
        proxy.go_down()
        out, err = process.communicate(timeout=60)
    assert process.returncode == 5, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert re.match(r"swiftui: .*: PUT failed 4 times; last: connection refused", lines[0]), err
    assert lines[1].startswith("swiftui: resume with: swiftui upload --region GRA")
    assert "segment " in out and " failed: " in out
    assert_no_object(checker, container_name, "nightly.tar")
    sent = object_names(checker, f"{container_name}_segments")
    before = timestamps(checker, f"{container_name}_segments", sent)

    resume = shlex.split(lines[1].removeprefix("swiftui: resume with: "))
    rerun = run_cli(cli_env(sandbox), tmp_path, *resume[1:])
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming the upload started" in rerun.stdout
    assert rerun.stdout.count("already in Swift") >= 2
    assert timestamps(checker, f"{container_name}_segments", sent) == before
    assert_whole_slo(checker, container_name, "nightly.tar", path, MIB)


# -- the local file changing -------------------------------------------------------------------


@pytest.mark.parametrize("change", ["truncated", "replaced"])
def test_a_file_truncated_or_replaced_mid_upload_stops_without_a_manifest_and_a_rerun_starts_over(
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    change: str,
) -> None:
    service = cloud.service("GRA")
    path = tmp_path / "backup.tar"
    write_random(path, 4 * MIB)

    def change_the_file(event: object) -> None:
        if isinstance(event, SegmentDone) and event.index == 0:
            if change == "truncated":
                os.truncate(path, MIB + MIB // 2)
            else:
                newer = tmp_path / "backup.tar.new"
                write_random(newer, 4 * MIB)
                os.replace(newer, path)

    recorder = Recorder(then=change_the_file)
    with pytest.raises(UsageError, match="changed during the upload") as stopped:
        upload(
            service,
            UploadRequest(path, container_name, segment_size=MIB, threads=1),
            recorder=recorder,
        )
    # Seen while reading (a short read) or by the check after each segment (the size).
    how = "ended at byte|size went from" if change == "truncated" else "replaced by another file"
    assert re.search(how, str(stopped.value))
    assert "nothing was written over the object" in str(stopped.value)
    assert recorder.of(UploadFailed)[0].resumable
    assert_no_object(checker, container_name, "backup.tar")
    stale = object_names(checker, f"{container_name}_segments")
    assert stale

    [waiting] = resumable_uploads()
    assert waiting.problem is not None and "changed" in waiting.problem
    result, events = upload(
        service, UploadRequest(path, container_name, segment_size=MIB, threads=1)
    )
    assert events.of(PlanReady)[0].notes[0].startswith("starting over: the local file changed")
    assert result.reused_segments == 0
    assert not set(stale) & set(object_names(checker, f"{container_name}_segments"))
    assert_whole_slo(checker, container_name, "backup.tar", path, MIB)
    assert resumable_uploads() == []


# -- the journal's disk --------------------------------------------------------------------


@contextlib.contextmanager
def mounted_tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at ``where`` (root only): a disk that fills up or is read-only."""
    where.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mount.stderr.strip()}): needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path) -> Path:
    """Write into ``directory`` until its file system is full; return the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * 4096):
                pass
    finally:
        os.close(fd)
    return filler


@pytest.mark.parametrize("disk", ["a file in the way", "read-only", "full"])
def test_an_unusable_journal_disk_stops_the_upload_before_any_segment_is_sent(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    disk: str,
) -> None:
    path = tmp_path / "archive.bin"
    write_random(path, 3 * MIB)
    with contextlib.ExitStack() as stack:
        if disk == "a file in the way":
            state = tmp_path / "state-is-a-file"
            state.write_text("")
        elif disk == "read-only":
            state = stack.enter_context(mounted_tmpfs(tmp_path / "ro", "ro,size=1m"))
        else:
            state = stack.enter_context(mounted_tmpfs(tmp_path / "full", "size=64k"))
            fill(state)
        env = cli_env(sandbox, XDG_STATE_HOME=str(state))
        refused = run_cli(
            env, tmp_path, "upload", container_name, str(path), "--segment-size", "1MiB"
        )
    assert refused.returncode != 0
    line = one_line_error(refused.stderr)
    assert str(state) in line
    assert " segment #" not in refused.stdout
    with contextlib.suppress(swiftclient.ClientException):
        assert object_names(checker, f"{container_name}_segments") == []
    assert_no_object(checker, container_name, "archive.bin")


def test_the_journal_disk_filling_up_mid_upload_stops_clearly_and_a_rerun_resumes(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "db.dump"
    write_random(path, 6 * MIB)
    command = ("upload", container_name, str(path), "--segment-size", "1MiB", "--threads", "1")
    with mounted_tmpfs(tmp_path / "state", "size=64k") as state:
        env = cli_env(sandbox, XDG_STATE_HOME=str(state))
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            # Slow segments: the disk fills up while the upload is under way.
            proxy.add(Fault(match=segment_put(), action="delay", delay_s=0.3, times=100))
            process = start_cli(
                {**env, "SWIFTUI_TEST_ENDPOINT": proxy.url_for(sandbox.storage_url("GRA"))},
                tmp_path,
                *command,
            )
            journals = state / "swiftui" / "journals"
            wait_for(lambda: _segments_in(journals) >= 2, "2 segments in the journal")
            filler = fill(state)
            _out, err = process.communicate(timeout=60)
        assert process.returncode != 0
        assert "Traceback" not in err
        assert "cannot save the resume journal" in err and "No space left on device" in err
        assert "resume with:" in err
        assert_no_object(checker, container_name, "db.dump")

        filler.unlink()
        rerun = run_cli(env, tmp_path, *command)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming the upload started" in rerun.stdout
    assert rerun.stdout.count("already in Swift") >= 2
    assert_whole_slo(checker, container_name, "db.dump", path, MIB)


def _segments_in(journals: Path) -> int:
    import json

    for journal in journals.glob("*.json") if journals.exists() else []:
        with contextlib.suppress(OSError, ValueError):
            return len(json.loads(journal.read_text())["segments"])
    return 0


# -- slow: real servers killed and restarted, tokens that really expire or are renewed ------

# Outlasts a server restart on a loaded machine (about 40 s of waiting in all).
RIDE_OUT_RESTART = RetryPolicy(attempts=16, first_delay_s=0.5, max_delay_s=4.0)
TOKEN_LIFETIME_S = 15
OwnSandbox = tuple[Sandbox, SandboxServers]


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnSandbox]:
    """A sandbox of its own, whose servers these tests kill, and whose tokens live 15 s
    (less than keystoneauth's 120 s renewal margin: every request asks Keystone for one)."""
    with Sandbox(
        tmp_path_factory.mktemp("own-sandbox"), token_lifetime_s=TOKEN_LIFETIME_S
    ) as running:
        servers = SandboxServers(running)
        try:
            yield running, servers
        finally:
            servers.close()


def restart_later(seconds: float, restart: Callable[[], None]) -> threading.Thread:
    thread = threading.Timer(seconds, restart)
    thread.daemon = True
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.parametrize("server", ["proxy-server", "keystone"])
def test_a_real_server_killed_and_restarted_mid_upload_is_ridden_out(
    own_sandbox: OwnSandbox, container_name: str, tmp_path: Path, server: str
) -> None:
    """``kill -9`` of the GRA Swift proxy, or of Keystone (then every request's token and
    Swift's own token checks fail), restarted 3 s later: the upload waits and finishes."""
    sandbox, servers = own_sandbox
    own_cloud = connect(load_credentials(environ=sandbox.environ(), ask_password=None))
    path = tmp_path / "restart.bin"
    write_random(path, 8 * MIB)
    region = "GRA" if server == "proxy-server" else None
    ready = f"{sandbox.proxy_url('GRA')}/healthcheck" if region else f"{sandbox.auth_url}/"
    restarts: list[threading.Thread] = []

    def crash(event: object) -> None:
        if not restarts and isinstance(event, SegmentDone) and event.index == 2:
            servers.kill(server, region)
            restarts.append(restart_later(3.0, lambda: servers.restart(server, ready, region)))

    try:
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            # Slow segments, so the crash lands with most of the file still to send.
            proxy.add(Fault(match=segment_put(), action="delay", delay_s=0.5, times=100))
            result, events = upload(
                through(own_cloud, sandbox, proxy),
                UploadRequest(
                    path, container_name, segment_size=MIB, threads=2, retry=RIDE_OUT_RESTART
                ),
                recorder=Recorder(then=crash),
            )
    finally:
        own_cloud.close()
        for restart in restarts:
            restart.join()
    assert restarts and events.of(SegmentRetrying)
    assert result.segment_count == 8
    assert_whole_slo(swift_checker(sandbox), container_name, "restart.bin", path, MIB)


@pytest.mark.slow
def test_a_token_that_really_expires_mid_upload_is_replaced(
    own_sandbox: OwnSandbox, container_name: str, tmp_path: Path
) -> None:
    """keystoneauth believes its token good for a day; Keystone gave it 15 s. When it
    expires Swift refuses it (401), the engine drops it and the upload goes on."""
    sandbox, _servers = own_sandbox
    own_cloud = connect(load_credentials(environ=sandbox.environ(), ask_password=None))
    access = own_cloud.session.auth.auth_ref
    expires = access.expires
    access._data["token"]["expires_at"] = (expires + timedelta(days=1)).isoformat()
    path = tmp_path / "expiring.bin"
    write_random(path, 6 * MIB)
    try:
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            # 6 segments, 4 s each: the token expires after the third or fourth.
            proxy.add(Fault(match=segment_put(), action="delay", delay_s=4.0, times=100))
            result, events = upload(
                through(own_cloud, sandbox, proxy),
                UploadRequest(path, container_name, segment_size=MIB, threads=1),
            )
    finally:
        own_cloud.close()
    assert datetime.now(UTC) > expires
    refused = [seen for seen in proxy.seen if seen.outcome == "forwarded 401"]
    assert len(refused) == 1
    assert [retry.reason for retry in events.of(SegmentRetrying)] == [
        "token refused (401): authenticating again"
    ]
    assert result.segment_count == 6
    assert_whole_slo(swift_checker(sandbox), container_name, "expiring.bin", path, MIB)


@pytest.fixture(scope="module")
def short_token_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A second sandbox whose tokens live 150 s: keystoneauth renews them 120 s early."""
    with Sandbox(tmp_path_factory.mktemp("short-token"), token_lifetime_s=150) as running:
        yield running


@pytest.mark.slow
def test_a_token_expiring_during_a_long_upload_is_renewed(
    short_token_sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    sandbox = short_token_sandbox
    cloud = connect(load_credentials(environ=sandbox.environ(), ask_password=None))
    path = tmp_path / "long.bin"
    md5 = write_random(path, 12 * MIB)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # 12 segments at 4 s each on 1 thread: about 48 s, past the 30 s the token is used.
        proxy.add(Fault(match=segment_put(), action="delay", delay_s=4.0, times=100))
        try:
            result, events = upload(
                through(cloud, sandbox, proxy),
                UploadRequest(path, container_name, segment_size=MIB, threads=1),
            )
        finally:
            cloud.close()
        tokens = [seen.token for seen in proxy.seen if seen.token]
    assert not events.of(SegmentRetrying)
    assert 2 <= len(set(tokens)) <= 3
    assert tokens[0] != tokens[-1]
    assert result.segment_count == 12
    assert download_md5(swift_checker(sandbox), container_name, "long.bin") == md5
