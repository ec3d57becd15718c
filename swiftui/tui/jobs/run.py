"""A job's run as an entry of the upload queue, shown by the live upload view.

"Run now" first asks the core what the job would upload (:func:`~swiftui.jobs.upload_requests`:
the files, no Swift) and logs in as the job (the entry's region, and afterwards the details
of the archive it uploaded); then the queue's thread worker runs
:func:`~swiftui.jobs.run_job` with the worker's cancel event, as cron would run it: its own
login, its lock (a run elsewhere refuses it), its history row and its notifications. Upload
events go to the model unchanged, so the live view draws the segments as for any upload;
the job's own steps (checked, verified, pruned, notified) become log lines and the phase,
in the core's words (:func:`~swiftui.jobs.describe`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from threading import Event

from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.jobs import (
    ItemChecked,
    Job,
    JobEvent,
    JobFinished,
    NotificationSent,
    Result,
    RunEvent,
    describe,
    run_job,
    run_summary,
)
from swiftui.tui.uploads.queue import UploadJob, Uploads
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.tui.widgets.transfer_queue import Runner, TransferJob
from swiftui.upload import UploadFinished, UploadRequest, UploadResult


@dataclass(eq=False)
class JobRun(UploadJob):
    """One run of ``job``; :attr:`request` is the upload of the archive the run is on."""

    job: Job = field(kw_only=True)
    environ: Mapping[str, str] = field(kw_only=True, repr=False)
    requests: dict[str, UploadRequest] = field(kw_only=True)
    """The run's uploads by object name, as foreseen when it was queued."""

    @property
    def file_name(self) -> str:
        return f"job {self.job.name}"

    def same_target(self, other: TransferJob) -> bool:
        return isinstance(other, JobRun) and other.job.name == self.job.name

    def advice(self) -> str:
        outcome = self.model.summary().outcome
        if outcome is None or outcome.state is JobState.DONE:
            return super().advice()
        again = "r runs the job again, now or later (J, then R): an interrupted upload resumes"
        if outcome.state is JobState.CANCELLED:
            return f"{again}, only the missing segments are sent."
        return f"Once the cause is fixed, {again}. The run is in the job's history (J, h)."

    def work(
        self, runner: Runner, changed: Callable[[], None], cancel: Event
    ) -> tuple[str, UploadResult | None]:
        """The whole job; the last archive it uploaded is the result (none: nothing new)."""
        uploaded: list[UploadResult] = []

        def on_event(event: RunEvent) -> None:
            if isinstance(event, ItemChecked):
                self.request = self.requests.get(event.object_name, self.request)
            elif isinstance(event, UploadFinished):
                uploaded.append(event.result)
            if isinstance(event, JobFinished):
                return  # the outcome says how it went
            if isinstance(event, JobEvent):
                self.model.note(describe(event) or "", _level(event))
            else:
                self.model.apply(event)
            changed()

        record = run_job(self.job, on_event=on_event, cancel=cancel, environ=self.environ)
        summary = f"job {self.job.name}: {run_summary(record)}"
        if record.result is Result.INTERRUPTED:
            raise OperationCancelled(summary)
        if record.result is Result.FAILED:
            raise SwiftuiError(summary)
        return summary, uploaded[-1] if uploaded else None


def _level(event: JobEvent) -> str:
    if isinstance(event, NotificationSent) and not event.record.ok:
        return "warning"
    return "info"


def current_run(uploads: Uploads, job: str) -> JobRun | None:
    """This app's run of ``job`` still queued or running, if there is one."""
    return next(
        (
            entry
            for entry in uploads.jobs
            if isinstance(entry, JobRun) and entry.job.name == job and not entry.state.finished
        ),
        None,
    )
