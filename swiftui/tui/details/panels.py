"""What the details screens draw, as plain functions of the core's facts: the framed
summary, the manifest's, a DLO's and the headers' rows. Shared by the object and the
container details; no network, no state."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from swiftui.browse import (
    DloListing,
    ObjectDetails,
    SegmentState,
    format_age,
    format_moment,
    segment_length,
)
from swiftui.swift import ManifestSegment, Retrieval
from swiftui.tui.details.sealed import seal_text
from swiftui.tui.widgets.table import Column, Row
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


def manifest_row(index: int, segment: ManifestSegment, folder: str, check: Text | None) -> Row:
    """A manifest entry, its name shown below ``folder``; ``check`` is its verification."""
    size = format_bytes(segment_length(segment))
    name = segment.path[len(folder) :]
    if segment.range:
        name += f" [{segment.range}]"
    return Row(str(index), (str(index), name, size, segment.etag, check or ""))


def dlo_rows(dlo: DloListing) -> list[Row]:
    folder = dlo.prefix
    return [
        Row(entry.name, (entry.name[len(folder) :], format_bytes(entry.bytes), entry.etag))
        for entry in dlo.segments
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


def summary_rows(
    details: ObjectDetails, seal: Retrieval, now: datetime, zone: tzinfo | None
) -> list[tuple[str, str | Text]]:
    """Kind, Cloud Archive's seal state (``seal``, as it stands ``now``), size, dates
    (relative ones age), etag, metadata."""
    facts = details.facts
    rows: list[tuple[str, str | Text]] = [("Kind", kind_text(details))]
    if seal.archived:
        rows.append(("Archive", seal_text(seal)))
    rows.append(("Size", f"{format_bytes(facts.size)} ({facts.size:,} bytes)"))
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
        rows.append(("Metadata", ", ".join(f"{k}={v}" for k, v in sorted(facts.metadata.items()))))
    return rows


def kind_text(details: ObjectDetails) -> str:
    """``SLO: 54 segments in backups_segments``, a DLO's prefix, a segment's upload."""
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
    return str(details.facts.kind)
