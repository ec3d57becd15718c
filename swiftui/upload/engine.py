"""Upload one local file to Swift: a plain object, or segments and an SLO manifest.

The engine is Textual-free: the TUI runs :func:`run_upload` in a thread worker and posts
its events as messages, the CLI prints them. What it guarantees:

- the plan (segment size, count) is checked against the cluster's limits before any
  byte is sent;
- segments stream from the file by offset in small blocks through N threads sharing one
  session, each one's md5 checked against the Etag Swift returns;
- every finished segment is recorded in a journal, so running the same upload again
  (after Ctrl-C, ``kill -9``, a reboot) sends only what is missing, and segments left by
  an interrupted ``swift upload`` of the same file are reused once their md5 matches;
- the manifest carries the expected SLO Etag and is read back before success is claimed;
  the object being replaced stays intact until then, and its unused segments go after.
"""

from __future__ import annotations

import json
import math
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from swiftui.errors import OperationCancelled, SwiftError, SwiftuiError, UsageError
from swiftui.swift import (
    SEGMENT_CONTENT_TYPE,
    SEGMENTS_SUFFIX,
    describe_failure,
    object_path,
    parse_manifest,
)
from swiftui.units import format_bytes
from swiftui.upload.events import (
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentProgress,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    UploadFinished,
    UploadResult,
)
from swiftui.upload.journal import Journal, find_journal, journal_path, list_journals
from swiftui.upload.lock import UploadLock, is_locked
from swiftui.upload.plan import (
    SegmentSpec,
    SwiftLimits,
    UploadPlan,
    expected_slo_etag,
    make_plan,
    segment_name,
    segment_prefix,
)
from swiftui.upload.source import BLOCK_SIZE, Aborted, SegmentBody, SourceFile
from swiftui.upload.transport import DATA_TIMEOUT, RetryPolicy, TokenRefused, Transport

if TYPE_CHECKING:
    import requests

    from swiftui.swift import SwiftService

# Measured with tests/benchmark_upload.py (2 GiB, 256 MiB segments, 2-core sandbox, runs
# interleaved): 4 threads 248-279 MB/s, 3 threads 200-241, 2 threads about 200; the
# client CPU is the same (md5 dominates). More threads only add server contention here;
# over a WAN, where one connection is capped, 4 parallel segments also help.
DEFAULT_THREADS = 4
MAX_THREADS = 32
# Segments expire this much after their manifest, so a manifest never outlives its data.
SEGMENT_EXPIRY_MARGIN_S = 3600
# From this many segments the manifest PUT asks for heartbeats while Swift checks them.
HEARTBEAT_MIN_SEGMENTS = 16
PROGRESS_INTERVAL_S = 0.1
RATE_WINDOW_S = 10.0
# After a cancel or a failure, how long to wait for requests in flight to notice it.
ABORT_GRACE_S = 1.0
MTIME_HEADER = "X-Object-Meta-Mtime"

EventHandler = Callable[[UploadEvent], None]


@dataclass(frozen=True)
class UploadRequest:
    """What the user asked for; everything else is decided by the plan."""

    local_path: Path
    container: str
    object_name: str | None = None
    """Default: the file's name."""
    segment_size: int | None = None
    """Default: chosen by :func:`~swiftui.upload.plan.make_plan` (or an interrupted upload's)."""
    threads: int = DEFAULT_THREADS
    segment_container: str | None = None
    """Default: ``<container>_segments``."""
    delete_at: int | None = None
    delete_after: int | None = None
    """Seconds from the start of this run; the manifest and every segment get it."""
    leave_segments: bool = False
    """Keep the segments of the object being replaced."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def resolved_object_name(self) -> str:
        """An empty name given (``--object-name "$UNSET"``) stays empty and is refused."""
        return Path(self.local_path).name if self.object_name is None else self.object_name

    @property
    def resolved_segment_container(self) -> str:
        return self.segment_container or f"{self.container}{SEGMENTS_SUFFIX}"


@dataclass(frozen=True)
class ResumableUpload:
    """An interrupted segmented upload, as its journal describes it."""

    journal_path: Path
    local_path: Path
    region: str
    container: str
    object_name: str
    segment_container: str
    file_size: int
    segment_size: int
    segment_count: int
    segments_done: int
    bytes_done: int
    started_at: float
    delete_at: int | None
    delete_after: int | None
    problem: str | None
    """Why it cannot resume as it is (the file changed or is gone), or None."""
    in_progress: bool
    """Another process is running this upload right now."""

    @property
    def bytes_left(self) -> int:
        return max(0, self.file_size - self.bytes_done)

    def to_request(self, *, threads: int = DEFAULT_THREADS) -> UploadRequest:
        """The request that resumes this upload."""
        return UploadRequest(
            local_path=self.local_path,
            container=self.container,
            object_name=self.object_name,
            segment_size=self.segment_size,
            threads=threads,
            segment_container=self.segment_container,
            delete_at=None if self.delete_after else self.delete_at,
            delete_after=self.delete_after,
        )


def resumable_uploads() -> list[ResumableUpload]:
    """Interrupted uploads recorded in this machine's journals, oldest first."""
    uploads = []
    for journal in list_journals():
        try:
            info = os.stat(journal.local_path)
        except OSError as error:
            problem: str | None = f"{journal.local_path}: {error.strerror or error}"
        else:
            problem = journal.matches_file(info.st_size, info.st_mtime)
        uploads.append(
            ResumableUpload(
                journal_path=journal.path,
                local_path=Path(journal.local_path),
                region=journal.region,
                container=journal.container,
                object_name=journal.object_name,
                segment_container=journal.segment_container,
                file_size=journal.file_size,
                segment_size=journal.segment_size,
                segment_count=math.ceil(journal.file_size / journal.segment_size),
                segments_done=len(journal.segments),
                bytes_done=journal.bytes_done,
                started_at=journal.created_at,
                delete_at=journal.delete_at,
                delete_after=journal.delete_after,
                problem=problem,
                in_progress=is_locked(journal.path),
            )
        )
    return uploads


