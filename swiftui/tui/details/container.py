"""Details of a container: its counts, storage policy, role, and every header."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from swiftui.swift import ContainerInfo, SwiftService
from swiftui.tui.details.panels import HEADER_COLUMNS, FactsPanel, headers_rows
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.units import format_bytes


class ContainerDetailsScreen(SwiftuiScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    class Loaded(Message):
        def __init__(self, headers: dict[str, str] | None) -> None:
            super().__init__()
            self.headers = headers

    def __init__(self, service: SwiftService, info: ContainerInfo) -> None:
        super().__init__()
        self.service = service
        self.info = info

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield FactsPanel("loading…", id="summary")
        yield ListingTable(HEADER_COLUMNS, id="headers")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#summary").border_title = f"container {self.info.name}"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def load(self) -> None:
        headers = self.service.container_headers(self.info.name)
        self.post_message(self.Loaded(dict(headers) if headers is not None else None))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        summary = self.query_one("#summary", Static)
        if message.headers is None:
            summary.update(Text("This container no longer exists.", "bold red"))
            return
        headers = {name.lower(): value for name, value in message.headers.items()}
        count = int(headers.get("x-container-object-count", self.info.count))
        size = int(headers.get("x-container-bytes-used", self.info.bytes))
        rows: list[tuple[str, str | Text]] = [
            ("Objects", f"{count:,}"),
            ("Size", f"{format_bytes(size)} ({size:,} bytes)"),
            ("Policy", headers.get("x-storage-policy", "")),
        ]
        if self.info.is_segments:
            rows.append(("Role", f"segments of {self.info.parent}"))
        summary.update(facts_grid(rows))
        self.query_one("#headers", ListingTable).set_rows(headers_rows(message.headers))

    def action_refresh(self) -> None:
        self.load()
