"""Retention: which archives of a container an age or count rule would delete.

An archive's date is the date of the file it holds: ``X-Object-Meta-Mtime`` (the local
file's modification time, which the ``swift`` CLI and swiftui store on every upload)
when the object has one, else its ``Last-Modified`` in Swift. People think of "the
March backup", not of the day it was uploaded; the file's date also survives a
re-upload or a migration to another cluster, and a metadata update (POST), which moves
``Last-Modified``, does not make an old archive look new.

Both rules combine: ``keep_last`` always wins, so the N newest archives are never
selected, whatever their age.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import humanize

from swiftui.errors import UsageError
from swiftui.references import parallel_map
from swiftui.swift import MTIME_HEADER, parse_listing_time

if TYPE_CHECKING:
    from collections.abc import Iterable

    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class Archive:
    """An object of a container, with what retention needs to know about it."""

    name: str
    size: int
    last_modified: float
    """Unix time of the object's last change in Swift."""
    mtime: float | None = None
    """Unix time of the uploaded file (``X-Object-Meta-Mtime``), when known."""

    @property
    def archive_time(self) -> float:
        return self.mtime if self.mtime is not None else self.last_modified

    @property
    def dated_by(self) -> str:
        return "file date" if self.mtime is not None else "upload date"


@dataclass(frozen=True)
class PruneDecision:
    archive: Archive
    delete: bool
    reason: str


@dataclass(frozen=True)
class PruneSelection:
    """Every archive the rule looked at, newest first, each with its decision and why."""

    decisions: tuple[PruneDecision, ...]

    @property
    def selected(self) -> list[Archive]:
        return [decision.archive for decision in self.decisions if decision.delete]

    @property
    def kept(self) -> list[Archive]:
        return [decision.archive for decision in self.decisions if not decision.delete]


def list_archives(service: SwiftService, container: str, *, prefix: str = "") -> list[Archive]:
    """The objects of ``container`` under ``prefix`` with their dates (one HEAD each).

    Segments (``application/swiftclient-segment``) are parts of archives, not archives.
    """
    if service.container_headers(container) is None:
        raise UsageError(f"container {container!r} does not exist in region {service.region}")
    entries = [
        entry
        for entry in service.iter_objects(container, prefix=prefix)
        if not entry.is_dir and not entry.is_segment
    ]
    heads = parallel_map(lambda entry: service.object_headers(container, entry.name), entries)
    return [
        Archive(
            name=entry.name,
            size=entry.bytes,
            last_modified=listing_timestamp(entry.last_modified),
            mtime=parse_mtime(headers.get(MTIME_HEADER)),
        )
        for entry, headers in zip(entries, heads, strict=True)
        if headers is not None
    ]


def check_prune_rules(older_than_s: float | None, keep_last: int | None) -> None:
    """Refuse rules that select nothing sensible, before anything is listed or deleted."""
    if older_than_s is None and keep_last is None:
        raise UsageError("prune needs an age (--older-than) or a count (--keep-last), or both")
    if keep_last is not None and keep_last < 1:
        raise UsageError(
            f"--keep-last {keep_last}: keep at least 1 archive (to delete them all, use rm)"
        )
    if older_than_s is not None and older_than_s <= 0:
        raise UsageError(f"--older-than must be a positive duration, got {older_than_s} s")


def select_for_prune(
    entries: Iterable[Archive],
    *,
    prefix: str = "",
    older_than_s: float | None = None,
    keep_last: int | None = None,
    now: float,
) -> PruneSelection:
    """Decide for each archive under ``prefix``: delete it or keep it, and why.

    ``older_than_s`` selects archives whose date is more than that many seconds before
    ``now``; ``keep_last`` selects all but the N newest; given both, an archive goes only
    when it is old enough and not among the N newest. Ties in date are broken by name.
    """
    check_prune_rules(older_than_s, keep_last)
    candidates = sorted(
        (archive for archive in entries if archive.name.startswith(prefix)),
        key=lambda archive: (archive.archive_time, archive.name),
        reverse=True,
    )
    decisions = []
    for rank, archive in enumerate(candidates):
        age = now - archive.archive_time
        if keep_last is not None and rank < keep_last:
            newest = "the newest" if keep_last == 1 else f"one of the {keep_last} newest"
            decision = PruneDecision(archive, False, newest)
        elif older_than_s is not None and age <= older_than_s:
            decision = PruneDecision(
                archive, False, f"not older than {format_duration(older_than_s)}"
            )
        elif older_than_s is not None:
            decision = PruneDecision(
                archive, True, f"{format_duration(age)} old ({archive.dated_by})"
            )
        else:
            newest = "the newest" if keep_last == 1 else f"the {keep_last} newest"
            decision = PruneDecision(archive, True, f"not {newest}")
        decisions.append(decision)
    return PruneSelection(tuple(decisions))


def listing_timestamp(text: str) -> float:
    """Unix time of a container listing's ``last_modified``; 0 when it cannot be read."""
    when = parse_listing_time(text)
    return when.timestamp() if when is not None else 0.0


def format_duration(seconds: float) -> str:
    """``1 year``, ``3 days``: how long, in words."""
    return humanize.naturaldelta(max(0.0, seconds))


def format_date(timestamp: float) -> str:
    """``2025-03-01 12:00``, local time: when, to the minute."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def parse_mtime(value: str | None) -> float | None:
    """``X-Object-Meta-Mtime`` as a Unix time; None when absent or not a sane number."""
    try:
        mtime = float(value) if value else None
    except ValueError:
        return None
    return mtime if mtime is not None and math.isfinite(mtime) and mtime >= 0 else None
