"""How a live view words a transfer (the queue's rows, a segment's row, the counters), and
the segments table that follows the segments in flight.

Rows and lines are plain functions of the model's values, so what they say is decided in
one place; the words that differ between an upload and a download are its
:class:`SegmentWords`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from swiftui.tui.widgets.rate_dialog import cap_text
from swiftui.tui.widgets.table import Column, ListingTable, Row
from swiftui.tui.widgets.transfer_model import JobState, SegmentStatus, SegmentView, Summary
from swiftui.tui.widgets.transfer_queue import TransferJob
from swiftui.units import format_bytes, format_eta, format_rate

BAR_CELLS = 12
LOG_STYLES = {"warning": "yellow", "error": "bold red"}
STATUS_STYLES = {
    SegmentStatus.QUEUED: "dim",
    SegmentStatus.ACTIVE: "cyan",
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

SEGMENT_COLUMNS = (
    Column("index", "#", 5, "right"),
    Column("size", "Size", 10, "right"),
    Column("bar", "Progress", BAR_CELLS),
    Column("state", "State", min_width=16),
)


@dataclass(frozen=True)
class SegmentWords:
    """What a segment's state is called in one direction."""

    active: str
    """``uploading``: followed by its percentage."""
    arrived: str
    """All its bytes moved, the answer or the check still to come."""
    reused: str
    """The State cell of a segment an interrupted run already moved."""
    reused_count: str
    """The same in the counters line: ``2 already in Swift``."""


def job_columns(
    what: str, *, what_width: int | None, where_width: int | None, state_width: int
) -> tuple[Column, ...]:
    """The queue list's columns; ``what`` heads the first (``File``, ``Object``); one of
    the two widths is None: that column takes the room left."""
    return (
        Column("number", "#", 3, "right"),
        Column("what", what, what_width, keep_end=True, min_width=14),
        Column("where", "To", where_width, keep_end=True, min_width=14),
        Column("state", "State", state_width),
    )


def bar(fraction: float, style: str) -> Text:
    filled = round(max(0.0, min(1.0, fraction)) * BAR_CELLS)
    return Text.assemble(("█" * filled, style), ("░" * (BAR_CELLS - filled), "dim"))


def segment_state_text(view: SegmentView, words: SegmentWords) -> Text:
    """``uploading 52 %``, ``retrying (attempt 2): 503 …``, ``done``: the State cell."""
    style = STATUS_STYLES[view.status]
    if view.status is SegmentStatus.ACTIVE and view.length and view.moved >= view.length:
        text = words.arrived
    elif view.status is SegmentStatus.ACTIVE:
        text = f"{words.active} {100 * view.moved // max(view.length, 1)} %"
        if view.attempt > 1:
            text += f" (attempt {view.attempt})"
    elif view.status is SegmentStatus.RETRYING:
        text = f"retrying (attempt {view.attempt}): {view.reason}"
    elif view.status is SegmentStatus.REUSED:
        text = words.reused
    elif view.status is SegmentStatus.FAILED:
        text = f"failed: {view.reason}"
    else:
        text = str(view.status)
    return Text(text, style=style)


def segment_row(view: SegmentView, words: SegmentWords) -> Row:
    return Row(
        str(view.index),
        (
            str(view.index),
            format_bytes(view.length),
            bar(view.fraction, STATUS_STYLES[view.status]),
            segment_state_text(view, words),
        ),
    )


def job_row(job: TransferJob, summary: Summary[Any, Any]) -> Row:
    return Row(
        str(job.number),
        (
            str(job.number),
            job.what,
            job.where,
            Text(job.status_text(summary), style=JOB_STYLES.get(job.state, "")),
        ),
    )


def rates_line(summary: Summary[Any, Any], done: int, total: int) -> str:
    """``2.4 MiB of 5.5 MiB · 3.2 MiB/s · ETA 1s``; no rate once the transfer has stopped."""
    if summary.plan is None and summary.progress is None:
        return "…"
    line = f"{format_bytes(done)} of {format_bytes(total)}"
    progress = summary.progress
    if progress is None or summary.outcome is not None:
        return line
    return f"{line} · {format_rate(progress.rate_bps)} · ETA {format_eta(progress.eta_s)}"


def counters_line(summary: Summary[Any, Any], words: SegmentWords, cap: int | None = None) -> str:
    """``segments 3/6 done · 1 uploading · 2 queued · cap 20.0 MiB/s`` (the cap while the
    transfer runs with one); empty while no segment is known."""
    counts = summary.counts
    total = sum(counts.values())
    if not total:
        return ""
    done = counts.get(SegmentStatus.DONE, 0) + counts.get(SegmentStatus.REUSED, 0)
    parts = [f"segments {done}/{total} done"]
    for status, label in (
        (SegmentStatus.ACTIVE, words.active),
        (SegmentStatus.RETRYING, "retrying"),
        (SegmentStatus.QUEUED, "queued"),
        (SegmentStatus.REUSED, words.reused_count),
        (SegmentStatus.FAILED, "failed"),
    ):
        if counts.get(status):
            parts.append(f"{counts[status]} {label}")
    if summary.retries:
        parts.append(f"{summary.retries} {'retry' if summary.retries == 1 else 'retries'}")
    if cap is not None and summary.outcome is None:
        parts.append(cap_text(cap))
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
