"""Upload a stream whose size is unknown until it ends: standard input, a command's output.

``tar c /var/www | swiftui upload backups - --object-name www.tar`` needs no room for a
second copy of the backup. What it guarantees:

- segments are read in order into a bounded spool (:mod:`~swiftui.upload.spool`: memory
  up to a cap, then unnamed temporary files) and sent in parallel, each retried from the
  spool, its md5 checked by Swift; the whole stream's SHA-256 is computed as it is read;
- a stream that fits in one segment becomes a plain object; more segments than one
  manifest lists make a nested SLO; more than two levels hold stops with a clear error;
- the object being replaced stays intact until the new manifest is stored;
- a stream cannot be resumed (its bytes are gone): this is said before starting, and a
  failed or cancelled upload deletes the segments it wrote, or says which are left. After
  ``kill -9`` they stay, named as every upload's are, and ``swiftui orphans`` lists them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from swiftui.errors import OperationCancelled, SwiftError, SwiftuiError, UsageError
from swiftui.swift import (
    INTERACTIVE_RETRY,
    MTIME_HEADER,
    SEGMENT_CONTENT_TYPE,
    STREAM_FILE_SIZE,
    segment_name,
    segment_prefix,
)
from swiftui.units import format_bytes, plural
from swiftui.upload.cleanup import delete_unused_segments, replaced_object
from swiftui.upload.engine import report_outcome
from swiftui.upload.events import (
    ManifestWriting,
    Notice,
    PlanReady,
    SegmentQueued,
    UploadCancelled,
    UploadResult,
)
from swiftui.upload.manifest import write_manifest, write_sub_manifests
from swiftui.upload.plan import StreamPlan, plan_stream, sub_manifests_for
from swiftui.upload.pool import EventHandler, Meter, WorkerPool
from swiftui.upload.request import StreamRequest, check_names, check_request
from swiftui.upload.spool import Spool
from swiftui.upload.stream_reader import ReadableStream, SpooledPiece, StreamReader, StreamSender
from swiftui.upload.target import (
    delete_replaced,
    ensure_containers,
    expiry_header,
    segment_expiry,
    sha256_header,
)

if TYPE_CHECKING:
    from swiftui.swift import ObjectKey, SwiftService

# Before removing what a stopped stream wrote, how long its requests in flight may take
# to end (one could store a segment after the listing that finds them).
IN_FLIGHT_WAIT_S = 5.0


def run_stream_upload(
    service: SwiftService,
    request: StreamRequest,
    stream: ReadableStream,
    *,
    on_event: EventHandler,
    cancel: threading.Event,
) -> UploadResult:
    """Upload what ``stream`` holds until it ends (it must offer ``readinto``, as
    ``sys.stdin.buffer`` and a subprocess's ``stdout`` do); events go to ``on_event`` on
    the calling thread. Raises as :func:`~swiftui.upload.run_upload` does; an empty
    stream is a :class:`UsageError`. ``stream`` is read, never closed."""
    return report_outcome(_StreamUpload(service, request, stream, on_event, cancel), on_event)


class _StreamUpload:
    """The steps of one stream upload, on the calling thread."""

    def __init__(
        self,
        service: SwiftService,
        request: StreamRequest,
        stream: ReadableStream,
        on_event: EventHandler,
        cancel: threading.Event,
    ) -> None:
        self.request = request
        self.stream = stream
        self.on_event = on_event
        self.cancel = cancel
        self.pool: WorkerPool[SpooledPiece] = WorkerPool(
            on_event, cancel, threading.Event(), lambda: self._stopped("")
        )
        self.swift = service.configured(
            retry=request.retry, cancel=cancel, on_retry=self.pool.report_retry
        )
        self.finishing = service.configured(retry=request.retry, on_retry=self.pool.report_retry)
        self.resumable = False
        """A stream's bytes are gone once read: it never resumes."""
        self.container = request.container
        self.object_name = request.object_name
        self.segment_container = request.resolved_segment_container
        self.started_at = time.time()
        self.prefix = ""
        self.lengths: dict[int, int] = {}
        self._lengths_lock = threading.Lock()
        self.single = False
        """The stream fitted in one segment: a plain object, no manifest."""
        self.manifest_sent = False
        """From here a failure must not delete the segments: the manifest may be stored."""

    def cancelled_event(self) -> UploadCancelled:
        """Nothing is kept: what was sent is removed (or, failing that, reported)."""
        stopped = self.pool.meter.cancelled(resumable=False)
        return replace(stopped, segments_done=0, bytes_done=0)

    def run(self) -> UploadResult:
        started = time.monotonic()
        request = self.request
        delete_at = check_request(request)
        limits = self.swift.limits()
        check_names(request, limits)
        plan = plan_stream(
            request.expected_size,
            request.segment_size,
            limits,
            object_name=self.object_name,
            segment_container=self.segment_container,
            source=request.source_name,
        )
        self.prefix = segment_prefix(
            self.object_name, self.started_at, STREAM_FILE_SIZE, plan.segment_size
        )
        spool = Spool(
            request.resolved_spool_dir,
            memory_cap=request.spool_memory,
            slots=request.threads + 1,
            segment_size=plan.segment_size,
        )
        spool.check()
        reader = StreamReader(
            self.stream,
            spool,
            plan.segment_size,
            source_name=request.source_name,
            compute_sha256=request.compute_sha256,
            abort=self.pool.abort,
        )
        if not reader.start():
            raise UsageError(f"{request.source_name} is empty: nothing was uploaded")
        old = replaced_object(self.swift, self.container, self.object_name)
        self.pool.meter = Meter(0, 0, total_known=False)
        self.on_event(self._plan_event(plan, spool, delete_at))
        if self.cancel.is_set():
            raise OperationCancelled(self._stopped(""))
        ensure_containers(self.swift, self.container, None, self.on_event)
        workers = self.swift.configured(cancel=self.pool.abort)
        sender = StreamSender(workers, self.pool, self._stored, request.rate_limiter)
        try:
            self.pool.run(
                self._pieces(reader, plan, delete_at),
                sender.handle,
                lambda piece: piece.index,
                threads=request.threads,
            )
            if self.cancel.is_set():
                raise OperationCancelled("")
            etag, sub_manifests = self._finish(reader, plan, sender.etags, delete_at)
        except OperationCancelled:
            raise OperationCancelled(self._stopped(self._clean_up())) from None
        except SwiftuiError:
            cleaned = self._clean_up()
            if cleaned:
                self.on_event(Notice(cleaned))
            raise
        new: set[ObjectKey] = set()
        if not self.single:
            new = {(self.segment_container, name) for name in sub_manifests}
            new |= {
                (self.segment_container, segment_name(self.prefix, index)) for index in self.lengths
            }
        replaced = 0
        if not request.leave_segments:
            replaced = delete_replaced(self.finishing, old, new, self.on_event)
        meter = self.pool.meter
        return UploadResult(
            container=self.container,
            object_name=self.object_name,
            size=reader.bytes_read,
            etag=etag,
            is_slo=not self.single,
            segment_container=None if self.single else self.segment_container,
            segment_count=len(self.lengths),
            reused_segments=0,
            bytes_sent=meter.sent_total,
            elapsed_s=time.monotonic() - started,
            delete_at=delete_at,
            old_segments_deleted=replaced,
            sha256=reader.sha256,
            sub_manifests=len(sub_manifests),
        )

    def _plan_event(self, plan: StreamPlan, spool: Spool, delete_at: int | None) -> PlanReady:
        source = self.request.source_name
        return PlanReady(
            local_path=source,
            container=self.container,
            object_name=self.object_name,
            segment_container=self.segment_container,
            file_size=self.request.expected_size or 0,
            segment_size=plan.segment_size,
            segment_count=0,
            explanation=plan.explanation,
            notes=(
                f"{source} cannot be resumed: if this upload stops, the segments it wrote "
                "are removed and the whole command must run again (after kill -9, "
                f"swiftui orphans {self.container} lists them)",
                spool.describe(),
            ),
            delete_at=delete_at,
            size_known=False,
            rate_limit=limiter.rate if (limiter := self.request.rate_limiter) else None,
        )

    def _pieces(
        self, reader: StreamReader, plan: StreamPlan, delete_at: int | None
    ) -> Iterator[SpooledPiece]:
        """The reader's segments with their destination (runs on the pool's feeder)."""
        segment_headers = {
            "Content-Type": SEGMENT_CONTENT_TYPE,
            **expiry_header(segment_expiry(delete_at)),
        }
        for piece in reader.segments():
            self.pool.meter.read(piece.length)
            if piece.index == 0 and piece.last:
                self.single = True
                piece.container, piece.name = self.container, self.object_name
                piece.headers = self._object_headers(reader.sha256, delete_at)
            else:
                if piece.index >= plan.max_segments:
                    piece.spooled.release()
                    raise UsageError(
                        f"{self.request.source_name} is longer than this cluster's manifests "
                        f"can list even nested: {plan.max_segments} segments of "
                        f"{format_bytes(plan.segment_size)}; give a larger segment size"
                    )
                if piece.index == 0:
                    ensure_containers(
                        self.swift, self.container, self.segment_container, self.pool.emit
                    )
                piece.container = self.segment_container
                piece.name = segment_name(self.prefix, piece.index)
                piece.headers = segment_headers
            self.pool.emit(SegmentQueued(piece.index, piece.offset, piece.length))
            yield piece

    def _stored(self, piece: SpooledPiece) -> None:
        with self._lengths_lock:
            self.lengths[piece.index] = piece.length

    def _object_headers(self, sha256: str | None, delete_at: int | None) -> dict[str, str]:
        """The manifest's (or plain object's): its mtime is when the stream was started."""
        return {
            MTIME_HEADER: f"{self.started_at:f}",
            **sha256_header(sha256),
            **expiry_header(delete_at),
        }

    def _finish(
        self,
        reader: StreamReader,
        plan: StreamPlan,
        etags: dict[int, str],
        delete_at: int | None,
    ) -> tuple[str, list[str]]:
        """The manifest (nested if need be), once every segment is stored; returns the
        object's Etag and the sub-manifests written."""
        if self.single:
            return etags[0], []
        count = len(self.lengths)
        per = plan.segments_per_manifest
        sub_count = sub_manifests_for(count, per) if count > per else 0
        self.on_event(ManifestWriting(count, sub_count))
        segments = [
            (
                f"/{self.segment_container}/{segment_name(self.prefix, index)}",
                self.lengths[index],
                etags[index],
            )
            for index in range(count)
        ]
        groups = [range(start, min(start + per, count)) for start in range(0, count, per)]
        entries, written = write_sub_manifests(
            self.finishing,
            segments,
            groups=groups,
            segment_container=self.segment_container,
            prefix=self.prefix,
            headers=expiry_header(segment_expiry(delete_at)),
        )
        self.manifest_sent = True
        etag = write_manifest(
            self.finishing,
            self.container,
            self.object_name,
            entries,
            file_size=reader.bytes_read,
            headers=self._object_headers(reader.sha256, delete_at),
        )
        return etag, [name for _container, name in written]

    def _clean_up(self) -> str:
        """After a failure or a cancel: delete the segments (and sub-manifests) this
        upload wrote, unless its manifest may be stored; say what is left."""
        where = f"{self.segment_container} under {self.prefix}"
        orphans = f"swiftui orphans {self.container} --delete --min-age 0"
        if self.single:
            return ""
        if self.manifest_sent:
            return (
                f"the manifest may or may not be stored; if {self.container}/"
                f"{self.object_name} is missing, {orphans} removes its segments ({where})"
            )
        in_flight = ""
        if not self.pool.wait_stopped(IN_FLIGHT_WAIT_S):
            in_flight = (
                f"; requests still in flight may store more segments ({where}): {orphans} "
                "removes them"
            )
        try:
            report = delete_unused_segments(
                self.finishing.configured(retry=INTERACTIVE_RETRY),
                self.container,
                self.object_name,
                self.segment_container,
                self.prefix,
                keep=frozenset(),
            )
        except SwiftError as error:
            return f"the segments written stay in {where} ({error}): {orphans} removes them"
        if report.left:
            left = plural(report.left, "segment")
            return f"{left} written could not be removed ({where}): {orphans}"
        removed = (
            f"removed the {plural(report.gone, 'segment')} it had written" if report.gone else ""
        )
        return (removed + in_flight).removeprefix("; ")

    def _stopped(self, cleaned: str) -> str:
        read = format_bytes(self.pool.meter.total)
        text = (
            f"upload of {self.request.source_name} cancelled after {read} read: a stream "
            "cannot be resumed"
        )
        return f"{text}; {cleaned}" if cleaned else text
