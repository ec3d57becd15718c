"""The live view of downloads (:mod:`~swiftui.tui.widgets.transfer_live` in the download's
words): every part queued, downloading, verifying its md5, done or failed with the reason;
a sealed Cloud Archive archive's unsealing with a countdown to the time the engine gives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App
from textual.binding import BindingType

from swiftui.download import PARTIAL_SUFFIX, UnsealRequested, UnsealWaiting, Verifying
from swiftui.tui.downloads.model import DOWNLOADING, DownloadSummary
from swiftui.tui.downloads.queue import DownloadJob, Downloads, DownloadStopped, downloads_of
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.transfer_live import (
    FOLLOW,
    LIMIT,
    TransferLiveScreen,
    live_bindings,
    show_live,
)
from swiftui.tui.widgets.transfer_rows import SegmentWords, job_columns
from swiftui.units import format_bytes, format_eta

RESUME_HINT = "Fetch what is missing"


class DownloadLiveScreen(TransferLiveScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *live_bindings("download", RESUME_HINT),
        FOLLOW,
        LIMIT,
    ]

    words = SegmentWords(
        active="downloading",
        arrived="verifying its md5",
        reused="done (fetched before)",
        reused_count="fetched before",
    )
    kind = "download"
    resume_hint = RESUME_HINT
    queue_columns = job_columns("Object", what_width=None, where_width=26, state_width=17)
    nothing_yet = "No downloads yet: press D on an object to download it."

    @property
    def queue(self) -> Downloads:
        return downloads_of(self)

    def segments_title(self, summary: DownloadSummary) -> str:
        plan = summary.plan
        if plan is not None:
            parts = f"{plan.parts} part{'s' if plan.parts != 1 else ''}"
            return f"{parts} of {plan.kind} {format_bytes(plan.size)} → {display_path(plan.path)}"
        if isinstance(summary.stage, UnsealRequested | UnsealWaiting):
            return "Parts: listed once Cloud Archive has unsealed them"
        return "Parts"

    def running_text(self, job: DownloadJob, summary: DownloadSummary) -> Text | None:
        stage = summary.stage
        if isinstance(stage, UnsealWaiting):
            return Text.assemble(
                (
                    f"sealed on Cloud Archive, unsealing {stage.objects_waiting} objects: ready "
                    f"in {format_eta(stage.seconds_left)} (at {self._moment(stage.ready_at)})",
                    "bold yellow",
                ),
                "\nc stops waiting; Cloud Archive goes on, and r carries on later",
            )
        if isinstance(stage, UnsealRequested):
            return Text(summary.phase, "yellow")
        if isinstance(stage, Verifying):
            return Text(summary.phase, "cyan")
        if summary.plan is not None and summary.phase == DOWNLOADING:
            return Text(f"downloading {job.region} › {job.source} → {job.where}", "cyan")
        return None

    def _moment(self, timestamp: float) -> str:
        """``14:03:10`` today, ``2026-11-26 03:28`` another day, in the app's time zone."""
        zone = self.swiftui_app.zone
        when = datetime.fromtimestamp(timestamp, UTC).astimezone(zone)
        if when.date() == self.swiftui_app.clock().astimezone(zone).date():
            return when.strftime("%H:%M:%S")
        return when.strftime("%Y-%m-%d %H:%M")

    def cancel_question(self, job: DownloadJob) -> str:
        if isinstance(job.model.summary().stage, UnsealRequested | UnsealWaiting):
            return (
                f"Stop waiting for Cloud Archive to unseal {job.source}?\n"
                "The unsealing goes on at the provider: starting the download again later "
                "carries on from there."
            )
        return (
            f"Cancel the download of {job.source} to {job.where}?\n"
            f"The parts fetched stay in {job.target.name}{PARTIAL_SUFFIX} and are recorded: "
            "starting the same download again fetches only the missing ones."
        )

    @on(DownloadStopped)
    def download_stopped(self, message: DownloadStopped) -> None:
        self.transfer_finished(message.job)


def show_downloads(app: App[Any], job: DownloadJob | None = None) -> None:
    """Bring the download view forward, showing ``job`` (default: the one running)."""
    show_live(app, DownloadLiveScreen, job)
