"""Reading a streamed response body in blocks, with the network's failures named.

:meth:`~swiftui.swift.client.SwiftService.request` retries until the status line and
headers are good; the body of a large object comes after, for minutes. A connection that
breaks there is :class:`BodyInterrupted`: the blocks already yielded are good, and the
caller can ask for the rest with a ``Range``. Only reading is watched: an error of the
caller's own (a full disk while writing a block) passes through untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import requests
import urllib3

from swiftui.errors import Aborted, SwiftError


class BodyInterrupted(SwiftError):
    """The connection failed while a body was read; what was read before is good."""


def read_blocks(
    response: requests.Response,
    what: str,
    block_size: int,
    cancel: threading.Event | None = None,
) -> Iterator[bytes]:
    """The body of a response sent with ``stream=True``, in blocks of up to
    ``block_size``; closes the response when done or abandoned. A body shorter than its
    ``Content-Length`` is :class:`BodyInterrupted` too."""
    raw = response.raw
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Aborted
            try:
                block = raw.read(block_size)
            except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise BodyInterrupted(
                    f"{what}: the connection broke while reading: {reason or type(error).__name__}"
                ) from None
            if not block:
                return
            yield block
    finally:
        response.close()
