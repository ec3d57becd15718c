"""Download events in the words people read, for the CLI and the TUI alike.

Parts are named by their index from 0, like segments: ``segment #33``.
"""

from __future__ import annotations

from datetime import datetime

from swiftui.download.events import (
    DownloadEvent,
    DownloadFinished,
    DownloadPlanned,
    DownloadResult,
    UnsealRequested,
    UnsealWaiting,
    Verifying,
)
from swiftui.units import format_bytes, format_eta, format_rate
from swiftui.upload import describe as upload_describe
from swiftui.upload import segment_label
from swiftui.upload.events import (
    Notice,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentRetrying,
)


def describe(event: DownloadEvent) -> str | None:
    """One line (a plan with notes: a line each), or None for events only a live display
    shows (progress, queued, started, countdown ticks, the end states the caller reports)."""
    if isinstance(event, DownloadPlanned):
        return plan_text(event)
    if isinstance(event, UnsealRequested):
        return unseal_text(event)
    if isinstance(event, SegmentDone):
        how = "already in the partial file" if event.reused else "received, md5 checked"
        if not event.etag and not event.reused:
            how = "received"
        return f"{segment_label(event.index)} {how} ({format_bytes(event.length)})"
    if isinstance(event, SegmentRetrying):
        return (
            f"{segment_label(event.index)}: {event.reason}; attempt {event.attempt} "
            f"in {format_eta(event.delay_s)}"
        )
    if isinstance(event, RequestRetrying | SegmentFailed | Notice):
        return upload_describe(event)
    if isinstance(event, Verifying):
        return f"all parts received; checking the {event.what}"
    if isinstance(event, DownloadFinished):
        return summary(event.result)
    return None


def plan_text(event: DownloadPlanned) -> str:
    where = f"{event.container}/{event.object_name}"
    to = "standard output" if event.path == "-" else event.path
    parts = f"{event.parts} part{'s' if event.parts != 1 else ''}"
    text = (
        f"downloading {where} ({event.kind}, {format_bytes(event.size)}, {parts}) to {to}; "
        f"checking {', '.join(event.checks)}"
    )
    if event.rate_limit is not None:
        text += f"; at most {format_rate(event.rate_limit)}"
    return "\n".join([text, *(f"  {note}" for note in event.notes)])


def unseal_text(event: UnsealRequested) -> str:
    """``Cloud Archive: 9 of 9 objects sealed, unsealing asked for; ready in 4h 00m (...)``."""
    waiting = event.objects - event.readable
    text = f"Cloud Archive: {waiting} of {event.objects} objects not readable yet"
    if event.requested:
        text += f" (unsealing asked for {event.requested})"
    if event.ready_at is not None and event.ready_in_s is not None:
        text += f"; all ready in {format_eta(event.ready_in_s)}, at {local_time(event.ready_at)}"
    return "\n".join([text, *(f"  {note}" for note in event.notes)])


def countdown_text(event: UnsealWaiting) -> str:
    return (
        f"waiting for Cloud Archive to unseal {event.objects_waiting} objects: ready in "
        f"{format_eta(event.seconds_left)} (at {local_time(event.ready_at)}); Ctrl-C stops "
        "waiting, the same command carries on"
    )


def summary(result: DownloadResult) -> str:
    elapsed = max(result.elapsed_s, 0.001)
    where = f"{result.container}/{result.object_name}"
    to = "standard output" if result.path == "-" else result.path
    text = (
        f"done: {where} ({format_bytes(result.size)}) to {to}, fetched "
        f"{format_bytes(result.bytes_fetched)} in {elapsed:.1f} s "
        f"({format_rate(result.bytes_fetched / elapsed)})"
    )
    if result.reused_parts:
        text += f", {result.reused_parts} of {result.parts} parts from the interrupted download"
    text += f"; verified: {', '.join(result.checks)}"
    if result.sha256:
        text += f" (sha256 {result.sha256})"
    return text


def local_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
