"""Download one object to a stream (standard output, for ``| tar x``), in order.

The parts are fetched one after the other and written as they come, each whole segment's
md5 checked while it streams, the whole's SHA-256 computed on the way: memory stays at a
block or two whatever the size. What is written cannot be taken back, so a part that fails
its check stops the stream with an error (exit 9) instead of being fetched again, and an
interrupted stream is not resumable: the same command starts it over.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import TYPE_CHECKING, BinaryIO

from swiftui.download.events import (
    DownloadCancelled,
    DownloadEvent,
    DownloadFailed,
    DownloadFinished,
    DownloadPlanned,
    DownloadResult,
    shared_event,
)
from swiftui.download.fetch import PartFetcher
from swiftui.download.layout import Part
from swiftui.download.local import LocalFileError
from swiftui.download.request import DownloadRequest, check_request
from swiftui.download.unsealing import make_readable
from swiftui.download.verdict import check_identity, integrity_error, whole_file_problems
from swiftui.errors import Aborted, OperationCancelled, SwiftuiError
from swiftui.swift import RetryNotice
from swiftui.upload.events import RequestRetrying, SegmentDone, UploadEvent
from swiftui.upload.pool import Meter, WorkerPool

if TYPE_CHECKING:
    from collections.abc import Callable

    from swiftui.swift import SwiftService

NOT_RESUMABLE = "standard output is not resumable: an interrupted stream starts over"


def stream_download(
    service: SwiftService,
    request: DownloadRequest,
    out: BinaryIO,
    *,
    on_event: Callable[[DownloadEvent], None],
    cancel: threading.Event,
) -> DownloadResult:
    """Write the object to ``out`` in order; events go to ``on_event`` on this thread.
    Raises as :func:`~swiftui.download.run_download` does."""
    check_request(request, to_file=False)
    started = time.monotonic()
    pool: WorkerPool[Part] = WorkerPool(
        lambda event: _forward(event, on_event),
        cancel,
        threading.Event(),
        lambda: "download stopped",
    )

    def report(notice: RetryNotice) -> None:
        pool.emit(RequestRetrying(notice.what, notice.attempt, notice.reason, notice.delay_s))

    swift = service.configured(retry=request.retry, cancel=cancel, on_retry=report)
    try:
        result = _stream(swift, request, out, pool, on_event, cancel, started)
    except (OperationCancelled, Aborted):
        snapshot = pool.meter.snapshot(time.monotonic())
        on_event(DownloadCancelled(snapshot.bytes_done, snapshot.bytes_total, resumable=False))
        raise OperationCancelled(f"download stopped; {NOT_RESUMABLE}") from None
    except SwiftuiError as error:
        on_event(DownloadFailed(reason=str(error), resumable=False))
        raise
    on_event(DownloadFinished(result))
    return result


def _stream(
    swift: SwiftService,
    request: DownloadRequest,
    out: BinaryIO,
    pool: WorkerPool[Part],
    on_event: Callable[[DownloadEvent], None],
    cancel: threading.Event,
    started: float,
) -> DownloadResult:
    [resolution] = make_readable(
        swift,
        [(request.container, request.object_name)],
        sliced=False,
        threads=request.threads,
        wait=request.wait,
        on_event=on_event,
        cancel=cancel,
    )
    layout = resolution.layout
    assert layout is not None
    check_identity(resolution, layout)
    checks = layout.checks(resolution.sha256 is not None)
    on_event(
        DownloadPlanned(
            container=request.container,
            object_name=request.object_name,
            path="-",
            kind=str(layout.kind),
            size=layout.size,
            parts=len(layout.parts),
            parts_done=0,
            checks=checks,
            notes=(*resolution.notes, NOT_RESUMABLE),
            rate_limit=request.rate_limit,
        )
    )
    sha256 = hashlib.sha256() if resolution.sha256 else None
    written = 0

    def write(block: memoryview, _at: int) -> None:
        nonlocal written
        try:
            out.write(block)
        except BrokenPipeError:
            raise LocalFileError(
                "standard output was closed before the end of the download"
            ) from None
        except OSError as error:
            raise LocalFileError(
                f"cannot write to standard output: {error.strerror or error}"
            ) from None
        if sha256 is not None:
            sha256.update(block)
        written += len(block)

    pool.meter = Meter(layout.size, len(layout.parts))
    fetcher = PartFetcher(
        swift.configured(cancel=pool.abort),
        request.retry,
        pool.emit,
        pool.meter,
        pool.abort,
        request.rate_limiter,
    )

    def handle(part: Part, buffer: bytearray) -> None:
        md5 = fetcher.fetch(part, write, buffer, refetch=False)
        pool.meter.finished(part.index, part.length, reused=False)
        pool.emit(SegmentDone(part.index, part.length, md5, reused=False))

    # One worker: the parts reach the stream in order.
    pool.run(list(layout.parts), handle, lambda part: part.index, threads=1)
    try:
        out.flush()
    except OSError as error:
        raise LocalFileError(
            f"cannot write to standard output: {error.strerror or error}"
        ) from None
    digests = {"sha256": sha256.hexdigest()} if sha256 is not None else {}
    problems = whole_file_problems(resolution, layout, digests, written)
    if problems:
        raise integrity_error(
            resolution, problems, "the bytes written to standard output are not the archive's"
        )
    return DownloadResult(
        container=request.container,
        object_name=request.object_name,
        path="-",
        kind=str(layout.kind),
        size=layout.size,
        etag=resolution.facts.etag,
        parts=len(layout.parts),
        reused_parts=0,
        bytes_fetched=pool.meter.sent_total,
        elapsed_s=time.monotonic() - started,
        checks=checks,
        sha256=digests.get("sha256"),
    )


def _forward(event: UploadEvent, on_event: Callable[[DownloadEvent], None]) -> None:
    if (shared := shared_event(event)) is not None:
        on_event(shared)
