"""The main screen: the catalog's regions, and the containers of the highlighted one.

Region totals come from an account HEAD per region, containers from the account listing,
and each container's storage policy (and fresh counts) from a HEAD, one by one after the
listing, so the table shows at once and fills in. A ``<name>_segments`` container is shown as the
segments of ``<name>``, and ``<name>`` with the bytes its segments hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer
from textual.worker import get_current_worker

from swiftui.browse import (
    AccountSummary,
    ContainerStats,
    account_summary,
    container_stats,
    segments_parent,
)
from swiftui.cloud import RegionEndpoint
from swiftui.errors import SwiftuiError
from swiftui.swift import SEGMENTS_SUFFIX, ContainerInfo
from swiftui.tui.browsing.bindings import JOBS, ORPHANS, REFRESH, UPLOAD
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.deletion.orphans import OrphansScreen
from swiftui.tui.details.container import ContainerDetailsScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.queue import UploadFinished
from swiftui.tui.widgets.screens import Connection, SwiftuiScreen
from swiftui.tui.widgets.table import Column, ListingTable, Row
from swiftui.units import format_bytes

REGION_COLUMNS = (
    Column("region", "Region", 8),
    Column("containers", "Containers", 10, "right"),
    Column("objects", "Objects", 10, "right"),
    Column("bytes", "Size", 10, "right"),
    Column("endpoint", "Endpoint", min_width=10),
)
CONTAINER_COLUMNS = (
    Column("name", "Name", min_width=12),
    Column("count", "Objects", 9, "right"),
    Column("bytes", "Size", 10, "right"),
    Column("policy", "Policy", 10),
    Column("role", "Segments", 22),
)


def container_role(info: ContainerInfo, by_name: dict[str, ContainerInfo]) -> Text:
    """``segments of <parent>`` for a segments container, ``+N in segments`` for a parent."""
    if info.is_segments:
        parent = segments_parent(info.name, list(by_name))
        if parent is None:
            return Text("segments, no parent", style="bold yellow")
        return Text(f"segments of {parent}", style="dim")
    segments = by_name.get(info.name + SEGMENTS_SUFFIX)
    if segments is None:
        return Text("")
    return Text(f"+{format_bytes(segments.bytes)} in segments")


class BrowserScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    BrowserScreen {
        #regions { height: auto; max-height: 8; }
        #containers { height: 1fr; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        REFRESH,
        UPLOAD,
        ORPHANS,
        JOBS,
        Binding("i", "details", "Details", id="details", tooltip="Headers of the container"),
        Binding("escape", "back", "Back", show=False),
    ]

    class RegionsFound(Message):
        def __init__(self, regions: list[RegionEndpoint], region: str) -> None:
            super().__init__()
            self.regions = regions
            self.region = region

    class RegionLoaded(Message):
        def __init__(self, region: str, summary: AccountSummary | None, error: str) -> None:
            super().__init__()
            self.region = region
            self.summary = summary
            self.error = error

    class ContainersLoaded(Message):
        def __init__(self, region: str, containers: list[ContainerInfo]) -> None:
            super().__init__()
            self.region = region
            self.containers = containers

    class StatsLoaded(Message):
        def __init__(self, region: str, container: str, stats: ContainerStats | None) -> None:
            super().__init__()
            self.region = region
            self.container = container
            self.stats = stats

    def __init__(self, cloud: Connection, region: str | None) -> None:
        """Start at ``region``; None: the one the credentials name, else the catalog's first."""
        super().__init__()
        self.cloud = cloud
        self.region_name = region or ""
        self.regions: list[RegionEndpoint] = []
        self.summaries: dict[str, AccountSummary | str] = {}
        self.containers: dict[str, list[ContainerInfo]] = {}
        self.stats: dict[tuple[str, str], ContainerStats | None] = {}
        self.shown_region: str | None = None

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Vertical(id="browser"):
            yield ListingTable(REGION_COLUMNS, id="regions")
            yield ListingTable(CONTAINER_COLUMNS, id="containers")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#regions").border_title = "Regions"
        self.load_regions()
        self.query_one("#containers", ListingTable).focus()

    # -- regions ---------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="regions")
    def load_regions(self) -> None:
        """The catalog (reading it may renew the token), then each region's totals."""
        regions = self.cloud.regions()
        region = self.region_name or self.cloud.default_region()
        self.post_message(self.RegionsFound(regions, region))
        for endpoint in regions:
            try:
                summary = account_summary(self.cloud.service(endpoint.name))
            except SwiftuiError as error:
                self.post_message(self.RegionLoaded(endpoint.name, None, str(error)))
            else:
                self.post_message(self.RegionLoaded(endpoint.name, summary, ""))

    @on(RegionsFound)
    def regions_found(self, message: RegionsFound) -> None:
        self.regions = message.regions
        self.region_name = message.region
        self._show_regions()

    @on(RegionLoaded)
    def region_loaded(self, message: RegionLoaded) -> None:
        self.summaries[message.region] = message.summary or message.error
        self._show_regions()

    def _show_regions(self) -> None:
        rows = []
        for endpoint in self.regions:
            summary = self.summaries.get(endpoint.name)
            if isinstance(summary, AccountSummary):
                counts = (
                    f"{summary.containers:,}",
                    f"{summary.objects:,}",
                    format_bytes(summary.bytes),
                )
                where: str | Text = endpoint.url
            elif summary:
                counts = ("", "", "")
                where = Text(summary, style="bold red")
            else:
                counts = ("…", "…", "…")
                where = endpoint.url
            rows.append(Row(endpoint.name, (endpoint.name, *counts, where)))
        table = self.query_one("#regions", ListingTable)
        table.set_rows(rows, keep_cursor_on=self.region_name)

    @on(ListingTable.Highlighted, "#regions")
    def region_highlighted(self, message: ListingTable.Highlighted) -> None:
        if message.key is None or message.key == self.shown_region:
            return
        self.region_name = self.shown_region = message.key
        self._show_containers()
        if self.region_name not in self.containers:
            self.load_containers(self.region_name)

    @on(ListingTable.Selected, "#regions")
    def region_selected(self, message: ListingTable.Selected) -> None:
        self.query_one("#containers", ListingTable).focus()

    # -- containers ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="containers")
    def load_containers(self, region: str) -> None:
        service = self.cloud.service(region)
        self.post_message(self.ContainersLoaded(region, list(service.iter_containers())))

    @work(thread=True, exclusive=True, exit_on_error=False, group="containers")
    def load_stats(self, region: str, names: list[str]) -> None:
        """One HEAD per container, stopping as soon as the user looks at another region."""
        service = self.cloud.service(region)
        worker = get_current_worker()
        for name in names:
            if worker.is_cancelled:
                return
            self.post_message(self.StatsLoaded(region, name, container_stats(service, name)))

    @on(ContainersLoaded)
    def containers_loaded(self, message: ContainersLoaded) -> None:
        self.containers[message.region] = message.containers
        if message.region == self.region_name:
            self._show_containers()

    @on(StatsLoaded)
    def stats_loaded(self, message: StatsLoaded) -> None:
        self.stats[(message.region, message.container)] = message.stats
        if message.region != self.region_name:
            return
        table = self.query_one("#containers", ListingTable)
        by_name = {info.name: info for info in self.containers.get(self.region_name, [])}
        info = by_name.get(message.container)
        if info is None:
            return
        table.update_row(self._container_row(info, by_name))
        if info.parent in by_name:
            table.update_row(self._container_row(by_name[info.parent], by_name))
        self._show_total()

    def _show_containers(self) -> None:
        table = self.query_one("#containers", ListingTable)
        containers = self.containers.get(self.region_name)
        table.border_title = f"Containers in {self.region_name}"
        if containers is None:
            table.border_subtitle = "loading…"
            table.set_rows([])
            return
        by_name = {info.name: info for info in containers}
        table.set_rows(
            [self._container_row(info, by_name) for info in containers],
            keep_cursor_on=table.cursor_key,
        )
        self._show_total()
        self.refresh_bindings()
        missing = [
            info.name for info in containers if (self.region_name, info.name) not in self.stats
        ]
        if missing:
            self.load_stats(self.region_name, missing)

    def _show_total(self) -> None:
        containers = self.containers.get(self.region_name, [])
        total = sum(self._fresh(info).bytes for info in containers)
        self.query_one(
            "#containers", ListingTable
        ).border_subtitle = f"{len(containers):,} containers · {format_bytes(total)}"

    def _fresh(self, info: ContainerInfo) -> ContainerInfo:
        """The listing's line, with the counts of the container's own HEAD once known."""
        stats = self.stats.get((self.region_name, info.name))
        return replace(info, count=stats.count, bytes=stats.bytes) if stats else info

    def _container_row(self, info: ContainerInfo, by_name: dict[str, ContainerInfo]) -> Row:
        stats = self.stats.get((self.region_name, info.name), ...)
        policy = "…" if stats is ... else stats.policy if stats else "gone"
        fresh = {name: self._fresh(item) for name, item in by_name.items()}
        current = fresh[info.name]
        return Row(
            info.name,
            (
                info.name,
                f"{current.count:,}",
                format_bytes(current.bytes),
                policy,
                container_role(current, fresh),
            ),
        )

    def _highlighted_container(self) -> ContainerInfo | None:
        key = self.query_one("#containers", ListingTable).cursor_key
        return next(
            (info for info in self.containers.get(self.region_name, []) if info.name == key), None
        )

    @on(ListingTable.Highlighted, "#containers")
    def container_highlighted(self) -> None:
        self.refresh_bindings()

    @on(ListingTable.Selected, "#containers")
    def container_selected(self, message: ListingTable.Selected) -> None:
        self.open_container(message.key)

    def open_container(self, name: str) -> None:
        containers = self.containers.get(self.region_name, [])
        info = next((item for item in containers if item.name == name), None)
        if info is None:
            return
        self.app.push_screen(
            ContainerScreen(
                self.cloud,
                self.region_name,
                info,
                region_containers=containers,
            )
        )

    # -- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.query_one("#regions", ListingTable).focus()

    def action_refresh(self) -> None:
        self.shown_region = self.region_name
        self.summaries.clear()
        self.containers.pop(self.region_name, None)
        self.stats = {key: value for key, value in self.stats.items() if key[0] != self.region_name}
        self._show_regions()
        self._show_containers()
        self.load_regions()
        self.load_containers(self.region_name)

    def action_details(self) -> None:
        info = self._highlighted_container()
        if info is not None:
            self.app.push_screen(ContainerDetailsScreen(self.cloud.service(self.region_name), info))

    def action_upload(self) -> None:
        """The upload form, to the highlighted container."""
        info = self._highlighted_container()
        form = UploadFormScreen(
            self.cloud.service(self.region_name), container=info.name if info else None
        )
        self.app.push_screen(form, lambda _result: self.action_refresh())

    def action_orphans(self) -> None:
        info = self._highlighted_container()
        if info is not None:
            screen = OrphansScreen(self.cloud.service(self.region_name), info.name)
            self.app.push_screen(screen, lambda _result: self.action_refresh())

    @on(UploadFinished)
    def upload_finished(self, message: UploadFinished) -> None:
        """Counts changed in the upload's region: load them again, quietly."""
        region = message.job.region
        self.stats = {key: value for key, value in self.stats.items() if key[0] != region}
        self.load_regions()
        if region == self.region_name:
            self.load_containers(region)
        else:
            self.containers.pop(region, None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details":
            return self._highlighted_container() is not None
        if action == "orphans":
            return self._highlighted_container() is not None or None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Load this listing again (r)", self.action_refresh)
        yield SystemCommand("Upload", "Upload a file here (u)", self.action_upload)
        if self.check_action("orphans", ()):
            yield SystemCommand(
                "Orphans", "Segments no manifest references, by upload (o)", self.action_orphans
            )
        for endpoint in self.regions:
            yield SystemCommand(
                f"Region {endpoint.name}",
                f"Show the containers of {endpoint.name}",
                partial(self.query_one("#regions", ListingTable).move_cursor_to_key, endpoint.name),
            )
        for info in self.containers.get(self.region_name, []):
            yield SystemCommand(
                f"Open {info.name}",
                f"Objects of container {info.name} in {self.region_name}",
                partial(self.open_container, info.name),
                discover=False,
            )
