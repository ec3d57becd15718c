"""Behaviour every swiftui screen shares: the title line, the app's settings, worker errors,
palette commands.

Screens never import the app (the app imports them): what they read from it is the
:class:`SwiftuiHost` protocol, which :class:`~swiftui.tui.app.SwiftuiApp` implements.

Network I/O runs in thread workers that never touch widgets: they post messages to their
screen. A failed worker lands in one place, :func:`report_failure` (screens hand it their
workers' state changes: that message does not bubble), which shows the error, a
:class:`~swiftui.errors.SwiftuiError`'s one line, in the screen's own panel when it has
one, else as a notification.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.app import ComposeResult, SystemCommand
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from swiftui.errors import OperationCancelled, SwiftuiError

if TYPE_CHECKING:
    from swiftui.cloud import RegionEndpoint
    from swiftui.credentials import Credentials
    from swiftui.swift import SwiftService

DialogResult = TypeVar("DialogResult")

AGE_REFRESH_S = 60.0


def redraw_as_time_passes(node: DOMNode, redraw: Callable[[], object]) -> None:
    """Relative dates ("5 minutes ago") move on: ``redraw`` every minute while ``node`` is
    mounted."""
    node.set_interval(AGE_REFRESH_S, redraw)


class Connection(Protocol):
    """What the TUI uses of a logged-in account: :class:`~swiftui.cloud.Cloud` is one; the
    fixed accounts the tests draw pictures of are others."""

    @property
    def credentials(self) -> Credentials: ...

    def regions(self) -> list[RegionEndpoint]: ...

    def default_region(self) -> str: ...

    def service(self, region: str) -> SwiftService: ...

    def close(self) -> None: ...


class SwiftuiHost(Protocol):
    """What screens read from the app: who is logged in, its clock and time zone, the
    listing page size, and the way from logging in to browsing."""

    identity: str
    page_size: int
    zone: tzinfo | None
    clock: Callable[[], datetime]

    def show_browser(self, cloud: Connection, region: str | None) -> None: ...


class TitleBar(Static):
    """The top line: who is logged in where. (Textual's Header schedules title updates
    that fail when its screen goes away at once, as a quick quit does.)"""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        width: 100%;
        content-align: center middle;
        background: $panel;
        color: $foreground;
    }
    """


class SwiftuiScreen(Screen[None]):
    @property
    def swiftui_app(self) -> SwiftuiHost:
        return cast("SwiftuiHost", self.app)

    def header(self) -> ComposeResult:
        identity = self.swiftui_app.identity
        yield TitleBar(f"swiftui — {identity}" if identity else "swiftui", id="title-bar")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        """``worker`` of this screen failed: show ``message`` in the screen's own place for
        it, if it has one. False asks for a notification instead (or as well)."""
        return False

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette (ctrl+p)."""
        return ()


class SwiftuiModal(ModalScreen[DialogResult]):
    """A dialog that runs workers: their failures take the one path too, and land in the
    dialog's own place for them when it has one."""

    @property
    def swiftui_app(self) -> SwiftuiHost:
        return cast("SwiftuiHost", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        return False


def failure_text(event: Worker.StateChanged) -> str | None:
    """What to tell the user about a failed worker (None: it did not fail, or was
    cancelled): a :class:`~swiftui.errors.SwiftuiError`'s one line, else what broke."""
    if event.state is not WorkerState.ERROR:
        return None
    error = event.worker.error
    if isinstance(error, OperationCancelled):
        return None
    if isinstance(error, SwiftuiError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error} (please report it)"


def report_failure(node: DOMNode, event: Worker.StateChanged) -> None:
    """The one place a failed worker is shown, whichever screen, widget or app ran it."""
    message = failure_text(event)
    if message is None:
        return
    if not isinstance(event.worker.error, SwiftuiError):
        node.log.error(message)
    owner = event.worker.node
    shown = isinstance(owner, SwiftuiScreen | SwiftuiModal) and owner.show_error(
        message, event.worker
    )
    if not shown:
        node.app.notify(message, title="Error", severity="error", timeout=12)
