"""The live view of a queue of transfers: the queue, overall progress, every segment, and
a log. The upload and the download views are this screen with their own words and keys.

The screen holds no transfer state: it draws a job from its model when shown, then, woken
by the worker's :class:`~swiftui.tui.widgets.transfer_queue.JobChanged` messages, takes
what changed and redraws it, at most ten times a second (a change that comes sooner waits
for the next tenth). The segments table follows the segments in flight until the user
moves its cursor (``f`` follows again).
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar

from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.log_panel import LogPanel
from swiftui.tui.widgets.rate_dialog import RateLimitScreen, cap_text
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.tui.widgets.status_line import StatusLine
from swiftui.tui.widgets.table import Column, ListingTable, Row
from swiftui.tui.widgets.transfer_model import Changes, JobState, LogEntry, Summary
from swiftui.tui.widgets.transfer_queue import JobChanged, TransferJob, TransferQueue
from swiftui.tui.widgets.transfer_rows import (
    LOG_STYLES,
    SEGMENT_COLUMNS,
    SegmentTable,
    SegmentWords,
    counters_line,
    job_row,
    rates_line,
    segment_row,
)

DRAW_INTERVAL_S = 0.1
LOG_PANEL_LINES = 200
FOLLOW = Binding(
    "f", "follow", "Follow", id="follow", tooltip="Keep the segments in flight in view"
)
LIMIT = Binding(
    "l", "limit", "Limit", id="limit", tooltip="Change or remove the bandwidth cap while it runs"
)
"""For a view whose transfers have a :attr:`~TransferJob.limiter`."""


def live_bindings(kind: str, resume_hint: str) -> list[BindingType]:
    """Back, cancel and resume, as every live view binds them (its own keys follow)."""
    return [
        Binding("escape", "back", "Back", tooltip=f"Back to browsing; {kind}s go on"),
        Binding("c", "cancel", "Cancel", id="cancel", tooltip=f"Stop this {kind} (resumable)"),
        Binding("r", "again", "Resume", id="again", tooltip=f"Run it again: {resume_hint.lower()}"),
    ]


class TransferLiveScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    TransferLiveScreen {
        #jobs { height: 4; }
        #overall-line { height: 1; padding: 0 1; }
        #overall { width: auto; }
        #overall Bar { width: 24; }
        #rates { width: 1fr; padding-left: 2; }
        #counters, #phase { height: auto; max-height: 3; padding: 0 1; }
        #phase { color: $text; }
        #segments { height: 1fr; }
        #transfer-log {
            height: 6;
            overflow-x: hidden;
            scrollbar-gutter: stable;
            border: round $primary 40%;
            border-title-color: $text;
            background: $surface;
        }
    }
    """

    words: ClassVar[SegmentWords]
    kind: ClassVar[str]
    """``upload``, ``download``: how the screen's texts name one transfer."""
    resume_hint: ClassVar[str]
    """What ``r`` does: ``Send what is missing``."""
    queue_columns: ClassVar[tuple[Column, ...]]
    """The queue list's columns (:func:`job_columns`)."""
    nothing_yet: ClassVar[str]
    """The phase line while the queue is empty."""

    def __init__(self, job: TransferJob | None = None) -> None:
        super().__init__()
        self.shown: TransferJob | None = job
        self.pinned = False
        """The user chose a job that is not running: stay on it when another starts."""
        self.ready = False
        """Composed and drawn once: until then changes are left to the first draw."""
        self._waiting: dict[TransferJob, None] = {}
        """Jobs whose changes wait for the next draw, in the order they came."""
        self._draw_timer: Timer | None = None
        self._drawn_at = 0.0

    @property
    @abstractmethod
    def queue(self) -> TransferQueue[Any]: ...

    @abstractmethod
    def segments_title(self, summary: Summary[Any, Any]) -> str:
        """The segments table's title: what was planned, where it goes."""

    @abstractmethod
    def running_text(self, job: Any, summary: Summary[Any, Any]) -> Text | None:
        """The phase line while ``job`` moves bytes as planned (None: the model's phase)."""

    @abstractmethod
    def cancel_question(self, job: Any) -> str:
        """What the confirmation asks before cancelling ``job``."""

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield ListingTable(self.queue_columns, id="jobs")
        with Horizontal(id="overall-line"):
            yield ProgressBar(id="overall", show_eta=False)
            yield StatusLine(id="rates")
        yield StatusLine(id="counters")
        yield StatusLine(id="phase")
        yield SegmentTable(SEGMENT_COLUMNS, row_for=self._segment_row, id="segments")
        yield LogPanel(max_lines=LOG_PANEL_LINES, id="transfer-log")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#jobs").border_title = f"{self.kind.capitalize()}s"
        self.query_one("#transfer-log").border_title = "Retries and errors"
        self.query_one("#segments", SegmentTable).focus()
        self.queue.viewer = self
        # Children of containers (the progress line) may still be mounting: draw after.
        self.call_after_refresh(self._first_draw)

    def on_unmount(self) -> None:
        if self.queue.viewer is self:
            self.queue.viewer = None

    def _first_draw(self) -> None:
        if not self.query("#overall"):
            self.call_after_refresh(self._first_draw)
            return
        self.show_job(self.shown or self.queue.running or self._last_job())
        self.ready = True

    def on_screen_resume(self) -> None:
        """Back from details or help: changes went by while hidden, draw it all again."""
        if self.ready and self.shown is not None:
            self.show_job(self.shown)

    @property
    def drawable(self) -> bool:
        return self.ready and self.is_current

    def _last_job(self) -> TransferJob | None:
        jobs = self.queue.jobs
        return jobs[-1] if jobs else None

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

    def transfer_finished(self, job: TransferJob) -> bool:
        """The queue settled ``job``; True when it is the one on screen."""
        if not self.drawable:
            return False
        self._show_jobs()
        if job is not self.shown:
            return False
        self._show_summary(job, job.model.summary())
        self.refresh_bindings()
        return True

    # -- drawing ---------------------------------------------------------------------------

    def _segment_row(self, key: str) -> Row:
        assert self.shown is not None
        return segment_row(self.shown.model.segment(int(key)), self.words)

    def show_job(self, job: TransferJob | None) -> None:
        """Draw ``job`` from scratch: rows, log, numbers."""
        self.shown = job
        self._show_jobs()
        table = self.query_one("#segments", SegmentTable)
        self.query_one("#transfer-log", LogPanel).forget()
        if job is None:
            table.show_keys([])
            self.query_one("#phase", StatusLine).show(self.nothing_yet)
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

    def apply_changes(self, job: TransferJob, changes: Changes[Any, Any]) -> None:
        """Redraw what changed of ``job``, if ``job`` is on screen."""
        self.query_one("#jobs", ListingTable).update_row(job_row(job, changes.summary))
        if job is not self.shown:
            if self.shown is None or (self.shown.state.finished and not self.pinned):
                self.show_job(job)
            return
        table = self.query_one("#segments", SegmentTable)
        count = job.model.segment_count()
        if changes.replanned or count != table.row_count:
            table.show_keys([str(index) for index in range(count)])
            table.invalidate()
        elif changes.segments:
            table.invalidate([str(index) for index in changes.segments])
        for entry in changes.log:
            self._write_log(entry)
        self._show_summary(job, changes.summary)

    def _show_jobs(self) -> None:
        table = self.query_one("#jobs", ListingTable)
        jobs = self.queue.jobs
        table.set_rows(
            [job_row(job, job.model.summary()) for job in jobs],
            keep_cursor_on=str(self.shown.number) if self.shown else None,
        )
        table.styles.height = min(len(jobs), 3) + 3

    def _show_summary(self, job: TransferJob, summary: Summary[Any, Any]) -> None:
        done, total = summary.bytes_done
        self.query_one("#overall", ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#rates", StatusLine).show(rates_line(summary, done, total))
        cap = job.limiter.rate if job.limiter is not None else None
        self.query_one("#counters", StatusLine).show(counters_line(summary, self.words, cap))
        self.query_one("#phase", StatusLine).show(self._phase_text(job, summary))
        segments = self.query_one("#segments", SegmentTable)
        segments.follow(summary.first_in_flight)
        segments.border_title = self.segments_title(summary)

    def _phase_text(self, job: TransferJob, summary: Summary[Any, Any]) -> Text:
        if job.state is JobState.QUEUED:
            return Text(f"queued: starts when the {self.kind} before it ends", style="dim")
        if job.state is JobState.STOPPING:
            return Text("stopping: letting the segments in flight end cleanly…", "yellow")
        outcome = summary.outcome
        if outcome is None and job.state is JobState.CANCELLED:
            return Text(job.advice(), style="yellow")
        if outcome is None:
            return self.running_text(job, summary) or Text(summary.phase)
        if outcome.state is JobState.DONE:
            return Text(f"✓ {outcome.message}", style="bold green")
        style = "yellow" if outcome.state is JobState.CANCELLED else "bold red"
        return Text.assemble((f"{job.stopped_text()}\n", style), job.advice())

    def _write_log(self, entry: LogEntry) -> None:
        moment = entry.when.astimezone(self.swiftui_app.zone).strftime("%H:%M:%S")
        self.query_one("#transfer-log", LogPanel).add(
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
            self.pinned = job is not self.queue.running
            self.show_job(job)

    def _job(self, key: str | None) -> TransferJob | None:
        return next((job for job in self.queue.jobs if str(job.number) == key), None)

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
            self.queue.cancel(job)
            self.show_job(job)
            return
        if job.state is not JobState.RUNNING:
            return

        def answered(cancel: bool | None) -> None:
            if cancel and job.state is JobState.RUNNING:
                self.queue.cancel(job)
                self.show_job(job)

        self.app.push_screen(
            ConfirmScreen(self.cancel_question(job), yes="Cancel it", no="Go on"), answered
        )

    def action_again(self) -> None:
        job = self.shown
        if job is not None:
            self.queue.again(job)
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

        self.app.push_screen(RateLimitScreen(limiter, what=self.kind), answered)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        job = self.shown
        if action == "limit":
            return (
                job is not None
                and job.limiter is not None
                and job.state in (JobState.RUNNING, JobState.QUEUED)
            )
        if action == "cancel":
            return job is not None and job.state in (JobState.RUNNING, JobState.QUEUED)
        if action == "again":
            return job is not None and job.state in (JobState.CANCELLED, JobState.FAILED)
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        kind = self.kind
        if self.check_action("cancel", ()):
            yield SystemCommand(f"Cancel {kind}", f"Stop the {kind} shown (c)", self.action_cancel)
        if self.check_action("again", ()):
            yield SystemCommand(f"Resume {kind}", f"{self.resume_hint} (r)", self.action_again)
        if self.check_action("limit", ()):
            yield SystemCommand(
                f"Change the {kind}'s bandwidth cap",
                f"Set, change or remove it while the {kind} runs (l)",
                self.action_limit,
            )


def show_live(app: App[Any], kind: type[TransferLiveScreen], job: TransferJob | None) -> None:
    """Bring the live view of ``kind`` forward, showing ``job`` (default: the one running)."""
    live = next((s for s in app.screen_stack if isinstance(s, kind)), None)
    if live is None:
        app.push_screen(kind(job))
        return
    while app.screen is not live and len(app.screen_stack) > 1:
        app.pop_screen()
    if job is not None:
        live.pinned = False
        live.show_job(job)
