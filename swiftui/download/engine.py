"""Download one object to a local file: verified, resumable, in parallel, bounded memory.

Textual-free: the TUI runs :func:`run_download` in a thread worker and posts its events,
the CLI prints them. What it guarantees:

- nothing is fetched before the object is readable (Cloud Archive: unsealing asked for the
  manifest and every segment at once, :mod:`~swiftui.download.unsealing`) and the target
  and the free space are checked;
- parts are fetched by N threads sharing one session (the upload's worker pool and
  retry policy) and written at their offsets in a partial file beside the target, each
  whole segment's md5 checked against the manifest while it streams
  (:mod:`~swiftui.download.fetch`);
- finished parts are journaled after the partial file is flushed, so the same command
  after Ctrl-C, ``kill -9``, a network loss or a reboot fetches only what is missing,
  and an object replaced on the server starts over, saying why;
- the object's SHA-256 (``X-Object-Meta-Sha256``), and a sliced plain object's md5, are
  computed in order while the parts arrive (:mod:`~swiftui.download.hashing`); the size,
  the SLO/DLO etag and those checksums must all match before the partial file is flushed,
  dated (``X-Object-Meta-Mtime``) and renamed to the target.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from swiftui.download.events import (
    DownloadCancelled,
    DownloadEvent,
    DownloadFailed,
    DownloadFinished,
    DownloadPlanned,
    DownloadResult,
    Verifying,
    shared_event,
)
from swiftui.download.fetch import PartFetcher
from swiftui.download.hashing import Frontier, OrderedHash
from swiftui.download.journal import DownloadJournal, Identity, journal_path, lock_path
from swiftui.download.layout import Layout, Part
from swiftui.download.local import PartialFile, check_free_space, partial_path
from swiftui.download.request import DownloadRequest, check_request
from swiftui.download.resolve import Resolution
from swiftui.download.unsealing import make_readable
from swiftui.download.verdict import check_identity, integrity_error, whole_file_problems
from swiftui.errors import Aborted, OperationCancelled, SwiftuiError, UsageError
from swiftui.lockfile import ProcessLock
from swiftui.swift import RetryNotice
from swiftui.units import format_bytes
from swiftui.upload import journal_target
from swiftui.upload.events import (
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentQueued,
    UploadEvent,
)
from swiftui.upload.pool import Meter, WorkerPool

if TYPE_CHECKING:
    from collections.abc import Callable

    from swiftui.swift import SwiftService

_HASH_NAMES = {"sha256": "SHA-256", "md5": "md5"}
COMMIT_EVERY_S = 1.0
"""Finished parts are flushed to disk and journaled about once a second."""


def run_download(
    service: SwiftService,
    request: DownloadRequest,
    *,
    on_event: Callable[[DownloadEvent], None],
    cancel: threading.Event,
) -> DownloadResult:
    """Download ``request``'s object to its local file; events go to ``on_event`` on the
    calling thread.

    Raises :class:`UsageError` (bad request, existing target, no space),
    :class:`NotReadyError` (Cloud Archive unsealing, without ``wait``),
    :class:`IntegrityError` (checksums), :class:`SwiftError` / :class:`AuthError`
    (after retries), :class:`AlreadyRunning`, :class:`OperationCancelled` once
    ``cancel`` is set (within about a second); what was fetched is kept for a resume.
    """
    target = check_request(request)
    assert target is not None
    download = _Download(service, request, target, on_event, cancel)
    try:
        result = download.run()
    except OperationCancelled:
        on_event(download.cancelled_event())
        raise
    except SwiftuiError as error:
        on_event(DownloadFailed(reason=str(error), resumable=download.resumable))
        raise
    on_event(DownloadFinished(result))
    return result


class _Download:
    """The steps of one download to a file, on the calling thread; parts go to a pool."""

    def __init__(
        self,
        service: SwiftService,
        request: DownloadRequest,
        target: Path,
        on_event: Callable[[DownloadEvent], None],
        cancel: threading.Event,
    ) -> None:
        self.request = request
        self.target = target
        self.on_event = on_event
        self.cancel = cancel
        self.pool: WorkerPool[Part] = WorkerPool(
            self._from_pool, cancel, threading.Event(), self._cancel_message
        )
        self.swift = service.configured(
            retry=request.retry, cancel=cancel, on_retry=self._report_retry
        )
        self.journal: DownloadJournal | None = None
        self.partial: PartialFile | None = None

    @property
    def resumable(self) -> bool:
        return self.journal is not None and self.partial is not None

    def cancelled_event(self) -> DownloadCancelled:
        snapshot = self.pool.meter.snapshot(time.monotonic())
        return DownloadCancelled(snapshot.bytes_done, snapshot.bytes_total, self.resumable)

    # -- steps ------------------------------------------------------------------------------

    def run(self) -> DownloadResult:
        started = time.monotonic()
        try:
            [resolution] = make_readable(
                self.swift,
                [(self.request.container, self.request.object_name)],
                sliced=True,
                threads=self.request.threads,
                wait=self.request.wait,
                on_event=self.on_event,
                cancel=self.cancel,
            )
            layout = resolution.layout
            assert layout is not None
            check_identity(resolution, layout)
            key = journal_target(self.swift, self.request.container, self.request.object_name)
            journal_file = journal_path(key, self.target)
            where = f"{self.request.container}/{self.request.object_name} to {self.target}"
            with ProcessLock(
                lock_path(journal_file),
                f"another swiftui is already downloading {where}; wait for it to finish (or "
                "stop it) and run this again to resume",
                lambda error: UsageError(
                    f"cannot write in {journal_file.parent}, where swiftui keeps what resumes "
                    f"a download: {error.strerror or error} (XDG_STATE_HOME chooses another place)"
                ),
            ):
                sha256 = self._download(resolution, layout, key, journal_file)
        except Aborted:
            raise OperationCancelled(self._cancel_message()) from None
        meter = self.pool.meter
        return DownloadResult(
            container=self.request.container,
            object_name=self.request.object_name,
            path=str(self.target),
            kind=str(layout.kind),
            size=layout.size,
            etag=resolution.facts.etag,
            parts=len(layout.parts),
            reused_parts=meter.reused_segments,
            bytes_fetched=meter.sent_total,
            elapsed_s=time.monotonic() - started,
            checks=layout.checks(sha256 is not None),
            sha256=sha256,
        )

    def _download(
        self, resolution: Resolution, layout: Layout, key: str, journal_file: Path
    ) -> str | None:
        """Everything under the lock; returns the SHA-256 when the object carries one."""
        facts = resolution.facts
        identity = Identity(facts.etag, facts.size, facts.headers.get("Last-Modified", ""))
        partial_file = partial_path(self.target)
        notes = list(resolution.notes)
        journal = DownloadJournal.load(journal_file)
        why = _why_not_resume(journal, identity, layout, partial_file)
        if journal is not None and why:
            notes.append(f"starting over: {why}")
            journal.remove()
            journal = None
        elif journal is not None:
            started = datetime.fromtimestamp(journal.created_at).isoformat(
                sep=" ", timespec="seconds"
            )
            notes.append(
                f"resuming the download started {started}: {len(journal.done)} of "
                f"{len(layout.parts)} parts are in {partial_file.name}"
            )
        done = [part for part in layout.parts if journal is not None and part.index in journal.done]
        check_free_space(self.target.parent, layout.size - sum(part.length for part in done))
        if journal is None:
            journal = DownloadJournal.create(
                journal_file,
                target=key,
                output=str(self.target),
                identity=identity,
                fingerprint=layout.fingerprint(),
                parts=len(layout.parts),
            )
        self.journal = journal
        self.partial = partial = PartialFile(partial_file, layout.size, fresh=not done)
        self.on_event(
            DownloadPlanned(
                container=self.request.container,
                object_name=self.request.object_name,
                path=str(self.target),
                kind=str(layout.kind),
                size=layout.size,
                parts=len(layout.parts),
                parts_done=len(done),
                checks=layout.checks(resolution.sha256 is not None),
                notes=tuple(notes),
                rate_limit=self.request.rate_limit,
            )
        )
        hashes = [
            name
            for name, wanted in (("sha256", resolution.sha256), ("md5", layout.whole_md5))
            if wanted
        ]
        frontier = Frontier(layout.parts)
        stop_hashing = threading.Event()
        hasher = OrderedHash(partial, layout.size, frontier, hashes, stop_hashing)
        if hashes:
            hasher.start()
        try:
            self._fetch(layout, journal, partial, frontier, done)
            digests: dict[str, str] = {}
            if hashes:
                what = " and ".join(_HASH_NAMES[name] for name in hashes)
                self.on_event(Verifying(f"{what} of the whole file"))
                digests = hasher.result()
        except BaseException:
            stop_hashing.set()
            with contextlib.suppress(SwiftuiError):
                journal.commit(partial.flush)
            partial.close()
            raise
        problems = whole_file_problems(resolution, layout, digests, partial.written_size())
        if problems:
            partial.discard()
            journal.remove()
            self.journal = None
            raise integrity_error(resolution, problems, "the partial download was removed")
        partial.finish(self.target, mtime=resolution.mtime, force=self.request.force)
        journal.remove()
        return digests.get("sha256")

    def _fetch(
        self,
        layout: Layout,
        journal: DownloadJournal,
        partial: PartialFile,
        frontier: Frontier,
        done: list[Part],
    ) -> None:
        """Every part not in the partial file yet, by the pool's workers."""
        pool = self.pool
        pool.meter = Meter(layout.size, len(layout.parts))
        for part in done:
            frontier.written(part)
            pool.meter.finished(part.index, part.length, reused=True)
            pool.emit(SegmentDone(part.index, part.length, journal.done[part.index], reused=True))
        todo = [part for part in layout.parts if part.index not in journal.done]
        for part in todo:
            pool.emit(SegmentQueued(part.index, part.offset, part.length))
        fetcher = PartFetcher(
            self.swift.configured(cancel=pool.abort),
            self.request.retry,
            pool.emit,
            pool.meter,
            pool.abort,
            self.request.rate_limiter,
        )

        def handle(part: Part, buffer: bytearray) -> None:
            md5 = fetcher.fetch(
                part,
                lambda block, at: partial.write_at(block, part.offset + at),
                buffer,
                refetch=True,
            )
            if pool.closed.is_set():
                raise Aborted
            journal.part_done(part.index, md5)
            frontier.written(part)
            pool.meter.finished(part.index, part.length, reused=False)
            pool.emit(SegmentDone(part.index, part.length, md5, reused=False))

        pool.run(todo, handle, lambda part: part.index, threads=self.request.threads)
        journal.commit(partial.flush)

    # -- events ------------------------------------------------------------------------------

    def _from_pool(self, event: UploadEvent) -> None:
        """The pool's events, on this thread; a progress tick also commits finished parts."""
        if isinstance(event, Progress) and self.journal is not None and self.partial is not None:
            self.journal.commit(self.partial.flush, every_s=COMMIT_EVERY_S)
        if (shared := shared_event(event)) is not None:
            self.on_event(shared)

    def _report_retry(self, notice: RetryNotice) -> None:
        self.pool.emit(RequestRetrying(notice.what, notice.attempt, notice.reason, notice.delay_s))

    def _cancel_message(self) -> str:
        snapshot = self.pool.meter.snapshot(time.monotonic())
        if not self.resumable:
            return "download cancelled before any byte was fetched"
        return (
            f"download cancelled: {snapshot.segments_done} of {snapshot.segments_total} parts "
            f"({format_bytes(snapshot.bytes_done)} of {format_bytes(snapshot.bytes_total)}) are "
            f"in {partial_path(self.target)}; run the same command again to resume"
        )


def _why_not_resume(
    journal: DownloadJournal | None, identity: Identity, layout: Layout, partial_file: Path
) -> str | None:
    """Why an interrupted download's journal cannot be resumed, or None."""
    if journal is None:
        return None
    if changed := identity.change_from(journal.identity):
        return changed
    if journal.fingerprint != layout.fingerprint():
        return "the object's parts are not the ones the interrupted download fetched"
    if not PartialFile.usable(partial_file, layout.size):
        return f"{partial_file.name} is missing or has another size"
    return None
