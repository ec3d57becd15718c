"""Upload events in the words people read, for the CLI and the TUI alike.

A segment is named by its index from 0, as in its object name (``segment #33`` is
``.../00000033``). :func:`describe` gives one line (or a few, for a plan with notes) per
event worth a line, :func:`status_line` the one-line progress, :func:`summary` the end.
"""

from __future__ import annotations

from datetime import datetime

from swiftui.units import format_bytes, format_eta, format_rate, plural
from swiftui.upload.events import (
    BatchFinished,
    BatchPlanReady,
    FileSkipped,
    FileStarted,
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentRetrying,
    UploadCancelled,
    UploadEvent,
    UploadFinished,
    UploadResult,
)


def segment_label(index: int) -> str:
    """``segment #33``: the index from 0, as in the segment's object name."""
    return f"segment #{index}"


def describe(event: UploadEvent) -> str | None:
    """One line for a human (a plan with notes: a line each), or None for events only a
    live display shows (progress, queued, started, the end states the caller reports)."""
    if isinstance(event, PlanReady):
        return plan_text(event)
    if isinstance(event, SegmentDone):
        how = "already in Swift, md5 matches" if event.reused else "sent"
        return (
            f"{segment_label(event.index)} {how} ({format_bytes(event.length)}, etag {event.etag})"
        )
    if isinstance(event, SegmentRetrying):
        return (
            f"{segment_label(event.index)}: {event.reason}; attempt {event.attempt} "
            f"in {event.delay_s:.1f} s"
        )
    if isinstance(event, RequestRetrying):
        return f"{event.what}: {event.reason}; attempt {event.attempt} in {event.delay_s:.1f} s"
    if isinstance(event, SegmentFailed):
        return f"{segment_label(event.index)} failed: {event.reason}"
    if isinstance(event, Notice):
        return event.message
    if isinstance(event, ManifestWriting):
        if event.sub_manifests:
            return (
                f"writing {event.sub_manifests} sub-manifests of {event.segment_count} "
                "segments, then the manifest that lists them"
            )
        return f"writing the manifest of {event.segment_count} segments"
    if isinstance(event, OldSegmentsDeleted):
        return f"deleted {event.count} segments of the replaced object"
    if isinstance(event, UploadFinished):
        return summary(event.result)
    if isinstance(event, UploadCancelled):
        return cancelled_text(event)
    return _describe_batch(event)


def files(count: int) -> str:
    """``1 file``, ``3 files``."""
    return plural(count, "file")


def _describe_batch(event: UploadEvent) -> str | None:
    if isinstance(event, BatchPlanReady):
        head = f"uploading {files(event.files)} ({format_bytes(event.bytes_total)}) to "
        head += f"{event.container}: {event.files_to_send} to send"
        head += f" ({format_bytes(event.bytes_to_send)})"
        if event.files > event.files_to_send:
            head += f", {event.files - event.files_to_send} in Swift already"
        return "\n".join([head, *(f"  {line}" for line in event.lines)])
    if isinstance(event, FileStarted):
        return f"file {event.number} of {event.count}: {event.local_path} → {event.object_name}"
    if isinstance(event, FileSkipped):
        return (
            f"file {event.number} of {event.count}: {event.local_path} → {event.object_name} "
            f"skipped: {event.reason}"
        )
    if isinstance(event, BatchFinished):
        counts: dict[str, int] = {}
        for outcome in event.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        head = f"{files(len(event.outcomes))}: " + ", ".join(
            f"{count} {status}" for status, count in counts.items()
        )
        lines = [
            f"  {outcome.status}: {outcome.local_path} → {outcome.object_name}"
            + (f" ({outcome.detail})" if outcome.status in ("failed", "skipped") else "")
            for outcome in event.outcomes
        ]
        return "\n".join([head, *lines])
    return None


