"""What the upload form's fields describe: the request Start queues and the plan's lines.

Plain functions of the field texts, the chosen file, the cluster's limits and what is at
the destination, built on the engine's own :func:`~swiftui.upload.plan.make_plan` and
:func:`~swiftui.upload.check_request`: an impossible upload is explained before
Start, in the engine's words (its CLI option names turned into field names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from rich.text import Text

from swiftui.browse import ObjectFacts, format_moment
from swiftui.errors import UsageError
from swiftui.swift import SEGMENTS_SUFFIX, SwiftLimits
from swiftui.units import GIB, MIB, format_bytes, parse_duration, parse_size
from swiftui.upload import MAX_THREADS, UploadRequest, check_request
from swiftui.upload.journal import Journal
from swiftui.upload.plan import UploadPlan, make_plan

DAY_S = 86400


def size_text(size: int) -> str:
    """``1 GiB``, ``250 MiB`` or bytes: exact, so reading it back gives the same size."""
    if size % GIB == 0:
        return f"{size // GIB} GiB"
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return str(size)


def tui_wording(message: str) -> str:
    """The engine speaks in CLI options; here they are fields."""
    for option, field_name in (
        ("--segment-size", "segment size"),
        ("--segment-container", "segments container"),
        ("--object-name", "object name"),
        ("--threads", "threads"),
        ("CONTAINER", "container"),
    ):
        message = message.replace(option, field_name)
    return message


@dataclass(frozen=True)
class LocalFile:
    path: Path
    size: int
    mtime: float


@dataclass(frozen=True)
class TargetFacts:
    """What is at the destination now: an object being replaced, an upload to resume."""

    existing: ObjectFacts | None
    journal: Journal | None


@dataclass(frozen=True)
class FormFields:
    """The form's texts, stripped; an empty one means its default."""

    container: str
    object_name: str
    segment_size: str
    threads: str
    expiry: str
    segment_container: str
    automatic_size: bool
    """The segment size field holds what the form filled in, not the user's own."""


@dataclass(frozen=True)
class Setting:
    """Where the form stands: the region, the containers there (None until read), the
    clock and zone for dates."""

    region: str
    containers: list[str] | None
    clock: Callable[[], datetime]
    zone: tzinfo | None


def automatic_segment_size(
    local: LocalFile, limits: SwiftLimits, fields: FormFields, facts: TargetFacts | None
) -> str | None:
    """What the engine would choose: the interrupted upload's size, else its plan's."""
    if facts is not None and facts.journal is not None:
        return size_text(facts.journal.segment_size)
    try:
        plan = make_plan(
            local.size,
            None,
            limits,
            object_name=fields.object_name or local.path.name,
            segment_container=fields.segment_container or f"{fields.container}{SEGMENTS_SUFFIX}",
        )
    except UsageError:
        return None
    return size_text(plan.segment_size)


def check_form(
    fields: FormFields,
    local: LocalFile,
    limits: SwiftLimits,
    facts: TargetFacts | None,
    setting: Setting,
) -> tuple[UploadRequest | None, list[Text]]:
    """The request the form describes and what it will do, or why it cannot be."""
    journal = facts.journal if facts else None
    object_name = fields.object_name or local.path.name
    try:
        if not fields.container:
            raise UsageError("give the container to upload to (it is created if missing)")
        asked = (
            parse_size(fields.segment_size, option="segment size") if fields.segment_size else None
        )
        expiry_s = parse_duration(fields.expiry, option="expires after") if fields.expiry else None
        request = UploadRequest(
            local_path=local.path,
            container=fields.container,
            object_name=object_name,
            segment_size=None if fields.automatic_size else asked,
            threads=_threads(fields.threads),
            segment_container=fields.segment_container or None,
            delete_after=expiry_s,
        )
        check_request(request)
        if fields.automatic_size:
            asked = journal.segment_size if journal is not None else None
        plan = make_plan(
            local.size,
            asked,
            limits,
            object_name=object_name,
            segment_container=request.resolved_segment_container,
        )
    except UsageError as error:
        return None, [Text("✗ " + tui_wording(str(error)), "bold red")]
    return request, describe(request, plan, facts, fields, expiry_s, setting)


def _threads(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_THREADS:
        raise UsageError(f"threads: a number from 1 to {MAX_THREADS}")
    return int(text)


def describe(
    request: UploadRequest,
    plan: UploadPlan,
    facts: TargetFacts | None,
    fields: FormFields,
    expiry_s: int | None,
    setting: Setting,
) -> list[Text]:
    """The plan's explanation, where it goes, threads and expiry, resume and replace."""
    explanation = plan.explanation
    if fields.automatic_size and facts is not None and facts.journal is not None:
        explanation = explanation.replace("(asked)", "(as the interrupted upload)")
    lines = [Text(explanation, "bold")]
    where = f"→ {setting.region} › {request.container}"
    if setting.containers is not None and request.container not in setting.containers:
        where += " (new)"
    if not plan.is_plain_object:
        where += f", segments in {request.resolved_segment_container}"
    lines.append(Text(where))
    if expiry_s:
        until = setting.clock() + timedelta(seconds=expiry_s)
        # To the minute when it is not whole days away: "12h" expires this evening.
        moment = format_moment(until, setting.zone)
        when = moment[:10] if expiry_s % DAY_S == 0 else moment
        expiry = f"expires {when} (in {fields.expiry})"
    else:
        expiry = "never expires"
    threads = (
        ""
        if plan.is_plain_object
        else f"{request.threads} thread{'' if request.threads == 1 else 's'} · "
    )
    lines.append(Text(threads + expiry))
    if facts is not None and facts.journal is not None:
        done = len(facts.journal.segments)
        lines.append(
            Text(
                f"resumes the interrupted upload: {done} of {plan.segment_count} segments "
                "already sent",
                "cyan",
            )
        )
    if facts is not None and facts.existing is not None:
        existing = facts.existing
        when = format_moment(existing.last_modified, setting.zone)[:10]
        lines.append(
            Text(
                f"replaces the {existing.kind} of {format_bytes(existing.size)} stored {when}",
                "yellow",
            )
        )
    return lines
