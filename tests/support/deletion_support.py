"""Test data for the deletion, retention and orphan tests, made with python-swiftclient.

Segments are named like the ``swift`` CLI names them
(``<object>/slo/<mtime>/<size>/<segment size>/<index>``), so the orphan grouping sees
what it sees in real containers.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import swiftclient

SEGMENT_TYPE = "application/swiftclient-segment"


def segment_prefix(name: str, mtime: float, size: int, segment_size: int) -> str:
    return f"{name}/slo/{mtime:f}/{size}/{segment_size}/"


def put_segments(
    conn: swiftclient.Connection,
    container: str,
    prefix: str,
    data: bytes,
    segment_size: int,
) -> list[dict[str, object]]:
    """Upload ``data`` as segments under ``prefix``; return the SLO manifest entries."""
    conn.put_container(container)
    entries = []
    for index, offset in enumerate(range(0, len(data), segment_size)):
        chunk = data[offset : offset + segment_size]
        name = f"{prefix}{index:08d}"
        conn.put_object(container, name, chunk, content_type=SEGMENT_TYPE)
        entries.append(
            {
                "path": f"/{container}/{name}",
                "etag": hashlib.md5(chunk).hexdigest(),
                "size_bytes": len(chunk),
            }
        )
    return entries


def make_slo(
    conn: swiftclient.Connection,
    container: str,
    name: str,
    data: bytes,
    *,
    segment_size: int = 1024,
    mtime: float = 1_700_000_000.0,
    extra_entries: list[dict[str, object]] | None = None,
    headers: dict[str, str] | None = None,
) -> list[dict[str, object]]:
    """An SLO ``container/name`` of ``data`` with segments in ``<container>_segments``.

    ``extra_entries`` are appended to the manifest (segments of another archive, to share
    them). Returns the manifest entries.
    """
    conn.put_container(container)
    prefix = segment_prefix(name, mtime, len(data), segment_size)
    entries = put_segments(conn, f"{container}_segments", prefix, data, segment_size)
    entries += extra_entries or []
    conn.put_object(
        container,
        name,
        json.dumps(entries),
        query_string="multipart-manifest=put",
        headers={"X-Object-Meta-Mtime": f"{mtime:f}", **(headers or {})},
    )
    return entries


def make_dlo(
    conn: swiftclient.Connection, container: str, name: str, data: bytes, segment_size: int
) -> str:
    """A DLO ``container/name`` whose segments are under a prefix of ``<container>_segments``."""
    conn.put_container(container)
    prefix = f"{name}/1700000000.000000/{len(data)}/{segment_size}/"
    put_segments(conn, f"{container}_segments", prefix, data, segment_size)
    conn.put_object(
        container, name, b"", headers={"X-Object-Manifest": f"{container}_segments/{prefix}"}
    )
    return prefix


def names(conn: swiftclient.Connection, container: str) -> list[str]:
    """Object names the server holds in ``container`` (empty if it does not exist)."""
    try:
        _headers, listing = conn.get_container(container, full_listing=True)
    except swiftclient.ClientException as error:
        if error.http_status == 404:
            return []
        raise
    return [entry["name"] for entry in listing]


def md5_of(conn: swiftclient.Connection, container: str, name: str) -> str:
    """md5 of the object as a client downloads it (an SLO is joined by the server)."""
    _headers, body = conn.get_object(container, name)
    return hashlib.md5(body).hexdigest()


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def expire_in_two_hours(conn: swiftclient.Connection, container: str, names: list[str]) -> int:
    """Set ``X-Delete-At`` two hours ahead on objects (as an upload with an expiry sets it
    on segments, later than on the manifest); return it."""
    delete_at = int(time.time()) + 7200
    for name in names:
        conn.post_object(container, name, headers={"X-Delete-At": str(delete_at)})
    return delete_at


def wait_until_gone(conn: swiftclient.Connection, container: str, name: str) -> None:
    """Poll HEAD until the object answers 404 (it expired); fail after 20 s."""
    deadline = time.monotonic() + 20.0
    while True:
        try:
            conn.head_object(container, name)
        except swiftclient.ClientException as error:
            if error.http_status == 404:
                return
            raise
        assert time.monotonic() < deadline, f"{container}/{name} is still there after 20 s"
        time.sleep(0.2)


@contextmanager
def faulty_proxy(upstream: str, fail: Callable[[str, str], int | None]) -> Iterator[str]:
    """An HTTP proxy in front of a real Swift proxy; ``fail(method, path)`` may answer a status.

    Yields the proxy's base URL. Everything else is forwarded untouched.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status = fail(self.command, self.path)
            if status is not None:
                payload = b"injected failure"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            headers = {
                key: value
                for key, value in self.headers.items()
                if key.lower() not in ("host", "content-length", "connection")
            }
            response = requests.request(
                self.command,
                upstream + self.path,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=60,
            )
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            # A HEAD answers the object's length without a body.
            content = b"" if self.command == "HEAD" else response.content
            length = response.headers.get("Content-Length", "0")
            self.send_header(
                "Content-Length", length if self.command == "HEAD" else str(len(content))
            )
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