def cancelled_text(event: UploadCancelled) -> str:
    """What a stopped upload really keeps, and what a resume will send again."""
    if event.segments_done:
        kept = (
            f"{event.segments_done} of {event.segments_total} segments "
            f"({format_bytes(event.bytes_done)} of {format_bytes(event.bytes_total)}) "
            "are kept in Swift"
        )
    else:
        kept = "nothing is kept in Swift yet"
    parts = [f"upload cancelled: {kept}"]
    if event.bytes_in_flight:
        unfinished = event.segments_in_flight
        parts.append(
            f"the {format_bytes(event.bytes_in_flight)} sent of {unfinished} unfinished "
            f"segment{'' if unfinished == 1 else 's'} will be sent again"
        )
    if event.resumable:
        parts.append("run the same upload again to resume")
    return "; ".join(parts)


def cancel_preview(progress: Progress) -> str:
    """Before a cancel is confirmed: what it would keep in Swift and what a resume would
    send again (the words :func:`cancelled_text` uses once it happened)."""
    in_flight = [segment for segment in progress.active if segment.bytes_sent]
    sent_in_flight = sum(segment.bytes_sent for segment in in_flight)
    if progress.segments_done:
        kept = (
            f"{progress.segments_done} of {progress.segments_total} segments "
            f"({format_bytes(progress.bytes_done - sent_in_flight)} of "
            f"{format_bytes(progress.bytes_total)}) are kept in Swift"
        )
    else:
        kept = "nothing is kept in Swift yet"
    if not in_flight:
        return kept
    count = len(in_flight)
    return (
        f"{kept}; the {format_bytes(sent_in_flight)} sent of {count} unfinished "
        f"segment{'' if count == 1 else 's'} will be sent again"
    )


def plan_text(event: PlanReady) -> str:
    """What is uploaded where and how, then each note on its own indented line."""
    where = f"{event.container}/{event.object_name}"
    text = f"uploading {event.local_path} to {where}: {event.explanation}"
    if event.segment_container:
        text += f", segments in {event.segment_container}"
    if event.delete_at is not None:
        text += f", expires {local_time(event.delete_at)}"
    if event.rate_limit is not None:
        text += f", at most {format_rate(event.rate_limit)}"
    return "\n".join([text, *(f"  {note}" for note in event.notes)])


def status_line(progress: Progress) -> str:
    if not progress.total_known:
        return (
            f"{format_bytes(progress.bytes_done)} sent of {format_bytes(progress.bytes_total)} "
            f"read  {format_rate(progress.rate_bps)}  segments "
            f"{progress.segments_done}/{progress.segments_total}"
        )
    percent = 100 * progress.bytes_done / progress.bytes_total if progress.bytes_total else 100
    return (
        f"{format_bytes(progress.bytes_done)} / {format_bytes(progress.bytes_total)}  "
        f"{percent:3.0f}%  {format_rate(progress.rate_bps)}  ETA {format_eta(progress.eta_s)}  "
        f"segments {progress.segments_done}/{progress.segments_total}"
    )


def summary(result: UploadResult) -> str:
    elapsed = max(result.elapsed_s, 0.001)
    where = f"{result.container}/{result.object_name}"
    text = (
        f"done: {where} is {format_bytes(result.size)}, sent {format_bytes(result.bytes_sent)} "
        f"in {elapsed:.1f} s ({format_rate(result.bytes_sent / elapsed)})"
    )
    if result.is_slo:
        text += f", {result.segment_count} segments in {result.segment_container}"
        if result.sub_manifests:
            text += f" under {result.sub_manifests} sub-manifests"
        if result.reused_segments:
            text += f" ({result.reused_segments} reused)"
    text += f", etag {result.etag}"
    if result.sha256:
        text += f", sha256 {result.sha256}"
    if result.delete_at is not None:
        text += f", expires {local_time(result.delete_at)}"
    return text


def local_time(timestamp: int) -> str:
    """``2027-01-31 18:00:00+01:00``: a unix time on this machine's clock."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(sep=" ", timespec="seconds")
