"""What the job form's fields say about the job's table, and which field a refusal is about.

The form edits the table the file would hold (:func:`~swiftui.jobs.job_table`); a field
left as it was shown leaves its key untouched, a field emptied removes its key (the
default: no expiry, no retention, no webhook). Whether the result is a job is for the
file's own reader to say (:func:`~swiftui.jobs.parse_jobs`), in its words; the form only
turns the whole numbers it types into numbers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from swiftui.errors import UsageError
from swiftui.jobs import Job, SourceKind, job_table
from swiftui.tui.widgets.files import display_path
from swiftui.upload import DEFAULT_THREADS

SOURCE = "source"
"""The source's field (its kind is chosen beside it)."""


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    key: tuple[str, ...]
    """Where its value lives in the job's table: ``("upload", "segment_size")``."""
    placeholder: str = ""
    integer: bool = False


FIELDS = (
    FormField("container", "Container", ("container",)),
    FormField("region", "Region", ("region",), "the login's own"),
    FormField("segment-size", "Segment size", ("upload", "segment_size"), "auto (or 1GiB)"),
    FormField("threads", "Threads", ("upload", "threads"), str(DEFAULT_THREADS), integer=True),
    FormField("delete-after", "Expire after", ("upload", "delete_after"), "never (or 400d)"),
    FormField("keep-last", "Keep last", ("retention", "keep_last"), "all", integer=True),
    FormField("older-than", "Prune older", ("retention", "older_than"), "never (or 400d)"),
    FormField("webhook", "Webhook", ("notify", "webhook"), "none (https://hc-ping.com/…)"),
)


def shown_values(job: Job) -> dict[str, str]:
    """Each field's text as the form first shows it (a home directory as ``~``)."""
    source = job.source
    command = source.kind is SourceKind.COMMAND
    values = {SOURCE: source.location if command else display_path(source.location)}
    table = job_table(job)
    for form_field in FIELDS:
        value = _get(table, form_field.key)
        values[form_field.id] = "" if value is None else str(value)
    return values


def edited_table(job: Job, kind: SourceKind, values: dict[str, str]) -> dict[str, Any]:
    """The job's table with the fields the user changed; :class:`UsageError` for a whole
    number that is not one."""
    table = copy.deepcopy(job_table(job))
    shown = shown_values(job)
    source = job.source
    if kind is not source.kind or values[SOURCE] != shown[SOURCE]:
        new_source: dict[str, Any] = {str(kind): values[SOURCE]}
        if source.prefix:
            new_source["prefix"] = source.prefix
        if kind is SourceKind.COMMAND and source.object_name:
            new_source["object_name"] = source.object_name
        if kind is SourceKind.COMMAND and source.shell:
            new_source["shell"] = True
        table["source"] = new_source
    for form_field in FIELDS:
        text = values[form_field.id]
        if text != shown[form_field.id]:
            _set(table, form_field.key, _value(form_field, text))
    return table


def _value(form_field: FormField, text: str) -> str | int | None:
    if not text:
        return None
    if not form_field.integer:
        return text
    try:
        return int(text)
    except ValueError:
        raise UsageError(
            f"{'.'.join(form_field.key)}: must be a whole number, not {text!r}",
            field=form_field.id,
        ) from None


def _get(table: dict[str, Any], key: tuple[str, ...]) -> Any:
    for part in key[:-1]:
        table = table.get(part, {})
    return table.get(key[-1])


def _set(table: dict[str, Any], key: tuple[str, ...], value: Any) -> None:
    """Set ``key`` (None removes it, and the section it leaves empty); keys are a name or
    a section and a name."""
    *sections, name = key
    parent = table
    for part in sections:
        parent = parent.setdefault(part, {})
    if value is None:
        parent.pop(name, None)
    else:
        parent[name] = value
    if sections and not parent:
        del table[sections[0]]


def field_at_fault(message: str) -> str | None:
    """The field a refusal names (``upload.delete_after: 90: add a unit…``), if one does."""
    key = message.split(":", 1)[0].strip()
    if key == SOURCE or key.startswith(f"{SOURCE}."):
        return SOURCE
    return next((f.id for f in FIELDS if ".".join(f.key) == key), None)
