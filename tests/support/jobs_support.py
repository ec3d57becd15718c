"""Helpers for the job tests: a jobs file, a secrets file, and the two servers a job
notifies, started by the test on 127.0.0.1: a webhook receiver (healthchecks.io style)
and an SMTP sink (aiosmtpd), both recording what reached them.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from swiftui.sandbox import Sandbox


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def write_secrets(path: Path, password: str, *, mode: int = 0o600) -> Path:
    path.write_text(f'OS_PASSWORD = "{password}"\n')
    os.chmod(path, mode)
    return path


def write_job(
    tmp_path: Path,
    sandbox: Sandbox,
    name: str,
    container: str,
    source: str,
    *,
    extra: str = "",
    password: str | None = None,
    secrets_mode: int = 0o600,
) -> Path:
    """``tmp_path/jobs.toml`` with one job on the sandbox (its openrc, region GRA) that logs
    in with ``tmp_path/secrets.toml``; ``source`` holds the [source] table's lines."""
    secrets = write_secrets(
        tmp_path / "secrets.toml",
        sandbox.password if password is None else password,
        mode=secrets_mode,
    )
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(
        f"# a job for the tests\n[jobs.{name}]\n"
        f'openrc = "{sandbox.openrc_path}"\n'
        f'secrets = "{secrets}"\n'
        'region = "GRA"\n'
        f'container = "{container}"\n\n'
        f"[jobs.{name}.source]\n{source}\n\n{extra}"
    )
    return jobs


@dataclass(frozen=True)
class Ping:
    path: str
    body: str


class WebhookReceiver:
    """Records every POST; answers 200, or ``status_for[path]`` when set."""

    def __init__(self) -> None:
        self.pings: list[Ping] = []
        self.status_for: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode("utf-8")
                receiver.pings.append(Ping(self.path, body))
                self.send_response(receiver.status_for.get(self.path, 200))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/abc"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def paths(self) -> list[str]:
        return [ping.path for ping in self.pings]


class _Collect:
    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[Message]]]:
    """An SMTP server on 127.0.0.1: ``(port, messages received)``."""
    messages: list[Message] = []
    controller = Controller(_Collect(messages), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, messages
    finally:
        controller.stop()
