"""A small HTTP proxy on 127.0.0.1 that sits in front of a real Swift proxy and misbehaves
on purpose: answers 503 or 429 instead of forwarding, resets the connection in the middle
of a request body, or holds a request until told to let go. It can also go down as a
killed server does (open connections dropped, new ones refused) and come back on the
same port, and sit in front of Keystone as well as Swift.

Everything else is forwarded to the real server unchanged, request body streamed, so what
the client ends up with is what the real Swift stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

BLOCK = 1 << 20
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it, and what it did with it."""

    method: str
    path: str
    """Unquoted path, without the query."""
    query: str
    headers: dict[str, str]
    token: str
    """Short digest of X-Auth-Token (to count tokens without keeping them)."""
    outcome: str
    """``forwarded <status>``, ``answered <status>``, ``reset``, ``held``."""


@dataclass
class Fault:
    """What to do instead of forwarding, for requests ``match`` accepts, ``times`` times."""

    match: Callable[[str, str, dict[str, str]], bool]
    """(method, unquoted path, lower-cased headers) -> applies?"""
    action: str
    """``status``: answer ``status`` with ``headers``; ``reset``: forward ``after_bytes`` of
    the body then reset both connections; ``hold``: keep the request until released;
    ``delay``: wait ``delay_s`` then forward (a slow network); ``corrupt``: forward, then
    flip one byte in the middle of the reply's body (bytes damaged in transit);
    ``truncate``: forward, send the reply's headers and half its body, then close the
    connection (the network lost in the middle of a download)."""
    times: int = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    after_bytes: int = 0
    delay_s: float = 0.0


