"""How a container's objects are drawn: one row per object or folder, and the line about
the highlighted one. Functions of the listing and the clock, so dates age on redraw."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from rich.text import Text

from swiftui.browse import ObjectKind, format_age, format_moment
from swiftui.swift import (
    ObjectEntry,
    Retrieval,
    SealState,
    parse_listing_time,
    parse_segment_name,
    seal_words,
)
from swiftui.tui.browsing.listing import ObjectListing
from swiftui.tui.widgets.table import Column, Row
from swiftui.units import format_bytes, format_eta
from swiftui.upload import segment_label

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
ARCHIVE_COLUMNS = (*OBJECT_COLUMNS[:4], Column("seal", "Seal", 16))
"""A Cloud Archive container's: the seal state takes the expiry's place, to fit 80
columns (the line under the table still tells the expiry)."""
SEAL_STYLES = {
    SealState.SEALED: "yellow",
    SealState.UNSEALING: "cyan",
    SealState.UNSEALED: "green",
}


def seal_cell(retrieval: Retrieval) -> Text:
    """``sealed``, ``unsealing 42m`` (``1h 05m`` beyond an hour), ``unsealed``."""
    state = retrieval.state
    if state is None:
        return Text("")
    text = str(state)
    if state is SealState.UNSEALING and retrieval.delay_s is not None:
        minutes = max(1, math.ceil(retrieval.delay_s / 60))
        text += f" {minutes}m" if minutes < 60 else f" {format_eta(minutes * 60)}"
    return Text(text, style=SEAL_STYLES[state])


def object_row(listing: ObjectListing, key: str, now: datetime, zone: tzinfo | None) -> Row:
    """The row of ``key``, built when the table first draws it."""
    entry = listing.by_key[key]
    shown_name = listing.shown_name(entry)
    if entry.is_dir:
        return Row(key, (Text(FOLDER_MARK + shown_name, style="bold"), "", "", "folder", ""))
    kind = listing.kind(entry)
    facts = listing.facts.get(entry.name, ...)
    if listing.archived:
        last: str | Text = seal_cell(listing.retrieval(entry, now.timestamp()))
    elif facts is ...:
        last = "…"
    elif facts is None:
        last = Text("gone", style="red")
    else:
        last = format_moment(facts.delete_at, zone)[:10]
    marked = entry.name in listing.marked
    return Row(
        key,
        (
            Text(MARK + shown_name, style=MARK_STYLE) if marked else shown_name,
            format_bytes(listing.logical_size(entry)),
            format_age(parse_listing_time(entry.last_modified), now),
            Text(str(kind), style=KIND_STYLES.get(kind, "")),
            last,
        ),
        style="bold" if marked else "dim" if kind is ObjectKind.SEGMENT else "",
    )


def row_info(
    listing: ObjectListing, entry: ObjectEntry, now: datetime, zone: tzinfo | None
) -> Text:
    """Two lines under the table: the full name, then kind, size, dates, segment index."""
    if entry.is_dir:
        return Text.assemble((entry.name, "bold"), "\npseudo-folder: Enter opens it")
    modified = parse_listing_time(entry.last_modified)
    kind = listing.kind(entry)
    size = listing.logical_size(entry)
    details = [
        f"{kind}",
        f"{format_bytes(size)} ({size:,} bytes)",
        f"modified {format_moment(modified, zone)} ({format_age(modified, now)})",
    ]
    facts = listing.facts.get(entry.name)
    if facts is not None and facts.delete_at is not None:
        details.append(
            f"expires {format_moment(facts.delete_at, zone)} ({format_age(facts.delete_at, now)})"
        )
    segment = parse_segment_name(entry.name) if kind is ObjectKind.SEGMENT else None
    if segment is not None:
        details.append(f"{segment_label(segment.index)} of {segment.object_name}")
    retrieval = listing.retrieval(entry, now.timestamp())
    if retrieval.archived:
        details.append(seal_words(retrieval))
    return Text.assemble((entry.name, "bold"), "\n", " · ".join(details))