def abandon_upload(service: SwiftService, upload: ResumableUpload) -> int:
    """Delete the segments an interrupted upload left (not those the object uses) and
    forget it; returns how many segments were deleted."""
    what = f"{upload.local_path} to {upload.container}/{upload.object_name}"
    with UploadLock(upload.journal_path, what):
        journal = Journal.load(upload.journal_path)
        transport = Transport(service, RetryPolicy(), threading.Event())
        deleted, _failed = _delete_unused_segments(
            transport,
            journal.container,
            journal.object_name,
            journal.segment_container,
            journal.segment_prefix,
            _ignore_retry,
        )
        journal.remove()
    return deleted


def check_request(request: UploadRequest) -> int | None:
    """Refuse a bad request before any network or disk work; return its expiry (unix time).

    ``delete_after`` counts from now, so each run (a resume too) sets it afresh.
    """
    if not 1 <= request.threads <= MAX_THREADS:
        raise UsageError(f"--threads must be between 1 and {MAX_THREADS}, not {request.threads}")
    if request.delete_at is not None and request.delete_after is not None:
        raise UsageError("give --delete-at or --delete-after, not both")
    if request.delete_after is not None:
        if request.delete_after <= 0:
            raise UsageError("--delete-after must be at least 1 second")
        return int(time.time()) + request.delete_after
    if request.delete_at is not None and request.delete_at <= time.time():
        when = datetime.fromtimestamp(request.delete_at).isoformat(sep=" ", timespec="seconds")
        raise UsageError(f"--delete-at {when} is not in the future")
    return request.delete_at


def journal_target(service: SwiftService, container: str, object_name: str) -> str:
    """Names the destination in a journal: region, account, container, object (no secret).

    The account comes from the storage URL's path, not its host, so a resume goes to the
    same journal whichever endpoint (public, internal, a proxy) the first run used.
    """
    account = urlsplit(service.storage_url).path.rstrip("/").rsplit("/", 1)[-1]
    return f"{service.region}/{account}/{container}/{object_name}"


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
    upload = _Upload(service, request, on_event, cancel)
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


# -- the upload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """One request's worth of the file: a segment, or the whole plain object."""

    spec: SegmentSpec
    container: str
    name: str
    headers: dict[str, str]
    remote_etag: str | None = None
    """Set when an object of this name and size is in Swift: check it before sending."""
    only_expiry: bool = False
    """Already in Swift and trusted (journal): only its expiry must be set."""


@dataclass(frozen=True)
class _WorkerFailure:
    index: int
    error: BaseException


