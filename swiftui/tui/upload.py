"""The app's uploads: a queue that runs one engine at a time, and what plugs it in.

Each upload runs :func:`~swiftui.upload.engine.run_upload` in a thread worker of the app
(not of a screen, so leaving the live view does not stop it) with the worker's
``cancelled_event`` as the engine's ``cancel``: ``c`` cancels that worker, and so does
Textual when the app exits, so quitting stops the engine within about a second and
leaves its journal ready for a resume. The engine's events go into the job's
:class:`~swiftui.tui.upload_model.UploadModel`; a timer drains the models ten times a
second into the live view, whatever the event rate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.tui.base import BrowsingScreen
from swiftui.tui.context import UPLOAD, BrowseContext
from swiftui.tui.upload_model import JobState, UploadModel, finished_line
from swiftui.units import format_bytes
from swiftui.upload import UploadRequest, run_upload

if TYPE_CHECKING:
    from swiftui.swift import SwiftService
    from swiftui.tui.app import SwiftuiApp
    from swiftui.tui.upload_live import UploadLiveScreen
    from swiftui.tui.upload_resume import Interrupted

TICK_S = 0.1
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

    def same_target(self, other: UploadJob) -> bool:
        return (self.region, self.target) == (other.region, other.target)

    def status_text(self) -> str:
        """``uploading 40 %``, ``queued``, ``done``: one cell of the queue list."""
        if self.state is JobState.RUNNING:
            progress = self.model.summary().progress
            if progress is None or not progress.bytes_total:
                return "starting"
            return f"uploading {round(100 * progress.bytes_done / progress.bytes_total)} %"
        if self.state is JobState.CANCELLED and self.model.summary().outcome is None:
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
        """The outcome of a stopped upload, in the words of this screen."""
        outcome = self.model.summary().outcome
        if outcome is None:
            return ""
        cancelled = outcome.cancelled
        if cancelled is None:
            return outcome.message
        return (
            f"cancelled: {cancelled.segments_done} of {cancelled.segments_total} segments "
            f"({format_bytes(cancelled.bytes_done)} of {format_bytes(cancelled.bytes_total)}) "
            "are in Swift"
        )


def install_uploads(app: SwiftuiApp) -> Uploads:
    """Plug uploads into ``app``: ``u`` on browsing screens, the palette, the busy check
    for ``q``, and the offer of interrupted uploads once logged in."""
    app.uploads = Uploads(app)
    return app.uploads


class Uploads:
    """The queue of uploads, run one at a time; one per app (:func:`install_uploads`)."""

    def __init__(self, app: SwiftuiApp) -> None:
        self.app = app
        self.jobs: list[UploadJob] = []
        self.runner: Runner = run_upload
        self._timer: Timer | None = None
        app.register_screen_factory(UPLOAD, self.form_for)
        app.register_busy_check(self.busy)

    # -- what the app asks -----------------------------------------------------------------

    def form_for(self, context: BrowseContext) -> Screen[None]:
        from swiftui.tui.upload_form import UploadFormScreen

        return UploadFormScreen(context)

    def busy(self) -> str | None:
        """``upload of db.dump to backups/db.dump, 40 %`` while one runs (for ``q``)."""
        running = self.running
        if running is None:
            return None
        summary = running.model.summary()
        progress = summary.progress
        done = (
            f", {round(100 * progress.bytes_done / progress.bytes_total)} %"
            if progress and progress.bytes_total
            else ""
        )
        text = f"upload of {running.file_name} to {running.target}{done}"
        queued = sum(1 for job in self.jobs if job.state is JobState.QUEUED)
        if queued:
            text += f" ({queued} more queued)"
        return text

    def palette_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if self.app.cloud is None:
            return
        if not isinstance(screen, BrowsingScreen):
            yield SystemCommand(
                "Upload a file",
                "Pick a local file and send it to a container",
                partial(self.open_form, screen),
            )
        yield SystemCommand(
            "Resume interrupted uploads",
            "Uploads stopped before the end, with what is left to send",
            self.open_resume,
        )
        if self.jobs:
            yield SystemCommand(
                "Show uploads", "Progress of the running and queued uploads", self.show
            )

    def open_form(self, screen: Screen[Any]) -> None:
        cloud = self.app.cloud
        if cloud is None:
            return
        if isinstance(screen, BrowsingScreen):
            context = screen.browse_context()
        else:
            region = getattr(screen, "region_name", None) or cloud.default_region()
            context = BrowseContext(cloud=cloud, region=region, service=cloud.service(region))
        self.app.push_screen(self.form_for(context))

    def open_resume(self, interrupted: list[Interrupted] | None = None) -> None:
        from swiftui.tui.upload_resume import ResumeScreen

        if self.app.cloud is not None and not isinstance(self.app.screen, ResumeScreen):
            self.app.push_screen(ResumeScreen(self.app.cloud, interrupted))

    def offer_interrupted(self) -> None:
        """At start: list interrupted uploads of this account, if any can be resumed."""
        cloud = self.app.cloud
        if cloud is None:
            return

        async def look() -> None:
            from swiftui.tui.upload_resume import find_interrupted

            try:
                found = await asyncio.to_thread(find_interrupted, cloud)
            except SwiftuiError:
                return  # only an offer: the palette's Resume shows the error if it lasts
            if any(item.problem is None for item in found):
                self.open_resume(found)

        self.app.run_worker(look, group="upload-offer", exit_on_error=False)

    # -- the queue -------------------------------------------------------------------------

    @property
    def running(self) -> UploadJob | None:
        return next(
            (job for job in self.jobs if job.state in (JobState.RUNNING, JobState.STOPPING)),
            None,
        )

    def enqueue(self, service: SwiftService, request: UploadRequest) -> UploadJob | None:
        """Queue an upload (it starts at once if none runs); None if it is already queued."""
        job = UploadJob(len(self.jobs) + 1, service, request, UploadModel(self.app.clock))
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
        job.model = UploadModel(self.app.clock)
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

    def show(self, job: UploadJob | None = None) -> None:
        """Bring the live view forward, showing ``job`` (default: the one running)."""
        from swiftui.tui.upload_live import UploadLiveScreen

        live = next(
            (screen for screen in self.app.screen_stack if isinstance(screen, UploadLiveScreen)),
            None,
        )
        if live is None:
            self.app.push_screen(UploadLiveScreen(job))
            return
        while self.app.screen is not live and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        if job is not None:
            live.pinned = False
            live.show_job(job)

    def _start_next(self) -> None:
        if self.running is not None:
            return
        job = next((job for job in self.jobs if job.state is JobState.QUEUED), None)
        if job is None:
            if self._timer is not None:
                self._timer.pause()
            return
        if self._timer is None:
            self._timer = self.app.set_interval(TICK_S, self._tick, name="uploads")
        else:
            self._timer.resume()
        job.state = JobState.RUNNING
        job.worker = self.app.run_worker(
            partial(self._run, job),
            name=f"upload #{job.number}",
            group="upload",
            thread=True,
            exit_on_error=False,
        )

    def _run(self, job: UploadJob) -> None:
        """The worker's thread: the engine, then its outcome into the model."""
        model = job.model
        try:
            result = self.runner(
                job.service,
                job.request,
                on_event=model.apply,
                cancel=get_current_worker().cancelled_event,
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
            model.end(JobState.DONE, finished_line(result), result)

    # -- ten times a second ----------------------------------------------------------------

    def _tick(self) -> None:
        from swiftui.tui.upload_live import UploadLiveScreen

        if not self.app.is_running:
            return  # quitting: the screens are being taken down, the engine is cancelled
        screen = self.app.screen
        live: UploadLiveScreen | None = screen if isinstance(screen, UploadLiveScreen) else None
        for job in self.jobs:
            if job.state not in (JobState.RUNNING, JobState.STOPPING):
                continue
            ended = job.model.ended.is_set()
            changes = job.model.take_changes()
            if live is not None:
                live.apply_changes(job, changes)
            if ended:
                self._finished(job, live)
        self._start_next()

    def _finished(self, job: UploadJob, live: UploadLiveScreen | None) -> None:
        outcome = job.model.summary().outcome
        assert outcome is not None
        job.state = outcome.state
        job.worker = None
        if outcome.state is JobState.DONE and outcome.result is not None:
            result = outcome.result
            what = f"{format_bytes(result.size)}"
            if result.is_slo:
                what += f" in {result.segment_count} segments"
            self.app.notify(
                f"{job.target} in {job.region}: {what}.", title="Upload done", timeout=10
            )
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
        if live is not None:
            live.job_finished(job)
