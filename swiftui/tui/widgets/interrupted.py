"""Transfers that stopped before the end, from this machine's journals: resume one, or
abandon it. The interrupted uploads and the interrupted downloads are this screen with
their own rows and actions.

Shown at start when one of them can be resumed, and from the command palette. Resuming
queues the same transfer again: its engine finds the journal and moves only what is
missing. Journals of another project or region are listed with the reason they cannot be
resumed from here.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.screens import Connection, SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import Column, ListingTable, Row

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


class Resumable(Protocol):
    """One interrupted transfer as the screen lists it."""

    @property
    def key(self) -> str: ...

    @property
    def service(self) -> SwiftService | None:
        """The region's service when this login can resume it."""

    @property
    def problem(self) -> str | None:
        """Why it cannot be resumed from here, or None."""


Item = TypeVar("Item", bound=Resumable)


def resumable_here(
    cloud: Connection,
    regions: set[str],
    region: str,
    belongs_to: Callable[[SwiftService], bool],
    in_progress: bool,
    kind: str,
) -> tuple[SwiftService | None, str | None]:
    """The service of this login that can resume a transfer journaled for ``region``
    (``belongs_to`` tells the engine's key for it), and why it cannot, if it cannot;
    ``kind`` names the transfer (``an upload``)."""
    if region not in regions:
        return None, f"region {region} is not in this login's catalog"
    service = cloud.service(region)
    if not belongs_to(service):
        return None, f"{kind} of another project: log in to that project to resume it"
    if in_progress:
        return service, "running now (here or in another swiftui)"
    return service, None


class InterruptedTable(ListingTable):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Resume")]


class InterruptedScreen(SwiftuiScreen, Generic[Item]):
    DEFAULT_CSS = """
    InterruptedScreen {
        #resume-intro { height: auto; padding: 0 1; }
        #interrupted { height: 1fr; }
        #resume-info { height: auto; max-height: 4; padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("a", "abandon", "Abandon", id="abandon", tooltip="Delete what it left, forget it"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
    ]

    intro: ClassVar[str]
    table_title: ClassVar[str]
    none_left: ClassVar[str]
    """The table's subtitle when every transfer of this machine finished."""
    columns: ClassVar[tuple[Column, ...]]

    class Loaded(Message):
        def __init__(self, found: list[Any]) -> None:
            super().__init__()
            self.found = found

    class Abandoned(Message):
        def __init__(self, said: str) -> None:
            super().__init__()
            self.said = said

    def __init__(self, cloud: Connection, found: list[Item] | None = None) -> None:
        super().__init__()
        self.cloud = cloud
        self.found = found

    @abstractmethod
    def find(self) -> list[Item]:
        """Every journal of this machine, and whether this login can resume it (on a
        worker's thread: it may ask the catalog)."""

    @abstractmethod
    def label(self, item: Item) -> str:
        """How a message names ``item``: its file, its object."""

    @abstractmethod
    def row(self, item: Item) -> Row: ...

    @abstractmethod
    def info_rows(self, item: Item) -> list[tuple[str, str | Text]]:
        """The facts under the table for the highlighted transfer."""

    @abstractmethod
    def resume(self, item: Item, service: SwiftService) -> None:
        """Queue ``item`` again and show it (on the UI thread)."""

    @abstractmethod
    def can_abandon(self, item: Item) -> bool: ...

    @abstractmethod
    def abandon_question(self, item: Item) -> str: ...

    @abstractmethod
    def abandon_item(self, item: Item) -> str:
        """Abandon ``item`` (on a worker's thread); what to tell the user."""

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield Static(self.intro, id="resume-intro")
        yield InterruptedTable(self.columns, id="interrupted")
        yield Static(id="resume-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#interrupted", InterruptedTable)
        table.border_title = self.table_title
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
        self.post_message(self.Loaded(self.find()))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.found = message.found
        self._show()

    def _show(self) -> None:
        table = self.query_one("#interrupted", InterruptedTable)
        found = self.found or []
        table.set_rows([self.row(item) for item in found], keep_cursor_on=table.cursor_key)
        table.border_subtitle = f"{len(found)} found" if found else self.none_left
        self._show_info(table.cursor_key)
        self.refresh_bindings()

    def _selected(self) -> Item | None:
        return self._item(self.query_one("#interrupted", InterruptedTable).cursor_key)

    def _item(self, key: str | None) -> Item | None:
        return next((item for item in self.found or [] if item.key == key), None)

    @on(ListingTable.Highlighted, "#interrupted")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        self._show_info(message.key)
        self.refresh_bindings()

    def _show_info(self, key: str | None) -> None:
        info = self.query_one("#resume-info", Static)
        item = self._item(key)
        if item is None:
            info.update("")
            return
        rows = self.info_rows(item)
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
            self.notify(f"{self.label(item)}: {item.problem}", severity="warning")
            return
        self.resume(item, item.service)

    def action_abandon(self) -> None:
        item = self._selected()
        if item is None or not self.can_abandon(item):
            return

        def answered(abandon: bool | None) -> None:
            if abandon:
                self.abandon(item)

        question = self.abandon_question(item)
        self.app.push_screen(ConfirmScreen(question, yes="Abandon", no="Keep"), answered)

    @work(thread=True, exit_on_error=False, group="abandon")
    def abandon(self, item: Item) -> None:
        self.post_message(self.Abandoned(self.abandon_item(item)))

    @on(Abandoned)
    def abandoned(self, message: Abandoned) -> None:
        self.notify(message.said)
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one("#interrupted", InterruptedTable).border_subtitle = "reading journals…"
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "abandon":
            item = self._selected()
            return item is not None and self.can_abandon(item)
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Read the journals again (r)", self.action_refresh)