class _Upload:
    def __init__(
        self,
        service: SwiftService,
        request: UploadRequest,
        on_event: EventHandler,
        cancel: threading.Event,
    ) -> None:
        self.service = service
        self.request = request
        self.on_event = on_event
        self.cancel = cancel
        self.abort = threading.Event()
        self.transport = Transport(service, request.retry, self.abort)
        self.object_name = request.resolved_object_name
        self.container = request.container
        self.segment_container = request.resolved_segment_container
        self.journal: Journal | None = None
        self.old_manifest: set[tuple[str, str]] = set()
        self._events: queue.SimpleQueue[UploadEvent | _WorkerFailure] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[_Piece] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._first_error: BaseException | None = None
        self._etags: dict[int, str] = {}
        self._etags_lock = threading.Lock()
        self._meter = _Meter(0, 0)
        self._source: SourceFile | None = None
        self._segment_delete_at: int | None = None
        self._post_expiry_on_reused = False
        self._old_segments_deleted = 0
        self._caller = threading.get_ident()

    @property
    def resumable(self) -> bool:
        return self.journal is not None

    def cancelled_event(self) -> UploadCancelled:
        snapshot = self._meter.snapshot(time.monotonic())
        return UploadCancelled(
            segments_done=snapshot.segments_done,
            segments_total=snapshot.segments_total,
            bytes_done=snapshot.bytes_done,
            bytes_total=snapshot.bytes_total,
        )

    # -- steps ------------------------------------------------------------------------------

    def run(self) -> UploadResult:
        started = time.monotonic()
        delete_at = check_request(self.request)
        with SourceFile(Path(self.request.local_path).expanduser()) as source:
            self._source = source
            limits = self.service.limits()
            self._check_names(limits)
            target = journal_target(self.service, self.container, self.object_name)
            what = f"{source.path} to {self.container}/{self.object_name}"
            with UploadLock(journal_path(target, source.path), what):
                etag, plan = self._upload(source, limits, target, delete_at)
            return UploadResult(
                container=self.container,
                object_name=self.object_name,
                size=source.size,
                etag=etag,
                is_slo=not plan.is_plain_object,
                segment_container=None if plan.is_plain_object else self.segment_container,
                segment_count=plan.segment_count,
                reused_segments=self._meter.reused_segments,
                bytes_sent=self._meter.sent_total,
                elapsed_s=time.monotonic() - started,
                delete_at=delete_at,
                old_segments_deleted=self._old_segments_deleted,
            )

    def _upload(
        self, source: SourceFile, limits: SwiftLimits, target: str, delete_at: int | None
    ) -> tuple[str, UploadPlan]:
        """Everything that needs the upload lock; returns the object's Etag and the plan."""
        self._read_old_manifest()
        journal = find_journal(target, source.path)
        plan, resume, stale, reusable, notes = self._decide(source, limits, journal)
        self._meter = _Meter(source.size, plan.segment_count)
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
                notes=tuple(notes),
                delete_at=delete_at,
            )
        )
        self._check_cancel()
        if stale is not None:
            self._forget_stale(stale)
        self._ensure_containers(with_segments=not plan.is_plain_object)
        self._segment_delete_at = (
            delete_at + SEGMENT_EXPIRY_MARGIN_S if delete_at is not None else None
        )
        if plan.is_plain_object:
            etag = self._upload_plain(source, delete_at)
            new_segments: set[tuple[str, str]] = set()
        else:
            etag, new_segments = self._upload_slo(source, plan, target, resume, reusable, delete_at)
        self._old_segments_deleted = self._delete_old_segments(new_segments)
        if self.journal is not None:
            self.journal.remove()
        return etag, plan

    def _check_names(self, limits: SwiftLimits) -> None:
        for option, name in (
            ("CONTAINER", self.container),
            ("--segment-container", self.segment_container),
        ):
            if not name or "/" in name:
                raise UsageError(f"{option}: {name!r} is not a container name (no '/', not empty)")
            if len(name.encode()) > limits.max_container_name_length:
                raise UsageError(
                    f"{option}: {name!r} is longer than this cluster's "
                    f"{limits.max_container_name_length} bytes"
                )
        if not self.object_name:
            raise UsageError("--object-name must not be empty")

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise OperationCancelled(self._cancel_message())

    def _cancel_message(self) -> str:
        snapshot = self._meter.snapshot(time.monotonic())
        if self.journal is None:
            return "upload cancelled before any segment was recorded"
        return (
            f"upload cancelled: {snapshot.segments_done} of {snapshot.segments_total} segments "
            f"({format_bytes(snapshot.bytes_done)} of {format_bytes(snapshot.bytes_total)}) are "
            "in Swift; run the same upload again to resume"
        )

    def _retry_reporter(self, what: str) -> Callable[[int, str, float], None]:
        def report(attempt: int, reason: str, delay: float) -> None:
            self._emit(RequestRetrying(what=what, attempt=attempt, reason=reason, delay_s=delay))

        return report

    def _emit(self, event: UploadEvent) -> None:
        """Deliver now on the calling thread; from a worker, queue it for :meth:`_drive`."""
        if threading.get_ident() == self._caller:
            self.on_event(event)
        else:
            self._events.put(event)

    def _flush_events(self) -> None:
        while True:
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return
            self._dispatch(item)

    def _read_old_manifest(self) -> None:
        """Note which segments the object being replaced uses: never overwrite, delete after."""
        what = f"{self.container}/{self.object_name}"
        path = object_path(self.container, self.object_name)
        response = self.transport.request(
            "HEAD", path, what=what, ok=(200, 404), on_retry=self._retry_reporter(what)
        )
        if response.status_code == 404:
            return
        if response.headers.get("X-Static-Large-Object", "").lower() != "true":
            return
        response = self.transport.request(
            "GET",
            path,
            what=what,
            params={"multipart-manifest": "get"},
            on_retry=self._retry_reporter(what),
        )
        self.old_manifest = {
            (segment.container, segment.name)
            for segment in parse_manifest(response.content)
            if not segment.sub_slo
        }

    def _decide(
        self, source: SourceFile, limits: SwiftLimits, journal: Journal | None
    ) -> tuple[UploadPlan, Journal | None, Journal | None, dict[str, tuple[int, str]], list[str]]:
        """Plan, and whether to resume: returns (plan, journal to resume, stale journal,
        segments of this file already in Swift by name, notes for the user)."""
        notes: list[str] = []
        resume: Journal | None = None
        stale: Journal | None = None
        asked = self.request.segment_size
        if journal is not None:
            why_not = journal.matches_file(source.size, source.mtime)
            if why_not is None and asked not in (None, journal.segment_size):
                why_not = (
                    f"--segment-size {format_bytes(asked or 0)} differs from the interrupted "
                    f"upload's {format_bytes(journal.segment_size)}"
                )
            if why_not is None and journal.segment_container != self.segment_container:
                why_not = (
                    f"the segments container differs from the interrupted upload's "
                    f"{journal.segment_container!r}"
                )
            if why_not is None:
                resume = journal
                asked = journal.segment_size
            else:
                stale = journal
                notes.append(f"starting over: {why_not}")

        by_size = self._segments_in_swift(source)
        if asked is None and by_size:
            found_size, found = max(by_size.items(), key=lambda item: len(item[1]))
            try:
                make_plan(
                    source.size,
                    found_size,
                    limits,
                    object_name=self.object_name,
                    segment_container=self.segment_container,
                )
            except UsageError:
                pass
            else:
                asked = found_size
                notes.append(
                    f"found {len(found)} segments of this same file ({format_bytes(found_size)} "
                    f"each) in {self.segment_container!r} from an earlier upload: reusing "
                    "those whose md5 matches the local file"
                )
        plan = make_plan(
            source.size,
            asked,
            limits,
            object_name=self.object_name,
            segment_container=self.segment_container,
        )
        reusable = {} if plan.is_plain_object else by_size.get(plan.segment_size, {})
        if resume is not None:
            started = datetime.fromtimestamp(resume.created_at).isoformat(
                sep=" ", timespec="seconds"
            )
            recorded = len(resume.segments)
            notes.append(
                f"resuming the upload started {started}: {recorded} of {plan.segment_count} "
                f"segments ({format_bytes(resume.bytes_done)}) already sent"
            )
        return plan, resume, stale, reusable, notes

    def _segments_in_swift(self, source: SourceFile) -> dict[int, dict[str, tuple[int, str]]]:
        """Segments of this very file (same object, mtime and size) by segment size."""
        base = segment_prefix(self.object_name, source.mtime, source.size, 0).removesuffix("0/")
        found: dict[int, dict[str, tuple[int, str]]] = {}
        for name, size, etag in self._list(self.segment_container, base):
            size_field, _, index = name[len(base) :].partition("/")
            if size_field.isdigit() and index.isdigit():
                found.setdefault(int(size_field), {})[name] = (size, etag)
        return found

    def _list(self, container: str, prefix: str) -> Iterable[tuple[str, int, str]]:
        """(name, bytes, etag) of the objects under ``prefix``; nothing if no container."""
        marker = ""
        what = f"listing of {container}"
        while True:
            params = {"format": "json", "prefix": prefix}
            if marker:
                params["marker"] = marker
            response = self.transport.request(
                "GET",
                object_path(container),
                what=what,
                ok=(200, 204, 404),
                params=params,
                on_retry=self._retry_reporter(what),
            )
            if response.status_code != 200:
                return
            page = response.json()
            if not page:
                return
            for item in page:
                yield item["name"], int(item["bytes"]), item["hash"]
            marker = page[-1]["name"]

    def _forget_stale(self, stale: Journal) -> None:
        """Delete what an upload that cannot resume left behind, and its journal."""
        try:
            deleted, failed = _delete_unused_segments(
                self.transport,
                self.container,
                self.object_name,
                stale.segment_container,
                stale.segment_prefix,
                self._retry_reporter("removal of the earlier upload's segments"),
                keep=self.old_manifest,
            )
        except SwiftError as error:
            self.on_event(Notice(f"the earlier, interrupted upload's segments stay: {error}"))
            deleted, failed = 0, 0
        if deleted or failed:
            message = f"removed {deleted} segments of the earlier, interrupted upload"
            if failed:
                message += f" ({failed} could not be removed)"
            self.on_event(Notice(message))
        stale.remove()

    def _ensure_containers(self, *, with_segments: bool) -> None:
        """Create the container if missing; the segments container with the same policy."""
        policy = self._ensure_container(self.container, policy=None)
        if with_segments:
            segments_policy = self._ensure_container(self.segment_container, policy=policy)
            if policy and segments_policy and segments_policy != policy:
                self.on_event(
                    Notice(
                        f"segments container {self.segment_container!r} uses storage policy "
                        f"{segments_policy!r}, {self.container!r} uses {policy!r}: segments "
                        "are billed at their container's policy"
                    )
                )

    def _ensure_container(self, container: str, *, policy: str | None) -> str | None:
        what = f"container {container!r}"
        path = object_path(container)
        report = self._retry_reporter(what)
        response = self.transport.request(
            "HEAD", path, what=what, ok=(200, 204, 404), on_retry=report
        )
        if response.status_code == 404:
            headers = {"X-Storage-Policy": policy} if policy else {}
            self.transport.request("PUT", path, what=what, headers=headers, on_retry=report)
            response = self.transport.request("HEAD", path, what=what, on_retry=report)
        return response.headers.get("X-Storage-Policy")

    def _expiry_headers(self, delete_at: int | None) -> dict[str, str]:
        return {"X-Delete-At": str(delete_at)} if delete_at is not None else {}

    # -- plain object -------------------------------------------------------------------------

    def _upload_plain(self, source: SourceFile, delete_at: int | None) -> str:
        """One PUT carrying the file's md5, so Swift refuses it if the file changes meanwhile."""
        buffer = bytearray(min(BLOCK_SIZE, max(source.size, 1)))
        md5 = source.md5_of(0, source.size, buffer, self.abort)
        headers = {MTIME_HEADER: f"{source.mtime:f}", "Etag": md5}
        headers.update(self._expiry_headers(delete_at))
        spec = SegmentSpec(0, 0, source.size)
        self._emit(SegmentQueued(spec.index, spec.offset, spec.length))
        self._drive([_Piece(spec, self.container, self.object_name, headers)], threads=1)
        return md5

    # -- segments and manifest ------------------------------------------------------------------

    def _upload_slo(
        self,
        source: SourceFile,
        plan: UploadPlan,
        target: str,
        resume: Journal | None,
        reusable: dict[str, tuple[int, str]],
        delete_at: int | None,
    ) -> tuple[str, set[tuple[str, str]]]:
        """Segments, then the manifest; returns the SLO Etag and the segments it uses."""
        prefix = segment_prefix(self.object_name, source.mtime, source.size, plan.segment_size)
        self.journal = resume or Journal.create(
            target=target,
            local_path=source.path,
            file_size=source.size,
            file_mtime=source.mtime,
            container=self.container,
            segment_container=self.segment_container,
            object_name=self.object_name,
            region=self.service.region,
            segment_size=plan.segment_size,
            segment_prefix=prefix,
            delete_at=delete_at,
            delete_after=self.request.delete_after,
        )
        # Reused segments carry whatever expiry their first upload gave them.
        self._post_expiry_on_reused = delete_at is not None or (
            resume is not None and resume.delete_at is not None
        )
        etag = self._upload_segments(source, plan, prefix, reusable, delete_at)
        used = {
            (self.segment_container, segment_name(prefix, index))
            for index in range(plan.segment_count)
        }
        return etag, used

    def _upload_segments(
        self,
        source: SourceFile,
        plan: UploadPlan,
        prefix: str,
        reusable: dict[str, tuple[int, str]],
        delete_at: int | None,
    ) -> str:
        journal = self.journal
        assert journal is not None
        headers = {"Content-Type": SEGMENT_CONTENT_TYPE}
        headers.update(self._expiry_headers(self._segment_delete_at))
        pieces: list[_Piece] = []
        for spec in plan.segments():
            name = segment_name(prefix, spec.index)
            remote = reusable.get(name)
            record = journal.segments.get(spec.index)
            if remote is not None and record is not None and remote == (spec.length, record.etag):
                self._segment_done(spec, record.etag, reused=True)
                if self._post_expiry_on_reused:
                    pieces.append(
                        _Piece(spec, self.segment_container, name, headers, only_expiry=True)
                    )
                continue
            remote_etag = remote[1] if remote is not None and remote[0] == spec.length else None
            pieces.append(_Piece(spec, self.segment_container, name, headers, remote_etag))
            self._emit(SegmentQueued(spec.index, spec.offset, spec.length))
        self._drive(pieces, threads=self.request.threads)
        source.check_unchanged()
        etags = [self._etags[index] for index in range(plan.segment_count)]
        return self._write_manifest(source, plan, prefix, etags, delete_at)

    def _write_manifest(
        self,
        source: SourceFile,
        plan: UploadPlan,
        prefix: str,
        etags: list[str],
        delete_at: int | None,
    ) -> str:
        self._check_cancel()
        self.on_event(ManifestWriting(plan.segment_count))
        entries = [
            {
                "path": f"/{self.segment_container}/{segment_name(prefix, spec.index)}",
                "etag": etags[spec.index],
                "size_bytes": spec.length,
            }
            for spec in plan.segments()
        ]
        slo_etag = expected_slo_etag(etags)
        headers = {
            "Etag": slo_etag,
            MTIME_HEADER: f"{source.mtime:f}",
            "Accept": "application/json",
        }
        headers.update(self._expiry_headers(delete_at))
        params = {"multipart-manifest": "put"}
        heartbeat = plan.segment_count >= HEARTBEAT_MIN_SEGMENTS
        if heartbeat:
            params["heartbeat"] = "on"
        what = f"manifest {self.container}/{self.object_name}"
        path = object_path(self.container, self.object_name)
        self.transport.request(
            "PUT",
            path,
            what=what,
            ok=(201, 202, 400),
            check=_manifest_check(what),
            data=json.dumps(entries).encode(),
            headers=headers,
            params=params,
            on_retry=self._retry_reporter(what),
        )
        stored = self.transport.request(
            "HEAD", path, what=what, on_retry=self._retry_reporter(what)
        )
        stored_etag = stored.headers.get("Etag", "").strip('"')
        length = int(stored.headers.get("Content-Length", -1))
        is_slo = stored.headers.get("X-Static-Large-Object", "").lower() == "true"
        if not is_slo or length != source.size or stored_etag != slo_etag:
            raise SwiftError(
                f"{what}: read back as {length} bytes, Etag {stored_etag or '?'}"
                f"{'' if is_slo else ', not an SLO'}; expected {source.size} bytes, "
                f"Etag {slo_etag}"
            )
        return slo_etag

    # -- workers -------------------------------------------------------------------------------

    def _drive(self, pieces: list[_Piece], *, threads: int) -> None:
        """Run ``pieces`` on worker threads; deliver their events here, throttled."""
        for piece in pieces:
            self._tasks.put(piece)
        workers = [
            threading.Thread(target=self._work, name=f"swiftui-upload-{number}", daemon=True)
            for number in range(min(threads, len(pieces)))
        ]
        for worker in workers:
            worker.start()
        next_tick = 0.0
        give_up_at: float | None = None
        try:
            while True:
                now = time.monotonic()
                if self.cancel.is_set():
                    self.abort.set()
                if self.abort.is_set() and give_up_at is None:
                    give_up_at = now + ABORT_GRACE_S
                if not any(worker.is_alive() for worker in workers) and self._events.empty():
                    break
                if give_up_at is not None and now > give_up_at:
                    break
                try:
                    item = self._events.get(
                        timeout=min(PROGRESS_INTERVAL_S, max(0.0, next_tick - now))
                    )
                except queue.Empty:
                    pass
                else:
                    self._dispatch(item)
                if time.monotonic() >= next_tick:
                    self.on_event(self._meter.snapshot(time.monotonic()))
                    next_tick = time.monotonic() + PROGRESS_INTERVAL_S
        except BaseException:
            self.abort.set()
            self._closed.set()
            raise
        self._closed.set()
        self._flush_events()
        self.on_event(self._meter.snapshot(time.monotonic()))
        if self._first_error is not None:
            raise self._first_error
        if self.cancel.is_set() or self.abort.is_set():
            raise OperationCancelled(self._cancel_message())

    def _dispatch(self, item: UploadEvent | _WorkerFailure) -> None:
        if isinstance(item, _WorkerFailure):
            if self._first_error is None:
                self._first_error = item.error
            reason = str(item.error) or type(item.error).__name__
            self.on_event(SegmentFailed(item.index, reason))
        else:
            self.on_event(item)

    def _work(self) -> None:
        buffer = bytearray(BLOCK_SIZE)
        while not self.abort.is_set():
            try:
                piece = self._tasks.get_nowait()
            except queue.Empty:
                return
            try:
                self._handle(piece, buffer)
            except Aborted:
                return
            except BaseException as error:
                if not self.abort.is_set():
                    self._events.put(_WorkerFailure(piece.spec.index, error))
                    self.abort.set()
                return

    def _handle(self, piece: _Piece, buffer: bytearray) -> None:
        source = self._source
        assert source is not None
        spec = piece.spec
        if piece.only_expiry:
            self._post_expiry(piece)
            return
        if piece.remote_etag is not None:
            local = source.md5_of(spec.offset, spec.length, buffer, self.abort)
            if local == piece.remote_etag:
                if self._post_expiry_on_reused:
                    self._post_expiry(piece)
                self._record(spec, local, reused=True)
                return
            if (piece.container, piece.name) in self.old_manifest:
                raise SwiftError(
                    f"segment {piece.container}/{piece.name} belongs to the object being "
                    "replaced and differs from the local file's bytes of the same size and "
                    "modification time; touch the file or choose another --object-name"
                )
        etag = self._put(piece, buffer)
        self._record(spec, etag, reused=False)

    def _put(self, piece: _Piece, buffer: bytearray) -> str:
        source = self._source
        assert source is not None
        spec = piece.spec
        self._emit(SegmentStarted(spec.index, spec.length))
        body = SegmentBody(
            source,
            spec.offset,
            spec.length,
            buffer,
            self.abort,
            lambda sent: self._meter.sending(spec.index, sent, spec.length),
        )

        def check(response: requests.Response) -> str | None:
            returned = response.headers.get("Etag", "").strip('"')
            if returned == body.md5:
                return None
            return f"checksum mismatch: sent md5 {body.md5}, Swift stored {returned or '?'}"

        def report(attempt: int, reason: str, delay: float) -> None:
            self._meter.sending(spec.index, 0, spec.length)
            self._emit(SegmentRetrying(spec.index, attempt, reason, delay))

        try:
            self.transport.request(
                "PUT",
                object_path(piece.container, piece.name),
                what=f"{piece.container}/{piece.name}",
                ok=(201,),
                check=check,
                data=body if spec.length else b"",
                headers=piece.headers,
                timeout=DATA_TIMEOUT,
                on_retry=report,
            )
        except SwiftError:
            source.check_unchanged()
            raise
        source.check_unchanged()
        return body.md5

    def _post_expiry(self, piece: _Piece) -> None:
        if self._segment_delete_at is None:
            headers = {"X-Remove-Delete-At": "1"}
        else:
            headers = {"X-Delete-At": str(self._segment_delete_at)}
        what = f"expiry of {piece.container}/{piece.name}"
        self.transport.request(
            "POST",
            object_path(piece.container, piece.name),
            what=what,
            headers=headers,
            on_retry=self._retry_reporter(what),
        )

    def _record(self, spec: SegmentSpec, etag: str, *, reused: bool) -> None:
        """Journal a finished segment, unless the coordinator has already given up on us."""
        if self._closed.is_set():
            raise Aborted
        if self.journal is not None:
            self.journal.record_segment(spec.index, etag, spec.length)
        self._segment_done(spec, etag, reused=reused)

    def _segment_done(self, spec: SegmentSpec, etag: str, *, reused: bool) -> None:
        with self._etags_lock:
            self._etags[spec.index] = etag
        self._meter.finished(spec.index, spec.length, reused=reused)
        self._emit(SegmentDone(spec.index, spec.length, etag, reused))

    # -- replaced object -------------------------------------------------------------------------

    def _delete_old_segments(self, new_segments: set[tuple[str, str]]) -> int:
        """After the new object is in place: the old manifest's segments it does not reuse."""
        unused = sorted(self.old_manifest - new_segments)
        if not unused or self.request.leave_segments:
            return 0
        try:
            deleted, failed = _delete_objects(
                self.transport, unused, self._retry_reporter("deletion of the old segments")
            )
        except SwiftError as error:
            # The new object is in place: this is worth telling, not failing the upload.
            self.on_event(Notice(f"the old segments of the replaced object stay: {error}"))
            return 0
        self.on_event(OldSegmentsDeleted(count=deleted, failed=failed))
        if failed:
            self.on_event(Notice(f"{failed} segments of the replaced object could not be deleted"))
        return deleted


