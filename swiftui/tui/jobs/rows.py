"""How the jobs screens word a job and its runs: table rows and the facts under them.

Plain functions of the core's values (a :class:`~swiftui.jobs.Job` as read from the file, a
:class:`~swiftui.jobs.RunRecord` from its history); a run's one-line summary is the core's
(:func:`~swiftui.jobs.run_summary`), as ``swiftui job list`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo

from rich.table import Table
from rich.text import Text

from swiftui.browse import format_age, format_moment
from swiftui.jobs import Action, Job, Result, RunRecord, SourceKind, run_summary
from swiftui.tui.widgets.facts import facts_grid
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.table import Column, Row
from swiftui.units import format_bytes
from swiftui.upload import DEFAULT_THREADS

RESULT_STYLES = {Result.OK: "green", Result.FAILED: "bold red", Result.INTERRUPTED: "yellow"}
NOW_STYLES = {"running now": "bold cyan", "queued": "cyan"}
NEVER = "never"

JOB_COLUMNS = (
    Column("job", "Job", 14),
    Column("when", "Last run", 14),
    Column("sent", "Sent", 10, "right"),
    Column("result", "Result", min_width=16),
)
RUN_COLUMNS = (
    Column("started", "Started", 16),
    Column("sent", "Sent", 10, "right"),
    Column("result", "Result", min_width=16),
)


def started_at(record: RunRecord) -> datetime | None:
    """When the run started (None when a killed run left no readable start)."""
    try:
        return datetime.fromisoformat(record.started)
    except ValueError:
        return None


def result_text(record: RunRecord) -> Text:
    """``ok: uploaded 1 archive (3.0 MiB) in 2s``, coloured by how the run ended."""
    return Text(run_summary(record), style=RESULT_STYLES[record.result])


def job_row(job: Job, last: RunRecord | None, now_state: str | None, now: datetime) -> Row:
    """A job with its last run: when, how much was sent, how it ended (or that it runs)."""
    if last is None:
        when, sent, result = NEVER, "", Text("never run", style="dim")
    else:
        started = started_at(last)
        when = format_age(started, now) if started else "unknown"
        sent, result = format_bytes(last.bytes_sent), result_text(last)
    if now_state is not None:
        result = Text(now_state, style=NOW_STYLES.get(now_state, ""))
    return Row(job.name, (job.name, when, sent, result))


def run_row(key: str, record: RunRecord, zone: tzinfo | None) -> Row:
    started = started_at(record)
    moment = format_moment(started, zone) if started else record.started
    return Row(key, (moment, format_bytes(record.bytes_sent), result_text(record)))


def source_text(job: Job) -> str:
    """``glob ~/dumps/*.tar``: what the job uploads."""
    source = job.source
    if source.kind is SourceKind.COMMAND:
        return f"command {source.location} → {source.prefix}{source.object_name}"
    text = f"{source.kind} {display_path(source.location)}"
    return f"{text} → {source.prefix}…" if source.prefix else text


def job_facts(job: Job, last: RunRecord | None, zone: tzinfo | None) -> Table:
    """The job as its file says, and its last run in full."""
    return facts_grid(_job_facts(job, last, zone))


def _job_facts(job: Job, last: RunRecord | None, zone: tzinfo | None) -> Iterator[tuple[str, str]]:
    credentials = job.credentials
    region = credentials.region or "the login's own"
    yield "Uploads", f"{source_text(job)} → {region} › {job.container}"
    login = (
        f"openrc {display_path(credentials.openrc)}"
        if credentials.openrc
        else f"cloud {credentials.cloud}"
    )
    if credentials.secrets:
        login += f", secrets {display_path(credentials.secrets)}"
    yield "Login", login
    yield "Settings", _settings(job)
    yield "Notify", _notify(job)
    if last is not None:
        started = started_at(last)
        when = format_moment(started, zone) if started else last.started
        yield "Last run", f"{when}: {run_summary(last)}"


def _settings(job: Job) -> str:
    upload, retention = job.upload, job.retention
    parts = [
        f"segments of {upload.segment_size.text}" if upload.segment_size else "segment size auto",
        f"{upload.threads or DEFAULT_THREADS} threads",
        f"expire after {upload.delete_after.text}" if upload.delete_after else "no expiry",
    ]
    if retention.keep_last is not None:
        parts.append(f"keep the last {retention.keep_last}")
    if retention.older_than is not None:
        parts.append(f"prune older than {retention.older_than.text}")
    if not retention.active:
        parts.append("no retention")
    return " · ".join(parts)


def _notify(job: Job) -> str:
    notify = job.notify
    parts = ["webhook"] if notify.webhook else []
    if notify.mail is not None:
        when = ", ".join(str(event) for event in notify.mail.when)
        parts.append(f"mail to {', '.join(notify.mail.to)} on {when}")
    return " · ".join(parts) or "nobody (no webhook, no mail)"


def run_facts(record: RunRecord, zone: tzinfo | None) -> Table:
    """One run in full: how it ended (its error too), what it uploaded, found in Swift and
    pruned, whom it notified."""
    rows: list[tuple[str, str | Text]] = []
    started = started_at(record)
    ended = datetime.fromisoformat(record.ended) if record.ended else None
    span = format_moment(started, zone) if started else record.started
    span += f" → {format_moment(ended, zone)}" if ended else " (never ended)"
    rows.append(("Run", span))
    rows.append(("Result", result_text(record)))
    for item in record.items:
        label = "Uploaded" if item.action is Action.UPLOADED else "In Swift"
        rows.append((label, f"{item.object_name} ({format_bytes(item.size)})"))
    rows += [("Pruned", name) for name in record.pruned]
    for note in record.notifications:
        outcome = "sent" if note.ok else f"failed: {note.error}"
        rows.append(("Notified", f"{note.channel} ({note.event}): {outcome}"))
    return facts_grid(rows)
