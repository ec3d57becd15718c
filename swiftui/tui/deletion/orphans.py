"""The orphans view: segments of a container no manifest references, grouped by upload.

``o`` on a container (or its segments container) scans both with
:func:`swiftui.orphans.find_orphans` in a worker and lists one row per upload: how many
segments of how many, their bytes, when they were last written, and whether a resume
journal of this machine could still continue that upload. Space selects groups (those
neither resumable nor recent are selected to begin with), ``d`` deletes the selected ones
through :class:`~swiftui.tui.deletion.screen.DeleteScreen`, which also forgets the resume
journals of uploads whose segments are all gone. A group that a sealed Cloud Archive
manifest (not read) may use is shown as kept, with the reason, and cannot be selected.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker

from swiftui.browse import format_age
from swiftui.deletion import DeletionSummary
from swiftui.orphans import (
    OrphanGroup,
    OrphanReport,
    describe_group,
    describe_sealed,
    find_orphans,
    forget_deleted_uploads,
)
from swiftui.retention import format_duration
from swiftui.swift import SwiftService, archive_containers
from swiftui.tui.deletion.screen import DeleteScreen
from swiftui.tui.widgets.screens import SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import Column, ListingTable, Row
from swiftui.units import format_bytes, plural

MARK = "● "
UNMARKED = "  "
ORPHAN_COLUMNS = (
    Column("upload", "Upload", min_width=16, keep_end=True),
    Column("segments", "Segments", 9, "right"),
    Column("size", "Size", 10, "right"),
    Column("written", "Last written", 14),
    Column("state", "State", 9),
)


def group_state(group: OrphanGroup) -> Text:
    if not group.deletable:
        return Text("kept", style="bold yellow")
    if group.resumable:
        return Text("resumable", style="bold green")
    if group.recent:
        return Text("recent", style="bold yellow")
    return Text("orphaned")


def group_count(group: OrphanGroup) -> str:
    """``3 of 5`` when the names tell the whole upload's size, else ``3``."""
    expected = group.expected_count
    return f"{group.count} of {expected}" if expected else str(group.count)


def confirm_notes(groups: Iterable[OrphanGroup], now: float) -> list[str]:
    """Warnings for the confirmation: uploads that could still go on."""
    notes = []
    for group in groups:
        if group.resumable:
            notes.append(
                f"{group.label}: {group.journal_note}; deleting it forgets the resume journal."
            )
        elif group.recent:
            age = format_duration(now - group.last_modified)
            notes.append(f"{group.label}: written {age} ago, an upload may still be writing it.")
    return notes


class OrphansScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    OrphansScreen {
        #orphans-head { height: auto; max-height: 6; padding: 0 1; }
        #orphan-info { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("space", "toggle_group", "Select", tooltip="Select or unselect this group"),
        Binding("d", "delete", "Delete", tooltip="Delete the selected groups' segments"),
        Binding("r", "rescan", "Rescan", show=False, tooltip="Look for orphans again"),
    ]

    class Scanned(Message):
        def __init__(self, report: OrphanReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, service: SwiftService, container: str) -> None:
        super().__init__()
        self.service = service
        self.container, self.segment_container = archive_containers(container)
        self.report: OrphanReport | None = None
        self.selected: set[str] = set()
        self.scanned_at = 0.0

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Vertical(id="orphans-box"):
            yield Static(id="orphans-head")
            yield ListingTable(ORPHAN_COLUMNS, id="orphan-groups")
            yield Static(id="orphan-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#orphan-groups", ListingTable)
        table.border_title = (
            f"{self.service.region} › {self.segment_container} › segments without a manifest"
        )
        table.focus()
        redraw_as_time_passes(self, self._show_rows)
        self.action_rescan()

    # -- scanning ---------------------------------------------------------------------------

    def action_rescan(self) -> None:
        self.report = None
        self.selected.clear()
        self.scanned_at = self.swiftui_app.clock().timestamp()
        self.query_one("#orphans-head", Static).update(
            f"Reading every manifest of {self.container} and {self.segment_container}…"
        )
        self.query_one("#orphan-groups", ListingTable).set_rows([])
        self.query_one("#orphan-info", Static).update("")
        self.refresh_bindings()
        self.scan(self.scanned_at)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def scan(self, now: float) -> None:
        self.post_message(self.Scanned(find_orphans(self.service, self.container, now=now)))

    @on(Scanned)
    def scanned(self, message: Scanned) -> None:
        report = self.report = message.report
        self.selected = {group.label for group in report.selected}
        scanned = ", ".join(report.scanned) or "no container"
        head = Text(
            f"Segments of {report.segment_container} and {report.container} that no manifest "
            f"references (manifests read in {scanned}). Resumable and recent uploads are "
            "not selected to begin with."
        )
        if not report.groups:
            head = Text("No orphaned segments: every segment here belongs to a manifest.")
        for warning in report.warnings:
            head.append(f"\n{warning}", style="bold yellow")
        # Sealed manifests, not read: the first line counts them (each kept group names its own).
        for line in describe_sealed(report)[:1]:
            head.append(f"\n{line}", style="yellow")
        self.query_one("#orphans-head", Static).update(head)
        self._show_rows()
        self.refresh_bindings()

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        self.query_one("#orphans-head", Static).update(Text(message, style="bold red"))
        return True

    # -- rows -------------------------------------------------------------------------------

    def _groups(self) -> list[OrphanGroup]:
        return list(self.report.groups) if self.report else []

    def _row(self, group: OrphanGroup, now: datetime) -> Row:
        chosen = group.label in self.selected
        name = Text.assemble(
            (MARK if chosen else UNMARKED, "bold yellow"),
            group.object_name or group.prefix or group.container,
        )
        return Row(
            group.label,
            (
                name,
                group_count(group),
                format_bytes(group.bytes),
                format_age(datetime.fromtimestamp(group.last_modified, UTC), now),
                group_state(group),
            ),
            style="bold" if chosen else "",
        )

    def _show_rows(self) -> None:
        table = self.query_one("#orphan-groups", ListingTable)
        now = self.swiftui_app.clock()
        table.set_rows(
            [self._row(group, now) for group in self._groups()], keep_cursor_on=table.cursor_key
        )
        groups = self._groups()
        chosen = [group for group in groups if group.label in self.selected]
        table.border_subtitle = (
            f"{plural(len(groups), 'group')} · {plural(sum(g.count for g in groups), 'segment')}"
            f" · {format_bytes(sum(g.bytes for g in groups))} · {len(chosen)} selected "
            f"({format_bytes(sum(g.bytes for g in chosen))})"
        )
        self._show_info(table.cursor_key)

    @on(ListingTable.Highlighted, "#orphan-groups")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        self._show_info(message.key)

    def _show_info(self, key: str | None) -> None:
        group = next((group for group in self._groups() if group.label == key), None)
        info = self.query_one("#orphan-info", Static)
        if group is None:
            info.update("")
            return
        info.update(describe_group(group, now=self.swiftui_app.clock().timestamp()))

    # -- actions ----------------------------------------------------------------------------

    def action_toggle_group(self) -> None:
        table = self.query_one("#orphan-groups", ListingTable)
        key = table.cursor_key
        group = next((group for group in self._groups() if group.label == key), None)
        if group is None:
            return
        if not group.deletable:
            self.notify(
                "Kept: a sealed manifest may use these segments (the line below says which).",
                severity="warning",
            )
            return
        self.selected.symmetric_difference_update({group.label})
        self._show_rows()
        table.action_cursor(1)
        self.refresh_bindings()

    def action_select_all(self) -> None:
        self.selected = {group.label for group in self._groups() if group.deletable}
        self._show_rows()
        self.refresh_bindings()

    def action_delete(self) -> None:
        report = self.report
        chosen = [group for group in self._groups() if group.label in self.selected]
        if report is None or not chosen:
            return
        self.app.push_screen(
            DeleteScreen(
                self.service,
                title=f"Delete orphaned segments of {report.container}",
                planner=partial(report.plan, chosen),
                notes=confirm_notes(chosen, self.scanned_at),
                epilogue=partial(forget_journals, chosen),
            ),
            self._deleted,
        )

    def _deleted(self, summary: DeletionSummary | None) -> None:
        if summary is not None:
            self.action_rescan()

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return bool(self.selected) or None
        if action == "toggle_group":
            return bool(self._groups()) or None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Rescan", "Look for orphaned segments again (r)", self.action_rescan)
        if self._groups():
            yield SystemCommand("Select all groups", "Select every group", self.action_select_all)
        if self.selected:
            yield SystemCommand(
                "Delete selected groups", "Delete their segments (d)", self.action_delete
            )


def forget_journals(groups: list[OrphanGroup], summary: DeletionSummary) -> list[str]:
    """After the deletion: the resume journals of uploads now wholly gone are removed."""
    return [
        f"Removed the resume journal {path}" for path in forget_deleted_uploads(groups, summary)
    ]
