"""The container listing model on its own (no Textual, no Swift): which rows show in which
order, what is marked, what the status line says, that a late page is ignored, and how
Cloud Archive's seal states read as time passes."""

from __future__ import annotations

from swiftui.swift import ContainerInfo, ObjectEntry, Retrieval, SealState
from swiftui.tui.browsing.listing import ObjectListing, SortKey
from swiftui.tui.browsing.object_rows import seal_cell
from swiftui.units import MIB

INFO = ContainerInfo("backups", 4, 0, "")


def entry(name: str, size: int = 0, modified: str = "2026-01-01T00:00:00.000000") -> ObjectEntry:
    return ObjectEntry(name, bytes=size, last_modified=modified, is_dir=name.endswith("/"))


def names(listing: ObjectListing) -> list[str]:
    return [listing.by_key[key].name for key in listing.row_keys()]


def test_pages_come_in_order_and_a_page_of_an_older_generation_is_ignored() -> None:
    listing = ObjectListing(INFO)
    assert listing.next_page() == (0, "", "")
    assert listing.next_page() is None  # one page at a time
    listing.add_page(0, [entry("db/"), entry("a.tar", MIB)], complete=False)
    assert listing.pointed_at("d:db/") == ()  # a folder is not deleted
    assert listing.next_page() == (0, "", "a.tar")
    listing.restart("db/")
    assert listing.add_page(0, [entry("late.tar")], complete=True) is None
    assert names(listing) == []
    assert listing.next_page() == (1, "db/", "")
    assert listing.status(0) == "0 entries · loading…"


def test_filter_sort_and_marks_read_as_the_status_line_says() -> None:
    listing = ObjectListing(INFO)
    listing.next_page()
    listing.add_page(
        0,
        [
            entry("pg-2026-01.dump", 3 * MIB, "2026-01-31T00:00:00.000000"),
            entry("pg-2026-02.dump", 5 * MIB, "2026-02-28T00:00:00.000000"),
            entry("README.txt", 10, "2025-12-01T00:00:00.000000"),
        ],
        complete=True,
    )
    assert names(listing) == ["pg-2026-01.dump", "pg-2026-02.dump", "README.txt"]

    listing.set_sort(SortKey.SIZE)  # biggest first
    assert names(listing) == ["pg-2026-02.dump", "pg-2026-01.dump", "README.txt"]
    listing.sort_by_column("size")  # the same column again reverses
    assert names(listing)[0] == "README.txt"

    assert listing.set_filter("PG-")
    assert not listing.set_filter("PG-")
    assert names(listing) == ["pg-2026-01.dump", "pg-2026-02.dump"]

    assert listing.toggle_mark("o:pg-2026-01.dump")
    assert not listing.toggle_mark("o:nothing")
    assert listing.status(2) == "2 of 3 match 'PG-' · 1 marked (3.0 MiB) · by size ↑"
    assert [e.name for e in listing.pointed_at("o:README.txt")] == ["pg-2026-01.dump"]

    listing.mark([entry("pg-2026-02.dump", 5 * MIB)])
    listing.keep_marks_of(["backups/pg-2026-02.dump"])  # the deletion left this one
    assert list(listing.marked) == ["pg-2026-02.dump"]
    listing.unmark_all()
    assert [e.name for e in listing.pointed_at("o:README.txt")] == ["README.txt"]


def test_seal_states_count_down_from_when_the_listing_told_them() -> None:
    listing = ObjectListing(INFO)
    listing.next_page()
    sealed = ObjectEntry("a.tar", retrieval=Retrieval(SealState.SEALED))
    asked = ObjectEntry("b.tar", retrieval=Retrieval(SealState.UNSEALING, 2 * 3600 + 5))
    listing.add_page(0, [entry("c/"), sealed, asked], complete=True, at=1000.0)
    assert listing.archived

    assert str(seal_cell(listing.retrieval(sealed, 9000.0))) == "sealed"
    assert str(seal_cell(listing.retrieval(asked, 1000.0))) == "unsealing 2h 01m"
    assert str(seal_cell(listing.retrieval(asked, 1000.0 + 3600))) == "unsealing 1h 01m"
    assert str(seal_cell(listing.retrieval(asked, 1000.0 + 7000))) == "unsealing 4m"
    assert str(seal_cell(listing.retrieval(asked, 1000.0 + 9000))) == "unsealing 1m"
    assert str(seal_cell(Retrieval(SealState.UNSEALED))) == "unsealed"
    assert str(seal_cell(Retrieval())) == ""

    listing.set_sort(SortKey.SIZE)
    listing.sort_by_column("seal")  # no sort key: the order stays
    assert listing.sort_key is SortKey.SIZE
