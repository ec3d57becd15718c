"""The objects of one container, and what can be done with them: details, marks, delete,
download, upload here, orphans, the segments container and back.

The listing itself (pages, HEADs, filter, rows) is the
:class:`~swiftui.tui.browsing.objects_view.ObjectsView`; this screen holds the keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer

from swiftui.browse import segments_parent
from swiftui.deletion import DeletionSummary
from swiftui.swift import SEGMENTS_SUFFIX, ContainerInfo, ObjectEntry
from swiftui.tui.browsing.bindings import JOBS, ORPHANS, REFRESH, UPLOAD
from swiftui.tui.browsing.listing import ObjectListing, SortKey
from swiftui.tui.browsing.objects_view import ObjectsView
from swiftui.tui.deletion.marking import Age, AgeScreen, archives_older_than, marked_notice
from swiftui.tui.deletion.orphans import OrphansScreen
from swiftui.tui.deletion.screen import DeleteScreen
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.downloads.destination import DestinationScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.queue import UploadFinished
from swiftui.tui.widgets.screens import Connection, SwiftuiScreen
from swiftui.tui.widgets.table import ListingTable


class ContainerScreen(SwiftuiScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        REFRESH,
        UPLOAD,
        Binding("d", "delete", "Delete", id="delete", tooltip="Delete the selection"),
        Binding(
            "D",
            "download",
            "Download",
            id="download",
            tooltip="Download the selection to this computer",
        ),
        ORPHANS,
        JOBS,
        Binding("escape", "back", "Back", tooltip="Clear the filter, go up a folder, or leave"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Show names containing…"),
        # Not in the footer (80 columns hold D Download and i Details only without it).
        Binding(
            "s",
            "sort",
            "Sort",
            id="sort",
            show=False,
            tooltip="Sort by name, size, date, kind, expiry",
        ),
        Binding("S", "reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
        Binding("i", "details", "Details", id="details", tooltip="Headers, manifest, verify"),
        Binding(
            "g", "goto_segments", "Segments", show=False, tooltip="Open this container's segments"
        ),
        Binding(
            "g", "goto_parent", "Parent", show=False, tooltip="Open the container they belong to"
        ),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            show=False,
            tooltip="Mark this object (d deletes, D downloads the marked ones)",
        ),
        Binding("a", "mark_older", "Older…", show=False, tooltip="Mark archives older than 365d…"),
    ]

    class OlderFound(Message):
        def __init__(self, age: Age, entries: list[ObjectEntry]) -> None:
            super().__init__()
            self.age = age
            self.entries = entries

    def __init__(
        self,
        cloud: Connection,
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
        self.prefix = prefix
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

    @property
    def view(self) -> ObjectsView:
        return self.query_one(ObjectsView)

    @property
    def listing(self) -> ObjectListing:
        return self.view.listing

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield ObjectsView(self.service, self.info, parent=self.parent_container, prefix=self.prefix)
        yield Footer(compact=True)

    @on(ListingTable.Highlighted, "#objects")
    def highlighted(self, message: ListingTable.Highlighted) -> None:
        on_object = message.key is not None and message.key.startswith("o:")
        if on_object != self._cursor_on_object:
            # Only then do the keys that need an object change: the footer is redrawn.
            self._cursor_on_object = on_object
            self.refresh_bindings()

    @on(UploadFinished)
    def upload_finished(self, message: UploadFinished) -> None:
        job = message.job
        if (job.region, job.request.container) == (self.region_name, self.container):
            self.action_refresh()

    # -- navigation ------------------------------------------------------------------------

    @on(ObjectsView.Opened)
    def opened(self, message: ObjectsView.Opened) -> None:
        self._open_details(message.entry)

    def _open_details(self, entry: ObjectEntry) -> None:
        self.app.push_screen(ObjectDetailsScreen(self.service, self.container, entry.name))

    def action_back(self) -> None:
        if not self.view.back():
            self.dismiss()

    def action_details(self) -> None:
        entry = self.view.cursor_entry
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
        self.view.refresh_listing()

    # -- what other screens do here --------------------------------------------------------

    def action_upload(self) -> None:
        form = UploadFormScreen(self.service, container=self.container, prefix=self.listing.prefix)
        self.app.push_screen(form, lambda _result: self.action_refresh())

    def action_delete(self) -> None:
        names = [entry.name for entry in self.listing.pointed_at(self.view.table.cursor_key)]
        if names:
            screen = DeleteScreen.for_objects(self.service, self.container, names)
            self.app.push_screen(screen, self._deleted)

    def action_download(self) -> None:
        entries = self.listing.pointed_at(self.view.table.cursor_key)
        if entries:
            size = sum(self.listing.logical_size(entry) for entry in entries)
            names = [entry.name for entry in entries]
            self.app.push_screen(DestinationScreen(self.service, self.container, names, size))

    def _deleted(self, summary: DeletionSummary | None) -> None:
        """After a deletion, only the marked objects that are still there stay marked."""
        if summary is not None:
            self.listing.keep_marks_of(summary.objects_left)
        self.action_refresh()

    def action_orphans(self) -> None:
        screen = OrphansScreen(self.service, self.container)
        self.app.push_screen(screen, lambda _result: self.action_refresh())

    # -- marks (what d deletes) ------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        table = self.view.table
        key = table.cursor_key
        if key is not None and self.listing.toggle_mark(key):
            self.view.redraw([key])
            table.action_cursor(1)
            self.refresh_bindings()

    def action_unmark_all(self) -> None:
        self.listing.unmark_all()
        self.view.redraw()
        self.refresh_bindings()

    def action_mark_older(self) -> None:
        self.app.push_screen(AgeScreen(), self._mark_older)

    def _mark_older(self, age: Age | None) -> None:
        if age is not None:
            now = self.swiftui_app.clock().timestamp()
            self.find_older(age, now, self.listing.prefix, self.listing.filter_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="older")
    def find_older(self, age: Age, now: float, prefix: str, name_filter: str) -> None:
        found = archives_older_than(
            self.service,
            self.container,
            prefix,
            older_than_s=age.seconds,
            now=now,
            name_filter=name_filter,
        )
        self.post_message(self.OlderFound(age, found))

    @on(OlderFound)
    def older_found(self, message: OlderFound) -> None:
        fresh = self.listing.mark(message.entries)
        self.view.redraw()
        self.refresh_bindings()
        self.notify(marked_notice(message.age, len(message.entries), len(fresh)))

    # -- filter and sort -------------------------------------------------------------------

    def action_filter(self) -> None:
        self.view.open_filter()

    def action_sort(self) -> None:
        self.listing.next_sort()
        self.view.show_rows()

    def set_sort(self, key: SortKey) -> None:
        self.listing.set_sort(key)
        self.view.show_rows()

    def action_reverse(self) -> None:
        self.listing.set_sort(self.listing.sort_key, reverse=not self.listing.reverse)
        self.view.show_rows()

    @on(ListingTable.HeaderSelected, "#objects")
    def header_selected(self, message: ListingTable.HeaderSelected) -> None:
        self.listing.sort_by_column(message.column)
        self.view.show_rows()

    # -- which keys apply now --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details":
            entry = self.view.cursor_entry
            return entry is not None and not entry.is_dir
        if action == "goto_segments":
            return self.segments_container is not None
        if action == "goto_parent":
            return self.parent_container is not None
        if action == "unmark_all":
            return bool(self.listing.marked)
        if action in ("delete", "download"):
            return bool(self.listing.pointed_at(self.view.table.cursor_key)) or None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Load this listing again (r)", self.action_refresh)
        yield SystemCommand("Upload", "Upload a file here (u)", self.action_upload)
        if self.check_action("delete", ()):
            yield SystemCommand("Delete", "Delete the selection (d)", self.action_delete)
            yield SystemCommand(
                "Download", "Download the selection to this computer (D)", self.action_download
            )
        yield SystemCommand(
            "Orphans", "Segments no manifest references, by upload (o)", self.action_orphans
        )
        yield SystemCommand("Filter", "Show names containing some text (/)", self.action_filter)
        yield SystemCommand(
            "Mark older than…",
            "Mark the archives here older than a duration, 365d… (a)",
            self.action_mark_older,
        )
        if self.listing.marked:
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
