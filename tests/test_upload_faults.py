"""Uploads that meet trouble: a flaky Swift (through the fault proxy) and refused tokens.

The fault proxy forwards everything else to the real sandbox Swift, so the final checks
(download md5, SLO headers) are against what the real server stored.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import swiftclient
from conftest import swift_checker
from faultproxy import Fault, FaultProxy
from keystoneauth1 import session as ks_session
from keystoneauth1.access import AccessInfo
from keystoneauth1.identity import v3
from upload_support import (
    FAST_RETRY,
    Recorder,
    download_md5,
    manifest_put,
    segment_put,
    upload,
    write_random,
)

from swiftui.cloud import Cloud, connect
from swiftui.credentials import load_credentials
from swiftui.errors import OperationCancelled
from swiftui.sandbox import Sandbox
from swiftui.swift import SwiftService
from swiftui.units import MIB
from swiftui.upload import UploadRequest
from swiftui.upload.events import (
    ManifestWriting,
    RequestRetrying,
    SegmentDone,
    SegmentRetrying,
    UploadCancelled,
)


@pytest.fixture
def proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.proxy_url("GRA")) as running:
        yield running


def through(cloud: Cloud, sandbox: Sandbox, proxy: FaultProxy) -> SwiftService:
    return cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))


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
