"""Details of an object: headers, metadata, an SLO's manifest, a DLO's segments; ``v``
verifies an SLO against the server, segment by segment, live."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, get_current_worker

from swiftui.browse import (
    ManifestCheck,
    ObjectDetails,
    ObjectKind,
    SegmentCheck,
    SegmentState,
    describe_object,
    format_age,
    format_moment,
    segment_length,
    verify_manifest,
)
from swiftui.swift import ManifestSegment, SwiftService
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.screens import SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import Column, ListingTable, Row
from swiftui.units import format_bytes
from swiftui.upload import segment_label

MANIFEST_COLUMNS = (
    Column("index", "#", 5, "right"),
    Column("segment", "Segment", min_width=10),
    Column("size", "Size", 10, "right"),
    Column("etag", "Etag", 32),
    Column("check", "Check", 10),
)
DLO_COLUMNS = (
    Column("segment", "Segment", min_width=12),
    Column("size", "Size", 10, "right"),
    Column("etag", "Etag", 32),
)
HEADER_COLUMNS = (Column("header", "Header", 30), Column("value", "Value", min_width=20))
CHECK_STYLES = {SegmentState.OK: "green", SegmentState.MISSING: "bold red"}


def common_folder(paths: list[str]) -> str:
    """The folder all ``paths`` share, ending with ``/`` (rows then show only the rest)."""
    if not paths:
        return ""
    shared = posixpath.commonprefix(paths)
    return shared[: shared.rfind("/") + 1]


def headers_rows(headers: Mapping[str, str]) -> list[Row]:
    return [
        Row(name, (name, value))
        for name, value in sorted(headers.items(), key=lambda item: item[0].lower())
    ]


class FactsPanel(Static):
    """The framed summary at the top of a details screen."""

    DEFAULT_CSS = """
    FactsPanel {
        height: auto;
        max-height: 9;
        border: round $primary 40%;
        border-title-color: $text;
        padding: 0 1;
    }
    """


class ObjectDetailsScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    ObjectDetailsScreen {
        #detail-tabs { height: 1fr; }
        #detail-tabs TabPane { padding: 0; }
        #detail-tabs ListingTable { height: 1fr; }
        #verdict { height: auto; max-height: 3; padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("v", "verify", "Verify", id="verify", tooltip="Check every segment on the server"),
        Binding(
            "h",
            "headers",
            "Headers",
            id="headers",
            tooltip="Every header of the object; h again goes back",
        ),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    class Loaded(Message):
        def __init__(self, details: ObjectDetails | None) -> None:
            super().__init__()
            self.details = details

    class SegmentChecked(Message):
        def __init__(self, check: SegmentCheck) -> None:
            super().__init__()
            self.check = check

    class Verified(Message):
        def __init__(self, result: ManifestCheck) -> None:
            super().__init__()
            self.result = result

    def __init__(self, service: SwiftService, container: str, name: str) -> None:
        super().__init__()
        self.service = service
        self.container = container
        self.object_name = name
        self.details: ObjectDetails | None = None
        self.folder = ""
        self.checked = 0
        self.verifying = False

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield FactsPanel("loading…", id="summary")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Manifest", id="tab-manifest"):
                yield ListingTable(MANIFEST_COLUMNS, id="manifest")
            with TabPane("Segments", id="tab-dlo"):
                yield ListingTable(DLO_COLUMNS, id="dlo")
            with TabPane("Headers", id="tab-headers"):
                yield ListingTable(HEADER_COLUMNS, id="headers")
        yield Static(id="verdict")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#summary").border_title = f"{self.container} / {self.object_name}"
        redraw_as_time_passes(self, self._show_summary)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def load(self) -> None:
        self.post_message(
            self.Loaded(describe_object(self.service, self.container, self.object_name))
        )

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.details = details = message.details
        summary = self.query_one("#summary", Static)
        tabs = self.query_one(TabbedContent)
        if details is None:
            summary.update(Text("This object no longer exists (deleted or expired).", "bold red"))
            return
        self._show_summary()
        self.query_one("#headers", ListingTable).set_rows(headers_rows(details.facts.headers))
        if details.manifest is not None:
            self._show_manifest(details.manifest)
            tabs.show_tab("tab-manifest")
            tabs.active = "tab-manifest"
        else:
            tabs.hide_tab("tab-manifest")
        if details.dlo is not None:
            folder = details.dlo.prefix
            self.query_one("#dlo", ListingTable).set_rows(
                [
                    Row(
                        entry.name,
                        (entry.name[len(folder) :], format_bytes(entry.bytes), entry.etag),
                    )
                    for entry in details.dlo.segments
                ]
            )
            tabs.show_tab("tab-dlo")
            tabs.active = "tab-dlo"
        else:
            tabs.hide_tab("tab-dlo")
        if details.manifest is None and details.dlo is None:
            tabs.active = "tab-headers"
        self.refresh_bindings()

    def _show_summary(self) -> None:
        """Kind, size, dates (relative ones age), etag, metadata."""
        if self.details is not None:
            self.query_one("#summary", Static).update(facts_grid(self._summary_rows(self.details)))

    def _summary_rows(self, details: ObjectDetails) -> list[tuple[str, str | Text]]:
        facts = details.facts
        now = self.swiftui_app.clock()
        zone = self.swiftui_app.zone
        rows: list[tuple[str, str | Text]] = [("Kind", self._kind_text(details))]
        size = f"{format_bytes(facts.size)} ({facts.size:,} bytes)"
        rows.append(("Size", size))
        if details.manifest is not None and details.manifest_bytes != facts.size:
            rows.append(
                ("Manifest", Text(f"segments add up to {details.manifest_bytes:,} bytes", "red"))
            )
        modified = facts.last_modified
        rows.append(("Modified", f"{format_moment(modified, zone)} ({format_age(modified, now)})"))
        expiry = (
            f"{format_moment(facts.delete_at, zone)} ({format_age(facts.delete_at, now)})"
            if facts.delete_at
            else "never"
        )
        rows.append(("Expires", expiry))
        rows.append(("Etag", f"{facts.etag}  ({facts.content_type})"))
        if facts.metadata:
            rows.append(
                ("Metadata", ", ".join(f"{k}={v}" for k, v in sorted(facts.metadata.items())))
            )
        return rows

    def _kind_text(self, details: ObjectDetails) -> str:
        facts = details.facts
        if details.manifest is not None:
            where = ", ".join(details.segment_containers) or "?"
            return f"SLO: {len(details.manifest)} segments in {where}"
        if details.dlo is not None:
            more = "" if details.dlo.complete else "+"
            return (
                f"DLO: prefix {details.dlo.container}/{details.dlo.prefix}, "
                f"{len(details.dlo.segments)}{more} segments, "
                f"{format_bytes(details.dlo.total_bytes)}{more}"
            )
        if details.segment_of is not None:
            upload = details.segment_of
            return (
                f"{segment_label(upload.index)} of {upload.object_name} (upload of "
                f"{format_bytes(upload.file_size)} in {format_bytes(upload.segment_size)} segments)"
            )
        return str(facts.kind)

    def _show_manifest(self, manifest: list[ManifestSegment]) -> None:
        self.folder = common_folder([segment.path for segment in manifest])
        self.query_one("#tab-manifest", TabPane).query_one(ListingTable).border_title = (
            f"in {self.folder}" if self.folder else None
        )
        self.query_one("#manifest", ListingTable).set_rows(
            [self._manifest_row(index, segment, None) for index, segment in enumerate(manifest)]
        )
        total = sum(segment_length(segment) for segment in manifest)
        self.query_one("#verdict", Static).update(
            f"{len(manifest)} segments, {format_bytes(total)} in all. Press v to verify them."
        )

    def _manifest_row(self, index: int, segment: ManifestSegment, check: Text | None) -> Row:
        size = format_bytes(segment_length(segment))
        name = segment.path[len(self.folder) :]
        if segment.range:
            name += f" [{segment.range}]"
        return Row(str(index), (str(index), name, size, segment.etag, check or ""))

    # -- verification ----------------------------------------------------------------------

    def action_verify(self) -> None:
        details = self.details
        if details is None or details.manifest is None or self.verifying:
            return
        self.verifying = True
        self.checked = 0
        table = self.query_one("#manifest", ListingTable)
        for index, segment in enumerate(details.manifest):
            table.update_row(self._manifest_row(index, segment, Text("…", "dim")))
        self.query_one("#verdict", Static).update(f"checking 0/{len(details.manifest)} segments…")
        self.verify()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def verify(self) -> None:
        worker = get_current_worker()

        def checked(check: SegmentCheck) -> None:
            self.post_message(self.SegmentChecked(check))

        result = verify_manifest(
            self.service,
            self.container,
            self.object_name,
            on_segment=checked,
            cancelled=lambda: worker.is_cancelled,
        )
        self.post_message(self.Verified(result))

    @on(SegmentChecked)
    def segment_checked(self, message: SegmentChecked) -> None:
        check = message.check
        self.checked += 1
        cell = Text(str(check.state), CHECK_STYLES.get(check.state, "bold red"))
        table = self.query_one("#manifest", ListingTable)
        table.update_row(self._manifest_row(check.index, check.segment, cell))
        total = len(self.details.manifest or ()) if self.details else 0
        self.query_one("#verdict", Static).update(f"checking {self.checked}/{total} segments…")

    @on(Verified)
    def verified(self, message: Verified) -> None:
        self.verifying = False
        result = message.result
        verdict = self.query_one("#verdict", Static)
        if result.ok:
            verdict.update(
                Text(
                    f"✓ all {len(result.segments)} segments present with the right size and "
                    f"etag; the SLO etag {result.actual_etag} matches",
                    "bold green",
                )
            )
        else:
            verdict.update(Text("✗ " + result.summary, "bold red"))
            first = result.problems[0] if result.problems else None
            if first is not None:
                self.query_one("#manifest", ListingTable).move_cursor_to_key(str(first.index))

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        self.verifying = False
        self.query_one("#verdict", Static).update(Text(message, "bold red"))
        return True

    # -- plumbing --------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.details = None
        self.refresh_bindings()
        self.load()

    def action_headers(self) -> None:
        """The Headers tab, or back to the manifest (or a DLO's segments) from it."""
        tabs = self.query_one(TabbedContent)
        if tabs.active != "tab-headers":
            tabs.active = "tab-headers"
        elif self.details is not None and self.details.manifest is not None:
            tabs.active = "tab-manifest"
        elif self.details is not None and self.details.dlo is not None:
            tabs.active = "tab-dlo"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verify":
            return self.details is not None and self.details.facts.kind is ObjectKind.SLO
        if action == "headers":
            return self.details is not None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.details is not None and self.details.manifest is not None:
            yield SystemCommand(
                "Verify manifest", "Check every segment's size and etag (v)", self.action_verify
            )
        if self.details is not None:
            yield SystemCommand("Headers", "Every header of the object (h)", self.action_headers)
        yield SystemCommand("Refresh", "Load the details again (r)", self.action_refresh)
