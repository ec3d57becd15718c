"""One piece of the file to Swift, on a worker thread: a segment or the whole plain object.

A piece whose name and size are already in Swift is md5-checked against the local bytes
and reused when they match; otherwise it is streamed from the file, its md5 computed on
the way and checked against the Etag Swift returns. Every finished segment is journaled
before it counts as done.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from swiftui.errors import Aborted, SwiftError
from swiftui.swift import DATA_TIMEOUT, RetryNotice, object_path
from swiftui.upload.events import SegmentDone, SegmentRetrying, SegmentStarted
from swiftui.upload.plan import SegmentSpec
from swiftui.upload.source import SegmentBody

if TYPE_CHECKING:
    import requests

    from swiftui.swift import RateLimiter, SwiftService
    from swiftui.upload.hashing import ReadFrontier
    from swiftui.upload.journal import Journal
    from swiftui.upload.pool import WorkerPool
    from swiftui.upload.source import SourceFile

ObjectKey = tuple[str, str]


@dataclass(frozen=True)
class Piece:
    """One request's worth of the file: a segment, or the whole plain object."""

    spec: SegmentSpec
    container: str
    name: str
    headers: dict[str, str]
    remote_etag: str | None = None
    """Set when an object of this name and size is in Swift: check it before sending."""
    only_expiry: bool = False
    """Already in Swift and trusted (journal): only its expiry must be set."""

    @property
    def index(self) -> int:
        return self.spec.index


class PieceSender:
    """Sends the pieces of one upload; :meth:`handle` runs on the pool's workers."""

    def __init__(
        self,
        swift: SwiftService,
        source: SourceFile,
        pool: WorkerPool[Piece],
        *,
        journal: Journal | None,
        old_manifest: frozenset[ObjectKey],
        expiry_headers: dict[str, str],
        post_expiry_on_reused: bool,
        frontier: ReadFrontier | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.swift = swift
        """A view whose cancel event is the pool's abort: a failure elsewhere stops us."""
        self.source = source
        self.pool = pool
        self.journal = journal
        self.old_manifest = old_manifest
        self.expiry_headers = expiry_headers
        """What the segments' expiry POST sends (set or remove ``X-Delete-At``)."""
        self.post_expiry_on_reused = post_expiry_on_reused
        self.frontier = frontier
        """Told how far each segment has been read, for the ordered SHA-256 reader."""
        self.limiter = limiter
        self.etags: dict[int, str] = {}
        self._etags_lock = threading.Lock()

    def handle(self, piece: Piece, buffer: bytearray) -> None:
        spec = piece.spec
        if piece.only_expiry:
            self._post_expiry(piece)
            return
        if piece.remote_etag is not None:
            local = self.source.md5_of(spec.offset, spec.length, buffer, self.pool.abort)
            if self.frontier is not None:
                self.frontier.complete(spec.index)
            if local == piece.remote_etag:
                if self.post_expiry_on_reused:
                    self._post_expiry(piece)
                self._record(spec, local, reused=True)
                return
            if (piece.container, piece.name) in self.old_manifest:
                raise SwiftError(
                    f"segment {piece.container}/{piece.name} belongs to the object being "
                    "replaced and differs from the local file's bytes of the same size and "
                    "modification time; touch the file or choose another object name"
                )
        etag = self._put(piece, buffer)
        self._record(spec, etag, reused=False)

    def segment_done(self, spec: SegmentSpec, etag: str, *, reused: bool) -> None:
        """Count a finished segment (from a worker, or the caller for trusted ones)."""
        with self._etags_lock:
            self.etags[spec.index] = etag
        self.pool.meter.finished(spec.index, spec.length, reused=reused)
        self.pool.emit(SegmentDone(spec.index, spec.length, etag, reused))

    def _put(self, piece: Piece, buffer: bytearray) -> str:
        spec = piece.spec
        meter = self.pool.meter
        frontier = self.frontier
        self.pool.emit(SegmentStarted(spec.index, spec.length))

        def progress(sent: int) -> None:
            meter.sending(spec.index, sent, spec.length)
            if frontier is not None:
                frontier.reached(spec.index, sent)

        body = SegmentBody(
            lambda: self.source.blocks(spec.offset, spec.length, buffer, self.pool.abort),
            spec.length,
            progress,
            limiter=self.limiter,
            abort=self.pool.abort,
        )
        try:
            send_body(
                self.swift, self.pool, spec.index, piece.container, piece.name, body, piece.headers
            )
        except SwiftError:
            self.source.check_unchanged()
            raise
        self.source.check_unchanged()
        return body.md5

    def _post_expiry(self, piece: Piece) -> None:
        self.swift.request(
            "POST",
            object_path(piece.container, piece.name),
            what=f"expiry of {piece.container}/{piece.name}",
            headers=self.expiry_headers,
        )

    def _record(self, spec: SegmentSpec, etag: str, *, reused: bool) -> None:
        """Journal a finished segment, unless the pool has already given up on us."""
        if self.pool.closed.is_set():
            raise Aborted
        if self.journal is not None:
            self.journal.record_segment(spec.index, etag, spec.length)
        self.segment_done(spec, etag, reused=reused)


def send_body(
    swift: SwiftService,
    pool: WorkerPool[Any],
    index: int,
    container: str,
    name: str,
    body: SegmentBody,
    headers: dict[str, str],
) -> None:
    """PUT one segment (or a plain object) until Swift stores exactly the md5 sent; each
    retry is reported as a :class:`SegmentRetrying` of ``index``."""
    meter = pool.meter

    def check(response: requests.Response) -> str | None:
        returned = response.headers.get("Etag", "").strip('"')
        if returned == body.md5:
            return None
        return f"checksum mismatch: sent md5 {body.md5}, Swift stored {returned or '?'}"

    def report(notice: RetryNotice) -> None:
        meter.sending(index, 0, len(body))
        pool.emit(SegmentRetrying(index, notice.attempt, notice.reason, notice.delay_s))

    swift.request(
        "PUT",
        object_path(container, name),
        what=f"{container}/{name}",
        ok=(201,),
        check=check,
        data=body if len(body) else b"",
        headers=headers,
        timeout=DATA_TIMEOUT,
        on_retry=report,
    )
