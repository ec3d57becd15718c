"""`swiftui sandbox` as a user runs it: build, print what to do, restart fast, stop cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import swiftclient
from support.cloud_archive_support import ArchiveHttp

from swiftui.sandbox import Sandbox, SandboxError, SandboxState


def _children(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (the sandbox servers run in their own sessions)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)$", status, re.MULTILINE)
        if match and int(match.group(1)) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _start(directory: Path, *options: str) -> tuple[subprocess.Popen[str], str, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "swiftui", "sandbox", "--dir", str(directory), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = ""
    for line in process.stdout:
        output += line
        if "Press Ctrl-C" in line:
            return process, output, time.monotonic() - started
    process.wait()
    pytest.fail(f"sandbox did not start:\n{output}")


def _stop(process: subprocess.Popen[str], signum: int) -> str:
    servers = _children(process.pid)
    assert len(servers) == 9, "keystone + 2 x (proxy, account, container, object)"
    process.send_signal(signum)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in servers if _alive(pid)], "a sandbox server outlived Ctrl-C"
    return rest


def _archive_http(directory: Path) -> ArchiveHttp:
    """Plain HTTP to region GRA of the sandbox in ``directory``, as its user."""
    state = SandboxState.load(directory / "state.json")
    checker = swiftclient.Connection(
        authurl=state.auth_url,
        user="swiftui-user",
        key=state.user_password,
        auth_version="3",
        os_options={
            "project_name": "swiftui-demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "GRA",
        },
    )
    checker.put_container("archive", headers={"X-Storage-Policy": "PCA"})
    return ArchiveHttp(checker)


def test_sandbox_starts_twice_and_leaves_no_process(tmp_path: Path) -> None:
    directory = tmp_path / "sb"
    first, output, first_s = _start(directory, "--unseal-delay", "1h")
    assert "building the sandbox" in output
    assert "PCA policy   emulates Cloud Archive: a GET unseals in 1h 00m, readable for 1d 00h" in (
        output
    )
    password = re.search(r"password\s+(\S+)", output).group(1)
    assert f"swiftui --openrc {directory / 'openrc.sh'}" in output
    openrc = (directory / "openrc.sh").read_text()
    assert "read -sr OS_PASSWORD_INPUT" in openrc
    assert password not in openrc
    assert password not in (directory / "clouds.yaml").read_text()
    http = _archive_http(directory)
    http.request("PUT", "archive/dump.tar", data=b"archived")
    assert http.request("GET", "archive/dump.tar").headers["Retry-After"] == "3600"
    assert "sandbox stopped" in _stop(first, signal.SIGINT)

    second, output, second_s = _start(directory)
    assert "building" not in output
    assert re.search(r"password\s+(\S+)", output).group(1) == password
    assert "a GET unseals in 1m 00s" in output
    head = _archive_http(directory).request("HEAD", "archive/dump.tar")
    assert head.headers["X-Ovh-Retrieval-State"] == "unsealing", "seal states survive a restart"
    assert 3000 < int(head.headers["X-Ovh-Retrieval-Delay"]) <= 3600
    _stop(second, signal.SIGTERM)
    print(f"first start {first_s:.1f} s, second start {second_s:.1f} s")
    assert second_s <= 20


def test_second_sandbox_on_same_dir_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="already running"):
        Sandbox(sandbox.directory).start()


def test_a_refused_second_sandbox_leaves_the_running_one_alone(
    sandbox: Sandbox, checker: swiftclient.Connection
) -> None:
    pidfile = sandbox.directory / "sandbox.pid"
    before = pidfile.read_text()
    refused = subprocess.run(
        [sys.executable, "-m", "swiftui", "sandbox", "--dir", str(sandbox.directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 7
    assert refused.stdout == ""
    assert refused.stderr == (
        f"swiftui: a sandbox is already running on {sandbox.directory} (pid {os.getpid()})\n"
    )
    assert pidfile.read_text() == before
    assert checker.head_account()["x-account-container-count"]
    with urllib.request.urlopen(sandbox.proxy_url("SBG") + "/healthcheck") as response:
        assert response.read() == b"OK"


def test_missing_extra_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "keystone" else real_find_spec(name, *a),
    )
    with pytest.raises(SandboxError, match=r"pip install 'swiftui\[sandbox\]'"):
        Sandbox(tmp_path / "sb").start()
    assert os.listdir(tmp_path) == []


def test_sandbox_swift_features(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str
) -> None:
    """What the issue asks of each cluster: policies, SLO, bulk delete, expiry headers."""
    import json
    import urllib.request

    for region in ("GRA", "SBG"):
        with urllib.request.urlopen(sandbox.proxy_url(region) + "/info") as response:
            info = json.load(response)
        assert [policy["name"] for policy in info["swift"]["policies"]] == ["Standard", "PCA"]
        assert info["slo"]["max_manifest_segments"] == 1000
        assert "bulk_delete" in info
    checker.put_container(container_name, headers={"X-Storage-Policy": "PCA"})
    assert checker.head_container(container_name)["x-storage-policy"] == "PCA"
    checker.put_object(container_name, "short-lived", b"x", headers={"X-Delete-After": "4"})
    assert checker.head_object(container_name, "short-lived")["x-delete-at"]
    time.sleep(4.5)
    with pytest.raises(swiftclient.ClientException) as gone:
        checker.get_object(container_name, "short-lived")
    assert gone.value.http_status == 404
