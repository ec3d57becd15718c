"""A job's runs and events in the words people read: log lines, notifications, listings.

Shared by the CLI and the TUI; upload events keep their own words
(:func:`swiftui.upload.describe`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from swiftui.jobs.events import (
    ArchivesPruned,
    ItemChecked,
    ItemVerified,
    JobFinished,
    JobNotice,
    JobStarted,
    NotificationSent,
    RetentionDecided,
    RunEvent,
)
from swiftui.jobs.history import Action, Result, RunRecord
from swiftui.jobs.model import Job, NotifyOn
from swiftui.jobs.notify import Message
from swiftui.jobs.plan import JobPlan
from swiftui.jobs.stored import Presence
from swiftui.retention import PruneDecision, format_date
from swiftui.units import format_bytes, format_eta, plural
from swiftui.upload import describe as describe_upload


def describe(event: RunEvent) -> str | None:
    """One line (or a few) for a log, or None for what only a live view shows."""
    if isinstance(event, JobStarted):
        return f"job {event.job} started"
    if isinstance(event, JobNotice):
        return event.message
    if isinstance(event, ItemChecked):
        if event.presence is Presence.SAME:
            return f"{event.object_name}: already in Swift, whole ({event.reason}): skipped"
        what = {
            Presence.NEW: "uploading",
            Presence.DIFFERENT: "replacing it",
            Presence.DAMAGED: "uploading it again",
        }[event.presence]
        return f"{event.object_name}: {event.reason}: {what}"
    if isinstance(event, ItemVerified):
        return f"verified: {event.summary}"
    if isinstance(event, RetentionDecided):
        return "\n".join(retention_lines(event.decisions, event.protected))
    if isinstance(event, ArchivesPruned):
        return f"pruned {plural(len(event.names), 'archive')} ({format_bytes(event.bytes_freed)})"
    if isinstance(event, NotificationSent):
        record = event.record
        if record.ok:
            return f"{record.channel} notified ({record.event})"
        return f"{record.channel} notification ({record.event}) failed: {record.error}"
    if isinstance(event, JobFinished):
        return run_summary(event.record)
    return describe_upload(event)


def retention_lines(decisions: Sequence[PruneDecision], protected: Sequence[str]) -> list[str]:
    """A line per archive of the job, newest first: kept or deleted, and why."""
    lines = [f"retention over {plural(len(decisions), 'archive')}, newest first:"]
    for decision in decisions:
        archive = decision.archive
        if archive.name in protected:
            verdict, reason = "keep  ", "this run's archive"
        else:
            verdict, reason = ("delete" if decision.delete else "keep  "), decision.reason
        lines.append(
            f"  {verdict}  {format_date(archive.archive_time)}  {format_bytes(archive.size):>10}  "
            f"{archive.name}  ({reason})"
        )
    return lines


def plan_lines(plan: JobPlan, *, show_path: Callable[[Path], str] = str) -> list[str]:
    """What a dry run prints and a form previews (which may write paths its own way:
    ``~/dumps`` for a home directory)."""
    job = plan.job
    lines = [f"job {job.name}: {plan.region} › {job.container}"]
    if plan.problem is not None:
        return [*lines, f"  nothing to upload now: {plan.problem}"]
    for item in plan.items:
        where = (
            show_path(item.path)
            if item.path is not None
            else f"the output of: {job.source.location}"
        )
        lines.append(f"  {item.object_name} ({where}): {item.state}")
        if item.upload is not None:
            lines += [f"      {line.text}" for line in item.upload.lines]
    if plan.retention is not None:
        lines += [f"  {line}" for line in retention_lines(plan.retention.decisions, plan.protected)]
    return lines


def run_summary(record: RunRecord) -> str:
    """``ok: uploaded 1 archive (232.8 GiB) in 1h 02m, pruned 1``: the run in one line."""
    if record.result is Result.INTERRUPTED and record.ended is None:
        return f"interrupted: {record.error}"
    uploaded = [item for item in record.items if item.action is Action.UPLOADED]
    skipped = [item for item in record.items if item.action is Action.SKIPPED]
    parts = []
    if uploaded:
        stored = sum(item.size for item in uploaded)
        parts.append(f"uploaded {plural(len(uploaded), 'archive')} ({format_bytes(stored)})")
    if skipped:
        parts.append(f"{len(skipped)} already in Swift")
    if record.pruned:
        parts.append(f"pruned {len(record.pruned)}")
    if record.result is Result.OK and not uploaded:
        parts.insert(0, "nothing new")
    took = _duration(record)
    text = f"{record.result}" + (f": {', '.join(parts)}" if parts else "")
    if took:
        text += f" in {took}"
    if record.error:
        text += f"; exit {record.exit_code}: {record.error}"
    failed = [note for note in record.notifications if not note.ok]
    if failed:
        text += f"; {plural(len(failed), 'notification')} failed"
    return text


def _duration(record: RunRecord) -> str:
    if record.ended is None:
        return ""
    try:
        seconds = (
            datetime.fromisoformat(record.ended) - datetime.fromisoformat(record.started)
        ).total_seconds()
    except ValueError:
        return ""
    return format_eta(seconds)


def start_message(job: Job, started: str) -> Message:
    host = socket.gethostname()
    return Message(
        NotifyOn.START,
        f"swiftui job {job.name} started",
        f"swiftui job {job.name} started on {host} at {started}.\n",
    )


def finish_message(job: Job, record: RunRecord) -> Message:
    host = socket.gethostname()
    ok = record.result is Result.OK
    subject = f"swiftui job {job.name}: {'ok' if ok else record.result.upper()}"
    lines = [
        f"swiftui job {job.name} on {host}: {run_summary(record)}",
        f"started {record.started}, ended {record.ended}",
        f"container {job.container}",
    ]
    lines += [
        f"{item.action}: {item.object_name} ({format_bytes(item.size)})" for item in record.items
    ]
    lines += [f"pruned: {name}" for name in record.pruned]
    if not ok:
        lines.append(f"run it again: swiftui job run {job.name}")
    return Message(NotifyOn.SUCCESS if ok else NotifyOn.FAILURE, subject, "\n".join(lines) + "\n")
