"""The live view of uploads: the queue, overall progress, every segment, and a log.

The screen holds no upload state: it draws a job from its model when shown, then applies
the changes :class:`~swiftui.tui.uploads.Uploads` hands it ten times a second. The
segments table follows the segments in flight until the user moves its cursor (``f``
follows again).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, ProgressBar, RichLog, Static

from swiftui.browse import ManifestCheck
from swiftui.swift import SwiftService
from swiftui.tui.base import SwiftuiScreen
from swiftui.tui.details import ObjectDetailsScreen
from swiftui.tui.dialogs import ConfirmScreen
from swiftui.tui.table import Column, ListingTable, Row
from swiftui.tui.upload import UploadJob, Uploads
from swiftui.tui.upload_model import (
    Changes,
    JobState,
    LogEntry,
    SegmentStatus,
    SegmentView,
    Summary,
    display_path,
)
from swiftui.units import format_bytes, format_eta, format_rate

BAR_CELLS = 12
LOG_STYLES = {"warning": "yellow", "error": "bold red"}
STATUS_STYLES = {
    SegmentStatus.QUEUED: "dim",
    SegmentStatus.UPLOADING: "cyan",
    SegmentStatus.RETRYING: "bold yellow",
    SegmentStatus.DONE: "green",
    SegmentStatus.REUSED: "green",
    SegmentStatus.FAILED: "bold red",
}
JOB_STYLES = {
    JobState.RUNNING: "bold cyan",
    JobState.STOPPING: "yellow",
    JobState.DONE: "green",
    JobState.CANCELLED: "yellow",
    JobState.FAILED: "bold red",
}

JOB_COLUMNS = (
    Column("number", "#", 3, "right"),
    Column("file", "File", 18, keep_end=True),
    Column("target", "To", min_width=14, keep_end=True),
    Column("state", "State", 15),
)
SEGMENT_COLUMNS = (
    Column("index", "#", 5, "right"),
    Column("size", "Size", 10, "right"),
    Column("bar", "Progress", BAR_CELLS),
    Column("state", "State", min_width=16),
)


def bar(fraction: float, style: str) -> Text:
    filled = round(max(0.0, min(1.0, fraction)) * BAR_CELLS)
    return Text.assemble(("█" * filled, style), ("░" * (BAR_CELLS - filled), "dim"))


def segment_state_text(view: SegmentView) -> Text:
    """``uploading 52 %``, ``retrying (attempt 2): 503 …``, ``done``: the State cell."""
    style = STATUS_STYLES[view.status]
    if view.status is SegmentStatus.UPLOADING and view.sent >= view.length:
        text = "sent, waiting for Swift's answer"
    elif view.status is SegmentStatus.UPLOADING:
        text = f"uploading {100 * view.sent // max(view.length, 1)} %"
        if view.attempt > 1:
            text += f" (attempt {view.attempt})"
    elif view.status is SegmentStatus.RETRYING:
        text = f"retrying (attempt {view.attempt}): {view.reason}"
    elif view.status is SegmentStatus.REUSED:
        text = "done (already in Swift)"
    elif view.status is SegmentStatus.FAILED:
        text = f"failed: {view.reason}"
    else:
        text = str(view.status)
    return Text(text, style=style)


def segment_row(view: SegmentView) -> Row:
    return Row(
        str(view.index),
        (
            str(view.index),
            format_bytes(view.length),
            bar(view.fraction, STATUS_STYLES[view.status]),
            segment_state_text(view),
        ),
    )


def job_row(job: UploadJob) -> Row:
    return Row(
        str(job.number),
        (
            str(job.number),
            job.file_name,
            f"{job.region} › {job.target}",
            Text(job.status_text(), style=JOB_STYLES.get(job.state, "")),
        ),
    )


def rates_line(summary: Summary, done: int, total: int) -> str:
    """``2.4 MiB of 5.5 MiB · 3.2 MiB/s · ETA 1s``; no rate once the upload has stopped."""
    if summary.plan is None and summary.progress is None:
        return "…"
    line = f"{format_bytes(done)} of {format_bytes(total)}"
    progress = summary.progress
    if progress is None or summary.outcome is not None:
        return line
    return f"{line} · {format_rate(progress.rate_bps)} · ETA {format_eta(progress.eta_s)}"


def counters_line(summary: Summary) -> str:
    counts = summary.counts
    total = sum(counts.values())
    done = counts.get(SegmentStatus.DONE, 0) + counts.get(SegmentStatus.REUSED, 0)
    parts = [f"segments {done}/{total} done"]
    for status, label in (
        (SegmentStatus.UPLOADING, "uploading"),
        (SegmentStatus.RETRYING, "retrying"),
        (SegmentStatus.QUEUED, "queued"),
        (SegmentStatus.REUSED, "already in Swift"),
        (SegmentStatus.FAILED, "failed"),
    ):
        if counts.get(status):
            parts.append(f"{counts[status]} {label}")
    if summary.retries:
        parts.append(f"{summary.retries} {'retry' if summary.retries == 1 else 'retries'}")
    return " · ".join(parts)


class SegmentTable(ListingTable):
    """Segments in index order; keeps the first one in flight in view until the user
    moves the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Open", show=False)]

    following = True

    def follow(self, index: int | None) -> None:
        if not self.following or index is None:
            return
        self.cursor_row = index
        self.scroll_to(y=max(0, index - 1), animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.following = False
        super().action_cursor(step)

    def action_page(self, direction: int) -> None:
        self.following = False
        super().action_page(direction)

    def action_cursor_to(self, index: int) -> None:
        self.following = False
        super().action_cursor_to(index)


class UploadLiveScreen(SwiftuiScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to browsing; uploads go on"),
        Binding("c", "cancel", "Cancel", id="cancel", tooltip="Stop this upload (resumable)"),
        Binding("r", "again", "Resume", id="again", tooltip="Run it again: sends what is missing"),
        Binding("i", "details", "Details", id="details", tooltip="The uploaded object, verified"),
        Binding(
            "f", "follow", "Follow", id="follow", tooltip="Keep the segments in flight in view"
        ),
    ]

    def __init__(self, job: UploadJob | None = None) -> None:
        super().__init__()
        self.shown: UploadJob | None = job
        self.pinned = False
        """The user chose a job that is not running: stay on it when another starts."""
        self.ready = False
        """Composed and drawn once: until then the timer's batches are left to on_mount."""

    @property
    def uploads(self) -> Uploads:
        uploads = self.swiftui_app.uploads
        assert uploads is not None
        return uploads

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield ListingTable(JOB_COLUMNS, id="jobs")
        with Horizontal(id="overall-line"):
            yield ProgressBar(id="overall", show_eta=False)
            yield Static(id="rates")
        yield Static(id="counters")
        yield Static(id="phase")
        yield SegmentTable(SEGMENT_COLUMNS, row_for=self._segment_row, id="segments")
        yield RichLog(id="upload-log", max_lines=200, wrap=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#jobs").border_title = "Uploads"
        self.query_one("#upload-log").border_title = "Retries and errors"
        self.query_one("#segments", SegmentTable).focus()
        # Children of containers (the progress line) may still be mounting: draw after.
        self.call_after_refresh(self._first_draw)

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
        return self.ready and self.is_attached

    def _last_job(self) -> UploadJob | None:
        return self.uploads.jobs[-1] if self.uploads.jobs else None

    # -- drawing ---------------------------------------------------------------------------

    def _segment_row(self, key: str) -> Row:
        assert self.shown is not None
        return segment_row(self.shown.model.segment(int(key)))

    def show_job(self, job: UploadJob | None) -> None:
        """Draw ``job`` from scratch: rows, log, numbers."""
        self.shown = job
        self._show_jobs()
        table = self.query_one("#segments", SegmentTable)
        log = self.query_one("#upload-log", RichLog)
        log.clear()
        if job is None:
            table.show_keys([])
            self.query_one("#phase", Static).update(
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
        """The timer's batch for ``job``: redraw what changed, if ``job`` is on screen."""
        if not self.drawable:
            return
        self.query_one("#jobs", ListingTable).update_row(job_row(job))
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

    def job_finished(self, job: UploadJob) -> None:
        if not self.drawable:
            return
        self._show_jobs()
        if job is self.shown:
            self._show_summary(job, job.model.summary())
            self.refresh_bindings()
            if job.state is JobState.DONE:
                self.action_details()

    def _show_jobs(self) -> None:
        table = self.query_one("#jobs", ListingTable)
        jobs = self.uploads.jobs
        table.set_rows(
            [job_row(job) for job in jobs],
            keep_cursor_on=str(self.shown.number) if self.shown else None,
        )
        table.styles.height = min(len(jobs), 3) + 3

    def _show_summary(self, job: UploadJob, summary: Summary) -> None:
        progress = summary.progress
        total = progress.bytes_total if progress else summary.plan.file_size if summary.plan else 0
        done = progress.bytes_done if progress else 0
        outcome = summary.outcome
        if outcome is not None and outcome.state is JobState.DONE:
            done = total
        elif outcome is not None and outcome.cancelled is not None:
            done = outcome.cancelled.bytes_done
        self.query_one("#overall", ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#rates", Static).update(rates_line(summary, done, total))
        self.query_one("#counters", Static).update(counters_line(summary))
        self.query_one("#phase", Static).update(self._phase_text(job, summary))
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
        if outcome is None and summary.plan is not None and summary.phase == "uploading":
            local = display_path(summary.plan.local_path)
            return Text(f"uploading {local} → {job.region} › {job.target}", "cyan")
        if outcome is None:
            return Text(summary.phase)
        if outcome.state is JobState.DONE:
            return Text(f"✓ {outcome.message}", style="bold green")
        style = "yellow" if outcome.state is JobState.CANCELLED else "bold red"
        return Text.assemble((f"{job.stopped_text()}\n", style), job.advice())

    def _write_log(self, entry: LogEntry) -> None:
        moment = entry.when.astimezone(self.swiftui_app.zone).strftime("%H:%M:%S")
        self.query_one("#upload-log", RichLog).write(
            Text.assemble((moment + " ", "dim"), (entry.text, LOG_STYLES.get(entry.level, "")))
        )

    # -- keys ------------------------------------------------------------------------------

    @on(ListingTable.Highlighted, "#jobs")
    def job_highlighted(self, message: ListingTable.Highlighted) -> None:
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
        question = (
            f"Cancel the upload of {job.file_name} to {job.target}?\n"
            "Segments already sent stay in Swift and are recorded: resuming it later sends "
            "only the missing ones."
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
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.check_action("cancel", ()):
            yield SystemCommand("Cancel upload", "Stop the upload shown (c)", self.action_cancel)
        if self.check_action("again", ()):
            yield SystemCommand("Resume upload", "Send what is missing (r)", self.action_again)


class UploadedDetailsScreen(ObjectDetailsScreen):
    """The details of an object just uploaded: an SLO's manifest is verified at once."""

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
    def tell(self, message: ObjectDetailsScreen.Verified) -> None:
        result: ManifestCheck = message.result
        if result.ok:
            self.notify(result.summary, title="Verified")
        else:
            self.notify(result.summary, title="Verification failed", severity="error", timeout=20)
