"""The TUI in a real terminal: tmux at 80x24, keys sent with send-keys, the screen read back
with capture-pane. What a sysadmin over SSH would do: open a container, upload, quit."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
import swiftclient
from support.tmux_support import Terminal, swiftui_env

from swiftui.sandbox import Sandbox

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def terminal_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return swiftui_env(sandbox.password, tmp_path / "xdg")


def test_upload_from_the_tui_in_a_real_80x24_terminal(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    terminal_env: dict[str, str],
    tmp_path: Path,
) -> None:
    container = f"0tmux-{uuid.uuid4().hex[:6]}"  # sorts first: the highlighted row at start
    checker.put_container(container)
    backup = tmp_path / "backup-2026-11.tar"
    backup.write_bytes(os.urandom(65 * 1024 * 1024))  # planned as 2 segments of 64 MiB
    terminal = Terminal(
        [sys.executable, "-m", "swiftui", "--openrc", str(sandbox.openrc_path)],
        cwd=tmp_path,
        width=80,
        height=24,
        env=terminal_env,
    )
    try:
        screen = terminal.wait_for(container)
        assert "GRA" in screen and "SBG" in screen
        terminal.keys("Enter")
        terminal.wait_for(f"GRA › {container}")
        terminal.keys("u")
        terminal.wait_for("Upload to GRA")
        terminal.wait_for(backup.name)  # the tree shows the working directory
        # The tree has the focus: its root, then "xdg" (folders first), then the file.
        terminal.keys("Down", "Down", "Enter")
        screen = terminal.wait_for("2 segments")
        assert f"Container     {container}" in screen
        terminal.keys("C-s")
        # Done: the live view opens the object's details and verifies it there.
        screen = terminal.wait_for("segments present with the right size", timeout=120)
        assert "SLO: 2 segments" in screen
        terminal.keys("q")
        terminal.wait_for("EXITED 0")
    finally:
        terminal.close()

    headers = checker.head_object(container, backup.name)
    assert headers["x-static-large-object"] == "True"
    assert int(headers["content-length"]) == backup.stat().st_size
    _, body = checker.get_object(container, backup.name)
    assert hashlib.md5(body).hexdigest() == hashlib.md5(backup.read_bytes()).hexdigest()
    _, segments = checker.get_container(f"{container}_segments")
    assert len(segments) == 2
