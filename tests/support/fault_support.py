"""Helpers for the fault, bad-input and secrets suites: the CLI as a user runs it, routed
through a fault proxy when a test needs to break the network, and sandbox servers killed
and started again by process id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from swiftui.sandbox import Sandbox

# The CLI with two test-only twists, both from the environment: Swift requests go to
# SWIFTUI_TEST_ENDPOINT (a fault proxy) instead of the catalog's URL, and
# SWIFTUI_TEST_RETRY="attempts,first delay,max delay" shortens the retries so an outage
# outlasts them in seconds rather than minutes. Everything else is the real CLI.
LAUNCHER = """\
import os
import sys

from swiftui import cloud
from swiftui.swift import RetryPolicy

endpoint = os.environ.get("SWIFTUI_TEST_ENDPOINT")
if endpoint:
    original = cloud.Cloud.service

    def through_proxy(self, region, *, endpoint_override=None):
        return original(self, region, endpoint_override=endpoint)

    cloud.Cloud.service = through_proxy
retry = os.environ.get("SWIFTUI_TEST_RETRY")
if retry:
    attempts, first, largest = retry.split(",")
    defaults = RetryPolicy.__init__.__defaults__
    RetryPolicy.__init__.__defaults__ = (
        int(attempts), float(first), float(largest), *defaults[3:]
    )
from swiftui.cli import main

raise SystemExit(main(sys.argv[1:]))
"""


def cli_env(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    """This test's environment (its XDG dirs, set by ``isolated_dirs``), the sandbox
    user's OS_* variables, and ``extra``."""
    return {**os.environ, **sandbox.environ(), "PYTHONWARNINGS": "ignore", **extra}


def launcher_command(tmp_path: Path, *args: str) -> list[str]:
    launcher = tmp_path / "swiftui_launcher.py"
    if not launcher.exists():
        launcher.write_text(LAUNCHER)
    return [sys.executable, str(launcher), *args]


def run_cli(
    env: dict[str, str], tmp_path: Path, *args: str, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to its end (through the launcher: no twist unless ``env`` asks)."""
    return subprocess.run(
        launcher_command(tmp_path, *args),
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """Start the CLI in the background; the caller kills or interrupts it."""
    return subprocess.Popen(
        launcher_command(tmp_path, *args),
        env=env,
        stdin=subprocess.DEVNULL,
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


def one_line_error(stderr: str) -> str:
    """The single ``swiftui: ...`` line a refused command prints; fails on anything more."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("swiftui: "), stderr
    return lines[0]


# -- sandbox servers ----------------------------------------------------------------------


def _cmdline(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [part.decode() for part in raw.split(b"\0") if part]


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (part.decode().partition("=") for part in raw.split(b"\0") if part)
    return {key: value for key, _, value in pairs}


class SandboxServers:
    """``kill -9`` sandbox servers and start them again, as a crashed and restarted service.

    Only this sandbox's processes, by pid. Replacements live until :meth:`close` (call it
    before the sandbox stops), so later tests of a module find every server running.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._killed: dict[str, tuple[list[str], dict[str, str]]] = {}
        self._replacements: dict[str, subprocess.Popen[bytes]] = {}

    def pid(self, name: str, region: str | None = None) -> int:
        """``keystone``, or ``proxy-server`` (etc.) of ``region``."""
        key = f"{name} {region or ''}"
        if key in self._replacements:
            return self._replacements[key].pid
        for pid in self.sandbox.pids:
            words = _cmdline(pid)
            if name == "keystone" and words[-1:] == ["keystone"]:
                return pid
            if name in words and any(f"/{region}/" in word for word in words):
                return pid
        raise AssertionError(f"no running {key} in the sandbox")

    def kill(self, name: str, region: str | None = None) -> None:
        key = f"{name} {region or ''}"
        pid = self.pid(name, region)
        self._killed[key] = (_cmdline(pid), _environ(pid))
        os.killpg(pid, signal.SIGKILL)
        replacement = self._replacements.pop(key, None)
        if replacement is not None:
            replacement.wait()

    def restart(self, name: str, ready_url: str, region: str | None = None) -> None:
        """Start a killed server again with its command and environment; wait until
        ``ready_url`` answers."""
        import urllib.error
        import urllib.request

        key = f"{name} {region or ''}"
        command, environ = self._killed.pop(key)
        with (self.sandbox.logs_dir / f"restarted-{name}-{region or ''}.log").open("ab") as log:
            self._replacements[key] = subprocess.Popen(
                command,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def answers() -> bool:
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as response:
                    return response.status < 500
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        wait_for(answers, f"{ready_url} after the restart")

    def close(self) -> None:
        for process in self._replacements.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self._replacements.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._replacements.clear()
