"""`swiftui sandbox` as a user runs it: build, print what to do, restart fast, stop cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import swiftclient

from swiftui.sandbox import Sandbox, SandboxError


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


def _start(directory: Path) -> tuple[subprocess.Popen[str], str, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "swiftui", "sandbox", "--dir", str(directory)],
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


def test_sandbox_starts_twice_and_leaves_no_process(tmp_path: Path) -> None:
    directory = tmp_path / "sb"
    first, output, first_s = _start(directory)
    assert "building the sandbox" in output
    password = re.search(r"password\s+(\S+)", output).group(1)
    assert f"swiftui --openrc {directory / 'openrc.sh'}" in output
    openrc = (directory / "openrc.sh").read_text()
    assert "read -sr OS_PASSWORD_INPUT" in openrc
    assert password not in openrc
    assert password not in (directory / "clouds.yaml").read_text()
    assert "sandbox stopped" in _stop(first, signal.SIGINT)

    second, output, second_s = _start(directory)
    assert "building" not in output
    assert re.search(r"password\s+(\S+)", output).group(1) == password
    _stop(second, signal.SIGTERM)
    print(f"first start {first_s:.1f} s, second start {second_s:.1f} s")
    assert second_s <= 20


def test_second_sandbox_on_same_dir_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="already running"):
        Sandbox(sandbox.directory).start()


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
