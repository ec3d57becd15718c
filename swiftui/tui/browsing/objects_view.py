"""A container's objects, page by page, with pseudo-folders, filter and sort: the table,
the filter line and the line about the highlighted row.

The listing is fetched one page (``page_size`` names after a marker) at a time, the next
one when the view comes near the end of what is loaded, so the first page of a huge
container shows at once and nothing ever waits for the whole listing. A filter keeps
fetching pages while it matches too little to fill the screen. Listings carry Cloud
Archive's seal states (``policy_extra``, which other clusters ignore): a container whose
objects have one shows a Seal column instead of the expiry. Expiry (and whether an
empty object is a DLO) needs a HEAD: only the rows on screen are HEADed, a moment after
the view stops moving. What is loaded, filtered, sorted and marked is the
:class:`~swiftui.tui.browsing.listing.ObjectListing`; this widget fetches and draws.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from swiftui.browse import ObjectFacts, head_object
from swiftui.swift import ContainerInfo, ObjectEntry, SwiftService
from swiftui.tui.browsing.filter_bar import FilterBar
from swiftui.tui.browsing.listing import ObjectListing
from swiftui.tui.browsing.object_rows import (
    ARCHIVE_COLUMNS,
    OBJECT_COLUMNS,
    object_row,
    row_info,
)
from swiftui.tui.widgets.screens import (
    SwiftuiHost,
    failure_text,
    redraw_as_time_passes,
    report_failure,
)
from swiftui.tui.widgets.table import ListingTable, Row

HEAD_THREADS = 4
HEAD_DELAY_S = 0.25


class ObjectsView(Vertical):
    DEFAULT_CSS = """
    ObjectsView #row-info { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    class Opened(Message):
        """Enter on an object (a folder opens in place)."""

        def __init__(self, entry: ObjectEntry) -> None:
            super().__init__()
            self.entry = entry

    class _PageLoaded(Message):
        def __init__(self, generation: int, entries: list[ObjectEntry], complete: bool) -> None:
            super().__init__()
            self.generation = generation
            self.entries = entries
            self.complete = complete

    class _FactsLoaded(Message):
        def __init__(self, name: str, facts: ObjectFacts | None) -> None:
            super().__init__()
            self.name = name
            self.facts = facts

    def __init__(
        self,
        service: SwiftService,
        info: ContainerInfo,
        *,
        parent: str | None,
        prefix: str = "",
        id: str | None = None,
    ) -> None:
        """``parent``: the container ``info`` holds the segments of, if any (for the title)."""
        super().__init__(id=id)
        self.service = service
        self.info = info
        self.parent_container = parent
        self.listing = ObjectListing(info, prefix)
        self.history: list[tuple[str, str | None]] = []
        """The folders left for a sub-folder: their prefix and the row to come back to."""
        self.restore_key: str | None = None
        self._heads_in_flight: set[str] = set()
        self._heads_timer: Timer | None = None

    @property
    def host(self) -> SwiftuiHost:
        return cast("SwiftuiHost", self.app)

    @property
    def table(self) -> ListingTable:
        return self.query_one("#objects", ListingTable)

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        yield ListingTable(OBJECT_COLUMNS, row_for=self._row, id="objects")
        yield Static(id="row-info")

    def on_mount(self) -> None:
        self.watch(self.table, "scroll_y", self._schedule_heads, init=False)
        redraw_as_time_passes(self, self.redraw)
        self.table.focus()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self, prefix: str | None = None) -> None:
        """Start over at ``prefix`` (the current one by default): first page first."""
        self.listing.restart(prefix)
        self.table.invalidate()
        self.show_rows()
        self._load_more()

    def refresh_listing(self) -> None:
        """Load it all again (HEADs too), keeping the cursor where it is."""
        self.listing.forget_facts()
        self._heads_in_flight.clear()
        self.restore_key = self.table.cursor_key
        self.reload()

    def _load_more(self) -> None:
        page = self.listing.next_page()
        if page is not None:
            self.show_status()
            self.fetch_page(*page)

    @work(thread=True, exclusive=True, exit_on_error=False, group="page")
    def fetch_page(self, generation: int, prefix: str, marker: str) -> None:
        limit = self.host.page_size
        page = self.service.list_objects(
            self.info.name,
            prefix=prefix,
            delimiter=self.listing.delimiter,
            marker=marker,
            limit=limit,
            seal_states=True,
        )
        self.post_message(self._PageLoaded(generation, page, len(page) < limit))

    @on(_PageLoaded)
    def page_loaded(self, message: _PageLoaded) -> None:
        first_page = not self.listing.entries
        fresh = self.listing.add_page(
            message.generation,
            message.entries,
            message.complete,
            at=self.host.clock().timestamp(),
        )
        if fresh is None:
            return
        if self.listing.archived and self.table.columns != ARCHIVE_COLUMNS:
            self.table.set_columns(ARCHIVE_COLUMNS)
        if self.listing.server_order:
            self.table.append_keys(self.listing.matching_keys(fresh))
        else:
            self.show_rows()
        if first_page and self.restore_key:
            self.table.move_cursor_to_key(self.restore_key)
            self.restore_key = None
        self.show_status()
        self._schedule_heads()

    @on(ListingTable.NearEnd, "#objects")
    def near_end(self) -> None:
        self._load_more()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A page that failed stops the paging until a refresh; its reason goes in the
        table's bottom line, and (that line is short) in a notification."""
        message = failure_text(event)
        if message is not None:
            if event.worker.group == "page":
                self.listing.page_failed(message)
            self.show_status(error=message)
        report_failure(self, event)

    # -- HEADs of the rows on screen -------------------------------------------------------

    def _schedule_heads(self) -> None:
        if self._heads_timer is not None:
            self._heads_timer.stop()
        self._heads_timer = self.set_timer(HEAD_DELAY_S, self._request_heads)

    def _request_heads(self) -> None:
        wanted = self.listing.without_facts(self.table.visible_keys())
        if wanted and set(wanted) != self._heads_in_flight:
            self._heads_in_flight = set(wanted)
            self.fetch_facts(wanted)

    @work(thread=True, exclusive=True, exit_on_error=False, group="heads")
    def fetch_facts(self, names: list[str]) -> None:
        worker = get_current_worker()
        container = self.info.name
        with ThreadPoolExecutor(max_workers=HEAD_THREADS) as pool:
            futures = {pool.submit(head_object, self.service, container, n): n for n in names}
            for future in as_completed(futures):
                if worker.is_cancelled:
                    pool.shutdown(cancel_futures=True)
                    return
                self.post_message(self._FactsLoaded(futures[future], future.result()))

    @on(_FactsLoaded)
    def facts_loaded(self, message: _FactsLoaded) -> None:
        self.listing.record_facts(message.name, message.facts)
        self._heads_in_flight.discard(message.name)
        key = "o:" + message.name
        self.table.invalidate([key])
        if self.table.cursor_key == key:
            self._show_row_info(key)

    # -- drawing ---------------------------------------------------------------------------

    def _row(self, key: str) -> Row:
        return object_row(self.listing, key, self.host.clock(), self.host.zone)

    def show_rows(self) -> None:
        """The rows again, after the filter or the sort changed."""
        self.table.show_keys(self.listing.row_keys(), keep_cursor_on=self.table.cursor_key)
        self.show_status()

    def redraw(self, keys: list[str] | None = None) -> None:
        """Build these rows again (all when None): marks or dates changed."""
        self.table.invalidate(keys)
        self._show_row_info(self.table.cursor_key)
        self.show_status()

    def show_status(self, error: str = "") -> None:
        """The table's title (where this is) and bottom line (what is loaded, marked)."""
        table = self.table
        folders = [part for part in self.listing.prefix.split("/") if part]
        location = " › ".join([self.service.region, self.info.name, *folders])
        if self.listing.prefix:
            location += "/"
        if self.listing.is_segments:
            parent = self.parent_container
            location += f"  (segments of {parent})" if parent else "  (segments)"
        table.border_title = location
        table.border_subtitle = self.listing.status(table.row_count, error)
        table.set_class(bool(error), "failed")

    @on(ListingTable.Highlighted, "#objects")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        self._show_row_info(message.key)

    def _show_row_info(self, key: str | None) -> None:
        info = self.query_one("#row-info", Static)
        entry = self.listing.by_key.get(key) if key else None
        if entry is None:
            info.update("")
        else:
            info.update(row_info(self.listing, entry, self.host.clock(), self.host.zone))

    # -- moving around ---------------------------------------------------------------------

    @property
    def cursor_entry(self) -> ObjectEntry | None:
        key = self.table.cursor_key
        return self.listing.by_key.get(key) if key else None

    @on(ListingTable.Selected, "#objects")
    def selected(self, message: ListingTable.Selected) -> None:
        entry = self.listing.by_key.get(message.key)
        if entry is None:
            return
        if entry.is_dir:
            self.history.append((self.listing.prefix, message.key))
            self.reload(entry.name)
        else:
            self.post_message(self.Opened(entry))

    def back(self) -> bool:
        """Clear the filter, else go up a folder; False when there is nowhere to go back."""
        filter_bar = self.query_one(FilterBar)
        if self.listing.filter_text or filter_bar.editing:
            filter_bar.close()
        elif self.history:
            prefix, key = self.history.pop()
            self.restore_key = key
            self.reload(prefix)
        else:
            return False
        return True

    def open_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Changed)
    def filter_changed(self, message: FilterBar.Changed) -> None:
        if self.listing.set_filter(message.text):
            self.show_rows()
        if message.done:
            self.table.focus()
