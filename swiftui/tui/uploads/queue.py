"""The app's uploads: a queue that runs one engine at a time, and the messages it sends.

Each upload runs :func:`~swiftui.upload.run_upload` in a thread worker of the app
(not of a screen, so leaving the live view does not stop it) with the worker's
``cancelled_event`` as the engine's ``cancel``: ``c`` cancels that worker, and so does
Textual when the app exits, so quitting stops the engine within about a second and
leaves its journal ready for a resume.

The engine's events go into the job's :class:`~swiftui.tui.uploads.model.UploadModel`;
after each one the worker posts :class:`JobChanged` to the view that watches the queue
(the live view, when it is open). Queued ones of the same job replace each other, so the
view takes whatever changed once per turn, however fast events come. When the engine
returns, the worker posts :class:`JobEnded` to the app, which hands the job back here on
the UI thread: its state, a notification (unless the live view shows it), the next upload,
and :class:`UploadFinished` to every screen (the browsing views refresh their counts).

An entry may run more than the engine: a job's run (:mod:`swiftui.tui.jobs.run`) is an
:class:`UploadJob` whose :meth:`UploadJob.work` runs the whole job, its archives' uploads
shown here as any other's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.tui.uploads.model import JobState, Outcome, Summary, UploadModel
from swiftui.units import format_bytes
from swiftui.upload import UploadEvent, UploadRequest, UploadResult, run_upload, summary

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService

RESUME_LATER = "ctrl+p › Resume interrupted uploads"

Runner = Callable[..., Any]
"""``run_upload``'s signature: (service, request, *, on_event, cancel) -> UploadResult."""


@dataclass(eq=False)
class UploadJob:
    """One upload the user asked for, from the queue to its outcome."""

    number: int
    service: SwiftService
    request: UploadRequest
    model: UploadModel
    state: JobState = JobState.QUEUED
    worker: Worker[None] | None = field(default=None, repr=False)

    @property
    def region(self) -> str:
        return self.service.region

    @property
    def file_name(self) -> str:
        return Path(self.request.local_path).name

    @property
    def target(self) -> str:
        return f"{self.request.container}/{self.request.resolved_object_name}"

    @property
    def limiter(self) -> RateLimiter | None:
        """The upload's bandwidth cap, changeable while it runs (None: it has none)."""
        return self.request.rate_limiter

    @property
    def targets(self) -> frozenset[str]:
        """Every ``container/object`` this entry writes."""
        return frozenset({self.target})

    def same_target(self, other: UploadJob) -> bool:
        return self.region == other.region and bool(self.targets & other.targets)

    def work(
        self, runner: Runner, changed: Callable[[], None], cancel: Event
    ) -> tuple[str, UploadResult | None]:
        """Run the upload on the worker's thread, its events into the model (``changed``
        after each): the line that says how it ended, and its result."""

        def on_event(event: UploadEvent) -> None:
            self.model.apply(event)
            changed()

        result = runner(self.service, self.request, on_event=on_event, cancel=cancel)
        return summary(result), result

    def status_text(self, summary: Summary) -> str:
        """``uploading 40 %``, ``queued``, ``done``: one cell of the queue list, from the
        same ``summary`` as the progress bar beside it."""
        if self.state is JobState.RUNNING:
            percent = summary.percent if summary.progress is not None else None
            return "starting" if percent is None else f"uploading {percent} %"
        if self.state is JobState.CANCELLED and summary.outcome is None:
            return "removed"
        return str(self.state)

    def advice(self) -> str:
        """What the user can do now that this upload stopped (empty when it succeeded)."""
        outcome = self.model.summary().outcome
        if self.state is JobState.CANCELLED and outcome is None:
            return "Taken out of the queue before it started: r puts it back."
        if outcome is None or outcome.state is JobState.DONE:
            return ""
        resume = f"r resumes it, now or later ({RESUME_LATER}): only missing segments are sent."
        if outcome.state is JobState.CANCELLED:
            return resume
        if outcome.resumable:
            return f"The segments sent are kept. Once the cause is fixed, {resume}"
        return "Nothing was kept: fix the cause, then r starts it again."

    def stopped_text(self) -> str:
        """The outcome of a stopped upload, in the engine's words."""
        outcome = self.model.summary().outcome
        return "" if outcome is None else outcome.message


class JobChanged(Message, bubble=False):
    """The job's model holds changes the view has not taken yet (posted by the worker)."""

    def __init__(self, job: UploadJob) -> None:
        super().__init__()
        self.job = job

    def can_replace(self, message: Message) -> bool:
        # The view reads the changes from the model: a later wake-up carries them all.
        return isinstance(message, JobChanged) and message.job is self.job


