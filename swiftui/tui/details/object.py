"""Details of an object: headers, metadata, an SLO's manifest, a DLO's segments; ``v``
verifies an SLO against the server, segment by segment, live.

On Cloud Archive the summary tells the seal state, counting down while unsealing and asked
again of the server now and then; ``U`` asks for the unsealing (an SLO's manifest and every
segment), after a confirmation, with the function ``swiftui unseal`` runs. A sealed SLO's
segments were found by name (its manifest is never read): the core's one line says so, and
``v`` checks them from the listing without reading any data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
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
    ObjectFacts,
    ObjectKind,
    SegmentCheck,
    describe_object,
    head_object,
    segment_length,
    verify_manifest,
)
from swiftui.download import Readiness, UnsealRequested, unseal_round
from swiftui.swift import NOT_ARCHIVED, ManifestSegment, SwiftService
from swiftui.tui.details.panels import (
    CHECK_STYLES,
    DLO_COLUMNS,
    HEADER_COLUMNS,
    MANIFEST_COLUMNS,
    FactsPanel,
    common_folder,
    dlo_rows,
    headers_rows,
    manifest_row,
    summary_rows,
)
from swiftui.tui.details.sealed import (
    SealTold,
    sealed_verdict,
    unseal_asked_text,
    unseal_question,
)
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.screens import SwiftuiScreen, redraw_as_time_passes
from swiftui.tui.widgets.table import ListingTable, Row
from swiftui.units import format_bytes
from swiftui.upload import DEFAULT_THREADS

SEAL_TICK_S = 1.0
"""How often an unsealing object's time left counts down on screen."""
SEAL_REFRESH_S = 60.0
"""How often a sealed or unsealing object's state is asked again of the server (a HEAD)."""


class ObjectDetailsScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    ObjectDetailsScreen {
        #summary { max-height: 10; }
        #detail-tabs { height: 1fr; }
        #detail-tabs TabPane { padding: 0; }
        #detail-tabs ListingTable { height: 1fr; }
        #verdict { height: auto; max-height: 4; padding: 0 1; }
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
        Binding(
            "U",
            "unseal",
            "Unseal",
            id="unseal",
            tooltip="Ask Cloud Archive to make it readable: an SLO's manifest and every segment",
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

    class SealAsked(Message):
        """What a HEAD now tells of the object (None: it is gone)."""

        def __init__(self, facts: ObjectFacts | None) -> None:
            super().__init__()
            self.facts = facts

    class UnsealAsked(Message):
        def __init__(self, readiness: Readiness) -> None:
            super().__init__()
            self.readiness = readiness

    def __init__(self, service: SwiftService, container: str, name: str) -> None:
        super().__init__()
        self.service = service
        self.container = container
        self.object_name = name
        self.details: ObjectDetails | None = None
        self.folder = ""
        self.checked = 0
        self.verifying = False
        self.seal = SealTold(NOT_ARCHIVED, 0.0)
        self.unseal_asked: UnsealRequested | None = None
        self.verdict_counts_down = False
        """The verdict line shows a time left (not a verification's result)."""

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
        self.set_interval(SEAL_TICK_S, self._count_down)
        self.set_interval(SEAL_REFRESH_S, self._ask_seal_state)
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
            self.refresh_bindings()
            return
        self.seal = SealTold(details.facts.retrieval, self._now())
        if self.seal.retrieval.readable:
            self.unseal_asked = None
        self._show_summary()
        self.query_one("#headers", ListingTable).set_rows(headers_rows(details.facts.headers))
        if details.manifest is not None:
            self._show_manifest(details.manifest)
            tabs.show_tab("tab-manifest")
            tabs.active = "tab-manifest"
        else:
            tabs.hide_tab("tab-manifest")
        if details.dlo is not None:
            self.query_one("#dlo", ListingTable).set_rows(dlo_rows(details.dlo))
            tabs.show_tab("tab-dlo")
            tabs.active = "tab-dlo"
        else:
            tabs.hide_tab("tab-dlo")
        if details.manifest is None and details.dlo is None:
            tabs.active = "tab-headers"
        if not self.verifying:
            self._show_verdict()
        self.refresh_bindings()

    def _show_summary(self) -> None:
        """Kind, size, dates (relative ones age), etag, metadata."""
        if self.details is not None:
            now, zone = self.swiftui_app.clock(), self.swiftui_app.zone
            rows = summary_rows(self.details, self.seal.now(now.timestamp()), now, zone)
            self.query_one("#summary", Static).update(facts_grid(rows))

    def _show_manifest(self, manifest: list[ManifestSegment]) -> None:
        self.folder = common_folder([segment.path for segment in manifest])
        self.query_one("#tab-manifest", TabPane).query_one(ListingTable).border_title = (
            f"in {self.folder}" if self.folder else None
        )
        self.query_one("#manifest", ListingTable).set_rows(
            [self._manifest_row(index, segment, None) for index, segment in enumerate(manifest)]
        )

    def _show_verdict(self) -> None:
        """The line under the tabs before any verification: what unsealing was asked for,
        else how a sealed SLO's segments were found, else what ``v`` would check."""
        details = self.details
        now = self._now()
        verdict = self.query_one("#verdict", Static)
        self.verdict_counts_down = False
        if self.unseal_asked is not None:
            verdict.update(unseal_asked_text(self.unseal_asked, now))
            self.verdict_counts_down = True
        elif details is not None and (note := sealed_verdict(details, self.seal.now(now))):
            verdict.update(note)
            self.verdict_counts_down = True
        elif details is not None and details.manifest is not None:
            total = sum(segment_length(segment) for segment in details.manifest)
            verdict.update(
                f"{len(details.manifest)} segments, {format_bytes(total)} in all. "
                "Press v to verify them."
            )
        else:
            verdict.update("")

    def _manifest_row(self, index: int, segment: ManifestSegment, check: Text | None) -> Row:
        return manifest_row(index, segment, self.folder, check)

    # -- verification ----------------------------------------------------------------------

    def action_verify(self) -> None:
        details = self.details
        if details is None or details.facts.kind is not ObjectKind.SLO or self.verifying:
            return
        self.verifying = True
        self.verdict_counts_down = False
        self.checked = 0
        table = self.query_one("#manifest", ListingTable)
        manifest = details.manifest or []
        for index, segment in enumerate(manifest):
            table.update_row(self._manifest_row(index, segment, Text("…", "dim")))
        self.query_one("#verdict", Static).update(f"checking 0/{len(manifest)} segments…")
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
        if result.sealed is not None:
            # Checked from the listing that found the segments: say so, as the CLI does.
            mark, style = ("✓ ", "bold green") if result.ok else ("✗ ", "bold red")
            verdict.update(Text(mark + result.summary, style))
        elif result.ok:
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

    # -- Cloud Archive ---------------------------------------------------------------------

    def _now(self) -> float:
        return self.swiftui_app.clock().timestamp()

    def _count_down(self) -> None:
        """Each second while unsealing: the time left, in the summary and the verdict."""
        if self.seal.retrieval.delay_s is not None:
            self._show_summary()
        if self.verdict_counts_down:
            self._show_verdict()

    def _ask_seal_state(self) -> None:
        seal = self.seal.retrieval
        if self.details is not None and seal.archived and not seal.readable:
            self.ask_seal_state()

    @work(thread=True, exclusive=True, exit_on_error=False, group="seal")
    def ask_seal_state(self) -> None:
        self.post_message(
            self.SealAsked(head_object(self.service, self.container, self.object_name))
        )

    @on(SealAsked)
    def seal_asked(self, message: SealAsked) -> None:
        details, facts = self.details, message.facts
        if details is None:
            return
        if facts is None or facts.retrieval.readable:
            # Gone, or readable now: load it all again (a readable manifest is read).
            self.action_refresh()
            return
        self.details = replace(details, facts=facts)
        self.seal = SealTold(facts.retrieval, self._now())
        self._show_summary()
        if self.verdict_counts_down:
            self._show_verdict()

    def action_unseal(self) -> None:
        if self.details is not None and self.details.facts.retrieval.archived:
            question = ConfirmScreen(unseal_question(self.details), yes="Unseal", no="Cancel")
            self.app.push_screen(question, self._unseal_confirmed)

    def _unseal_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.verdict_counts_down = False
            self.query_one("#verdict", Static).update("asking Cloud Archive to unseal…")
            self.unseal()

    @work(thread=True, exclusive=True, exit_on_error=False, group="unseal")
    def unseal(self) -> None:
        """What ``swiftui unseal CONTAINER OBJECT`` does: ask for every sealed part."""
        targets = [(self.container, self.object_name)]
        readiness = unseal_round(self.service, targets, sliced=False, threads=DEFAULT_THREADS)
        self.post_message(self.UnsealAsked(readiness))

    @on(UnsealAsked)
    def unseal_asked_for(self, message: UnsealAsked) -> None:
        readiness = message.readiness
        event = readiness.event(self._now())
        if all(resolution.layout is not None for resolution in readiness.resolutions):
            # Its segments were found: the notes repeat what the Kind row tells.
            event = replace(event, notes=())
        self.unseal_asked = event
        self._show_verdict()
        self.load()  # its HEAD now tells it is unsealing

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
        if action == "unseal":
            return self.details is not None and self.details.facts.retrieval.archived
        if action == "headers":
            return self.details is not None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.details is not None and self.details.facts.kind is ObjectKind.SLO:
            yield SystemCommand(
                "Verify manifest", "Check every segment's size and etag (v)", self.action_verify
            )
        if self.check_action("unseal", ()):
            yield SystemCommand(
                "Unseal",
                "Ask Cloud Archive to make it readable: an SLO's manifest and every segment (U)",
                self.action_unseal,
            )
        if self.details is not None:
            yield SystemCommand("Headers", "Every header of the object (h)", self.action_headers)
        yield SystemCommand("Refresh", "Load the details again (r)", self.action_refresh)
