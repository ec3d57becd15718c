"""The live view of uploads: the queue, overall progress, every segment, and a log.

The screen holds no upload state: it draws a job from its model when shown, then, woken by
the worker's :class:`~swiftui.tui.uploads.queue.JobChanged` messages, takes what changed
and redraws it, at most ten times a second (a change that comes sooner waits for the next
tenth). The segments table follows the segments in flight until the user moves its cursor
(``f`` follows again).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar

from swiftui.swift import SwiftService
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.uploads.live_rows import (
    JOB_COLUMNS,
    LOG_STYLES,
    SEGMENT_COLUMNS,
    SegmentTable,
    counters_line,
    job_row,
    rates_line,
    segment_row,
)
from swiftui.tui.uploads.model import Changes, JobState, LogEntry, Summary, display_path
from swiftui.tui.uploads.queue import JobChanged, UploadFinished, UploadJob, Uploads, uploads_of
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.log_panel import LogPanel
from swiftui.tui.widgets.rate_dialog import RateLimitScreen, cap_text
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.tui.widgets.status_line import StatusLine
from swiftui.tui.widgets.table import ListingTable, Row
from swiftui.units import format_bytes
from swiftui.upload import cancel_preview

DRAW_INTERVAL_S = 0.1
LOG_PANEL_LINES = 200


class UploadLiveScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    UploadLiveScreen {
        #jobs { height: 4; }
        #overall-line { height: 1; padding: 0 1; }
        #overall { width: auto; }
        #overall Bar { width: 24; }
        #rates { width: 1fr; padding-left: 2; }
        #counters, #phase { height: auto; max-height: 3; padding: 0 1; }
        #phase { color: $text; }
        #segments { height: 1fr; }
        #upload-log {
            height: 6;
            overflow-x: hidden;
            scrollbar-gutter: stable;
            border: round $primary 40%;
            border-title-color: $text;
            background: $surface;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to browsing; uploads go on"),
        Binding("c", "cancel", "Cancel", id="cancel", tooltip="Stop this upload (resumable)"),
        Binding("r", "again", "Resume", id="again", tooltip="Run it again: sends what is missing"),
        Binding("i", "details", "Details", id="details", tooltip="The uploaded object, verified"),
        Binding(
            "f", "follow", "Follow", id="follow", tooltip="Keep the segments in flight in view"
        ),
        Binding(
            "l",
            "limit",
            "Limit",
            id="limit",
            tooltip="Change or remove the bandwidth cap while the upload runs",
        ),
    ]

    def __init__(self, job: UploadJob | None = None) -> None:
        super().__init__()
        self.shown: UploadJob | None = job
        self.pinned = False
        """The user chose a job that is not running: stay on it when another starts."""
        self.ready = False
        """Composed and drawn once: until then changes are left to the first draw."""
        self._waiting: dict[UploadJob, None] = {}
        """Jobs whose changes wait for the next draw, in the order they came."""
        self._draw_timer: Timer | None = None
        self._drawn_at = 0.0

    @property
    def uploads(self) -> Uploads:
        return uploads_of(self)

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield ListingTable(JOB_COLUMNS, id="jobs")
        with Horizontal(id="overall-line"):
            yield ProgressBar(id="overall", show_eta=False)
            yield StatusLine(id="rates")
        yield StatusLine(id="counters")
        yield StatusLine(id="phase")
        yield SegmentTable(SEGMENT_COLUMNS, row_for=self._segment_row, id="segments")
        yield LogPanel(max_lines=LOG_PANEL_LINES, id="upload-log")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#jobs").border_title = "Uploads"
        self.query_one("#upload-log").border_title = "Retries and errors"
        self.query_one("#segments", SegmentTable).focus()
        self.uploads.viewer = self
        # Children of containers (the progress line) may still be mounting: draw after.
        self.call_after_refresh(self._first_draw)

    def on_unmount(self) -> None:
        if self.uploads.viewer is self:
            self.uploads.viewer = None

    def _first_draw(self) -> None:
        if not self.query("#overall"):
            self.call_after_refresh(self._first_draw)
            return
        self.show_job(self.shown or self.uploads.running or self._last_job())
        self.ready = True

    def on_screen_resume(self) -> None:
        """Back from details or help: changes went by while hidden, draw it all again."""
        if self.ready and self.shown is not None:
            self.show_job(self.shown)

    @property
    def drawable(self) -> bool:
        return self.ready and self.is_current

    def _last_job(self) -> UploadJob | None:
        return self.uploads.jobs[-1] if self.uploads.jobs else None

    # -- what the worker says --------------------------------------------------------------

    @on(JobChanged)
    def job_changed(self, message: JobChanged) -> None:
        """Draw what changed now, or at the next tenth of a second if one was just drawn."""
        self._waiting[message.job] = None
        if self._draw_timer is not None:
            return
        wait = self._drawn_at + DRAW_INTERVAL_S - time.monotonic()
        if wait > 0:
            self._draw_timer = self.set_timer(wait, self._draw_waiting)
        else:
            self._draw_waiting()

    def _draw_waiting(self) -> None:
        self._draw_timer = None
        jobs, self._waiting = list(self._waiting), {}
        if not self.drawable:
            return  # drawn from scratch once shown again
        self._drawn_at = time.monotonic()
        for job in jobs:
            self.apply_changes(job, job.model.take_changes())

    @on(UploadFinished)
    def upload_finished(self, message: UploadFinished) -> None:
        job = message.job
        if not self.drawable:
            return
        self._show_jobs()
        if job is self.shown:
            self._show_summary(job, job.model.summary())
            self.refresh_bindings()
            if job.state is JobState.DONE:
                self.action_details()

    # -- drawing ---------------------------------------------------------------------------

    def _segment_row(self, key: str) -> Row:
        assert self.shown is not None
        return segment_row(self.shown.model.segment(int(key)))

    def show_job(self, job: UploadJob | None) -> None:
        """Draw ``job`` from scratch: rows, log, numbers."""
        self.shown = job
        self._show_jobs()
        table = self.query_one("#segments", SegmentTable)
        self.query_one("#upload-log", LogPanel).forget()
        if job is None:
            table.show_keys([])
            self.query_one("#phase", StatusLine).show(
                "No uploads yet: press u on a region or a container to start one."
            )
            return
        self.query_one("#jobs", ListingTable).move_cursor_to_key(str(job.number))
        history, summary = job.model.restart_view()
        table.invalidate()
        table.show_keys([str(index) for index in range(job.model.segment_count())])
        table.following = True
        for entry in history:
            self._write_log(entry)
        self._show_summary(job, summary)
        self.refresh_bindings()

    def apply_changes(self, job: UploadJob, changes: Changes) -> None:
        """Redraw what changed of ``job``, if ``job`` is on screen."""
        self.query_one("#jobs", ListingTable).update_row(job_row(job, changes.summary))
        if job is not self.shown:
            if self.shown is None or (self.shown.state.finished and not self.pinned):
                self.show_job(job)
            return
        table = self.query_one("#segments", SegmentTable)
        if changes.replanned:
            table.show_keys([str(index) for index in range(job.model.segment_count())])
            table.invalidate()
        elif changes.segments:
            table.invalidate([str(index) for index in changes.segments])
        for entry in changes.log:
            self._write_log(entry)
        self._show_summary(job, changes.summary)

    def _show_jobs(self) -> None:
        table = self.query_one("#jobs", ListingTable)
        jobs = self.uploads.jobs
        table.set_rows(
            [job_row(job, job.model.summary()) for job in jobs],
            keep_cursor_on=str(self.shown.number) if self.shown else None,
        )
        table.styles.height = min(len(jobs), 3) + 3

    def _show_summary(self, job: UploadJob, summary: Summary) -> None:
        done, total = summary.bytes_done
        self.query_one("#overall", ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#rates", StatusLine).show(rates_line(summary, done, total))
        cap = job.limiter.rate if job.limiter is not None else None
        self.query_one("#counters", StatusLine).show(counters_line(summary, cap))
        self.query_one("#phase", StatusLine).show(self._phase_text(job, summary))
        self.query_one("#segments", SegmentTable).follow(summary.first_in_flight)
        plan = summary.plan
        self.query_one("#segments").border_title = (
            f"{plan.segment_count} segments of {format_bytes(plan.segment_size)} → "
            f"{plan.segment_container or plan.container}"
            if plan
            else "Segments"
        )

    def _phase_text(self, job: UploadJob, summary: Summary) -> Text:
        if job.state is JobState.QUEUED:
            return Text("queued: starts when the upload before it ends", style="dim")
        if job.state is JobState.STOPPING:
            return Text("stopping: letting the segments in flight end cleanly…", "yellow")
        outcome = summary.outcome
        if outcome is None and job.state is JobState.CANCELLED:
            return Text(job.advice(), style="yellow")
        plan = summary.plan
        if outcome is None and plan is not None and summary.phase == "uploading":
            text = (
                f"uploading {display_path(plan.local_path)} → {job.region} › "
                f"{plan.container}/{plan.object_name}"
            )
            if summary.file is not None:
                text = f"file {summary.file[0]} of {summary.file[1]}: {text}"
            return Text(text, "cyan")
        if outcome is None:
            return Text(summary.phase)
        if outcome.state is JobState.DONE:
            return Text(f"✓ {outcome.message}", style="bold green")
        style = "yellow" if outcome.state is JobState.CANCELLED else "bold red"
        return Text.assemble((f"{job.stopped_text()}\n", style), job.advice())

    def _write_log(self, entry: LogEntry) -> None:
        moment = entry.when.astimezone(self.swiftui_app.zone).strftime("%H:%M:%S")
        self.query_one("#upload-log", LogPanel).add(
            Text.assemble((moment + " ", "dim"), (entry.text, LOG_STYLES.get(entry.level, "")))
        )

    # -- keys ------------------------------------------------------------------------------

    @on(ListingTable.Highlighted, "#jobs")
    def job_highlighted(self, message: ListingTable.Highlighted) -> None:
        """The user moved in the queue: show that job. (The view moves the cursor itself
        when it follows the running job; those moves arrive while the table is not focused.)"""
        if not message.table.has_focus:
            return
        job = self._job(message.key)
        if job is not None and job is not self.shown:
            self.pinned = job is not self.uploads.running
            self.show_job(job)

    @on(ListingTable.Selected, "#jobs")
    def job_selected(self) -> None:
        self.action_details()

    def _job(self, key: str | None) -> UploadJob | None:
        return next((job for job in self.uploads.jobs if str(job.number) == key), None)

    def action_back(self) -> None:
        self.dismiss()

    def action_follow(self) -> None:
        table = self.query_one("#segments", SegmentTable)
        table.following = True
        if self.shown is not None:
            table.follow(self.shown.model.summary().first_in_flight)

    def action_cancel(self) -> None:
        job = self.shown
        if job is None:
            return
        if job.state is JobState.QUEUED:
            self.uploads.cancel(job)
            self.show_job(job)
            return
        if job.state is not JobState.RUNNING:
            return
        progress = job.model.summary().progress
        kept = f"{cancel_preview(progress)}.\n" if progress is not None else ""
        question = (
            f"Cancel the upload of {job.file_name} to {job.target}?\n{kept}"
            "Finished segments are recorded: resuming it later sends only the missing ones."
        )

        def answered(cancel: bool | None) -> None:
            if cancel and job.state is JobState.RUNNING:
                self.uploads.cancel(job)
                self.show_job(job)

        self.app.push_screen(ConfirmScreen(question, yes="Cancel it", no="Go on"), answered)

    def action_again(self) -> None:
        job = self.shown
        if job is not None:
            self.uploads.again(job)
            self.show_job(job)

    def action_limit(self) -> None:
        job = self.shown
        if not self.check_action("limit", ()) or job is None or job.limiter is None:
            return
        limiter = job.limiter

        def answered(changed: bool | None) -> None:
            if changed:
                job.model.log(f"bandwidth cap changed: {cap_text(limiter.rate)}")
                if job is self.shown and self.drawable:
                    self.apply_changes(job, job.model.take_changes())

        self.app.push_screen(RateLimitScreen(limiter, what="upload"), answered)

    def action_details(self) -> None:
        job = self.shown
        outcome = job.model.summary().outcome if job else None
        if job is None or outcome is None or outcome.result is None:
            return
        result = outcome.result
        self.app.push_screen(
            UploadedDetailsScreen(job.service, result.container, result.object_name)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        job = self.shown
        if action == "cancel":
            return job is not None and job.state in (JobState.RUNNING, JobState.QUEUED)
        if action == "again":
            return job is not None and job.state in (JobState.CANCELLED, JobState.FAILED)
        if action == "details":
            return job is not None and job.state is JobState.DONE
        if action == "limit":
            return (
                job is not None
                and job.limiter is not None
                and job.state in (JobState.RUNNING, JobState.QUEUED)
            )
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.check_action("cancel", ()):
            yield SystemCommand("Cancel upload", "Stop the upload shown (c)", self.action_cancel)
        if self.check_action("again", ()):
            yield SystemCommand("Resume upload", "Send what is missing (r)", self.action_again)
        if self.check_action("limit", ()):
            yield SystemCommand(
                "Change the upload's bandwidth cap",
                "Set, change or remove it while the upload runs (l)",
                self.action_limit,
            )


def show_uploads(app: App[Any], job: UploadJob | None = None) -> None:
    """Bring the live view forward, showing ``job`` (default: the one running)."""
    live = next((s for s in app.screen_stack if isinstance(s, UploadLiveScreen)), None)
    if live is None:
        app.push_screen(UploadLiveScreen(job))
        return
    while app.screen is not live and len(app.screen_stack) > 1:
        app.pop_screen()
    if job is not None:
        live.pinned = False
        live.show_job(job)


class UploadedDetailsScreen(ObjectDetailsScreen):
    """The details of an object just uploaded: an SLO's manifest is verified at once, its
    verdict in the line under the manifest (a notification would cover the Etag column and
    that line)."""

    def __init__(self, service: SwiftService, container: str, name: str) -> None:
        super().__init__(service, container, name)
        self.verified_once = False

    @on(ObjectDetailsScreen.Loaded)
    def verify_once(self, message: ObjectDetailsScreen.Loaded) -> None:
        details = message.details
        if details is not None and details.manifest is not None and not self.verified_once:
            self.verified_once = True
            self.call_after_refresh(self.action_verify)

    @on(ObjectDetailsScreen.Verified)
    def ring_if_wrong(self, message: ObjectDetailsScreen.Verified) -> None:
        if not message.result.ok:
            self.app.bell()
