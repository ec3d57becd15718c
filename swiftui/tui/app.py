"""The Textual application: connect, then browse; other screens plug in by name.

Network I/O runs in thread workers that never touch widgets: they post messages to their
screen. A failed worker lands in one place, :meth:`SwiftuiApp.report_worker` (screens
forward their workers' state changes to it: that message does not bubble), which shows
the error, a :class:`~swiftui.errors.SwiftuiError`'s one line, in the screen's own panel
when it has one, else as a notification.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.swift import LISTING_PAGE
from swiftui.tui.base import SwiftuiModal, SwiftuiScreen
from swiftui.tui.connect import ConnectRequest, ConnectScreen
from swiftui.tui.context import BrowseContext, BusyCheck, ScreenFactory
from swiftui.tui.dialogs import ConfirmScreen, HelpScreen

if TYPE_CHECKING:
    from swiftui.cloud import Cloud
    from swiftui.tui.upload import Uploads


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SwiftuiApp(App[int]):
    """``SwiftuiApp(request)`` logs in first; ``SwiftuiApp(cloud=...)`` browses at once."""

    CSS_PATH = "app.tcss"
    TITLE = "swiftui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks first if an upload runs)"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Keys and terms"),
    ]

    def __init__(
        self,
        request: ConnectRequest | None = None,
        *,
        cloud: Cloud | None = None,
        region: str | None = None,
        insecure: bool = False,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = _utc_now,
        zone: tzinfo | None = None,
        page_size: int = LISTING_PAGE,
    ) -> None:
        super().__init__()
        self.request = request
        self.cloud = cloud
        self.start_region = region
        self.insecure = insecure
        self.environ = dict(os.environ if environ is None else environ)
        self.clock = clock
        self.zone = zone
        self.page_size = page_size
        self.screen_factories: dict[str, ScreenFactory] = {}
        self.busy_checks: list[BusyCheck] = []
        self.identity = ""
        self.uploads: Uploads | None = None
        """Set by :func:`swiftui.tui.upload.install_uploads`."""

    # -- plugging other screens in ---------------------------------------------------------

    def register_screen_factory(self, name: str, factory: ScreenFactory) -> None:
        """Make ``name`` (``"upload"``, ``"delete"``) available where the browser binds it."""
        self.screen_factories[name] = factory
        self.refresh_bindings()

    def register_busy_check(self, check: BusyCheck) -> None:
        self.busy_checks.append(check)

    def open_plugin(
        self, name: str, context: BrowseContext, on_done: Callable[[Any], None]
    ) -> None:
        """Push the screen registered as ``name``; ``on_done`` gets what it is dismissed with."""
        factory = self.screen_factories[name]
        self.push_screen(factory(context), on_done)

    # -- screens ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.cloud is not None:
            self.show_browser(self.cloud, self.start_region)
        else:
            self.push_screen(
                ConnectScreen(
                    self.request, self.environ, region=self.start_region, insecure=self.insecure
                )
            )

    def show_browser(self, cloud: Cloud, region: str | None) -> None:
        """Browse ``cloud``, starting at ``region`` (None: the credentials' own, or the first)."""
        from swiftui.tui.browser import BrowserScreen

        self.cloud = cloud
        auth = cloud.credentials.auth
        who = auth.get("username") or auth.get("application_credential_name") or "?"
        project = auth.get("project_name") or auth.get("project_id") or ""
        self.identity = f"{who} @ {project}" if project else who
        browser = BrowserScreen(cloud, region)
        if isinstance(self.screen, ConnectScreen):
            self.switch_screen(browser)
        else:
            self.push_screen(browser)
        if self.uploads is not None:
            self.uploads.offer_interrupted()

    # -- one place for worker failures -----------------------------------------------------

    def report_worker(self, event: Worker.StateChanged) -> None:
        """Every screen hands its workers' state changes here (the message does not bubble)."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, OperationCancelled):
            return
        if isinstance(error, SwiftuiError):
            message = str(error)
        else:
            message = f"unexpected {type(error).__name__}: {error} (please report it)"
            self.log.error(message)
        node = event.worker.node
        shown = isinstance(node, SwiftuiScreen | SwiftuiModal) and node.show_error(
            message, event.worker
        )
        if not shown:
            self.notify(message, title="Error", severity="error", timeout=12)

    # -- actions ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        running = [state for check in self.busy_checks if (state := check())]
        if not running:
            self.exit(0)
            return
        question = (
            f"Still running: {'; '.join(running)}.\n"
            "Quit anyway? What was sent is kept and the upload can be resumed later."
        )
        self.push_screen(
            ConfirmScreen(question, yes="Quit", no="Stay"),
            lambda quit_now: self.exit(0) if quit_now else None,
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if isinstance(screen, SwiftuiScreen):
            yield from screen.palette_commands()
        if self.uploads is not None:
            yield from self.uploads.palette_commands(screen)
        yield SystemCommand(
            "Help", "Keys of this screen and what SLO, DLO, segments mean", self.action_help
        )
        yield from super().get_system_commands(screen)


def request_from_args(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> ConnectRequest | None:
    """The credentials the command line names (an option, or OS_* set in the shell), if any."""
    openrc: Path | None = getattr(args, "openrc", None)
    cloud: str | None = getattr(args, "os_cloud", None)
    if openrc is not None:
        return ConnectRequest(f"openrc  {openrc}", openrc=openrc, environ=environ)
    if cloud or environ.get("OS_CLOUD"):
        name = cloud or environ["OS_CLOUD"]
        return ConnectRequest(f"cloud   {name}", cloud=name, environ=environ)
    if environ.get("OS_AUTH_URL"):
        return ConnectRequest("OS_* variables of this shell", environ=environ)
    return None


def run_tui(args: argparse.Namespace) -> int:
    """``swiftui [auth options]``: the terminal UI until the user quits."""
    from swiftui.tui.delete import install_deletion
    from swiftui.tui.upload import install_uploads

    environ = dict(os.environ)
    app = SwiftuiApp(
        request_from_args(args, environ),
        region=getattr(args, "region", None),
        insecure=bool(getattr(args, "insecure", False)),
        environ=environ,
    )
    install_deletion(app)
    install_uploads(app)
    return app.run() or 0
