"""One part from Swift, on a worker thread: streamed, checked, and given to a sink.

The GET's ``Etag`` must be the one the manifest (or listing) gives the segment: another
value means the server holds other bytes, and no amount of retrying changes that. The body
goes block by block to the sink (a write at the part's offset, or standard output) and
into an md5 that must equal that Etag at the end; a part that fails this check is fetched
again once, then the download fails. A connection that breaks mid-body resumes with a
``Range`` from the byte where it stopped (the md5 carries on), with the upload's retry
policy. A 429 on Cloud Archive means the segment was sealed again (its readable window
closed): its unsealing is asked for again and the part waits for it, then carries on.
Under a bandwidth cap (the upload's :class:`~swiftui.swift.RateLimiter`, shared by every
thread) a block is read only once the cap lets its bytes in: reading slower is what slows
the server, through TCP's window.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from swiftui.errors import Aborted, IntegrityError, SwiftError
from swiftui.swift import (
    DATA_TIMEOUT,
    BodyInterrupted,
    RateLimiter,
    RetryNotice,
    RetryPolicy,
    object_path,
    read_blocks,
    retry_after_seconds,
)
from swiftui.swift.ratelimit import MIN_SLICE, SLICE_S
from swiftui.units import format_eta
from swiftui.upload.events import SegmentRetrying, SegmentStarted, UploadEvent

if TYPE_CHECKING:
    import requests

    from swiftui.download.layout import Part
    from swiftui.swift import SwiftService
    from swiftui.upload.pool import Meter

SEALED_ROUNDS = 6
"""How many times a part may find its segment sealed again before the download gives up."""
UNKNOWN_DELAY_S = 60.0

Sink = Callable[[memoryview, int], None]
"""Takes a block and its position within the part."""


class PartFetcher:
    """Fetches parts for one download; :meth:`fetch` runs on any thread."""

    def __init__(
        self,
        swift: SwiftService,
        policy: RetryPolicy,
        emit: Callable[[UploadEvent], None],
        meter: Meter,
        abort: threading.Event,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.swift = swift
        """A view whose cancel event is ``abort``: a failure elsewhere stops us."""
        self.policy = policy
        self.emit = emit
        self.meter = meter
        self.abort = abort
        self.limiter = limiter

    def fetch(self, part: Part, sink: Sink, buffer: bytearray, *, refetch: bool) -> str:
        """Stream ``part`` into ``sink`` through ``buffer``; return the md5 of its bytes
        (empty for a range of a segment, which no manifest md5 covers). ``refetch``: a part
        whose md5 is wrong is fetched once more before giving up (not for standard output)."""
        self.emit(SegmentStarted(part.index, part.length))
        first = self._stream(part, sink, buffer)
        if not part.whole:
            return ""
        if first == part.etag:
            return first
        problem = (
            f"{part.label}: the bytes received have md5 {first}, the manifest says {part.etag}"
        )
        if not refetch:
            raise IntegrityError(problem)
        self.emit(SegmentRetrying(part.index, 2, f"{problem}: fetching it again", 0.0))
        second = self._stream(part, sink, buffer)
        if second != part.etag:
            raise IntegrityError(f"{problem}, and again {second} when fetched a second time")
        return second

    def _stream(self, part: Part, sink: Sink, buffer: bytearray) -> str:
        digest = hashlib.md5(usedforsecurity=False)
        received = 0
        failures = 0
        self.meter.sending(part.index, 0, part.length)
        while True:
            response = self._open(part, received)
            self._check_response(part, response, received)
            reading = self._reading_buffer(buffer)
            try:
                for block in read_blocks(response, part.label, reading, self.abort):
                    sink(block, received)
                    digest.update(block)
                    received += len(block)
                    self.meter.sending(part.index, received, part.length)
                    if self.limiter is not None:
                        self.limiter.take(len(block), self.abort)
            except BodyInterrupted as error:
                failures += 1
                if failures >= self.policy.attempts:
                    raise SwiftError(f"{error} ({failures} times)") from None
                delay = self.policy.backoff(failures)
                reason = f"{error}; resuming at byte {received}"
                self.emit(SegmentRetrying(part.index, failures + 1, reason, delay))
                self._pause(delay)
                continue
            if received != part.length:
                raise SwiftError(f"{part.label}: {received} bytes received, {part.length} expected")
            return digest.hexdigest()

    def _reading_buffer(self, buffer: bytearray) -> bytearray:
        """Under a cap, reads of a slice's worth (as the upload sends): the rate holds
        within a block, and the server never waits long for the next read."""
        rate = self.limiter.rate if self.limiter is not None else None
        if rate is None:
            return buffer
        size = max(MIN_SLICE, int(rate * SLICE_S))
        return buffer if size >= len(buffer) else bytearray(size)

    def _open(self, part: Part, received: int) -> requests.Response:
        """The GET of the part's bytes from ``received`` on, once its segment is readable."""
        headers = {}
        if received or not part.whole:
            first = part.start + received
            headers["Range"] = f"bytes={first}-{part.start + part.length - 1}"
        sealed_rounds = 0
        limited = 0

        def report(notice: RetryNotice) -> None:
            self.emit(SegmentRetrying(part.index, notice.attempt, notice.reason, notice.delay_s))

        while True:
            response = self.swift.request(
                "GET",
                object_path(part.container, part.name),
                what=part.label,
                ok=(200, 206, 429),
                headers=headers,
                stream=True,
                timeout=DATA_TIMEOUT,
                on_retry=report,
            )
            if response.status_code != 429:
                return response
            retry_after = retry_after_seconds(response)
            response.close()
            retrieval = self.swift.request_unseal(part.container, part.name)
            if retrieval.readable:
                # Not sealed: an ordinary rate limit; wait as asked, a bounded number of times.
                limited += 1
                if limited >= self.policy.attempts:
                    raise SwiftError(f"{part.label}: GET answered 429 {limited} times")
                delay = min(
                    retry_after or self.policy.backoff(limited), self.policy.max_retry_after_s
                )
                self.emit(SegmentRetrying(part.index, limited + 1, "429 Too Many Requests", delay))
                self._pause(delay)
            else:
                sealed_rounds += 1
                if sealed_rounds > SEALED_ROUNDS:
                    raise SwiftError(
                        f"{part.label}: sealed again {sealed_rounds} times; run the same "
                        "command again later"
                    )
                delay = retrieval.delay_s or retry_after or UNKNOWN_DELAY_S
                reason = (
                    "sealed again by Cloud Archive (its readable window closed): unsealing "
                    f"asked for, ready in {format_eta(delay)}"
                )
                self.emit(SegmentRetrying(part.index, sealed_rounds + 1, reason, delay))
                self._pause(delay)

    def _check_response(self, part: Part, response: requests.Response, received: int) -> None:
        """The server must hold the very object the manifest names, and send the range asked."""
        etag = response.headers.get("Etag", "").strip('"')
        if etag != part.etag:
            response.close()
            raise IntegrityError(
                f"{part.label}: Swift holds etag {etag or '?'}, the manifest says {part.etag}: "
                "the segment was replaced or damaged on the server"
            )
        expected = part.length - received
        length = response.headers.get("Content-Length")
        if length is not None and int(length) != expected:
            response.close()
            raise SwiftError(
                f"{part.label}: Swift sent {length} bytes (status {response.status_code}), "
                f"{expected} were asked for"
            )

    def _pause(self, seconds: float) -> None:
        if self.abort.wait(seconds):
            raise Aborted
