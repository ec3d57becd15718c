"""Several files to one container, one after another, each with its parallel segments.

:func:`plan_batch` says, before anything is sent, what happens to every file: sent, a
resume of its interrupted upload, or skipped because the object in Swift already has
its size and modification time (``X-Object-Meta-Mtime``), so running the same command
again after an interruption sends only what is missing. :func:`run_batch` then uploads
the files in order with :func:`~swiftui.upload.engine.run_upload`. A file that cannot be
read or changes meanwhile fails alone and the others go on; anything else (Swift down,
a cancel) stops the batch. Every outcome is reported at the end (:class:`BatchFinished`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from swiftui.errors import OperationCancelled, SwiftuiError, UsageError
from swiftui.swift import MTIME_HEADER
from swiftui.upload.engine import run_upload
from swiftui.upload.events import (
    BatchFinished,
    BatchPlanReady,
    FileOutcome,
    FileSkipped,
    FileStarted,
)
from swiftui.upload.journal import find_journal
from swiftui.upload.pool import EventHandler
from swiftui.upload.request import UploadRequest, check_names, check_request, journal_target
from swiftui.upload.resume import decide
from swiftui.upload.source import LocalFileError, SourceFile
from swiftui.upload.wording import summary

if TYPE_CHECKING:
    from swiftui.swift import ObjectEntry, SwiftService


class BatchAction(StrEnum):
    SEND = "send"
    RESUME = "resume"
    SKIP = "skip"


@dataclass(frozen=True)
class BatchEntry:
    request: UploadRequest
    size: int
    action: BatchAction
    explanation: str
    """The file's plan, or why it is skipped."""

    @property
    def line(self) -> str:
        request = self.request
        return f"{request.local_path} → {request.resolved_object_name}: {self.explanation}"


@dataclass(frozen=True)
class BatchPlan:
    container: str
    entries: tuple[BatchEntry, ...]

    def event(self) -> BatchPlanReady:
        sending = [entry for entry in self.entries if entry.action is not BatchAction.SKIP]
        return BatchPlanReady(
            container=self.container,
            files=len(self.entries),
            bytes_total=sum(entry.size for entry in self.entries),
            files_to_send=len(sending),
            bytes_to_send=sum(entry.size for entry in sending),
            lines=tuple(entry.line for entry in self.entries),
        )


def plan_batch(service: SwiftService, requests: Sequence[UploadRequest]) -> BatchPlan:
    """What :func:`run_batch` would do with each file; sends nothing, creates nothing.

    Every request goes to the same container; each is checked and planned now, so an
    impossible one stops the batch before its first byte.
    """
    if not requests:
        raise UsageError("no file to upload")
    container = requests[0].container
    if any(request.container != container for request in requests):
        raise UsageError("the files of one upload go to one container")
    limits = service.limits()
    listed = _listed(service, container, [request.resolved_object_name for request in requests])
    entries = []
    for request in requests:
        check_request(request)
        check_names(request, limits)
        with SourceFile(request.local_path) as source:
            size, mtime = source.size, source.mtime
        name = request.resolved_object_name
        if _same_in_swift(service, container, name, listed.get(name), size, mtime):
            entries.append(
                BatchEntry(request, size, BatchAction.SKIP, "in Swift already (same size and date)")
            )
            continue
        target = journal_target(service, container, name)
        journal = find_journal(target, request.local_path)
        decision = decide(
            request, file_size=size, file_mtime=mtime, limits=limits, journal=journal, found={}
        )
        explanation = decision.plan.explanation
        if decision.resume_note:
            explanation += f"; {decision.resume_note}"
        action = BatchAction.RESUME if decision.resume else BatchAction.SEND
        entries.append(BatchEntry(request, size, action, explanation))
    return BatchPlan(container, tuple(entries))


def _listed(service: SwiftService, container: str, names: list[str]) -> dict[str, ObjectEntry]:
    """The objects of ``container`` that may be these names: one listing (paged)."""
    first, last = min(names), max(names)
    same = next(
        (at for at, (a, b) in enumerate(zip(first, last, strict=False)) if a != b),
        min(len(first), len(last)),
    )
    prefix = first[:same]
    return {
        entry.name: entry
        for entry in service.iter_objects(container, prefix=prefix, missing_ok=True)
        if not entry.is_dir
    }


def _same_in_swift(
    service: SwiftService,
    container: str,
    name: str,
    entry: ObjectEntry | None,
    size: int,
    mtime: float,
) -> bool:
    """The object has this file's size (listing) and modification time (HEAD)."""
    if entry is None or entry.bytes != size:
        return False
    headers = service.object_headers(container, name)
    return headers is not None and headers.get(MTIME_HEADER) == f"{mtime:f}"


def run_batch(
    service: SwiftService,
    plan: BatchPlan,
    *,
    on_event: EventHandler,
    cancel: threading.Event,
) -> tuple[FileOutcome, ...]:
    """Upload the files of ``plan`` one after another; events on the calling thread.

    Returns every file's outcome once all were tried. Raises :class:`UsageError` when
    some files failed alone (the others are in Swift), or the error that stopped the
    batch (:class:`OperationCancelled`, :class:`SwiftError`...); either way
    :class:`BatchFinished` has said what became of each file.
    """
    on_event(plan.event())
    outcomes: list[FileOutcome] = []
    count = len(plan.entries)
    failed: list[LocalFileError] = []
    for number, entry in enumerate(plan.entries, 1):
        request = entry.request
        local, name = str(request.local_path), request.resolved_object_name
        if entry.action is BatchAction.SKIP:
            on_event(FileSkipped(number, count, local, name, entry.explanation))
            outcomes.append(FileOutcome(local, name, "skipped", entry.explanation))
            continue
        if cancel.is_set():
            _stop(plan, outcomes, on_event)
            raise OperationCancelled(_cancelled_text(outcomes))
        on_event(FileStarted(number, count, local, name))
        try:
            result = run_upload(service, request, on_event=on_event, cancel=cancel)
        except LocalFileError as error:
            failed.append(error)
            outcomes.append(FileOutcome(local, name, "failed", str(error)))
            continue
        except SwiftuiError as error:
            status = "cancelled" if isinstance(error, OperationCancelled) else "failed"
            outcomes.append(FileOutcome(local, name, status, str(error)))
            _stop(plan, outcomes, on_event)
            raise
        outcomes.append(FileOutcome(local, name, "uploaded", summary(result)))
    on_event(BatchFinished(tuple(outcomes)))
    if failed:
        raise UsageError(
            f"{len(failed)} of {count} files could not be uploaded (first: {failed[0]}); the "
            "others are in Swift: run the same command again to retry these"
        )
    return tuple(outcomes)


def _stop(plan: BatchPlan, outcomes: list[FileOutcome], on_event: EventHandler) -> None:
    """The batch stops: the files not tried yet are "not started", and all is reported."""
    for entry in plan.entries[len(outcomes) :]:
        request = entry.request
        outcomes.append(
            FileOutcome(str(request.local_path), request.resolved_object_name, "not started", "")
        )
    on_event(BatchFinished(tuple(outcomes)))


def _cancelled_text(outcomes: list[FileOutcome]) -> str:
    done = sum(1 for outcome in outcomes if outcome.status in ("uploaded", "skipped"))
    return (
        f"upload cancelled: {done} of {len(outcomes)} files are in Swift; run the same "
        "command again to upload the others"
    )
