"""The app's downloads: a queue (:mod:`~swiftui.tui.widgets.transfer_queue`) that runs
:func:`~swiftui.download.run_download` one at a time in thread workers of the app, the
worker's cancel event passed to the engine; the message every screen hears when a
download stops.

Cancelling keeps what was fetched (the partial file and its journal); the same download
started again, from the live view (``r``), the object (``D``) or the interrupted downloads
offered at start, fetches only the missing parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from swiftui.download import (
    DownloadRequest,
    DownloadResult,
    UnsealRequested,
    UnsealWaiting,
    Verifying,
    destination,
    run_download,
    summary,
)
from swiftui.swift import RateLimiter
from swiftui.tui.downloads.model import DownloadModel
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.transfer_model import JobState, Outcome, Summary
from swiftui.tui.widgets.transfer_queue import TransferJob, TransferQueue
from swiftui.units import format_bytes, format_eta

if TYPE_CHECKING:
    from swiftui.swift import SwiftService

RESUME_LATER = "D on the object, or ctrl+p › Resume interrupted downloads"


@dataclass(eq=False)
class DownloadJob(TransferJob):
    """One download the user asked for, from the queue to its outcome."""

    number: int
    service: SwiftService
    request: DownloadRequest
    model: DownloadModel
    state: JobState = JobState.QUEUED
    worker: Worker[None] | None = field(default=None, repr=False)
    target: Path = field(init=False, repr=False)
    """The local file (the engine's rule for a folder or a file)."""

    active_word: ClassVar[str] = "downloading"

    def __post_init__(self) -> None:
        self.target = destination(self.request.output, self.request.object_name)

    @property
    def source(self) -> str:
        return f"{self.request.container}/{self.request.object_name}"

    @property
    def what(self) -> str:
        return self.source

    @property
    def where(self) -> str:
        return display_path(self.target)

    @property
    def limiter(self) -> RateLimiter | None:
        return self.request.rate_limiter

    @property
    def activity(self) -> str:
        return f"download of {self.source} ({self.region}) to {self.where}"

    def summary_of(self, result: DownloadResult) -> str:
        """The engine's summary with the file under ``~``; the SHA-256 is in the log."""
        return summary(replace(result, path=display_path(result.path), sha256=None))

    def status_text(self, summary: Summary[Any, Any]) -> str:
        """The queue cell: ``unsealing 41s`` and ``verifying`` besides the shared ones."""
        stage = summary.stage
        if self.state is JobState.RUNNING and isinstance(stage, UnsealWaiting):
            return f"unsealing {format_eta(stage.seconds_left)}"
        if self.state is JobState.RUNNING and isinstance(stage, UnsealRequested):
            return "sealed"
        if self.state is JobState.RUNNING and isinstance(stage, Verifying):
            return "verifying"
        return super().status_text(summary)

    def stopped_advice(self, outcome: Outcome[Any]) -> str:
        if not outcome.resumable and outcome.state is JobState.CANCELLED:
            return "Nothing was fetched yet: r starts it again, now or later (D on the object)."
        if not outcome.resumable:
            return "Nothing was kept: fix the cause, then r starts it again."
        resume = f"r resumes it, now or later ({RESUME_LATER}): only missing parts are fetched."
        if outcome.state is JobState.CANCELLED:
            return resume
        return f"The parts fetched are kept. Once the cause is fixed, {resume}"


class DownloadStopped(Message, bubble=False):
    """A download stopped (done, cancelled or failed): sent to every screen of the app."""

    def __init__(self, job: DownloadJob) -> None:
        super().__init__()
        self.job = job


class DownloadsHost(Protocol):
    """The app as the download screens see it: it owns the one queue."""

    downloads: Downloads


def downloads_of(node: DOMNode) -> Downloads:
    """The download queue of the app ``node`` belongs to."""
    return cast("DownloadsHost", node.app).downloads


class Downloads(TransferQueue[DownloadJob]):
    """The queue of downloads, run one at a time; one per app."""

    group: ClassVar[str] = "download"

    def __init__(self, app: App[Any], clock: Callable[[], datetime]) -> None:
        super().__init__(app, clock, run_download)

    def enqueue(self, service: SwiftService, request: DownloadRequest) -> DownloadJob | None:
        """Queue a download (it starts at once if none runs); None if one to the same file
        is already queued. It gets a rate limiter, uncapped unless the request has one, so
        that ``l`` can cap it while it runs."""
        if request.rate_limiter is None:
            request = replace(request, rate_limiter=RateLimiter())
        return self.add(DownloadJob(self.next_number, service, request, self.new_model()))

    def new_model(self) -> DownloadModel:
        return DownloadModel(self.clock)

    def finished_message(self, job: DownloadJob) -> Message:
        return DownloadStopped(job)

    def tell(self, job: DownloadJob, outcome: Outcome[Any]) -> None:
        if outcome.state is JobState.DONE and isinstance(outcome.result, DownloadResult):
            size = format_bytes(outcome.result.size)
            self.app.notify(f"{job.source} ({size}) → {job.where}.", title="Download done")
        elif outcome.state is JobState.CANCELLED:
            self.app.notify(
                f"{job.source}: {job.advice()}", title="Download cancelled", severity="warning"
            )
        else:
            self.app.notify(
                f"{job.source}: {outcome.message}\n{job.advice()}",
                title="Download failed",
                severity="error",
                timeout=20,
            )
