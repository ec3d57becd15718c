"""The app's uploads: a queue (:mod:`~swiftui.tui.widgets.transfer_queue`) that runs
:func:`~swiftui.upload.run_upload` one at a time, and the message every screen hears when
an upload stops (the browsing views refresh their counts).

An entry may run more than the engine: a job's run (:mod:`swiftui.tui.jobs.run`) is an
:class:`UploadJob` whose :meth:`UploadJob.work` runs the whole job, its archives' uploads
shown here as any other's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from swiftui.tui.uploads.model import UploadModel
from swiftui.tui.widgets.transfer_model import JobState, Outcome
from swiftui.tui.widgets.transfer_queue import TransferJob, TransferQueue
from swiftui.units import format_bytes
from swiftui.upload import UploadRequest, UploadResult, run_upload, summary

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService

RESUME_LATER = "ctrl+p › Resume interrupted uploads"


@dataclass(eq=False)
class UploadJob(TransferJob):
    """One upload the user asked for, from the queue to its outcome."""

    number: int
    service: SwiftService
    request: UploadRequest
    model: UploadModel
    state: JobState = JobState.QUEUED
    worker: Worker[None] | None = field(default=None, repr=False)

    active_word: ClassVar[str] = "uploading"

    @property
    def file_name(self) -> str:
        return Path(self.request.local_path).name

    @property
    def target(self) -> str:
        return f"{self.request.container}/{self.request.resolved_object_name}"

    @property
    def what(self) -> str:
        return self.file_name

    @property
    def limiter(self) -> RateLimiter | None:
        return self.request.rate_limiter

    @property
    def targets(self) -> frozenset[str]:
        return frozenset({self.target})

    @property
    def where(self) -> str:
        return f"{self.region} › {self.target}"

    @property
    def activity(self) -> str:
        return f"upload of {self.file_name} to {self.target}"

    def summary_of(self, result: UploadResult) -> str:
        return summary(result)

    def stopped_advice(self, outcome: Outcome[Any]) -> str:
        resume = f"r resumes it, now or later ({RESUME_LATER}): only missing segments are sent."
        if outcome.state is JobState.CANCELLED:
            return resume
        if outcome.resumable:
            return f"The segments sent are kept. Once the cause is fixed, {resume}"
        return "Nothing was kept: fix the cause, then r starts it again."


class UploadFinished(Message, bubble=False):
    """An upload stopped (done, cancelled or failed): sent to every screen of the app."""

    def __init__(self, job: UploadJob) -> None:
        super().__init__()
        self.job = job


class UploadsHost(Protocol):
    """The app as the upload screens see it: it owns the one queue."""

    uploads: Uploads


def uploads_of(node: DOMNode) -> Uploads:
    """The queue of the app ``node`` belongs to."""
    return cast("UploadsHost", node.app).uploads


class Uploads(TransferQueue[UploadJob]):
    """The queue of uploads, run one at a time; one per app."""

    group: ClassVar[str] = "upload"

    def __init__(self, app: App[Any], clock: Callable[[], datetime]) -> None:
        super().__init__(app, clock, run_upload)

    def enqueue(self, service: SwiftService, request: UploadRequest) -> UploadJob | None:
        """Queue an upload (it starts at once if none runs); None if it is already queued."""
        return self.add(UploadJob(self.next_number, service, request, self.new_model()))

    def new_model(self) -> UploadModel:
        return UploadModel(self.clock)

    def finished_message(self, job: UploadJob) -> Message:
        return UploadFinished(job)

    def tell(self, job: UploadJob, outcome: Outcome[Any]) -> None:
        if outcome.state is JobState.DONE and outcome.result is None:
            self.app.notify(outcome.message, title="Done")
        elif outcome.state is JobState.DONE and outcome.result is not None:
            result = outcome.result
            what = f"{format_bytes(result.size)}"
            if result.is_slo:
                what += f" in {result.segment_count} segments"
            self.app.notify(f"{job.target} in {job.region}: {what}.", title="Upload done")
        elif outcome.state is JobState.CANCELLED:
            self.app.notify(
                f"{job.target}: {job.advice()}", title="Upload cancelled", severity="warning"
            )
        else:
            self.app.notify(
                f"{job.target}: {outcome.message}\n{job.advice()}",
                title="Upload failed",
                severity="error",
                timeout=20,
            )