class JobEnded(Message, bubble=False):
    """The engine of ``job`` returned: the worker's last word, posted to the app."""

    def __init__(self, job: UploadJob) -> None:
        super().__init__()
        self.job = job


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


class Uploads:
    """The queue of uploads, run one at a time; one per app."""

    def __init__(self, app: App[Any], clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock
        self.jobs: list[UploadJob] = []
        self.runner: Runner = run_upload
        self.viewer: MessagePump | None = None
        """Where :class:`JobChanged` goes: the live view while it is open."""

    # -- what the app asks -----------------------------------------------------------------

    def busy(self) -> str | None:
        """``upload of db.dump to backups/db.dump, 40 %`` while one runs (for ``q``)."""
        running = self.running
        if running is None:
            return None
        summary = running.model.summary()
        percent = summary.percent if summary.progress is not None else None
        done = "" if percent is None else f", {percent} %"
        text = f"upload of {running.file_name} to {running.target}{done}"
        queued = sum(1 for job in self.jobs if job.state is JobState.QUEUED)
        if queued:
            text += f" ({queued} more queued)"
        return text

    @property
    def running(self) -> UploadJob | None:
        return next(
            (job for job in self.jobs if job.state in (JobState.RUNNING, JobState.STOPPING)),
            None,
        )

    # -- the queue -------------------------------------------------------------------------

    @property
    def next_number(self) -> int:
        return len(self.jobs) + 1

    def enqueue(self, service: SwiftService, request: UploadRequest) -> UploadJob | None:
        """Queue an upload (it starts at once if none runs); None if it is already queued."""
        return self.add(UploadJob(self.next_number, service, request, UploadModel(self.clock)))

    def add(self, job: UploadJob) -> UploadJob | None:
        """Queue ``job``, numbered :attr:`next_number`; None if it is already queued."""
        for other in self.jobs:
            if not other.state.finished and other.same_target(job):
                self.app.notify(
                    f"{other.target} in {other.region} is already in the queue (#{other.number})",
                    severity="warning",
                )
                return None
        self.jobs.append(job)
        self._start_next()
        return job

    def again(self, job: UploadJob) -> None:
        """Run a cancelled or failed upload again: the engine resumes from its journal."""
        if not job.state.finished or job.state is JobState.DONE:
            return
        job.model = UploadModel(self.clock)
        job.state = JobState.QUEUED
        job.worker = None
        self._start_next()

    def cancel(self, job: UploadJob) -> None:
        """Stop a running upload (it stays resumable) or take a queued one out."""
        if job.state is JobState.QUEUED:
            job.state = JobState.CANCELLED
        elif job.state is JobState.RUNNING and job.worker is not None:
            job.state = JobState.STOPPING
            job.worker.cancel()

    def _start_next(self) -> None:
        if self.running is not None:
            return
        job = next((job for job in self.jobs if job.state is JobState.QUEUED), None)
        if job is None:
            return
        job.state = JobState.RUNNING
        job.worker = self.app.run_worker(
            partial(self._run, job),
            name=f"upload #{job.number}",
            group="upload",
            thread=True,
            exit_on_error=False,
        )

    # -- the worker's thread ---------------------------------------------------------------

    def _run(self, job: UploadJob) -> None:
        """The engine, its outcome into the model, then word to the app."""
        model = job.model
        try:
            message, result = job.work(
                self.runner, partial(self._changed, job), get_current_worker().cancelled_event
            )
        except OperationCancelled as error:
            model.end(JobState.CANCELLED, str(error))
        except SwiftuiError as error:
            model.end(JobState.FAILED, str(error))
        except Exception as error:
            model.end(
                JobState.FAILED, f"unexpected {type(error).__name__}: {error} (please report it)"
            )
        else:
            model.end(JobState.DONE, message, result)
        self._changed(job)
        self.app.post_message(JobEnded(job))

    def _changed(self, job: UploadJob) -> None:
        viewer = self.viewer
        if viewer is not None:
            viewer.post_message(JobChanged(job))

    # -- back on the UI thread -------------------------------------------------------------

    def finish(self, job: UploadJob, *, tell: bool) -> None:
        """The engine of ``job`` returned: settle its state, start the next one, and say
        how it ended when ``tell`` (not when the live view shows that job: it says so)."""
        outcome = job.model.summary().outcome
        if outcome is None:
            return
        job.state = outcome.state
        job.worker = None
        if tell:
            self._tell(job, outcome)
        for screen in self.app.screen_stack:
            screen.post_message(UploadFinished(job))
        self._start_next()

    def _tell(self, job: UploadJob, outcome: Outcome) -> None:
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
