"""Behaviour every swiftui screen shares: the typed app, worker errors, palette commands."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker

from swiftui.tui.context import DELETE, ORPHANS, UPLOAD, BrowseContext

if TYPE_CHECKING:
    from swiftui.tui.app import SwiftuiApp

DialogResult = TypeVar("DialogResult")


class SwiftuiScreen(Screen[None]):
    @property
    def swiftui_app(self) -> SwiftuiApp:
        return cast("SwiftuiApp", self.app)

    def header(self) -> ComposeResult:
        """The top line: who is logged in where. (Textual's Header schedules title updates
        that fail when its screen goes away at once, as a quick quit does.)"""
        identity = self.swiftui_app.identity
        yield Static(f"swiftui — {identity}" if identity else "swiftui", id="title-bar")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.swiftui_app.report_worker(event)

    def show_error(self, message: str, worker: Worker) -> bool:
        """``worker`` of this screen failed: show ``message`` in the screen's own place for
        it, if it has one. False asks the app for a notification instead (or as well)."""
        return False

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette (ctrl+p)."""
        return ()


class SwiftuiModal(ModalScreen[DialogResult]):
    """A dialog that runs workers: their failures take the app's one path too, and land in
    the dialog's own place for them when it has one."""

    @property
    def swiftui_app(self) -> SwiftuiApp:
        return cast("SwiftuiApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.swiftui_app.report_worker(event)

    def show_error(self, message: str, worker: Worker) -> bool:
        return False


class BrowsingScreen(SwiftuiScreen):
    """A screen that shows a listing: refresh, and the plugged-in upload and delete."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r", "refresh", "Refresh", id="refresh", show=False, tooltip="Load the listing again"
        ),
        Binding("u", f"plugin('{UPLOAD}')", "Upload", id="upload", tooltip="Upload a file here"),
        Binding("d", f"plugin('{DELETE}')", "Delete", id="delete", tooltip="Delete the selection"),
        Binding(
            "o",
            f"plugin('{ORPHANS}')",
            "Orphans",
            id="orphans",
            show=False,
            tooltip="Segments no manifest references, by upload",
        ),
    ]

    def browse_context(self) -> BrowseContext:
        """Where the user stands, for a plugged-in screen."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        raise NotImplementedError

    def plugin_applies(self, name: str) -> bool | None:
        """Whether the plugged-in screen ``name`` has something to work on here: None greys
        its key (nothing selected yet), False hides it (not on this screen)."""
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plugin":
            name = str(parameters[0])
            return name in self.swiftui_app.screen_factories and self.plugin_applies(name)
        return True

    def action_plugin(self, name: str) -> None:
        self.swiftui_app.open_plugin(name, self.browse_context(), self.plugin_closed)

    def plugin_closed(self, result: object) -> None:
        """A plugged-in screen was dismissed with ``result``: the listing may have changed."""
        self.action_refresh()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Load this listing again (r)", self.action_refresh)
        labels = {
            UPLOAD: "Upload a file here (u)",
            DELETE: "Delete the selection (d)",
            ORPHANS: "Segments no manifest references, by upload (o)",
        }
        for name in self.swiftui_app.screen_factories:
            if not self.check_action("plugin", (name,)):
                continue
            yield SystemCommand(
                name.capitalize(), labels.get(name, name), partial(self.action_plugin, name)
            )
