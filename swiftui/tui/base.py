"""Behaviour every swiftui screen shares: the typed app, worker errors, palette commands."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from swiftui.tui.context import DELETE, UPLOAD, BrowseContext

if TYPE_CHECKING:
    from swiftui.tui.app import SwiftuiApp


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


class BrowsingScreen(SwiftuiScreen):
    """A screen that shows a listing: refresh, and the plugged-in upload and delete."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r", "refresh", "Refresh", id="refresh", show=False, tooltip="Load the listing again"
        ),
        Binding("u", f"plugin('{UPLOAD}')", "Upload", id="upload", tooltip="Upload a file here"),
        Binding("d", f"plugin('{DELETE}')", "Delete", id="delete", tooltip="Delete the selection"),
    ]

    def browse_context(self) -> BrowseContext:
        """Where the user stands, for a plugged-in screen."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plugin":
            return parameters[0] in self.swiftui_app.screen_factories
        return True

    def action_plugin(self, name: str) -> None:
        self.swiftui_app.open_plugin(name, self.browse_context(), self.action_refresh)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Load this listing again (r)", self.action_refresh)
        labels = {UPLOAD: "Upload a file here (u)", DELETE: "Delete the selection (d)"}
        for name in self.swiftui_app.screen_factories:
            yield SystemCommand(
                name.capitalize(), labels.get(name, name), partial(self.action_plugin, name)
            )
