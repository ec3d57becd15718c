"""Interrupted downloads from this machine's journals (:mod:`~swiftui.tui.widgets.interrupted`
with the download's rows): Enter starts the same download again, which fetches only the
parts its partial file lacks; ``a`` abandons one, removing its partial file (Swift is not
touched).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from swiftui.browse import format_age, format_moment
from swiftui.download import InterruptedDownload, abandon_download, interrupted_downloads
from swiftui.errors import UsageError
from swiftui.tui.downloads.start import start_downloads
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.interrupted import InterruptedScreen, resumable_here
from swiftui.tui.widgets.screens import Connection
from swiftui.tui.widgets.table import Column, Row
from swiftui.units import format_bytes

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class Restorable:
    download: InterruptedDownload
    service: SwiftService | None
    """The region's service when this login can resume it."""
    problem: str | None
    """Why it cannot be resumed from here, or None."""

    @property
    def key(self) -> str:
        return str(self.download.journal_path)


def find_restorable(cloud: Connection) -> list[Restorable]:
    """Every download journal of this machine, and whether this login can resume it
    (network: the catalog)."""
    regions = {endpoint.name for endpoint in cloud.regions()}
    found = []
    for download in interrupted_downloads():
        service, problem = resumable_here(
            cloud, regions, download.region, download.belongs_to, download.in_progress, "a download"
        )
        found.append(Restorable(download, service, problem))
    return found


class InterruptedDownloadsScreen(InterruptedScreen[Restorable]):
    intro = (
        "Downloads that stopped before the end. Enter starts one again: only the parts "
        "missing in its partial file are fetched."
    )
    table_title = "Interrupted downloads"
    none_left = "none: every download of this machine finished"
    columns = (
        Column("object", "Object", min_width=14, keep_end=True),
        Column("file", "To", 18, keep_end=True),
        Column("parts", "Parts", 7, "right"),
        Column("size", "Size", 10, "right"),
        Column("started", "Started", 14),
    )

    def find(self) -> list[Restorable]:
        return find_restorable(self.cloud)

    def label(self, item: Restorable) -> str:
        return item.download.object_name

    def row(self, item: Restorable) -> Row:
        download = item.download
        return Row(
            item.key,
            (
                f"{download.region} › {download.container}/{download.object_name}",
                display_path(download.output),
                _parts(download),
                format_bytes(download.size),
                format_age(
                    datetime.fromtimestamp(download.started_at, UTC), self.swiftui_app.clock()
                ),
            ),
            style="dim" if item.problem else "",
        )

    def info_rows(self, item: Restorable) -> list[tuple[str, str | Text]]:
        download = item.download
        started = datetime.fromtimestamp(download.started_at, UTC)
        here = Text(
            f"{_parts(download)} parts in {download.partial_path.name} · started "
            f"{format_moment(started, self.swiftui_app.zone)[:16]}"
        )
        if download.problem:
            here = Text(download.problem, "yellow")
        return [("To", f"{download.output} ({format_bytes(download.size)})"), ("Fetched", here)]

    def resume(self, item: Restorable, service: SwiftService) -> None:
        try:
            start_downloads(self, service, [item.download.to_request()], then=self.dismiss)
        except UsageError as error:
            self.notify(str(error), severity="error")

    def can_abandon(self, item: Restorable) -> bool:
        return not item.download.in_progress

    def abandon_question(self, item: Restorable) -> str:
        download = item.download
        return (
            f"Abandon the download of {download.container}/{download.object_name} to "
            f"{display_path(download.output)}?\nIts partial file "
            f"{download.partial_path.name} is deleted and its journal forgotten; nothing in "
            "Swift changes."
        )

    def abandon_item(self, item: Restorable) -> str:
        abandon_download(item.download)
        return (
            f"{display_path(item.download.output)}: removed the partial file, forgot the download"
        )


def _parts(download: InterruptedDownload) -> str:
    return f"{download.parts_done}/{download.parts}" if download.parts else str(download.parts_done)
