"""The live view of uploads (:mod:`~swiftui.tui.widgets.transfer_live` in the upload's
words); once an upload is done, its object's details open and every segment is verified.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App
from textual.binding import Binding, BindingType

from swiftui.swift import SwiftService
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.uploads.model import UploadSummary
from swiftui.tui.uploads.queue import UploadFinished, UploadJob, Uploads, uploads_of
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_live import (
    FOLLOW,
    LIMIT,
    TransferLiveScreen,
    live_bindings,
    show_live,
)
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.tui.widgets.transfer_rows import SegmentWords, job_columns
from swiftui.units import format_bytes
from swiftui.upload import cancel_preview

RESUME_HINT = "Send what is missing"


class UploadLiveScreen(TransferLiveScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *live_bindings("upload", RESUME_HINT),
        Binding("i", "details", "Details", id="details", tooltip="The uploaded object, verified"),
        FOLLOW,
        LIMIT,
    ]

    words = SegmentWords(
        active="uploading",
        arrived="sent, waiting for Swift's answer",
        reused="done (already in Swift)",
        reused_count="already in Swift",
    )
    kind = "upload"
    resume_hint = RESUME_HINT
    queue_columns = job_columns("File", what_width=18, where_width=None, state_width=15)
    nothing_yet = "No uploads yet: press u on a region or a container to start one."

    @property
    def queue(self) -> Uploads:
        return uploads_of(self)

    def segments_title(self, summary: UploadSummary) -> str:
        plan = summary.plan
        if plan is None:
            return "Segments"
        return (
            f"{plan.segment_count} segments of {format_bytes(plan.segment_size)} → "
            f"{plan.segment_container or plan.container}"
        )

    def running_text(self, job: UploadJob, summary: UploadSummary) -> Text | None:
        plan = summary.plan
        if plan is None or summary.phase != "uploading":
            return None
        text = (
            f"uploading {display_path(plan.local_path)} → {job.region} › "
            f"{plan.container}/{plan.object_name}"
        )
        if summary.file is not None:
            text = f"file {summary.file[0]} of {summary.file[1]}: {text}"
        return Text(text, "cyan")

    def cancel_question(self, job: UploadJob) -> str:
        progress = job.model.summary().progress
        kept = f"{cancel_preview(progress)}.\n" if progress is not None else ""
        return (
            f"Cancel the upload of {job.file_name} to {job.target}?\n{kept}"
            "Finished segments are recorded: resuming it later sends only the missing ones."
        )

    @on(UploadFinished)
    def upload_finished(self, message: UploadFinished) -> None:
        if self.transfer_finished(message.job) and message.job.state is JobState.DONE:
            self.action_details()

    @on(ListingTable.Selected, "#jobs")
    def job_selected(self) -> None:
        self.action_details()

    def action_details(self) -> None:
        job = self.shown
        outcome = job.model.summary().outcome if job else None
        if not isinstance(job, UploadJob) or outcome is None or outcome.result is None:
            return
        result = outcome.result
        self.app.push_screen(
            UploadedDetailsScreen(job.service, result.container, result.object_name)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details":
            return self.shown is not None and self.shown.state is JobState.DONE
        return super().check_action(action, parameters)


def show_uploads(app: App[Any], job: UploadJob | None = None) -> None:
    """Bring the live view forward, showing ``job`` (default: the one running)."""
    show_live(app, UploadLiveScreen, job)


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
