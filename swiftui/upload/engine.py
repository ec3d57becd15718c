"""Upload one local file to Swift: a plain object, or segments and an SLO manifest.

The engine is Textual-free: the TUI runs :func:`run_upload` in a thread worker and posts
its events as messages, the CLI prints them. What it guarantees:

- the plan (segment size, count) is checked against the cluster's limits before any
  byte is sent (:mod:`~swiftui.upload.plan`, :mod:`~swiftui.upload.resume`);
- segments stream from the file by offset in small blocks through N threads sharing one
  session (:mod:`~swiftui.upload.pool`), each one's md5 checked against the Etag Swift
  returns (:mod:`~swiftui.upload.sender`);
- every finished segment is recorded in a journal, so running the same upload again
  (after Ctrl-C, ``kill -9``, a reboot) sends only what is missing, and segments left by
  an interrupted ``swift upload`` of the same file are reused once their md5 matches;
- the manifest carries the expected SLO Etag and is read back before success is claimed
  (:mod:`~swiftui.upload.manifest`); the object being replaced stays intact until then,
  and its unused segments go after (:mod:`~swiftui.upload.cleanup`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from swiftui.errors import Aborted, OperationCancelled, SwiftError, SwiftuiError
from swiftui.swift import (
    MTIME_HEADER,
    SEGMENT_CONTENT_TYPE,
    segment_name,
    segment_prefix,
)
from swiftui.units import format_bytes
from swiftui.upload.cleanup import ReplacedObject, delete_unused_segments, replaced_object
from swiftui.upload.events import (
    ManifestWriting,
    Notice,
    PlanReady,
    SegmentQueued,
    UploadCancelled,
    UploadFailed,
    UploadFinished,
    UploadResult,
)
from swiftui.upload.hashing import OrderedHasher, ReadFrontier
from swiftui.upload.journal import Journal, find_journal, journal_path
from swiftui.upload.lock import UploadLock
from swiftui.upload.manifest import write_manifest, write_sub_manifests
from swiftui.upload.plan import SegmentSpec
from swiftui.upload.pool import PROGRESS_INTERVAL_S, EventHandler, Meter, WorkerPool
from swiftui.upload.request import UploadRequest, check_names, check_request, journal_target
from swiftui.upload.resume import ResumeDecision, decide, find_segments
from swiftui.upload.sender import ObjectKey, Piece, PieceSender
from swiftui.upload.source import BLOCK_SIZE, SourceFile
from swiftui.upload.target import (
    delete_replaced,
    ensure_containers,
    expiry_header,
    segment_expiry,
    sha256_header,
)
from swiftui.upload.wording import cancelled_text

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService

# The SHA-256 reader trails the segments by moments; a longer wait (a resume reading the
# segments already in Swift) is worth a notice.
HASH_QUIET_WAIT_S = 1.0


def run_upload(
    service: SwiftService,
    request: UploadRequest,
    *,
    on_event: EventHandler,
    cancel: threading.Event,
) -> UploadResult:
    """Upload ``request.local_path``; events go to ``on_event`` on the calling thread.

    Returns once the object is stored and read back. Raises :class:`UsageError` (bad
    request, impossible plan, unreadable or changing file), :class:`SwiftError` /
    :class:`AuthError` (after retries), :class:`OperationCancelled` when ``cancel`` is set
    (within about a second); in every case what was sent is kept for a resume.
    """
    return report_outcome(_Upload(service, request, on_event, cancel), on_event)


class _Run(Protocol):
    @property
    def resumable(self) -> bool: ...

    def run(self) -> UploadResult: ...

    def cancelled_event(self) -> UploadCancelled: ...


def report_outcome(upload: _Run, on_event: EventHandler) -> UploadResult:
    """Run ``upload``; its last event says how it ended: finished, cancelled or failed."""
    try:
        result = upload.run()
    except OperationCancelled:
        on_event(upload.cancelled_event())
        raise
    except SwiftuiError as error:
        on_event(UploadFailed(reason=str(error), resumable=upload.resumable))
        raise
    on_event(UploadFinished(result))
    return result


class _Upload:
    """The steps of one upload, on the calling thread; the pieces go to a worker pool."""

    def __init__(
        self,
        service: SwiftService,
        request: UploadRequest,
        on_event: EventHandler,
        cancel: threading.Event,
    ) -> None:
        self.request = request
        self.on_event = on_event
        self.cancel = cancel
        self.pool: WorkerPool[Piece] = WorkerPool(
            on_event, cancel, threading.Event(), self._cancel_message
        )
        # Until the manifest is sent, a cancel stops the requests of this thread (and the
        # pool's abort those of its workers); from then on the upload finishes: a manifest
        # stored but not reported would leave the replaced object's segments behind.
        self.swift = service.configured(
            retry=request.retry, cancel=cancel, on_retry=self.pool.report_retry
        )
        self.finishing = service.configured(retry=request.retry, on_retry=self.pool.report_retry)
        self.object_name = request.resolved_object_name
        self.container = request.container
        self.segment_container = request.resolved_segment_container
        self.journal: Journal | None = None
        self.replaced = ReplacedObject()
        self._old_segments_deleted = 0

    @property
    def resumable(self) -> bool:
        return self.journal is not None

    def cancelled_event(self) -> UploadCancelled:
        return self.pool.meter.cancelled(resumable=self.resumable)

    # -- steps ------------------------------------------------------------------------------

    def run(self) -> UploadResult:
        started = time.monotonic()
        delete_at = check_request(self.request)
        try:
            with SourceFile(Path(self.request.local_path).expanduser()) as source:
                limits = self.swift.limits()
                check_names(self.request, limits)
                target = journal_target(self.swift, self.container, self.object_name)
                what = f"{source.path} to {self.container}/{self.object_name}"
                with UploadLock(journal_path(target, source.path), what):
                    etag, sha256, decision = self._upload(source, target, delete_at)
        except Aborted:
            raise OperationCancelled(self._cancel_message()) from None
        plan = decision.plan
        meter = self.pool.meter
        return UploadResult(
            container=self.container,
            object_name=self.object_name,
            size=plan.file_size,
            etag=etag,
            is_slo=not plan.is_plain_object,
            segment_container=None if plan.is_plain_object else self.segment_container,
            segment_count=plan.segment_count,
            reused_segments=meter.reused_segments,
            bytes_sent=meter.sent_total,
            elapsed_s=time.monotonic() - started,
            delete_at=delete_at,
            old_segments_deleted=self._old_segments_deleted,
            sha256=sha256,
            sub_manifests=plan.sub_manifest_count,
        )

    def _upload(
        self, source: SourceFile, target: str, delete_at: int | None
    ) -> tuple[str, str | None, ResumeDecision]:
        """Everything that needs the upload lock; returns the object's Etag, SHA-256 and
        plan."""
        self.replaced = replaced_object(self.swift, self.container, self.object_name)
        decision = decide(
            self.request,
            file_size=source.size,
            file_mtime=source.mtime,
            limits=self.swift.limits(),
            journal=find_journal(target, source.path),
            found=find_segments(
                self.swift, self.segment_container, self.object_name, source.mtime, source.size
            ),
        )
        plan = decision.plan
        self.pool.meter = Meter(source.size, plan.segment_count)
        self.on_event(
            PlanReady(
                local_path=str(source.path.resolve()),
                container=self.container,
                object_name=self.object_name,
                segment_container=None if plan.is_plain_object else self.segment_container,
                file_size=source.size,
                segment_size=plan.segment_size,
                segment_count=plan.segment_count,
                explanation=plan.explanation,
                notes=decision.all_notes,
                delete_at=delete_at,
                sub_manifests=plan.sub_manifest_count,
                rate_limit=_cap(self.request.rate_limiter),
            )
        )
        if self.replaced.note:
            self.on_event(
                Notice(f"replacing {self.container}/{self.object_name}: {self.replaced.note}")
            )
        self._check_cancel()
        if decision.stale is not None:
            self._forget_stale(decision.stale)
        ensure_containers(
            self.swift,
            self.container,
            None if plan.is_plain_object else self.segment_container,
            self.on_event,
        )
        if plan.is_plain_object:
            etag, sha256 = self._upload_plain(source, delete_at)
            new_segments: set[ObjectKey] = set()
        else:
            etag, sha256, new_segments = self._upload_slo(source, decision, target, delete_at)
        if not self.request.leave_segments:
            self._old_segments_deleted = delete_replaced(
                self.finishing, self.replaced, new_segments, self.on_event
            )
        if self.journal is not None:
            self.journal.remove()
        return etag, sha256, decision

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise OperationCancelled(self._cancel_message())

    def _cancel_message(self) -> str:
        return cancelled_text(self.cancelled_event())

    def _forget_stale(self, stale: Journal) -> None:
        """Delete what an upload that cannot resume left behind, and its journal."""
        try:
            report = delete_unused_segments(
                self.swift,
                self.container,
                self.object_name,
                stale.segment_container,
                stale.segment_prefix,
                keep=self.replaced.protected,
            )
        except SwiftError as error:
            self.on_event(Notice(f"the earlier, interrupted upload's segments stay: {error}"))
        else:
            if report.outcomes:
                message = f"removed {report.gone} segments of the earlier, interrupted upload"
                if report.left:
                    message += f" ({report.left} could not be removed)"
                self.on_event(Notice(message))
        stale.remove()

    # -- the pieces --------------------------------------------------------------------------

    def _sender(
        self,
        source: SourceFile,
        expiry: dict[str, str],
        *,
        post_expiry: bool,
        frontier: ReadFrontier | None = None,
    ) -> PieceSender:
        return PieceSender(
            self.swift.configured(cancel=self.pool.abort),
            source,
            self.pool,
            journal=self.journal,
            old_manifest=self.replaced.protected,
            expiry_headers=expiry,
            post_expiry_on_reused=post_expiry,
            frontier=frontier,
            limiter=self.request.rate_limiter,
        )

    def _upload_plain(self, source: SourceFile, delete_at: int | None) -> tuple[str, str | None]:
        """One PUT carrying the file's md5, so Swift refuses it if the file changes meanwhile;
        its SHA-256 comes from the same read. Returns both."""
        buffer = bytearray(min(BLOCK_SIZE, max(source.size, 1)))
        md5, sha256 = source.digests_of(
            0, source.size, buffer, self.pool.abort, sha256=self.request.compute_sha256
        )
        headers = {
            MTIME_HEADER: f"{source.mtime:f}",
            "Etag": md5,
            **sha256_header(sha256),
            **expiry_header(delete_at),
        }
        spec = SegmentSpec(0, 0, source.size)
        self.pool.emit(SegmentQueued(spec.index, spec.offset, spec.length))
        sender = self._sender(source, {}, post_expiry=False)
        piece = Piece(spec, self.container, self.object_name, headers)
        self.pool.run([piece], sender.handle, _index, threads=1)
        return md5, sha256

    def _upload_slo(
        self, source: SourceFile, decision: ResumeDecision, target: str, delete_at: int | None
    ) -> tuple[str, str | None, set[ObjectKey]]:
        """Segments, then the manifest; returns the SLO Etag, the file's SHA-256 and the
        segments it uses."""
        plan, resume = decision.plan, decision.resume
        prefix = segment_prefix(self.object_name, source.mtime, source.size, plan.segment_size)
        journal = resume or Journal.create(
            target=target,
            local_path=source.path,
            file_size=source.size,
            file_mtime=source.mtime,
            container=self.container,
            segment_container=self.segment_container,
            object_name=self.object_name,
            region=self.swift.region,
            segment_size=plan.segment_size,
            segment_prefix=prefix,
            delete_at=delete_at,
            delete_after=self.request.delete_after,
        )
        self.journal = journal
        segment_delete_at = segment_expiry(delete_at)
        expiry = expiry_header(segment_delete_at) or {"X-Remove-Delete-At": "1"}
        # Reused segments carry whatever expiry their first upload gave them.
        post_expiry = delete_at is not None or (resume is not None and resume.delete_at is not None)
        frontier = ReadFrontier(plan.segments()) if self.request.compute_sha256 else None
        sender = self._sender(source, expiry, post_expiry=post_expiry, frontier=frontier)
        headers = {"Content-Type": SEGMENT_CONTENT_TYPE, **expiry_header(segment_delete_at)}
        pieces: list[Piece] = []
        for spec in plan.segments():
            name = segment_name(prefix, spec.index)
            remote = decision.reusable.get(name)
            record = journal.segments.get(spec.index)
            if remote is not None and record is not None and remote == (spec.length, record.etag):
                sender.segment_done(spec, record.etag, reused=True)
                if frontier is not None:
                    frontier.complete(spec.index)
                if post_expiry:
                    pieces.append(
                        Piece(spec, self.segment_container, name, headers, only_expiry=True)
                    )
                continue
            remote_etag = remote[1] if remote is not None and remote[0] == spec.length else None
            pieces.append(Piece(spec, self.segment_container, name, headers, remote_etag))
            self.pool.emit(SegmentQueued(spec.index, spec.offset, spec.length))
        hasher = OrderedHasher(source, frontier, self.pool.abort) if frontier else None
        if hasher is not None:
            hasher.start()
        try:
            self.pool.run(pieces, sender.handle, _index, threads=self.request.threads)
        except OperationCancelled:
            if hasher is not None and hasher.error is not None:
                raise hasher.error from None
            raise
        sha256 = self._finish_hash(hasher) if hasher is not None else None
        source.check_unchanged()
        self._check_cancel()
        self.on_event(ManifestWriting(plan.segment_count, plan.sub_manifest_count))
        segments = [
            (
                f"/{self.segment_container}/{segment_name(prefix, spec.index)}",
                spec.length,
                sender.etags[spec.index],
            )
            for spec in plan.segments()
        ]
        entries, sub_manifests = write_sub_manifests(
            self.finishing,
            segments,
            groups=plan.manifest_groups(),
            segment_container=self.segment_container,
            prefix=prefix,
            headers=expiry_header(segment_delete_at),
        )
        etag = write_manifest(
            self.finishing,
            self.container,
            self.object_name,
            entries,
            file_size=source.size,
            headers={
                MTIME_HEADER: f"{source.mtime:f}",
                **sha256_header(sha256),
                **expiry_header(delete_at),
            },
        )
        used = {
            (self.segment_container, segment_name(prefix, index))
            for index in range(plan.segment_count)
        }
        return etag, sha256, used | set(sub_manifests)

    def _finish_hash(self, hasher: OrderedHasher) -> str:
        """Wait for the SHA-256 reader, which trails the segments (or, on a resume, reads
        the segments already in Swift from the local file)."""
        if not hasher.wait(HASH_QUIET_WAIT_S):
            left = format_bytes(hasher.source.size - hasher.hashed)
            self.on_event(Notice(f"finishing the file's SHA-256: {left} left to read"))
        while not hasher.wait(PROGRESS_INTERVAL_S):
            if self.cancel.is_set():
                self.pool.abort.set()
                raise OperationCancelled(self._cancel_message())
        return hasher.hexdigest()


def _index(piece: Piece) -> int:
    return piece.index


def _cap(limiter: RateLimiter | None) -> int | None:
    return limiter.rate if limiter is not None else None
