"""The upload form's fields as a request, and the engine's preview of it in the form's words.

Reading the fields is the form's part, as reading options is the CLI's: a size, a
duration, a number of threads, a rate become an :class:`~swiftui.upload.UploadRequest`.
What that request would do (the plan, resuming or starting over, what it replaces) is the
engine's :func:`~swiftui.upload.build_preview`; the form shows its lines, styled by their
kind. Marked files become one request each (:func:`form_batch`, named as the CLI names
files given by themselves), for the engine's :func:`~swiftui.upload.plan_batch`. A
refusal names the field at fault; :func:`field_label` words it as the form labels it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.text import Text

from swiftui.errors import UsageError, plain_field_name
from swiftui.swift import RateLimiter, SwiftLimits
from swiftui.units import GIB, MIB, parse_duration, parse_rate, parse_size
from swiftui.upload import (
    MAX_THREADS,
    Destination,
    LineKind,
    UploadPreview,
    UploadRequest,
    collect_files,
)

FIELD_LABELS = {
    "container": "container",
    "object_name": "object name",
    "segment_size": "segment size",
    "threads": "threads",
    "delete_after": "expires after",
    "delete_at": "expires after",
    "segment_container": "segments container",
    "rate_limiter": "upload limit",
}
"""A request's fields as the form calls them in a sentence."""

FIELD_INPUTS = {
    "container": "container",
    "object_name": "object",
    "segment_size": "segment-size",
    "threads": "threads",
    "delete_after": "expiry",
    "delete_at": "expiry",
    "segment_container": "segment-container",
    "rate_limiter": "limit",
}
"""The input that holds each field of a request."""

LINE_STYLES = {
    LineKind.PLAN: "bold",
    LineKind.RESUME: "cyan",
    LineKind.NOTE: "yellow",
    LineKind.REPLACES: "yellow",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, plain_field_name(field))


def size_text(size: int) -> str:
    """``1 GiB``, ``250 MiB`` or bytes: exact, so reading it back gives the same size."""
    if size % GIB == 0:
        return f"{size // GIB} GiB"
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return str(size)


@dataclass(frozen=True)
class FormFields:
    """The form's texts, stripped; an empty one means its default."""

    container: str
    object_name: str
    segment_size: str
    threads: str
    expiry: str
    segment_container: str
    limit: str
    """The bandwidth cap, a rate with its unit (``20MiB/s``)."""
    automatic_size: bool
    """The segment size field holds what the form filled in, not the user's own."""


def form_request(fields: FormFields, path: Path) -> UploadRequest:
    """The request the fields describe; :class:`UsageError` naming a field it cannot read.

    An automatic segment size is left to the engine, which takes an interrupted upload's.
    The request always has a rate limiter (without a cap when the field is empty), so the
    live view can set a cap while the upload runs.
    """
    if not fields.container:
        raise UsageError(
            lambda names: f"give the {names('container')} to upload to (it is created if missing)",
            field="container",
        )
    if not fields.threads.isdigit():
        raise UsageError(
            lambda names: f"{names('threads')}: a number from 1 to {MAX_THREADS}", field="threads"
        )
    size, expiry = fields.segment_size, fields.expiry
    automatic = fields.automatic_size or not size
    return UploadRequest(
        local_path=path,
        container=fields.container,
        object_name=fields.object_name or None,
        segment_size=None if automatic else _read(size, "segment_size", parse_size),
        threads=int(fields.threads),
        segment_container=fields.segment_container or None,
        delete_after=_read(expiry, "delete_after", parse_duration) if expiry else None,
        rate_limiter=RateLimiter(
            _read(fields.limit, "rate_limiter", parse_rate) if fields.limit else None
        ),
    )


def form_batch(fields: FormFields, paths: Sequence[Path], prefix: str) -> tuple[UploadRequest, ...]:
    """One request per marked file, sharing the form's settings and one rate limiter (the
    cap is over the whole batch); each object is named ``prefix`` + the file's name.
    :class:`UsageError` for a field, names that clash or files that cannot be read."""
    local = collect_files(paths)
    if local.unreadable or local.skipped:
        problems = (*local.unreadable, *local.skipped)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UsageError(f"cannot upload {problems[0]}{more}: unmark it")
    common = form_request(replace(fields, object_name=""), local.files[0][0])
    return tuple(
        replace(common, local_path=path, object_name=prefix + name) for path, name in local.files
    )


def _read(text: str, field: str, parse: Callable[..., int]) -> int:
    try:
        return parse(text, option=field_label(field))
    except UsageError as error:
        raise UsageError(str(error), field=field) from None


def unread_destination(region: str, limits: SwiftLimits, *, listed: bool) -> Destination:
    """What the form assumes of a destination until it is read: its container exists if
    ``listed``, nothing is there yet, no upload of the file was interrupted."""
    return Destination(region, limits, listed, existing=None, journal=None, found={})


def preview_lines(preview: UploadPreview) -> list[Text]:
    return [Text(line.text, LINE_STYLES.get(line.kind, "")) for line in preview.lines]


def refusal_line(error: UsageError) -> Text:
    return Text("✗ " + error.worded(field_label), "bold red")
