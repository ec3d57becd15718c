"""A real terminal for the TUI: tmux with a socket of its own, keys sent with send-keys, the
screen read back with capture-pane (text, or text with its colours)."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from pathlib import Path

WAIT_S = 30.0


def swiftui_env(password: str, xdg: Path) -> dict[str, str]:
    """What the TUI's process gets: the password, a terminal type, its own XDG dirs."""
    return {
        "OS_PASSWORD": password,
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "PATH": os.environ["PATH"],
    }


class Terminal:
    """One tmux session of its own (own socket), running one command."""

    def __init__(
        self, argv: list[str], *, cwd: Path, width: int, height: int, env: dict[str, str]
    ) -> None:
        self.socket = f"swiftui-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
        command = f"cd {shlex.quote(str(cwd))} && env {exports} {shlex.join(argv)}"
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "new-session",
                "-d",
                "-x",
                str(width),
                "-y",
                str(height),
                f"{command}; echo EXITED $?; sleep 60",
            ],
            check=True,
        )

    def screen(self, *, colours: bool = False) -> str:
        """What the terminal shows; with ``colours``, with its SGR escape sequences."""
        return subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", *(["-e"] if colours else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", *keys], check=True)

    def wait_for(self, text: str, timeout: float = WAIT_S) -> str:
        """The screen, once ``text`` is on it; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear on the screen:\n{screen}")
            time.sleep(0.02)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False)
