"""The upload form's marked files: the engine's plan of them as one batch, in its words;
and the form's line about what is chosen.

The plan (:func:`~swiftui.upload.plan_batch`: one listing and a HEAD per file that may be
in Swift already, and the journals of interrupted uploads) is read by a worker of the form
once typing pauses, and kept by what the form said (:data:`BatchKey`). Its lines are the
ones ``swiftui upload --dry-run`` prints for the same files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from rich.text import Text
from textual.message import Message

from swiftui.browse import format_moment
from swiftui.errors import UsageError
from swiftui.tui.uploads.form_plan import FormFields
from swiftui.units import format_bytes
from swiftui.upload import BatchPlan, LocalFile, describe

BatchKey = tuple[FormFields, tuple[Path, ...]]
"""What a batch's plan depends on: the form's fields and the marked files."""


def batch_key(fields: FormFields, marked: Mapping[Path, int]) -> BatchKey:
    """The object name field does not name the files of a batch."""
    return replace(fields, object_name=""), tuple(marked)


class BatchPlanned(Message):
    """The engine's plan of the marked files, or why there can be none."""

    def __init__(self, key: BatchKey, plan: BatchPlan | UsageError) -> None:
        super().__init__()
        self.key = key
        self.plan = plan


def plan_lines(plan: BatchPlan) -> list[Text]:
    """The batch's head line in bold, then each object and the engine's plan of it (the
    tree marks which files they are)."""
    head = (describe(plan.event()) or "").splitlines()[0]
    return [
        Text(head, "bold"),
        *(
            Text.assemble((entry.request.resolved_object_name, "bold"), f": {entry.explanation}")
            for entry in plan.entries
        ),
    ]


def choice_text(marked: Mapping[Path, int], chosen: LocalFile | None, zone: tzinfo | None) -> Text:
    """The form's file line: ``3 files marked · 1.2 GiB``, else the file picked, else how
    to pick one."""
    if marked:
        count = len(marked)
        return Text.assemble(
            (f"{count} file{'s' if count != 1 else ''} marked", "bold"),
            f" · {format_bytes(sum(marked.values()))}\nsent one after another; space unmarks",
        )
    if chosen is None:
        return Text("Pick the file to upload in the tree (Enter; space marks).", "dim")
    modified = format_moment(datetime.fromtimestamp(chosen.mtime, UTC), zone)
    return Text.assemble(
        (chosen.path.name, "bold"), f"\n{format_bytes(chosen.size)} · modified {modified[:16]}"
    )
