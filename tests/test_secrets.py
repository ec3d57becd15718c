"""Secrets stay secret: after uploads (one cancelled and resumed), deletions, prune,
orphans and regions run with the sandbox user's known password, neither that password
nor any token the runs used appears in a file swiftui wrote (state, cache, config, data,
journals, its home directory) or in anything it printed; what it writes is owner-only.

Every CLI run goes through a fault proxy that only forwards and keeps the tokens it sees,
so the search covers the real tokens of these runs, not a guess. TLS verification on by
default is proven in ``test_regions.py::test_untrusted_certificate_is_refused_by_default``
(Keystone) and here for a Swift endpoint.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import swiftclient
from support.fault_support import cli_env, launcher_command, wait_for
from support.faultproxy import Fault, FaultProxy
from support.upload_support import journal_segments, segment_put, write_random
from test_regions import _self_signed_server

from swiftui import paths
from swiftui.cloud import Cloud
from swiftui.errors import SwiftError
from swiftui.sandbox import Sandbox
from swiftui.units import MIB


class Runs:
    """Runs the CLI as a user would (own HOME, umask 022, a working directory of its own)
    and keeps everything it printed."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = env
        self.tmp_path = tmp_path
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        self.printed: list[str] = []

    def start(self, *args: str, **popen: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            launcher_command(self.tmp_path, *args),
            env=self.env,
            cwd=self.cwd,
            umask=0o022,
            text=True,
            **popen,
        )

    def ok(self, *args: str) -> str:
        process = self.start(
            *args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = process.communicate(timeout=120)
        self.printed += [out, err]
        assert process.returncode == 0, err
        return out

    def interrupted(self, proxy: FaultProxy, *args: str) -> None:
        """Start an upload, Ctrl-C it once two segments are journaled."""
        process = self.start(
            *args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_for(lambda: journal_segments() == 2, "2 segments in the journal")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        self.printed += [out, err]
        assert process.returncode == 130, err

    def with_terminal(self, answer: str, *args: str) -> str:
        """Run on a pseudo-terminal, typing ``answer`` at the password prompt."""
        controller, terminal = pty.openpty()
        env = {key: value for key, value in self.env.items() if key != "OS_PASSWORD"}
        process = subprocess.Popen(
            launcher_command(self.tmp_path, *args),
            env=env,
            cwd=self.cwd,
            umask=0o022,
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            start_new_session=True,
        )
        os.close(terminal)
        screen = b""
        typed = False
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if not typed and b"assword" in screen:
                os.write(controller, answer.encode() + b"\n")
                typed = True
        os.close(controller)
        assert process.wait(timeout=60) == 0, screen
        assert typed
        text = screen.decode(errors="replace")
        self.printed.append(text)
        return text


def every_file(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and not path.is_symlink()]


# Written by openstacksdk's plugin loader (stevedore) with its own modes, not by swiftui.
FOREIGN = ("xdg_cache_home", "xdg_cache_home/python-entrypoints")


def private_modes(root: Path) -> list[str]:
    """Files and directories under ``root`` that someone other than the owner could read
    (``root`` itself and stevedore's cache excepted: another library made them)."""
    foreign = {root / name for name in FOREIGN}
    loose = []
    for path in root.rglob("*"):
        if path in foreign or path.parent in foreign:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        if mode & 0o077 or (path.is_dir() and mode != expected):
            loose.append(f"{path} {oct(mode)}")
    return loose


def test_no_password_or_token_in_any_file_swiftui_wrote_or_printed(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    isolated_dirs: Path,
    container_name: str,
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    openrc = ("--openrc", str(sandbox.openrc_path))
    data = tmp_path / "data"
    data.mkdir()
    monthly, nightly, small = data / "monthly.tar", data / "nightly.tar", data / "notes.txt"
    write_random(monthly, 3 * MIB)
    write_random(nightly, 5 * MIB)
    write_random(small, 1000)
    # An orphan for `orphans` to find: a segment no manifest references.
    checker.put_container(f"{container_name}_segments")
    checker.put_object(
        f"{container_name}_segments", "ghost.tar/slo/1.000000/200/100/00000000", b"x" * 100
    )

    with FaultProxy(sandbox.proxy_url("GRA"), keep_tokens=True) as proxy:
        env = cli_env(
            sandbox,
            HOME=str(home),
            SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")),
        )
        runs = Runs(env, tmp_path)
        segmented = ("--segment-size", "1MiB")
        runs.ok("regions", *openrc)
        runs.ok("upload", *openrc, container_name, str(monthly), *segmented)
        runs.ok("upload", container_name, str(small), "--json")

        held = Fault(match=segment_put(min_index=2), action="hold", times=100)
        proxy.add(held)
        runs.interrupted(proxy, "upload", *openrc, container_name, str(nightly), *segmented)
        # While an upload waits for its resume, its journal is on disk: owner-only.
        [journal] = paths.journal_dir().glob("*.json")
        assert private_modes(isolated_dirs) == []
        while_waiting = {path: path.read_bytes() for path in every_file(isolated_dirs)}
        assert journal in while_waiting and journal.with_suffix(".lock") not in while_waiting
        held.times = 0
        proxy.release()
        runs.ok("upload", *openrc, container_name, str(nightly), *segmented)
        assert not journal.exists()

        runs.ok("rm", *openrc, container_name, "monthly.tar", "--yes")
        runs.ok("prune", container_name, "--keep-last", "1", "--yes")
        runs.ok("orphans", container_name, "--delete", "--yes", "--min-age", "0")
        screen = runs.with_terminal(sandbox.password, "regions", *openrc)
        assert "GRA" in screen

    tokens = set(proxy.tokens)
    assert len(tokens) >= 7  # each of the 7 runs that reached Swift logged in on its own
    tokens.add(checker.get_auth()[1])
    secrets = [sandbox.password.encode(), *(token.encode() for token in tokens)]
    written = every_file(isolated_dirs) + every_file(home) + every_file(runs.cwd)
    contents = {**while_waiting, **{path: path.read_bytes() for path in written}}
    for path, content in contents.items():
        leaked = [secret[:6] for secret in secrets if secret in content]
        assert not leaked, f"{path} holds a secret starting {leaked}"
    for text in runs.printed:
        assert not any(secret.decode() in text for secret in secrets), text
    assert private_modes(isolated_dirs) == []
    assert private_modes(home) == []


def test_tls_is_verified_for_swift_too(cloud: Cloud, tmp_path: Path) -> None:
    """The object-store endpoint gets the same verification as Keystone: an untrusted
    certificate is refused, nothing is sent."""
    server, port = _self_signed_server(tmp_path)
    try:
        service = cloud.service("GRA", endpoint_override=f"https://127.0.0.1:{port}/v1/AUTH_x")
        started = time.monotonic()
        with pytest.raises(SwiftError, match="CERTIFICATE_VERIFY_FAILED"):
            service.info()
    finally:
        server.shutdown()
    assert time.monotonic() - started < 15
