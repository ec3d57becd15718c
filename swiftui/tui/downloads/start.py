"""Starting downloads, from the destination picker or an interrupted download: the engine's
checks first (:func:`~swiftui.download.check_request`, before any network use), a
confirmation before a file is replaced, then the queue and the live view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from swiftui.download import DownloadRequest, check_request
from swiftui.errors import UsageError
from swiftui.tui.downloads.live import show_downloads
from swiftui.tui.downloads.queue import downloads_of
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.files import display_path

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


def existing_targets(requests: Sequence[DownloadRequest]) -> list[Path]:
    """The files the requests would replace; raises what else the engine refuses (a
    missing or read-only folder, a directory in the way)."""
    existing = []
    for request in requests:
        try:
            check_request(request)
        except UsageError as error:
            if error.field != "force" or request.output is None:
                raise
            existing.append(request.output)
    return existing


def start_downloads(
    screen: Screen[Any],
    service: SwiftService,
    requests: Sequence[DownloadRequest],
    *,
    then: Callable[[], object],
) -> None:
    """Queue ``requests`` and show them, asking first when files would be replaced (each
    request's ``output`` names its file); ``then`` runs once they are queued (the screen
    that asked goes away). Raises :class:`UsageError` for a request the engine refuses."""
    existing = existing_targets(requests)

    def start(force: bool) -> None:
        queue = downloads_of(screen)
        jobs = [
            job
            for request in requests
            if (job := queue.enqueue(service, replace(request, force=force)))
        ]
        then()
        if jobs:
            show_downloads(screen.app, jobs[0])

    if not existing:
        start(force=False)
        return
    shown = ", ".join(display_path(path) for path in existing)
    question = (
        f"{shown} {'exists' if len(existing) == 1 else 'exist'}.\n"
        "Replace with the download? A file is replaced only once its download is "
        "complete and verified."
    )

    def answered(confirmed: bool | None) -> None:
        if confirmed:
            start(force=True)

    screen.app.push_screen(ConfirmScreen(question, yes="Replace", no="Keep"), answered)
