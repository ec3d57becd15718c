"""What an upload would do, before it starts: the plan, the resume decision and their words.

A form (the TUI's) shows this instead of deriving the plan itself: :func:`preview` reads
the cluster's limits, the destination (its container, the object it would replace, the
segments of this file already there) and the local resume journal, sends no data and
creates nothing, and makes the same decision :func:`~swiftui.upload.engine.run_upload`
will make. :func:`inspect_destination` (network) and :func:`build_preview` (no I/O) are
its two halves, for a form that re-plans on every keystroke.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from swiftui.browse import ObjectFacts, format_moment, object_facts
from swiftui.units import format_bytes
from swiftui.upload.journal import find_journal
from swiftui.upload.request import UploadRequest, check_names, check_request, journal_target
from swiftui.upload.resume import ResumeDecision, SegmentsBySize, decide, find_segments
from swiftui.upload.source import SourceFile

if TYPE_CHECKING:
    from swiftui.swift import SwiftLimits, SwiftService
    from swiftui.upload.journal import Journal


@dataclass(frozen=True)
class LocalFile:
    path: Path
    size: int
    mtime: float


@dataclass(frozen=True)
class Destination:
    """What is in Swift (and in this machine's journals) for one upload, right now."""

    region: str
    limits: SwiftLimits
    container_exists: bool
    existing: ObjectFacts | None
    """The object the upload would replace, or None."""
    journal: Journal | None
    """The journal of an interrupted upload of this file to this object, if any."""
    found: SegmentsBySize
    """Segments of this very file already in the segments container."""


class LineKind(StrEnum):
    PLAN = "plan"
    TARGET = "target"
    SETTINGS = "settings"
    RESUME = "resume"
    NOTE = "note"
    REPLACES = "replaces"


@dataclass(frozen=True)
class PreviewLine:
    text: str
    kind: LineKind
    """What the line is about, for a front end that styles each kind its way."""


@dataclass(frozen=True)
class UploadPreview:
    request: UploadRequest
    decision: ResumeDecision
    delete_at: int | None
    """The expiry the manifest would get (unix time), or None."""
    lines: tuple[PreviewLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def preview(
    service: SwiftService,
    request: UploadRequest,
    *,
    now: float | None = None,
    zone: tzinfo | None = None,
) -> UploadPreview:
    """What ``request`` would do; :class:`UsageError` (naming the field) if it cannot."""
    check_request(request)
    with SourceFile(Path(request.local_path).expanduser()) as source:
        local = LocalFile(source.path, source.size, source.mtime)
    destination = inspect_destination(service, request, local)
    return build_preview(request, local, destination, now=now, zone=zone)


def inspect_destination(
    service: SwiftService, request: UploadRequest, local: LocalFile
) -> Destination:
    """Read what :func:`build_preview` needs from Swift and the journals; changes nothing."""
    limits = service.limits()
    check_names(request, limits)
    object_name = request.resolved_object_name
    headers = service.object_headers(request.container, object_name)
    target = journal_target(service, request.container, object_name)
    return Destination(
        region=service.region,
        limits=limits,
        container_exists=service.container_headers(request.container) is not None,
        existing=None if headers is None else object_facts(headers),
        journal=find_journal(target, local.path),
        found=find_segments(
            service, request.resolved_segment_container, object_name, local.mtime, local.size
        ),
    )


def build_preview(
    request: UploadRequest,
    local: LocalFile,
    destination: Destination,
    *,
    now: float | None = None,
    zone: tzinfo | None = None,
) -> UploadPreview:
    """The decision :func:`~swiftui.upload.engine.run_upload` would make, and its words."""
    check_request(request)
    check_names(request, destination.limits)
    decision = decide(
        request,
        file_size=local.size,
        file_mtime=local.mtime,
        limits=destination.limits,
        journal=destination.journal,
        found=destination.found,
    )
    now = time.time() if now is None else now
    if request.delete_after is not None:
        delete_at: int | None = int(now) + request.delete_after
    else:
        delete_at = request.delete_at
    lines = [PreviewLine(decision.plan.explanation, LineKind.PLAN)]
    lines.append(PreviewLine(_where(request, decision, destination), LineKind.TARGET))
    lines.append(PreviewLine(_settings(request, decision, delete_at, now, zone), LineKind.SETTINGS))
    if decision.resume_note is not None:
        lines.append(PreviewLine(decision.resume_note, LineKind.RESUME))
    lines += [PreviewLine(note, LineKind.NOTE) for note in decision.notes]
    if destination.existing is not None:
        existing = destination.existing
        stored = format_moment(existing.last_modified, zone)[:10]
        lines.append(
            PreviewLine(
                f"replaces the {existing.kind} of {format_bytes(existing.size)} stored {stored}",
                LineKind.REPLACES,
            )
        )
    return UploadPreview(request, decision, delete_at, tuple(lines))


def _where(request: UploadRequest, decision: ResumeDecision, destination: Destination) -> str:
    where = f"→ {destination.region} › {request.container}"
    if not destination.container_exists:
        where += " (new)"
    if not decision.plan.is_plain_object:
        where += f", segments in {request.resolved_segment_container}"
    return where


def _settings(
    request: UploadRequest,
    decision: ResumeDecision,
    delete_at: int | None,
    now: float,
    zone: tzinfo | None,
) -> str:
    if delete_at is None:
        expiry = "never expires"
    else:
        when = format_moment(datetime.fromtimestamp(delete_at).astimezone(), zone)[:10]
        days = round((delete_at - now) / 86400)
        expiry = f"expires {when} ({days} day{'' if days == 1 else 's'})"
    if decision.plan.is_plain_object:
        return expiry
    threads = request.threads
    return f"{threads} thread{'' if threads == 1 else 's'} · {expiry}"
