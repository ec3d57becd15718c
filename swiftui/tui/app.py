"""The Textual application: connect, then browse; the one queue of uploads.

The app is the top of the TUI: it imports the feature packages, none of them imports it
(they read its settings through :class:`~swiftui.tui.widgets.screens.SwiftuiHost`, its
upload and download queues through :func:`~swiftui.tui.uploads.queue.uploads_of` and
:func:`~swiftui.tui.downloads.queue.downloads_of`, and its jobs' logins through
:func:`~swiftui.tui.jobs.logins.job_logins_of`). It owns what outlives a screen: the
upload and download queues and their workers, the logins made as jobs, ``q`` (which asks
first while an upload, a download or a deletion runs), the Jobs screen (``J``), help, the
command palette, and the offer of interrupted transfers at start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker

from swiftui.errors import SwiftuiError
from swiftui.paths import jobs_file
from swiftui.swift import LISTING_PAGE
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.browsing.regions import BrowserScreen
from swiftui.tui.connect.screen import ConnectRequest, ConnectScreen
from swiftui.tui.deletion.screen import running_deletions
from swiftui.tui.downloads.live import show_downloads
from swiftui.tui.downloads.queue import Downloads
from swiftui.tui.downloads.resume import (
    InterruptedDownloadsScreen,
    Restorable,
    find_restorable,
)
from swiftui.tui.jobs.logins import JobLogins
from swiftui.tui.jobs.screen import JobsScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.uploads.queue import Uploads
from swiftui.tui.uploads.resume import Interrupted, ResumeScreen, find_interrupted
from swiftui.tui.widgets.dialogs import ConfirmScreen, HelpScreen
from swiftui.tui.widgets.screens import Connection, SwiftuiScreen, report_failure
from swiftui.tui.widgets.transfer_live import TransferLiveScreen
from swiftui.tui.widgets.transfer_queue import JobEnded


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SwiftuiApp(App[int]):
    """``SwiftuiApp(request)`` logs in first; ``SwiftuiApp(cloud=...)`` browses at once."""

    # App-wide, not scoped to one widget: the look every dialog shares (its classes).
    SCOPED_CSS = False
    DEFAULT_CSS = """
    ModalScreen { align: center middle; }
    .dialog {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    .dialog .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    .dialog Button { margin-left: 2; }
    .hint { color: $text-muted; padding: 0 1; }
    """
    TITLE = "swiftui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks first while a transfer runs)"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Keys and terms"),
    ]

    def __init__(
        self,
        request: ConnectRequest | None = None,
        *,
        cloud: Connection | None = None,
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
        self.identity = ""
        self.uploads = Uploads(self, clock)
        self.downloads = Downloads(self, clock)
        self.job_logins = JobLogins(self.environ)

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

    def show_browser(self, cloud: Connection, region: str | None) -> None:
        """Browse ``cloud``, starting at ``region`` (None: the credentials' own, or the first)."""
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
        self.offer_interrupted()

    # -- workers of the app ----------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    @on(JobEnded)
    def transfer_ended(self, message: JobEnded) -> None:
        screen = self.screen
        on_view = isinstance(screen, TransferLiveScreen) and screen.shown is message.job
        message.queue.finish(message.job, tell=not on_view)

    def offer_interrupted(self) -> None:
        """At start: list interrupted uploads and downloads of this account, if any can be
        resumed (the downloads on top; Escape shows the uploads under them)."""
        cloud = self.cloud
        if cloud is None:
            return

        async def look() -> None:
            try:
                uploads = await asyncio.to_thread(find_interrupted, cloud)
                downloads = await asyncio.to_thread(find_restorable, cloud)
            except SwiftuiError:
                return  # only an offer: the palette's Resume shows the error if it lasts
            if any(item.problem is None for item in uploads):
                self.open_resume(uploads)
            if any(item.problem is None for item in downloads):
                self.open_download_resume(downloads)

        self.run_worker(look(), group="transfer-offer", exit_on_error=False)

    def open_resume(self, interrupted: list[Interrupted] | None = None) -> None:
        if self.cloud is not None and not isinstance(self.screen, ResumeScreen):
            self.push_screen(ResumeScreen(self.cloud, interrupted))

    def open_download_resume(self, interrupted: list[Restorable] | None = None) -> None:
        if self.cloud is not None and not isinstance(self.screen, InterruptedDownloadsScreen):
            self.push_screen(InterruptedDownloadsScreen(self.cloud, interrupted))

    def open_upload_form(self, screen: Screen[Any]) -> None:
        """The upload form from a screen without its own ``u``: to its region, if it has one."""
        cloud = self.cloud
        if cloud is not None:
            region = getattr(screen, "region_name", None) or cloud.default_region()
            self.push_screen(UploadFormScreen(cloud.service(region)))

    def action_jobs(self) -> None:
        """The Jobs screen (the browsing screens' ``J``, the palette's Jobs), once."""
        if not self._jobs_open():
            self.push_screen(JobsScreen(jobs_file()))

    def _jobs_open(self) -> bool:
        return any(isinstance(screen, JobsScreen) for screen in self.screen_stack)

    # -- actions ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        downloading = self.downloads.busy()
        running = [
            state
            for state in (self.uploads.busy(), downloading, running_deletions(self.screen_stack))
            if state
        ]
        if not running:
            self.exit(0)
            return
        kept = (
            "What was sent or fetched is kept: the upload or download resumes later."
            if downloading
            else "What was sent is kept and the upload can be resumed later."
        )
        question = f"Still running: {'; '.join(running)}.\nQuit anyway? {kept}"
        self.push_screen(
            ConfirmScreen(question, yes="Quit", no="Stay"),
            lambda quit_now: self.exit(0) if quit_now else None,
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, SwiftuiScreen):
            yield from screen.palette_commands()
        if self.cloud is not None:
            if not isinstance(screen, BrowserScreen | ContainerScreen):
                yield SystemCommand(
                    "Upload a file",
                    "Pick a local file and send it to a container",
                    partial(self.open_upload_form, screen),
                )
            yield SystemCommand(
                "Resume interrupted uploads",
                "Uploads stopped before the end, with what is left to send",
                self.open_resume,
            )
            yield SystemCommand(
                "Resume interrupted downloads",
                "Downloads stopped before the end, with the parts they fetched",
                self.open_download_resume,
            )
            if self.uploads.jobs:
                yield SystemCommand(
                    "Show uploads",
                    "Progress of the running and queued uploads",
                    partial(show_uploads, self),
                )
            if self.downloads.jobs:
                yield SystemCommand(
                    "Show downloads",
                    "Progress of the running and queued downloads",
                    partial(show_downloads, self),
                )
        if not self._jobs_open():
            yield SystemCommand(
                "Jobs",
                "Each job's last run; run one now, edit it, its history (J)",
                self.action_jobs,
            )
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
    environ = dict(os.environ)
    app = SwiftuiApp(
        request_from_args(args, environ),
        region=getattr(args, "region", None),
        insecure=bool(getattr(args, "insecure", False)),
        environ=environ,
    )
    return app.run() or 0
