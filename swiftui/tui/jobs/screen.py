"""The Jobs screen: every job of the jobs file with its last run; run one now, edit it, read
its history.

``J`` on the browsing screens (or the palette's Jobs) opens it. A worker reads the jobs file
and each job's history when the screen opens, when it comes back to the front, after an
upload or a run ends, and every minute, so a run cron made meanwhile shows up; a job that
another swiftui runs (cron, a terminal) shows "running now" from its lock.

``R`` runs the highlighted job now: a worker asks the core what the job would upload and
logs in as the job, then the run joins the upload queue as a
:class:`~swiftui.tui.jobs.run.JobRun` and the live upload view shows it. A job another
process is running is refused at once, in the words ``swiftui job run`` uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker

from swiftui.jobs import (
    Job,
    JobsFile,
    RunRecord,
    SourceKind,
    already_running,
    is_running,
    last_run,
    load_jobs,
    upload_requests,
)
from swiftui.swift import SwiftService
from swiftui.tui.jobs.form import JobFormScreen
from swiftui.tui.jobs.history import JobHistoryScreen
from swiftui.tui.jobs.logins import job_logins_of
from swiftui.tui.jobs.rows import JOB_COLUMNS, job_facts, job_row
from swiftui.tui.jobs.run import JobRun, current_run
from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.uploads.model import UploadModel
from swiftui.tui.uploads.queue import UploadFinished, uploads_of
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.screens import SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.units import plural
from swiftui.upload import UploadRequest


class JobsScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    JobsScreen {
        #jobs-head, #jobs-status { height: auto; max-height: 3; padding: 0 1; }
        #jobs-status { color: $text-muted; }
        #jobs-status.error { color: $error; }
        #job-facts {
            height: auto;
            max-height: 9;
            padding: 0 1;
            border: round $primary 40%;
            border-title-color: $text;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to where J was pressed"),
        Binding(
            "R", "run_now", "Run now", id="run-now", tooltip="Run the job now, in the upload view"
        ),
        Binding("e", "edit", "Edit", id="edit", tooltip="Change the job, with its plan previewed"),
        Binding("h", "history", "History", id="history", tooltip="Every run of the job (Enter)"),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="refresh",
            show=False,
            tooltip="Read the jobs file and the histories again",
        ),
    ]

    class Loaded(Message):
        def __init__(
            self, jobs: JobsFile, last: dict[str, RunRecord | None], running: set[str]
        ) -> None:
            super().__init__()
            self.jobs = jobs
            self.last = last
            self.running = running

    class RunReady(Message):
        """The job's uploads are known and it logged in: it can join the queue."""

        def __init__(self, job: Job, service: SwiftService, requests: list[UploadRequest]) -> None:
            super().__init__()
            self.job = job
            self.service = service
            self.requests = requests

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.jobs: JobsFile | None = None
        self.last: dict[str, RunRecord | None] = {}
        self.running: set[str] = set()
        self.problem = ""
        """Why the jobs file cannot be read, in the core's words."""

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield Static(f"Reading {display_path(self.path)}…", id="jobs-head")
        yield ListingTable(JOB_COLUMNS, id="job-list")
        yield Static(id="jobs-status")
        yield Static(id="job-facts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#job-list", ListingTable)
        table.border_title = "Jobs"
        table.focus()
        self.query_one("#job-facts").display = False
        self.query_one("#jobs-status").display = False
        redraw_as_time_passes(self, self.action_refresh)
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @on(UploadFinished)
    def upload_finished(self) -> None:
        self.action_refresh()

    # -- reading ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        jobs = load_jobs(self.path)
        last = {name: last_run(name) for name in jobs.jobs}
        running = {name for name in jobs.jobs if is_running(name)}
        self.post_message(self.Loaded(jobs, last, running))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.jobs, self.last, self.running = message.jobs, message.last, message.running
        self.problem = ""
        self._show()

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        if worker.group == "load":
            self.jobs, self.problem = None, message
            self._show()
        else:
            self._say(message, error=True)
        return True

    # -- drawing ---------------------------------------------------------------------------

    def _show(self) -> None:
        table = self.query_one("#job-list", ListingTable)
        now = self.swiftui_app.clock()
        states = self._now_states()
        jobs = list(self.jobs.jobs.values()) if self.jobs else []
        table.set_rows(
            [job_row(job, self.last.get(job.name), states.get(job.name), now) for job in jobs],
            keep_cursor_on=table.cursor_key,
        )
        self.query_one("#jobs-head", Static).update(self._head(len(jobs)))
        self._show_facts()
        self.refresh_bindings()

    def _head(self, count: int) -> Text:
        where = display_path(self.path)
        if self.problem:
            return Text(self.problem, style="bold red")
        if not count:
            return Text(
                f"No jobs in {where} yet: `swiftui job add NAME …` writes one, or edit the "
                "file (README: The monthly job, end to end)."
            )
        return Text(f"{plural(count, 'job')} in {where}")

    def _now_states(self) -> dict[str, str]:
        """``running now`` or ``queued``, for the jobs that are."""
        states = dict.fromkeys(self.running, "running now")
        for entry in uploads_of(self).jobs:
            if isinstance(entry, JobRun) and not entry.state.finished:
                queued = entry.state is JobState.QUEUED
                states[entry.job.name] = "queued" if queued else "running now"
        return states

    @on(ListingTable.Highlighted, "#job-list")
    def _show_facts(self) -> None:
        facts = self.query_one("#job-facts", Static)
        job = self.highlighted()
        facts.display = job is not None
        if job is not None:
            facts.border_title = f"Job {job.name}"
            facts.update(job_facts(job, self.last.get(job.name), self.swiftui_app.zone))
        self.refresh_bindings()

    def highlighted(self) -> Job | None:
        key = self.query_one("#job-list", ListingTable).cursor_key
        return self.jobs.jobs.get(key) if self.jobs and key else None

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#jobs-status", Static)
        status.set_class(error, "error")
        status.display = bool(text)
        status.update(text)

    # -- run now ---------------------------------------------------------------------------

    def action_run_now(self) -> None:
        job = self.highlighted()
        if job is None:
            return
        ours = current_run(uploads_of(self), job.name)
        if ours is not None:
            show_uploads(self.app, ours)
            return
        if is_running(job.name):
            self._say(str(already_running(job.name)), error=True)
            return
        if job.source.kind is SourceKind.COMMAND:
            self._say(
                f"Job {job.name} streams a command's output: run it with `swiftui job run "
                f"{job.name}` (this screen runs file sources only, for now).",
                error=True,
            )
            return
        self._say(f"Job {job.name}: finding what it uploads, logging in…")
        self.prepare_run(job, self.swiftui_app.clock().astimezone(self.swiftui_app.zone))

    @work(thread=True, exclusive=True, exit_on_error=False, group="run")
    def prepare_run(self, job: Job, now: datetime) -> None:
        requests = upload_requests(job, now=now)
        service, _notes = job_logins_of(self).service(job)  # the run says them in its log
        self.post_message(self.RunReady(job, service, requests))

    @on(RunReady)
    def run_ready(self, message: RunReady) -> None:
        uploads = uploads_of(self)
        run = JobRun(
            uploads.next_number,
            message.service,
            message.requests[0],
            UploadModel(self.swiftui_app.clock),
            job=message.job,
            environ=job_logins_of(self).environ,
            requests={request.resolved_object_name: request for request in message.requests},
        )
        self._say("")
        if uploads.add(run) is not None:
            show_uploads(self.app, run)

    # -- edit, history ---------------------------------------------------------------------

    def action_edit(self) -> None:
        job = self.highlighted()
        if job is not None:
            self._say("")
            self.app.push_screen(JobFormScreen(self.path, job))

    @on(ListingTable.Selected, "#job-list")
    def action_history(self) -> None:
        job = self.highlighted()
        if job is not None:
            self.app.push_screen(JobHistoryScreen(job))

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("run_now", "edit", "history"):
            return self.highlighted() is not None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        job = self.highlighted()
        if job is None:
            return
        yield SystemCommand(
            f"Run job {job.name} now", "Upload what is new, verify, prune (R)", self.action_run_now
        )
        yield SystemCommand(f"Edit job {job.name}", "With its plan previewed (e)", self.action_edit)
        yield SystemCommand(f"History of job {job.name}", "Every run (h)", self.action_history)