def _manifest_check(what: str) -> Callable[[requests.Response], str | None]:
    """Read Swift's verdict on a manifest: in the body with ``heartbeat=on`` (202), or a
    400 listing the segments it refused. Retry a 5xx verdict; segments refused with 401
    mean the token was refused; anything else is final."""

    def check(response: requests.Response) -> str | None:
        if response.status_code == 201:
            return None
        text = response.text.strip()
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code == 202:
                return f"unreadable manifest verdict: {text[:100]!r}"
            raise SwiftError(describe_failure(response, what, "PUT"))
        status = str(body.get("Response Status") or f"{response.status_code} {response.reason}")
        if status.startswith("2"):
            return None
        if status.startswith("5"):
            return f"manifest check answered {status}"
        errors = [(str(path), str(reason)) for path, reason in body.get("Errors") or []]
        if errors and all(reason.startswith("401") for _path, reason in errors):
            raise TokenRefused
        detail = "; ".join(f"{path}: {reason}" for path, reason in errors[:5])
        raise SwiftError(
            f"{what}: Swift refused the manifest: {status}: "
            f"{detail or str(body.get('Response Body', '')).strip()}"
        )

    return check


def _ignore_retry(attempt: int, reason: str, delay: float) -> None:
    return


def _delete_unused_segments(
    transport: Transport,
    container: str,
    object_name: str,
    segment_container: str,
    prefix: str,
    on_retry: Callable[[int, str, float], None],
    *,
    keep: set[tuple[str, str]] | None = None,
) -> tuple[int, int]:
    """Delete the objects under ``prefix`` except those the object's manifest uses."""
    if keep is None:
        keep = set()
        path = object_path(container, object_name)
        what = f"{container}/{object_name}"
        head = transport.request("HEAD", path, what=what, ok=(200, 404), on_retry=on_retry)
        if head.headers.get("X-Static-Large-Object", "").lower() == "true":
            manifest = transport.request(
                "GET", path, what=what, params={"multipart-manifest": "get"}, on_retry=on_retry
            )
            keep = {(s.container, s.name) for s in parse_manifest(manifest.content)}
    names = []
    marker = ""
    what = f"listing of {segment_container}"
    while True:
        params = {"format": "json", "prefix": prefix}
        if marker:
            params["marker"] = marker
        response = transport.request(
            "GET",
            object_path(segment_container),
            what=what,
            ok=(200, 204, 404),
            params=params,
            on_retry=on_retry,
        )
        page = response.json() if response.status_code == 200 else []
        if not page:
            break
        names += [item["name"] for item in page]
        marker = page[-1]["name"]
    unused = [(segment_container, name) for name in names if (segment_container, name) not in keep]
    return _delete_objects(transport, unused, on_retry)