class FaultProxy:
    """``with FaultProxy(upstream) as proxy:``; ``proxy.url`` replaces the upstream's."""

    def __init__(self, upstream: str, *, keep_tokens: bool = False) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.seen: list[Seen] = []
        self.keep_tokens = keep_tokens
        self.tokens: set[str] = set()
        """Every X-Auth-Token seen, in full, when ``keep_tokens`` (to search for leaks)."""
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self.released = threading.Event()
        first = self._serve(0)
        self._server: _Server | None = first
        self._thread = threading.Thread(target=first.serve_forever, daemon=True)
        self.port: int = first.server_address[1]

    def _serve(self, port: int) -> _Server:
        server = _Server(("127.0.0.1", port), _Handler)
        server.proxy = self
        return server

    def url_for(self, upstream_url: str) -> str:
        """``upstream_url`` (a storage URL of the upstream) as seen through this proxy."""
        path = urlsplit(upstream_url).path
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def release(self) -> None:
        """Let held requests go (they are then reset)."""
        self.released.set()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def is_down(self) -> bool:
        return self._server is None

    def go_down(self) -> None:
        """Behave like a killed server: drop every open connection, refuse new ones."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def come_back(self) -> None:
        """Listen again on the same port, as a restarted server does."""
        if self._server is None:
            server = self._serve(self.port)
            self._server = server
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def down_for(self, seconds: float) -> threading.Thread:
        """Go down now and come back after ``seconds``, without blocking the caller."""
        self.go_down()
        timer = threading.Timer(seconds, self.come_back)
        timer.daemon = True
        timer.start()
        return timer

    def _take_fault(self, method: str, path: str, headers: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.match(method, path, headers):
                    fault.times -= 1
                    return fault
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def outcomes(self, method: str | None = None) -> list[str]:
        with self._lock:
            return [s.outcome for s in self.seen if method in (None, s.method)]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: FaultProxy


class _Reset(Exception):
    """The connection was reset on purpose: stop serving it."""


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        proxy = self.server.proxy
        with proxy._lock:
            proxy._connections.add(self.connection)

    def finish(self) -> None:
        proxy = self.server.proxy
        with proxy._lock:
            proxy._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        with contextlib.suppress(_Reset, ConnectionError, TimeoutError, OSError):
            while self._one_request():
                pass

    def _one_request(self) -> bool:
        request_line = self.rfile.readline(65537)
        if not request_line.strip():
            return False
        method, target, _version = request_line.decode("latin-1").split(" ", 2)
        message = http.client.parse_headers(self.rfile)
        headers = {key: value for key, value in message.items()}
        lower = {key.lower(): value for key, value in headers.items()}
        length = int(lower.get("content-length", "0"))
        parts = urlsplit(target)
        path = unquote(parts.path)
        token = lower.get("x-auth-token", "")
        digest = hashlib.sha256(token.encode()).hexdigest()[:8] if token else ""
        proxy = self.server.proxy
        if token and proxy.keep_tokens:
            with proxy._lock:
                proxy.tokens.add(token)
        fault = proxy._take_fault(method, path, lower)

        def record(outcome: str) -> None:
            proxy._record(Seen(method, path, parts.query, headers, digest, outcome))

        if fault is not None and fault.action == "status":
            self._discard(length)
            record(f"answered {fault.status}")
            body = b'{"error": "injected by the fault proxy"}'
            self._respond(fault.status, "Injected", {**fault.headers}, body, method)
            return lower.get("connection", "").lower() != "close"
        if fault is not None and fault.action == "hold":
            record("held")
            proxy.released.wait()
            self._reset()
        if fault is not None and fault.action == "delay":
            time.sleep(fault.delay_s)
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=600)
        try:
            upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for key, value in headers.items():
                if key.lower() not in HOP_BY_HOP:
                    upstream.putheader(key, value)
            upstream.endheaders()
            remaining = length
            sent = 0
            resetting = fault is not None and fault.action == "reset"
            while remaining:
                want = min(BLOCK, remaining)
                if resetting:
                    if sent >= fault.after_bytes:
                        record("reset")
                        upstream.close()
                        self._reset()
                    want = min(want, fault.after_bytes - sent)
                block = self.rfile.read(want)
                if not block:
                    return False
                try:
                    upstream.send(block)
                except OSError:
                    # Swift answered early (a 401 does) and closed: read the client's
                    # rest, then pass the answer on, as Swift's own proxy would.
                    self._discard(remaining - len(block))
                    break
                sent += len(block)
                remaining -= len(block)
            response = upstream.getresponse()
            body = response.read()
            if fault is not None and fault.action == "corrupt" and body:
                middle = len(body) // 2
                body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
            reply_headers = {
                key: value
                for key, value in response.getheaders()
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length"
            }
            if method == "HEAD" and response.getheader("Content-Length"):
                reply_headers["Content-Length"] = response.getheader("Content-Length", "0")
            if fault is not None and fault.action == "truncate" and body:
                record(f"truncated {response.status}")
                half = body[: len(body) // 2]
                self._respond(
                    response.status, response.reason, reply_headers, half, method, len(body)
                )
                # A FIN, not a reset: a reset would discard what the client has not read.
                self.connection.shutdown(socket.SHUT_RDWR)
                raise _Reset
            corrupted = fault is not None and fault.action == "corrupt"
            record(f"{'corrupted' if corrupted else 'forwarded'} {response.status}")
            self._respond(response.status, response.reason, reply_headers, body, method)
        finally:
            upstream.close()
        return lower.get("connection", "").lower() != "close"

    def _discard(self, length: int) -> None:
        while length:
            block = self.rfile.read(min(BLOCK, length))
            if not block:
                raise _Reset
            length -= len(block)

    def _respond(
        self,
        status: int,
        reason: str,
        headers: dict[str, str],
        body: bytes,
        method: str,
        announced: int | None = None,
    ) -> None:
        """Send a reply; ``announced`` is the Content-Length to claim (default: the body's)."""
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        if method != "HEAD" and status not in (204, 304):
            lines.append(f"Content-Length: {len(body) if announced is None else announced}")
        elif "Content-Length" not in headers and status not in (204, 304):
            lines.append("Content-Length: 0")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (body if method != "HEAD" else b""))
        self.wfile.flush()

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0), as a dropped network path looks to the client."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise _Reset
