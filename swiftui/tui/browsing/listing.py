"""The objects of one container as the screen lists them: pages, filter, sort and marks.

Plain Python (no widget, no network): the screen fetches pages and HEADs in workers and
hands them here; this says which rows to show in which order, what is marked, and what
the status line reads. A new prefix (opening a folder, a refresh) starts a new
*generation*, so a page that arrives for an older one is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from swiftui.browse import ObjectFacts, ObjectKind, is_segments_container, listing_kind
from swiftui.references import label
from swiftui.swift import ContainerInfo, ObjectEntry, Retrieval
from swiftui.units import format_bytes


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


class ObjectListing:
    """What is loaded of one container under one prefix, and how the user looks at it."""

    def __init__(self, info: ContainerInfo, prefix: str = "") -> None:
        self.info = info
        self.generation = 0
        self.prefix = prefix
        self.entries: list[ObjectEntry] = []
        self.by_key: dict[str, ObjectEntry] = {}
        self.marker = ""
        self.complete = False
        self.loading = False
        self.failed = ""
        """Why the last page could not be fetched; no more pages until a refresh."""
        self.is_segments = info.is_segments
        self.facts: dict[str, ObjectFacts | None] = {}
        """What a HEAD told (None: the object is gone), by name."""
        self.filter_text = ""
        self.sort_key = SortKey.NAME
        self.reverse = False
        self.marked: dict[str, ObjectEntry] = {}
        """Marked objects by name, in any folder of this container: what ``d`` deletes."""
        self.archived = False
        """A Cloud Archive container: its listing tells seal states (it keeps saying so
        in an empty folder)."""
        self.told_at: dict[str, float] = {}
        """When the listing told each unsealing object's time left (its countdown's start)."""

    # -- pages -----------------------------------------------------------------------------

    def restart(self, prefix: str | None = None) -> None:
        """Start over at ``prefix`` (the current one by default): nothing loaded yet."""
        self.generation += 1
        if prefix is not None:
            self.prefix = prefix
        self.entries = []
        self.by_key = {}
        self.told_at = {}
        self.marker = ""
        self.complete = self.loading = False
        self.failed = ""

    def next_page(self) -> tuple[int, str, str] | None:
        """``(generation, prefix, marker)`` of the page to fetch now, or None: one is on
        its way, the listing is complete, or the last page failed."""
        if self.loading or self.complete or self.failed:
            return None
        self.loading = True
        return self.generation, self.prefix, self.marker

    def add_page(
        self, generation: int, entries: list[ObjectEntry], complete: bool, *, at: float = 0.0
    ) -> list[ObjectEntry] | None:
        """Take a fetched page (told at ``at``, a timestamp); the entries not seen before,
        or None for an old generation."""
        if generation != self.generation:
            return None
        for entry in entries:
            self.archived = self.archived or entry.retrieval.archived
            if entry.retrieval.delay_s is not None:
                self.told_at[entry.name] = at
        first_page = not self.entries
        self.loading = False
        self.complete = complete
        if entries:
            self.marker = entries[-1].name
        fresh = [entry for entry in entries if entry_key(entry) not in self.by_key]
        self.entries.extend(fresh)
        self.by_key.update((entry_key(entry), entry) for entry in fresh)
        if first_page and is_segments_container(self.info, entries):
            self.is_segments = True
        return fresh

    def page_failed(self, reason: str) -> None:
        self.loading = False
        self.failed = reason

    @property
    def delimiter(self) -> str | None:
        """Segment names nest six levels deep: a segments container reads better flat."""
        return None if self.info.is_segments else "/"

    # -- what HEADs told -------------------------------------------------------------------

    def record_facts(self, name: str, facts: ObjectFacts | None) -> None:
        self.facts[name] = facts

    def forget_facts(self) -> None:
        self.facts.clear()

    def without_facts(self, keys: Iterable[str]) -> list[str]:
        """Names of the objects among ``keys`` that no HEAD has told about yet."""
        return [
            self.by_key[key].name
            for key in keys
            if key.startswith("o:") and key in self.by_key and key[2:] not in self.facts
        ]

    def kind(self, entry: ObjectEntry) -> ObjectKind:
        facts = self.facts.get(entry.name)
        return facts.kind if facts is not None and not entry.is_dir else listing_kind(entry)

    def retrieval(self, entry: ObjectEntry, now: float) -> Retrieval:
        """Its seal state at ``now``: an unsealing object's time left counts down."""
        return entry.retrieval.after(now - self.told_at.get(entry.name, now))

    def logical_size(self, entry: ObjectEntry) -> int:
        """A DLO's size is its segments' (the listing says 0 bytes)."""
        facts = self.facts.get(entry.name)
        return facts.size if facts is not None and facts.kind is ObjectKind.DLO else entry.bytes

    # -- which rows, in which order --------------------------------------------------------

    def shown_name(self, entry: ObjectEntry) -> str:
        return entry.name[len(self.prefix) :]

    def matches(self, entry: ObjectEntry) -> bool:
        return self.filter_text.lower() in self.shown_name(entry).lower()

    @property
    def server_order(self) -> bool:
        """Rows in the order pages come: a new page is appended, nothing is re-sorted."""
        return self.sort_key is SortKey.NAME and not self.reverse

    def matching_keys(self, entries: Iterable[ObjectEntry]) -> list[str]:
        """The keys of those ``entries`` the filter lets through, in their order."""
        return [entry_key(entry) for entry in entries if self.matches(entry)]

    def row_keys(self) -> list[str]:
        """The keys of the rows to show: loaded entries that match, sorted."""
        if self.server_order:
            return self.matching_keys(self.entries)
        entries = [entry for entry in self.entries if self.matches(entry)]
        entries.sort(key=self._sort_value(), reverse=self.reverse)  # type: ignore[arg-type]
        return [entry_key(entry) for entry in entries]

    def set_filter(self, text: str) -> bool:
        """Whether the filter changed (the rows must then be shown again)."""
        if text == self.filter_text:
            return False
        self.filter_text = text
        return True

    def set_sort(self, key: SortKey, *, reverse: bool | None = None) -> None:
        self.sort_key = key
        self.reverse = FIRST_DIRECTION_REVERSED[key] if reverse is None else reverse

    def next_sort(self) -> None:
        keys = list(SortKey)
        self.set_sort(keys[(keys.index(self.sort_key) + 1) % len(keys)])

    def sort_by_column(self, column: str) -> None:
        """A click on a column's header: sort by it, or reverse if it is the sort already
        (a column that is no sort key, such as the seal state, leaves the order alone)."""
        if column not in {key.value for key in SortKey}:
            return
        key = SortKey(column)
        if key is self.sort_key:
            self.set_sort(key, reverse=not self.reverse)
        else:
            self.set_sort(key)

    def _sort_value(self) -> Callable[[ObjectEntry], object]:
        if self.sort_key is SortKey.SIZE:
            return self.logical_size
        if self.sort_key is SortKey.MODIFIED:
            return lambda entry: entry.last_modified
        if self.sort_key is SortKey.KIND:
            return lambda entry: (str(self.kind(entry)), entry.name)
        if self.sort_key is SortKey.EXPIRES:
            return self._expiry_value
        return lambda entry: entry.name

    def _expiry_value(self, entry: ObjectEntry) -> float:
        facts = self.facts.get(entry.name)
        if facts is None or facts.delete_at is None:
            return float("inf")
        return facts.delete_at.timestamp()

    # -- marks -----------------------------------------------------------------------------

    def toggle_mark(self, key: str) -> bool:
        """Mark or unmark the object of ``key``; False when it is not an object."""
        entry = self.by_key.get(key)
        if entry is None or entry.is_dir:
            return False
        if self.marked.pop(entry.name, None) is None:
            self.marked[entry.name] = entry
        return True

    def mark(self, entries: Iterable[ObjectEntry]) -> list[ObjectEntry]:
        """Mark ``entries``; those that were not marked yet."""
        fresh = [entry for entry in entries if entry.name not in self.marked]
        self.marked.update((entry.name, entry) for entry in fresh)
        return fresh

    def unmark_all(self) -> None:
        self.marked.clear()

    def keep_marks_of(self, labels_left: Iterable[str]) -> None:
        """After a deletion: only the marked objects still there stay marked."""
        left = set(labels_left)
        self.marked = {
            name: entry
            for name, entry in self.marked.items()
            if label(self.info.name, name) in left
        }

    def pointed_at(self, cursor_key: str | None) -> tuple[ObjectEntry, ...]:
        """What ``d`` deletes and ``D`` downloads: the marked objects, else the highlighted
        one (not a folder)."""
        if self.marked:
            return tuple(self.marked.values())
        entry = self.by_key.get(cursor_key) if cursor_key else None
        return (entry,) if entry is not None and not entry.is_dir else ()

    # -- the status line -------------------------------------------------------------------

    def status(self, rows_shown: int, error: str = "") -> str:
        """``1,000 entries · 2 marked (4.0 GiB) · more below · by size ↓``."""
        loaded = len(self.entries)
        if self.filter_text:
            parts = [f"{rows_shown:,} of {loaded:,} match {self.filter_text!r}"]
        else:
            parts = [f"{loaded:,} " + ("entry" if loaded == 1 else "entries")]
        if self.marked:
            marked_bytes = sum(self.logical_size(entry) for entry in self.marked.values())
            parts.append(f"{len(self.marked):,} marked ({format_bytes(marked_bytes)})")
        if self.failed:
            parts.append("r retries")
        elif self.loading:
            parts.append("loading…")
        elif not self.complete:
            parts.append("more below")
        if not self.server_order:
            parts.append(f"by {self.sort_key} {'↓' if self.reverse else '↑'}")
        if error:
            parts.append(error)
        return " · ".join(parts)