def _delete_objects(
    transport: Transport,
    objects: list[tuple[str, str]],
    on_retry: Callable[[int, str, float], None],
) -> tuple[int, int]:
    """Bulk-delete ``(container, name)`` pairs, or one by one without bulk delete.

    Returns (deleted, failed); an object already gone counts as deleted.
    """
    if not objects:
        return 0, 0
    limits = transport.service.limits()
    if limits.bulk_delete_max is None:
        failed = 0
        for container, name in objects:
            try:
                transport.request(
                    "DELETE",
                    object_path(container, name),
                    what=f"{container}/{name}",
                    ok=(200, 204, 404),
                    on_retry=on_retry,
                )
            except SwiftError:
                failed += 1
        return len(objects) - failed, failed
    deleted = failed = 0
    batch = limits.bulk_delete_max
    for start in range(0, len(objects), batch):
        chunk = objects[start : start + batch]
        body = "\n".join(quote(f"/{container}/{name}") for container, name in chunk)
        response = transport.request(
            "POST",
            "",
            what="bulk delete",
            params={"bulk-delete": "true"},
            headers={"Content-Type": "text/plain", "Accept": "application/json"},
            data=body.encode(),
            on_retry=on_retry,
        )
        result = json.loads(response.text.strip() or "{}")
        gone = int(result.get("Number Deleted", 0)) + int(result.get("Number Not Found", 0))
        deleted += gone
        failed += len(chunk) - gone
    return deleted, failed


