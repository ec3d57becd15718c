"""A stream cut into spooled segments as it is read, and those segments sent.

:class:`StreamReader` reads the stream in order, once, into :mod:`~swiftui.upload.spool`
segments, computing each segment's md5 and the whole stream's SHA-256 on the way; it reads
one block ahead, so it knows a segment is the last before handing it over (a stream that
fits in one segment becomes a plain object). :class:`StreamSender` sends a spooled
segment on a worker thread with its md5 as ``Etag`` (Swift checks it), again from the
spool if a request fails, and frees the spool once Swift has it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from swiftui.errors import Aborted, UsageError
from swiftui.upload.events import SegmentDone, SegmentStarted
from swiftui.upload.sender import send_body
from swiftui.upload.source import BLOCK_SIZE, SegmentBody

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService
    from swiftui.upload.pool import WorkerPool
    from swiftui.upload.spool import Spool, SpooledSegment


class ReadableStream(Protocol):
    """A byte stream read into a caller's buffer (``sys.stdin.buffer``, a pipe's reader)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


class StreamReadError(UsageError):
    """The stream could not be read."""


@dataclass
class SpooledPiece:
    """One segment of the stream (or the whole stream as one object), waiting in the spool."""

    index: int
    offset: int
    spooled: SpooledSegment
    md5: str
    last: bool
    container: str = ""
    name: str = ""
    headers: dict[str, str] | None = None

    @property
    def length(self) -> int:
        return self.spooled.length


class StreamReader:
    """Reads ``stream`` into spooled segments of ``segment_size`` bytes, in order."""

    def __init__(
        self,
        stream: ReadableStream,
        spool: Spool,
        segment_size: int,
        *,
        source_name: str,
        compute_sha256: bool,
        abort: threading.Event,
    ) -> None:
        self.stream = stream
        self.spool = spool
        self.segment_size = segment_size
        self.source_name = source_name
        self.abort = abort
        self.bytes_read = 0
        self._sha256 = hashlib.sha256() if compute_sha256 else None
        self._buffer = bytearray(BLOCK_SIZE)
        self._pending = memoryview(b"")
        self._ended = False

    @property
    def sha256(self) -> str | None:
        """The whole stream's SHA-256, once it has ended."""
        if self._sha256 is None or not self._ended:
            return None
        return self._sha256.hexdigest()

    def start(self) -> bool:
        """Read the first block (waiting for the writer to start); False if the stream is
        empty."""
        self._pending = self._read_block()
        return bool(self._pending)

    def segments(self) -> Iterator[SpooledPiece]:
        """The stream's segments, each spooled whole before it is handed out."""
        index = 0
        while self._pending:
            spooled = self.spool.take(self.abort)
            md5 = hashlib.md5(usedforsecurity=False)
            offset = self.bytes_read - len(self._pending)
            while spooled.length < self.segment_size and self._pending:
                block = self._pending[: self.segment_size - spooled.length]
                spooled.write(block)
                md5.update(block)
                if self._sha256 is not None:
                    self._sha256.update(block)
                self._pending = self._pending[len(block) :] or self._read_block()
            yield SpooledPiece(index, offset, spooled, md5.hexdigest(), not self._pending)
            index += 1

    def _read_block(self) -> memoryview:
        """The next block (full unless the stream ends); empty at its end."""
        view = memoryview(self._buffer)
        filled = 0
        while filled < len(view):
            if self.abort.is_set():
                raise Aborted
            try:
                got = self.stream.readinto(view[filled:])
            except OSError as error:
                raise StreamReadError(
                    f"{self.source_name}: read error after {self.bytes_read + filled} bytes: "
                    f"{error.strerror or error}"
                ) from None
            if not got:
                self._ended = True
                break
            filled += got
        self.bytes_read += filled
        return view[:filled]


class StreamSender:
    """Sends spooled pieces on the pool's workers; records each one's etag."""

    def __init__(
        self,
        swift: SwiftService,
        pool: WorkerPool[SpooledPiece],
        on_stored: Callable[[SpooledPiece], None],
        limiter: RateLimiter | None = None,
    ) -> None:
        self.swift = swift
        self.limiter = limiter
        """A view whose cancel event is the pool's abort: a failure elsewhere stops us."""
        self.pool = pool
        self.on_stored = on_stored
        """Told (from a worker) of each piece Swift has stored."""
        self.etags: dict[int, str] = {}
        self._lock = threading.Lock()

    def handle(self, piece: SpooledPiece, buffer: bytearray) -> None:
        meter = self.pool.meter
        index, length = piece.index, piece.length
        try:
            self.pool.emit(SegmentStarted(index, length))
            body = SegmentBody(
                lambda: piece.spooled.blocks(buffer),
                length,
                lambda sent: meter.sending(index, sent, length),
                md5=piece.md5,
                limiter=self.limiter,
                abort=self.pool.abort,
            )
            headers = {**(piece.headers or {}), "Etag": piece.md5}
            send_body(self.swift, self.pool, index, piece.container, piece.name, body, headers)
        finally:
            piece.spooled.release()
        if self.pool.closed.is_set():
            raise Aborted
        with self._lock:
            self.etags[index] = piece.md5
        self.on_stored(piece)
        meter.finished(index, length, reused=False)
        self.pool.emit(SegmentDone(index, length, piece.md5, False))
