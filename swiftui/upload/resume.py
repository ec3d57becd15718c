"""Start over, resume, or reuse what is already in Swift: the decision, made once.

An interrupted upload of the same file to the same object resumes from its journal when
the file, the segment size and the segments container are unchanged; otherwise it is
stale (its segments go) and the upload starts over, saying why. Without a journal,
segments of this very file (same object, mtime and size) left by an interrupted
``swift upload`` or swiftui run are reused once their md5 matches the local bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from swiftui.errors import UsageError
from swiftui.swift import parse_segment_name, upload_prefix
from swiftui.units import format_bytes
from swiftui.upload.plan import UploadPlan, make_plan

if TYPE_CHECKING:
    from swiftui.swift import SwiftLimits, SwiftService
    from swiftui.upload.journal import Journal
    from swiftui.upload.request import UploadRequest

SegmentsBySize = dict[int, dict[str, tuple[int, str]]]
"""Segments of one file in Swift: by segment size, then by name, (bytes, etag)."""


@dataclass(frozen=True)
class ResumeDecision:
    """The plan and what becomes of earlier attempts; nothing is sent to decide it."""

    plan: UploadPlan
    resume: Journal | None
    """The interrupted upload this one continues: its recorded segments are not sent."""
    stale: Journal | None
    """An interrupted upload that cannot continue: its segments and journal go."""
    reusable: Mapping[str, tuple[int, str]]
    """Segments of this file already in Swift at the plan's size, by name: (bytes, etag)."""
    notes: tuple[str, ...]
    """What is worth telling besides a resume: starting over and why, segments found."""
    resume_note: str | None = None
    """How far the interrupted upload got, when it resumes."""

    @property
    def all_notes(self) -> tuple[str, ...]:
        return (*self.notes, self.resume_note) if self.resume_note else self.notes


def find_segments(
    swift: SwiftService, segment_container: str, object_name: str, mtime: float, file_size: int
) -> SegmentsBySize:
    """Segments of this very file (same object, mtime and size) in ``segment_container``."""
    found: SegmentsBySize = {}
    prefix = upload_prefix(object_name, mtime, file_size)
    for entry in swift.iter_objects(segment_container, prefix=prefix, missing_ok=True):
        parsed = parse_segment_name(entry.name)
        if parsed is not None and parsed.object_name == object_name:
            found.setdefault(parsed.segment_size, {})[entry.name] = (entry.bytes, entry.etag)
    return found


def decide(
    request: UploadRequest,
    *,
    file_size: int,
    file_mtime: float,
    limits: SwiftLimits,
    journal: Journal | None,
    found: SegmentsBySize,
) -> ResumeDecision:
    """Plan ``request`` for a file of ``file_size`` bytes modified at ``file_mtime``,
    resuming ``journal`` or reusing ``found`` segments when they fit.

    Raises :class:`UsageError` when the plan is impossible on this cluster.
    """
    segment_container = request.resolved_segment_container
    notes: list[str] = []
    resume: Journal | None = None
    stale: Journal | None = None
    asked = request.segment_size
    because = "asked"
    if journal is not None:
        why_not = journal.matches_file(file_size, file_mtime)
        if why_not is None and asked not in (None, journal.segment_size):
            why_not = (
                f"the segment size asked ({format_bytes(asked or 0)}) differs from the "
                f"interrupted upload's {format_bytes(journal.segment_size)}"
            )
        if why_not is None and journal.segment_container != segment_container:
            why_not = (
                f"the segments container differs from the interrupted upload's "
                f"{journal.segment_container!r}"
            )
        if why_not is None:
            resume = journal
            if asked is None:
                asked, because = journal.segment_size, "as the interrupted upload"
        else:
            stale = journal
            notes.append(f"starting over: {why_not}")

    names = {
        "object_name": request.resolved_object_name,
        "segment_container": segment_container,
    }
    if asked is None and found:
        found_size, segments = max(found.items(), key=lambda item: len(item[1]))
        try:
            make_plan(file_size, found_size, limits, **names)
        except UsageError:
            pass
        else:
            asked, because = found_size, "as the segments already in Swift"
            notes.append(
                f"found {len(segments)} segments of this same file ({format_bytes(found_size)} "
                f"each) in {segment_container!r} from an earlier upload: reusing those whose "
                "md5 matches the local file"
            )
    plan = make_plan(file_size, asked, limits, asked_because=because, **names)
    reusable = {} if plan.is_plain_object else found.get(plan.segment_size, {})
    resume_note = None
    if resume is not None:
        started = datetime.fromtimestamp(resume.created_at).isoformat(sep=" ", timespec="seconds")
        resume_note = (
            f"resuming the upload started {started}: {len(resume.segments)} of "
            f"{plan.segment_count} segments ({format_bytes(resume.bytes_done)}) already sent"
        )
    return ResumeDecision(plan, resume, stale, reusable, tuple(notes), resume_note)
