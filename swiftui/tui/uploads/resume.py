"""Interrupted uploads from this machine's journals: resume one, or abandon it.

Shown at start when one of them can be resumed, and from the command palette. Resuming
queues the same upload again: the engine finds the journal and sends only the segments
it does not list. Journals of another project or region are listed with the reason they
cannot be resumed from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from swiftui.browse import format_age, format_moment
from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.uploads.queue import uploads_of
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.screens import Connection, SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import Column, ListingTable, Row
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

COLUMNS = (
    Column("file", "File", 18, keep_end=True),
    Column("target", "To", min_width=14, keep_end=True),
    Column("sent", "Sent", 9, "right"),
    Column("left", "Left", 10, "right"),
    Column("started", "Started", 14),
)


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
        service = cloud.service(upload.region) if upload.region in regions else None
        problem = upload.problem
        if service is None:
            problem = f"region {upload.region} is not in this login's catalog"
        elif (
            journal_path(
                journal_target(service, upload.container, upload.object_name), upload.local_path
            )
            != upload.journal_path
        ):
            service = None
            problem = "an upload of another project: log in to that project to resume it"
        elif upload.in_progress:
            problem = "running now (here or in another swiftui)"
        found.append(Interrupted(upload, service, problem))
    return found


class InterruptedTable(ListingTable):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Resume")]


class ResumeScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    ResumeScreen {
        #resume-intro { height: auto; padding: 0 1; }
        #interrupted { height: 1fr; }
        #resume-info { height: auto; max-height: 4; padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("a", "abandon", "Abandon", id="abandon", tooltip="Delete what it sent, forget it"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
    ]

    class Loaded(Message):
        def __init__(self, found: list[Interrupted]) -> None:
            super().__init__()
            self.found = found

    class Abandoned(Message):
        def __init__(self, item: Interrupted, deleted: int) -> None:
            super().__init__()
            self.item = item
            self.deleted = deleted

    def __init__(self, cloud: Connection, found: list[Interrupted] | None = None) -> None:
        super().__init__()
        self.cloud = cloud
        self.found = found

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield Static(
            "Uploads that stopped before the end. Enter resumes one: only the segments "
            "missing in Swift are sent.",
            id="resume-intro",
        )
        yield InterruptedTable(COLUMNS, id="interrupted")
        yield Static(id="resume-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#interrupted", InterruptedTable)
        table.border_title = "Interrupted uploads"
        table.focus()
        redraw_as_time_passes(self, self._dates_aged)
        if self.found is None:
            self.action_refresh()
        else:
            self._show()

    def _dates_aged(self) -> None:
        if self.found is not None:
            self._show()

    @work(thread=True, exclusive=True, exit_on_error=False, group="journals")
    def load(self) -> None:
        self.post_message(self.Loaded(find_interrupted(self.cloud)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.found = message.found
        self._show()

    def _show(self) -> None:
        table = self.query_one("#interrupted", InterruptedTable)
        found = self.found or []
        table.set_rows([self._row(item) for item in found], keep_cursor_on=table.cursor_key)
        table.border_subtitle = (
            f"{len(found)} found" if found else "none: every upload of this machine finished"
        )
        self._show_info(table.cursor_key)
        self.refresh_bindings()

    def _row(self, item: Interrupted) -> Row:
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

    def _selected(self) -> Interrupted | None:
        key = self.query_one("#interrupted", InterruptedTable).cursor_key
        return next((item for item in self.found or [] if item.key == key), None)

    @on(ListingTable.Highlighted, "#interrupted")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        self._show_info(message.key)
        self.refresh_bindings()

    def _show_info(self, key: str | None) -> None:
        info = self.query_one("#resume-info", Static)
        item = next((item for item in self.found or [] if item.key == key), None)
        if item is None:
            info.update("")
            return
        upload = item.upload
        started = datetime.fromtimestamp(upload.started_at, UTC)
        rows: list[tuple[str, str | Text]] = [
            ("File", f"{upload.local_path} ({format_bytes(upload.file_size)})"),
            (
                "Sent",
                f"{upload.segments_done} of {upload.segment_count} segments of "
                f"{format_bytes(upload.segment_size)} · {format_bytes(upload.bytes_left)} left"
                f" · started {format_moment(started, self.swiftui_app.zone)[:16]}",
            ),
        ]
        if item.problem:
            rows.append(("Cannot", Text(item.problem, "bold red")))
        info.update(facts_grid(rows))

    # -- actions ---------------------------------------------------------------------------

    @on(ListingTable.Selected, "#interrupted")
    def selected(self) -> None:
        item = self._selected()
        if item is None:
            return
        if item.problem is not None or item.service is None:
            self.notify(f"{item.upload.local_path.name}: {item.problem}", severity="warning")
            return
        job = uploads_of(self).enqueue(item.service, item.upload.to_request())
        if job is not None:
            self.dismiss()
            show_uploads(self.app, job)

    def action_abandon(self) -> None:
        item = self._selected()
        if item is None or item.service is None:
            return
        upload = item.upload
        question = (
            f"Abandon the upload of {upload.local_path.name} to {upload.container}/"
            f"{upload.object_name}?\nThe {upload.segments_done} segments it sent are deleted "
            "from Swift (not those an existing object uses) and its journal is forgotten; the "
            "local file stays."
        )

        def answered(abandon: bool | None) -> None:
            if abandon:
                self.abandon(item)

        self.app.push_screen(ConfirmScreen(question, yes="Abandon", no="Keep"), answered)

    @work(thread=True, exit_on_error=False, group="abandon")
    def abandon(self, item: Interrupted) -> None:
        assert item.service is not None
        self.post_message(self.Abandoned(item, abandon_upload(item.service, item.upload)))

    @on(Abandoned)
    def abandoned(self, message: Abandoned) -> None:
        upload = message.item.upload
        self.notify(
            f"{upload.container}/{upload.object_name}: deleted {message.deleted} segments "
            "and forgot the upload"
        )
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one("#interrupted", InterruptedTable).border_subtitle = "reading journals…"
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "abandon":
            item = self._selected()
            return item is not None and item.service is not None and not item.upload.in_progress
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Read the journals again (r)", self.action_refresh)
