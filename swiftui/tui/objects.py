"""The objects of one container, page by page, with pseudo-folders, filter and sort.

The listing is fetched one page (``page_size`` names after a marker) at a time, the next
one when the view comes near the end of what is loaded, so the first page of a huge
container shows at once and nothing ever waits for the whole listing. A filter keeps
fetching pages while it matches too little to fill the screen. Expiry (and whether an
empty object is a DLO) needs a HEAD: only the rows on screen are HEADed, a moment after
the view stops moving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static
from textual.worker import Worker, get_current_worker

from swiftui.browse import (
    ObjectFacts,
    ObjectKind,
    format_age,
    format_moment,
    head_object,
    is_segments_container,
    listing_kind,
    segments_parent,
)
from swiftui.cloud import Cloud
from swiftui.deletion import DeletionSummary
from swiftui.references import label
from swiftui.swift import (
    SEGMENTS_SUFFIX,
    ContainerInfo,
    ObjectEntry,
    parse_listing_time,
    parse_segment_name,
)
from swiftui.tui.base import BrowsingScreen
from swiftui.tui.context import DELETE, BrowseContext
from swiftui.tui.delete_select import AgeScreen, archives_older_than
from swiftui.tui.table import Column, ListingTable, Row
from swiftui.units import format_bytes

HEAD_THREADS = 4
HEAD_DELAY_S = 0.25
FILTER_DELAY_S = 0.15
AGE_REFRESH_S = 60.0
FOLDER_MARK = "▸ "
MARK = "● "
MARK_STYLE = "bold yellow"
KIND_STYLES = {
    ObjectKind.SLO: "bold cyan",
    ObjectKind.DLO: "bold magenta",
    ObjectKind.SEGMENT: "dim",
}

OBJECT_COLUMNS = (
    Column("name", "Name", min_width=16, keep_end=True),
    Column("size", "Size", 10, "right"),
    Column("modified", "Modified", 14),
    Column("kind", "Kind", 7),
    Column("expires", "Expires", 10),
)


class SortKey(StrEnum):
    NAME = "name"
    SIZE = "size"
    MODIFIED = "modified"
    KIND = "kind"
    EXPIRES = "expires"


# Each sort starts in the direction people want first: newest, biggest, soonest to expire.
FIRST_DIRECTION_REVERSED = {
    SortKey.NAME: False,
    SortKey.SIZE: True,
    SortKey.MODIFIED: True,
    SortKey.KIND: False,
    SortKey.EXPIRES: False,
}


def entry_key(entry: ObjectEntry) -> str:
    """Row key: a pseudo-folder ``a/`` and an object named ``a/`` can both exist."""
    return ("d:" if entry.is_dir else "o:") + entry.name


@dataclass
class Listing:
    """What is loaded of one container and prefix; a new one for every (re)load."""

    generation: int
    prefix: str
    entries: list[ObjectEntry] = field(default_factory=list)
    by_key: dict[str, ObjectEntry] = field(default_factory=dict)
    marker: str = ""
    complete: bool = False
    loading: bool = False
    failed: str = ""
    """Why the last page could not be fetched; no more pages until a refresh."""


class ContainerScreen(BrowsingScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Clear the filter, go up a folder, or leave"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Show names containing…"),
        Binding("s", "sort", "Sort", id="sort", tooltip="Sort by name, size, date, kind, expiry"),
        Binding("S", "reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
        Binding("i", "details", "Details", id="details", tooltip="Headers, manifest, verify"),
        Binding(
            "g", "goto_segments", "Segments", show=False, tooltip="Open this container's segments"
        ),
        Binding(
            "g", "goto_parent", "Parent", show=False, tooltip="Open the container they belong to"
        ),
        Binding(
            "space", "toggle_mark", "Mark", show=False, tooltip="Mark this object (d deletes marks)"
        ),
        Binding("a", "mark_older", "Older…", show=False, tooltip="Mark archives older than N days"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, entries: list[ObjectEntry], complete: bool) -> None:
            super().__init__()
            self.generation = generation
            self.entries = entries
            self.complete = complete

    class FactsLoaded(Message):
        def __init__(self, name: str, facts: ObjectFacts | None) -> None:
            super().__init__()
            self.name = name
            self.facts = facts

    class OlderFound(Message):
        def __init__(self, days: int, entries: list[ObjectEntry]) -> None:
            super().__init__()
            self.days = days
            self.entries = entries

    def __init__(
        self,
        cloud: Cloud,
        region: str,
        info: ContainerInfo,
        *,
        region_containers: list[ContainerInfo],
        prefix: str = "",
    ) -> None:
        super().__init__()
        self.cloud = cloud
        self.region_name = region
        self.service = cloud.service(region)
        self.info = info
        self.region_containers = region_containers
        self.listing = Listing(generation=0, prefix=prefix)
        self.history: list[tuple[str, str | None]] = []
        self.facts: dict[str, ObjectFacts | None] = {}
        self.filter_text = ""
        self.sort_key = SortKey.NAME
        self.reverse = False
        self.is_segments = info.is_segments
        self.restore_key: str | None = None
        self._heads_in_flight: set[str] = set()
        self.marked: dict[str, ObjectEntry] = {}
        """Marked objects by name, in any folder of this container: what ``d`` deletes."""
        self._heads_timer: Timer | None = None
        self._filter_timer: Timer | None = None
        self._cursor_on_object = False

    @property
    def container(self) -> str:
        return self.info.name

    @property
    def parent_container(self) -> str | None:
        return segments_parent(self.container, [item.name for item in self.region_containers])

    @property
    def segments_container(self) -> ContainerInfo | None:
        name = self.container + SEGMENTS_SUFFIX
        return next((item for item in self.region_containers if item.name == name), None)

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Vertical(id="objects-box"):
            with Horizontal(id="filter-bar"):
                yield Label("Filter ")
                yield Input(placeholder="part of a name", id="filter", compact=True)
            yield ListingTable(OBJECT_COLUMNS, row_for=self._row, id="objects")
            yield Static(id="row-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#objects", ListingTable)
        self.watch(table, "scroll_y", self._view_moved, init=False)
        self.set_interval(AGE_REFRESH_S, self._dates_aged)
        table.focus()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self, prefix: str | None = None) -> None:
        """Start over at ``prefix`` (the current one by default): first page first."""
        self.listing = Listing(
            generation=self.listing.generation + 1,
            prefix=self.listing.prefix if prefix is None else prefix,
        )
        self.query_one("#objects", ListingTable).invalidate()
        self._show_rows()
        self._load_more()

    def _load_more(self) -> None:
        listing = self.listing
        if listing.loading or listing.complete or listing.failed:
            return
        listing.loading = True
        self._show_status()
        self.fetch_page(listing.generation, listing.prefix, listing.marker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="page")
    def fetch_page(self, generation: int, prefix: str, marker: str) -> None:
        limit = self.swiftui_app.page_size
        # Segment names nest six levels deep: a segments container reads better flat.
        delimiter = None if self.info.is_segments else "/"
        page = self.service.list_objects(
            self.container, prefix=prefix, delimiter=delimiter, marker=marker, limit=limit
        )
        self.post_message(self.PageLoaded(generation, page, len(page) < limit))

    @on(PageLoaded)
    def page_loaded(self, message: PageLoaded) -> None:
        listing = self.listing
        if message.generation != listing.generation:
            return
        first_page = not listing.entries
        listing.loading = False
        listing.complete = message.complete
        if message.entries:
            listing.marker = message.entries[-1].name
        fresh = [entry for entry in message.entries if entry_key(entry) not in listing.by_key]
        listing.entries.extend(fresh)
        listing.by_key.update((entry_key(entry), entry) for entry in fresh)
        if first_page and is_segments_container(self.info, message.entries):
            self.is_segments = True
        table = self.query_one("#objects", ListingTable)
        if self._server_order():
            table.append_keys([entry_key(entry) for entry in fresh if self._matches(entry)])
        else:
            self._show_rows()
        if first_page and self.restore_key:
            table.move_cursor_to_key(self.restore_key)
            self.restore_key = None
        self._show_status()
        self._schedule_heads()

    @on(ListingTable.NearEnd, "#objects")
    def near_end(self) -> None:
        self._load_more()

    def show_error(self, message: str, worker: Worker) -> bool:
        """In the table's bottom line, and as a notification: that line is short."""
        if worker.group == "page":
            self.listing.loading = False
            self.listing.failed = message
        self._show_status(error=message)
        return False

    # -- HEADs of the rows on screen -------------------------------------------------------

    def _view_moved(self) -> None:
        self._schedule_heads()

    def _schedule_heads(self) -> None:
        if self._heads_timer is not None:
            self._heads_timer.stop()
        self._heads_timer = self.set_timer(HEAD_DELAY_S, self._request_heads)

    def _request_heads(self) -> None:
        table = self.query_one("#objects", ListingTable)
        wanted = [
            self.listing.by_key[key].name
            for key in table.visible_keys()
            if key.startswith("o:") and key[2:] not in self.facts
        ]
        if wanted and set(wanted) != self._heads_in_flight:
            self._heads_in_flight = set(wanted)
            self.fetch_facts(wanted)

    @work(thread=True, exclusive=True, exit_on_error=False, group="heads")
    def fetch_facts(self, names: list[str]) -> None:
        worker = get_current_worker()
        with ThreadPoolExecutor(max_workers=HEAD_THREADS) as pool:
            futures = {pool.submit(head_object, self.service, self.container, n): n for n in names}
            for future in as_completed(futures):
                if worker.is_cancelled:
                    pool.shutdown(cancel_futures=True)
                    return
                self.post_message(self.FactsLoaded(futures[future], future.result()))

    @on(FactsLoaded)
    def facts_loaded(self, message: FactsLoaded) -> None:
        self.facts[message.name] = message.facts
        self._heads_in_flight.discard(message.name)
        key = "o:" + message.name
        table = self.query_one("#objects", ListingTable)
        table.invalidate([key])
        if table.cursor_key == key:
            self._show_row_info(key)

    def _dates_aged(self) -> None:
        """Relative dates ("3 minutes ago") move on: draw the rows again."""
        table = self.query_one("#objects", ListingTable)
        table.invalidate()
        self._show_row_info(table.cursor_key)

    # -- rows ------------------------------------------------------------------------------

    def _kind(self, entry: ObjectEntry) -> ObjectKind:
        facts = self.facts.get(entry.name)
        return facts.kind if facts is not None and not entry.is_dir else listing_kind(entry)

    def _logical_size(self, entry: ObjectEntry) -> int:
        facts = self.facts.get(entry.name)
        return facts.size if facts is not None and facts.kind is ObjectKind.DLO else entry.bytes

    def _row(self, key: str) -> Row:
        """The row of ``key``, built when the table first draws it."""
        entry = self.listing.by_key[key]
        shown_name = entry.name[len(self.listing.prefix) :]
        if entry.is_dir:
            row = Row(key, (Text(FOLDER_MARK + shown_name, style="bold"), "", "", "folder", ""))
        else:
            now = self.swiftui_app.clock()
            kind = self._kind(entry)
            facts = self.facts.get(entry.name, ...)
            if facts is ...:
                expires: str | Text = "…"
            elif facts is None:
                expires = Text("gone", style="red")
            else:
                expires = self._date(facts.delete_at)
            marked = entry.name in self.marked
            row = Row(
                key,
                (
                    Text(MARK + shown_name, style=MARK_STYLE) if marked else shown_name,
                    format_bytes(self._logical_size(entry)),
                    format_age(parse_listing_time(entry.last_modified), now),
                    Text(str(kind), style=KIND_STYLES.get(kind, "")),
                    expires,
                ),
                style="bold" if marked else "dim" if kind is ObjectKind.SEGMENT else "",
            )
        return row

    def _date(self, when: datetime | None) -> str:
        return format_moment(when, self.swiftui_app.zone)[:10]

    def _matches(self, entry: ObjectEntry) -> bool:
        return self.filter_text.lower() in entry.name[len(self.listing.prefix) :].lower()

    def _server_order(self) -> bool:
        return self.sort_key is SortKey.NAME and not self.reverse

    def _sort_value(self) -> Callable[[ObjectEntry], object]:
        if self.sort_key is SortKey.SIZE:
            return self._logical_size
        if self.sort_key is SortKey.MODIFIED:
            return lambda entry: entry.last_modified
        if self.sort_key is SortKey.KIND:
            return lambda entry: (str(self._kind(entry)), entry.name)
        if self.sort_key is SortKey.EXPIRES:
            return self._expiry_value
        return lambda entry: entry.name

    def _expiry_value(self, entry: ObjectEntry) -> float:
        facts = self.facts.get(entry.name)
        if facts is None or facts.delete_at is None:
            return float("inf")
        return facts.delete_at.timestamp()

    def _show_rows(self) -> None:
        table = self.query_one("#objects", ListingTable)
        needle = self.filter_text.lower()
        start = len(self.listing.prefix)
        entries = [entry for entry in self.listing.entries if needle in entry.name[start:].lower()]
        if not self._server_order():
            entries.sort(key=self._sort_value(), reverse=self.reverse)  # type: ignore[arg-type]
        table.show_keys([entry_key(entry) for entry in entries], keep_cursor_on=table.cursor_key)
        self._show_status()

    def _show_status(self, error: str = "") -> None:
        table = self.query_one("#objects", ListingTable)
        listing = self.listing
        folders = [part for part in listing.prefix.split("/") if part]
        location = " › ".join([self.region_name, self.container, *folders])
        if listing.prefix:
            location += "/"
        if self.is_segments:
            parent = self.parent_container
            location += f"  (segments of {parent})" if parent else "  (segments)"
        table.border_title = location
        loaded = len(listing.entries)
        parts = []
        if self.filter_text:
            parts.append(f"{table.row_count:,} of {loaded:,} match {self.filter_text!r}")
        else:
            parts.append(f"{loaded:,} " + ("entry" if loaded == 1 else "entries"))
        if self.marked:
            marked_bytes = sum(self._logical_size(entry) for entry in self.marked.values())
            parts.append(f"{len(self.marked):,} marked ({format_bytes(marked_bytes)})")
        if listing.failed:
            parts.append("r retries")
        elif listing.loading:
            parts.append("loading…")
        elif not listing.complete:
            parts.append("more below")
        if not self._server_order():
            parts.append(f"by {self.sort_key} {'↓' if self.reverse else '↑'}")
        if error:
            parts.append(error)
        table.border_subtitle = " · ".join(parts)
        table.set_class(bool(error), "failed")

    @on(ListingTable.Highlighted, "#objects")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        self._show_row_info(message.key)
        on_object = message.key is not None and message.key.startswith("o:")
        if on_object != self._cursor_on_object:
            # Only then do the keys that need an object change: the footer is redrawn.
            self._cursor_on_object = on_object
            self.refresh_bindings()

    def _show_row_info(self, key: str | None) -> None:
        info = self.query_one("#row-info", Static)
        entry = self.listing.by_key.get(key) if key else None
        if entry is None:
            info.update("")
            return
        if entry.is_dir:
            info.update(Text.assemble((entry.name, "bold"), "\npseudo-folder: Enter opens it"))
            return
        now = self.swiftui_app.clock()
        zone = self.swiftui_app.zone
        modified = parse_listing_time(entry.last_modified)
        kind = self._kind(entry)
        details = [
            f"{kind}",
            f"{format_bytes(self._logical_size(entry))} ({self._logical_size(entry):,} bytes)",
            f"modified {format_moment(modified, zone)} ({format_age(modified, now)})",
        ]
        facts = self.facts.get(entry.name)
        if facts is not None and facts.delete_at is not None:
            details.append(
                f"expires {format_moment(facts.delete_at, zone)} "
                f"({format_age(facts.delete_at, now)})"
            )
        segment = parse_segment_name(entry.name) if kind is ObjectKind.SEGMENT else None
        if segment is not None:
            details.append(f"segment #{segment.index} of {segment.object_name}")
        info.update(Text.assemble((entry.name, "bold"), "\n", " · ".join(details)))

    # -- navigation ------------------------------------------------------------------------

    @on(ListingTable.Selected, "#objects")
    def selected(self, message: ListingTable.Selected) -> None:
        entry = self.listing.by_key.get(message.key)
        if entry is None:
            return
        if entry.is_dir:
            self.history.append((self.listing.prefix, message.key))
            self.reload(entry.name)
        else:
            self._open_details(entry)

    def _open_details(self, entry: ObjectEntry) -> None:
        from swiftui.tui.details import ObjectDetailsScreen

        self.app.push_screen(ObjectDetailsScreen(self.service, self.container, entry.name))

    def action_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if self.filter_text or filter_input.has_focus:
            self._set_filter("")
            filter_input.value = ""
            self.query_one("#filter-bar").remove_class("shown")
            self.query_one("#objects", ListingTable).focus()
        elif self.history:
            prefix, key = self.history.pop()
            self.restore_key = key
            self.reload(prefix)
        else:
            self.dismiss()

    def action_details(self) -> None:
        key = self.query_one("#objects", ListingTable).cursor_key
        entry = self.listing.by_key.get(key) if key else None
        if entry is not None and not entry.is_dir:
            self._open_details(entry)

    def action_goto_segments(self) -> None:
        if (segments := self.segments_container) is not None:
            self._goto(segments)

    def action_goto_parent(self) -> None:
        parent = next(
            (item for item in self.region_containers if item.name == self.parent_container), None
        )
        if parent is not None:
            self._goto(parent)

    def _goto(self, info: ContainerInfo) -> None:
        self.app.switch_screen(
            ContainerScreen(
                self.cloud, self.region_name, info, region_containers=self.region_containers
            )
        )

    def action_refresh(self) -> None:
        self.facts.clear()
        self._heads_in_flight.clear()
        self.restore_key = self.query_one("#objects", ListingTable).cursor_key
        self.reload()

    # -- marks (what d deletes) ------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        table = self.query_one("#objects", ListingTable)
        key = table.cursor_key
        entry = self.listing.by_key.get(key) if key else None
        if key is None or entry is None or entry.is_dir:
            return
        if self.marked.pop(entry.name, None) is None:
            self.marked[entry.name] = entry
        table.invalidate([key])
        table.action_cursor(1)
        self._marks_changed()

    def action_unmark_all(self) -> None:
        self.marked.clear()
        self.query_one("#objects", ListingTable).invalidate()
        self._marks_changed()

    def _marks_changed(self) -> None:
        self._show_status()
        self.refresh_bindings()

    def action_mark_older(self) -> None:
        self.app.push_screen(AgeScreen(), self._mark_older)

    def _mark_older(self, days: int | None) -> None:
        if days is not None:
            now = self.swiftui_app.clock().timestamp()
            self.find_older(days, now, self.listing.prefix, self.filter_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="older")
    def find_older(self, days: int, now: float, prefix: str, name_filter: str) -> None:
        found = archives_older_than(
            self.service, self.container, prefix, days=days, now=now, name_filter=name_filter
        )
        self.post_message(self.OlderFound(days, found))

    @on(OlderFound)
    def older_found(self, message: OlderFound) -> None:
        fresh = [entry for entry in message.entries if entry.name not in self.marked]
        self.marked.update((entry.name, entry) for entry in fresh)
        self.query_one("#objects", ListingTable).invalidate()
        self._marks_changed()
        older = f"older than {message.days} days"
        if not message.entries:
            self.notify(f"No archive here is {older}.")
            return
        already = len(message.entries) - len(fresh)
        self.notify(
            f"{len(message.entries)} archives here are {older} (by file date, as prune dates "
            f"them): {len(fresh)} newly marked"
            + (f", {already} marked already" if already else "")
            + ". d deletes the marked ones."
        )

    # -- filter and sort -------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter-bar").add_class("shown")
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Filter once typing pauses: each pass reads every loaded name."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY_S, partial(self._set_filter, event.value))

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._set_filter(event.value)
        self.query_one("#objects", ListingTable).focus()

    def _set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self._show_rows()

    def action_sort(self) -> None:
        keys = list(SortKey)
        self.set_sort(keys[(keys.index(self.sort_key) + 1) % len(keys)])

    def set_sort(self, key: SortKey, *, reverse: bool | None = None) -> None:
        self.sort_key = key
        self.reverse = FIRST_DIRECTION_REVERSED[key] if reverse is None else reverse
        self._show_rows()

    def action_reverse(self) -> None:
        self.set_sort(self.sort_key, reverse=not self.reverse)

    @on(ListingTable.HeaderSelected, "#objects")
    def header_selected(self, message: ListingTable.HeaderSelected) -> None:
        key = SortKey(message.column)
        if key is self.sort_key:
            self.action_reverse()
        else:
            self.set_sort(key)

    # -- plumbing for the app --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details":
            key = self.query_one("#objects", ListingTable).cursor_key
            return key is not None and key.startswith("o:")
        if action == "goto_segments":
            return self.segments_container is not None
        if action == "goto_parent":
            return self.parent_container is not None
        if action == "unmark_all":
            return bool(self.marked)
        return super().check_action(action, parameters)

    def _pointed_at(self) -> tuple[ObjectEntry, ...]:
        """The marked objects, else the highlighted one (not a folder)."""
        if self.marked:
            return tuple(self.marked.values())
        key = self.query_one("#objects", ListingTable).cursor_key
        entry = self.listing.by_key.get(key) if key else None
        return (entry,) if entry is not None and not entry.is_dir else ()

    def plugin_applies(self, name: str) -> bool | None:
        if name == DELETE:
            return bool(self._pointed_at()) or None
        return super().plugin_applies(name)

    def plugin_closed(self, result: object) -> None:
        """After a deletion, only the marked objects that are still there stay marked."""
        if isinstance(result, DeletionSummary):
            left = set(result.objects_left)
            self.marked = {
                name: entry
                for name, entry in self.marked.items()
                if label(self.container, name) in left
            }
        super().plugin_closed(result)

    def browse_context(self) -> BrowseContext:
        return BrowseContext(
            cloud=self.cloud,
            region=self.region_name,
            service=self.service,
            container=self.container,
            prefix=self.listing.prefix,
            objects=self._pointed_at(),
        )

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from super().palette_commands()
        yield SystemCommand("Filter", "Show names containing some text (/)", self.action_filter)
        yield SystemCommand(
            "Mark older than…",
            "Mark the archives here older than N days (a)",
            self.action_mark_older,
        )
        if self.marked:
            yield SystemCommand("Unmark all", "Clear every mark", self.action_unmark_all)
        for key in SortKey:
            yield SystemCommand(
                f"Sort by {key}",
                f"Order the loaded objects by {key}",
                partial(self.set_sort, key),
                discover=False,
            )
        yield SystemCommand(
            "Reverse sort", "Reverse the order (S)", self.action_reverse, discover=False
        )
        if self.segments_container is not None:
            yield SystemCommand(
                "Go to segments", f"Open {self.segments_container.name}", self.action_goto_segments
            )
        if self.parent_container is not None:
            yield SystemCommand(
                "Go to parent", f"Open {self.parent_container}", self.action_goto_parent
            )
