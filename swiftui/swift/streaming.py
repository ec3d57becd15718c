"""Reading a streamed response body into the caller's buffer, with the network's failures
named.

:meth:`~swiftui.swift.client.SwiftService.request` retries until the status line and
headers are good; the body of a large object comes after, for minutes. A connection that
breaks there, or a body that ends before its ``Content-Length``, is
:class:`BodyInterrupted`: the blocks already yielded are good, and the caller can ask for
the rest with a ``Range``. Only reading is watched: an error of the caller's own (a full
disk while writing a block) passes through untouched.

The bytes go straight from the socket into one buffer the caller owns and reuses: no
allocation or copy per block (urllib3's own ``read`` allocates and copies every block,
which costs as much CPU as the md5 a download computes). urllib3 keeps the standard
library's response as ``_fp``; were it gone, its ``read`` is used instead.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator

import requests
import urllib3

from swiftui.errors import Aborted, SwiftError

_NETWORK_ERRORS = (
    OSError,
    http.client.HTTPException,
    urllib3.exceptions.HTTPError,
    requests.RequestException,
)


class BodyInterrupted(SwiftError):
    """The connection failed while a body was read; what was read before is good."""


def read_blocks(
    response: requests.Response,
    what: str,
    buffer: bytearray,
    cancel: threading.Event | None = None,
) -> Iterator[memoryview]:
    """The body of a response sent with ``stream=True``, in blocks read into ``buffer``;
    each block is valid until the next is asked for. Closes the response when done or
    abandoned."""
    read_into = _reader(response)
    view = memoryview(buffer)
    length = response.headers.get("Content-Length")
    expected = int(length) if length is not None and length.isdigit() else None
    received = 0
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Aborted
            try:
                size = read_into(view)
            except _NETWORK_ERRORS as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise BodyInterrupted(
                    f"{what}: the connection broke while reading: {reason or type(error).__name__}"
                ) from None
            if not size:
                if expected is not None and received < expected:
                    raise BodyInterrupted(
                        f"{what}: the connection closed after {received} of {expected} bytes"
                    )
                return
            received += size
            yield view[:size]
    finally:
        response.close()


def _reader(response: requests.Response) -> Callable[[memoryview], int]:
    """A ``readinto`` for the body: the standard library's, or urllib3's ``read`` copied."""
    raw = response.raw
    standard = getattr(raw, "_fp", None)
    if isinstance(standard, http.client.HTTPResponse):
        return standard.readinto

    def copied(view: memoryview) -> int:
        block = raw.read(len(view))
        view[: len(block)] = block
        return len(block)

    return copied