class _Meter:
    """Bytes and segments done, rate and ETA; fed by workers, read by the calling thread."""

    def __init__(self, total: int, segments_total: int) -> None:
        self.total = total
        self.segments_total = segments_total
        self._lock = threading.Lock()
        self._in_flight: dict[int, tuple[int, int]] = {}
        self._done_bytes = 0
        self._uploaded_bytes = 0
        self.segments_done = 0
        self.reused_segments = 0
        self.sent_total = 0
        self._samples: deque[tuple[float, int]] = deque()

    def sending(self, index: int, sent: int, length: int) -> None:
        with self._lock:
            previous = self._in_flight.get(index, (0, length))[0]
            self.sent_total += max(0, sent - previous)
            self._in_flight[index] = (sent, length)

    def finished(self, index: int, length: int, *, reused: bool) -> None:
        with self._lock:
            self._in_flight.pop(index, None)
            self._done_bytes += length
            self.segments_done += 1
            if reused:
                self.reused_segments += 1
            else:
                self._uploaded_bytes += length

    def snapshot(self, now: float) -> Progress:
        with self._lock:
            in_flight = sum(sent for sent, _ in self._in_flight.values())
            active = tuple(
                SegmentProgress(index, sent, length)
                for index, (sent, length) in sorted(self._in_flight.items())
            )
            done = self._done_bytes + in_flight
            transferred = self._uploaded_bytes + in_flight
            segments_done = self.segments_done
        self._samples.append((now, transferred))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        first_time, first_bytes = self._samples[0]
        elapsed = now - first_time
        rate = max(0.0, (transferred - first_bytes) / elapsed) if elapsed >= 0.5 else 0.0
        left = max(0, self.total - done)
        eta = left / rate if rate > 0 else (0.0 if left == 0 else None)
        return Progress(
            bytes_done=done,
            bytes_total=self.total,
            rate_bps=rate,
            eta_s=eta,
            segments_done=segments_done,
            segments_total=self.segments_total,
            active=active,
        )
