"""Interrupted uploads from this machine's journals (:mod:`~swiftui.tui.widgets.interrupted`
with the upload's rows): Enter resumes one, sending only the segments the journal does not
list; ``a`` abandons one, deleting the segments it sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from swiftui.browse import format_age, format_moment
from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.uploads.queue import uploads_of
from swiftui.tui.widgets.interrupted import InterruptedScreen, resumable_here
from swiftui.tui.widgets.screens import Connection
from swiftui.tui.widgets.table import Column, Row
from swiftui.units import format_bytes
from swiftui.upload import (
    ResumableUpload,
    abandon_upload,
    journal_target,
    resumable_uploads,
)
from swiftui.upload.journal import journal_path

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class Interrupted:
    upload: ResumableUpload
    service: SwiftService | None
    """The region's service when this project can resume it."""
    problem: str | None
    """Why it cannot be resumed from here, or None."""

    @property
    def key(self) -> str:
        return str(self.upload.journal_path)


def find_interrupted(cloud: Connection) -> list[Interrupted]:
    """Every journal of this machine, and whether this login can resume it (network: the
    catalog, to tell this project's uploads from another's)."""
    regions = {endpoint.name for endpoint in cloud.regions()}
    found = []
    for upload in resumable_uploads():

        def belongs_to(service: SwiftService, upload: ResumableUpload = upload) -> bool:
            target = journal_target(service, upload.container, upload.object_name)
            return journal_path(target, upload.local_path) == upload.journal_path

        service, problem = resumable_here(
            cloud, regions, upload.region, belongs_to, upload.in_progress, "an upload"
        )
        found.append(Interrupted(upload, service, problem or upload.problem))
    return found


class ResumeScreen(InterruptedScreen[Interrupted]):
    intro = (
        "Uploads that stopped before the end. Enter resumes one: only the segments "
        "missing in Swift are sent."
    )
    table_title = "Interrupted uploads"
    none_left = "none: every upload of this machine finished"
    columns = (
        Column("file", "File", 18, keep_end=True),
        Column("target", "To", min_width=14, keep_end=True),
        Column("sent", "Sent", 9, "right"),
        Column("left", "Left", 10, "right"),
        Column("started", "Started", 14),
    )

    def find(self) -> list[Interrupted]:
        return find_interrupted(self.cloud)

    def label(self, item: Interrupted) -> str:
        return item.upload.local_path.name

    def row(self, item: Interrupted) -> Row:
        upload = item.upload
        now = self.swiftui_app.clock()
        return Row(
            item.key,
            (
                upload.local_path.name,
                f"{upload.region} › {upload.container}/{upload.object_name}",
                f"{upload.segments_done}/{upload.segment_count}",
                format_bytes(upload.bytes_left),
                format_age(datetime.fromtimestamp(upload.started_at, UTC), now),
            ),
            style="dim" if item.problem else "",
        )

    def info_rows(self, item: Interrupted) -> list[tuple[str, str | Text]]:
        upload = item.upload
        started = datetime.fromtimestamp(upload.started_at, UTC)
        return [
            ("File", f"{upload.local_path} ({format_bytes(upload.file_size)})"),
            (
                "Sent",
                f"{upload.segments_done} of {upload.segment_count} segments of "
                f"{format_bytes(upload.segment_size)} · {format_bytes(upload.bytes_left)} left"
                f" · started {format_moment(started, self.swiftui_app.zone)[:16]}",
            ),
        ]

    def resume(self, item: Interrupted, service: SwiftService) -> None:
        job = uploads_of(self).enqueue(service, item.upload.to_request())
        if job is not None:
            self.dismiss()
            show_uploads(self.app, job)

    def can_abandon(self, item: Interrupted) -> bool:
        return item.service is not None and not item.upload.in_progress

    def abandon_question(self, item: Interrupted) -> str:
        upload = item.upload
        return (
            f"Abandon the upload of {upload.local_path.name} to {upload.container}/"
            f"{upload.object_name}?\nThe {upload.segments_done} segments it sent are deleted "
            "from Swift (not those an existing object uses) and its journal is forgotten; the "
            "local file stays."
        )

    def abandon_item(self, item: Interrupted) -> str:
        assert item.service is not None
        upload = item.upload
        deleted = abandon_upload(item.service, upload)
        return (
            f"{upload.container}/{upload.object_name}: deleted {deleted} segments "
            "and forgot the upload"
        )
