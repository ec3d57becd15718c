"""How a deletion is shown: the plan to confirm, the progress line, the summary.

The plan and the summary are :mod:`swiftui.deletion`'s own words (as the CLI prints them),
coloured here; the dialog's question, its total and the progress line are the screen's.
Plain functions (rich text, no widget), shared by the deletion screen and its dialog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from swiftui.deletion import (
    DeletionPlan,
    DeletionProgress,
    DeletionSummary,
    describe_plan,
    describe_summary,
    plan_total,
)
from swiftui.units import format_bytes, plural


def plan_subject(plan: DeletionPlan) -> str:
    """``2 objects and 7 segments``, or ``3 orphaned segments`` (orphans have no object)."""
    if plan.object_count == 0:
        return plural(plan.segment_count, "orphaned segment")
    return f"{plural(plan.object_count, 'object')} and {plural(plan.segment_count, 'segment')}"


def plan_question(plan: DeletionPlan) -> str:
    return f"Delete {plan_subject(plan)}?"


def confirm_total(plan: DeletionPlan) -> str:
    """The plan's total line; an orphans plan has segments only."""
    if plan.object_count:
        return plan_total(plan)
    containers = ", ".join(plan.containers) or "no container"
    return (
        f"Total: {plural(plan.segment_count, 'segment')}, {format_bytes(plan.bytes_total)} "
        f"in {containers}"
    )


SECTION_STYLES = {"Kept": "yellow", "Not deleted": "red"}


def plan_renderable(plan: DeletionPlan, notes: Sequence[str] = ()) -> RenderableType:
    """The plan in the words the CLI prints (:func:`swiftui.deletion.describe_plan`), its
    sections coloured (what is kept yellow, what is refused red), without the total line
    (the dialog shows it apart); then the notes."""
    lines = describe_plan(plan)
    if lines and lines[-1] == plan_total(plan):
        lines = lines[:-1]
    parts: list[RenderableType] = []
    style = ""
    for line in lines:
        heading = next((s for word, s in SECTION_STYLES.items() if line.startswith(word)), None)
        text = line.lstrip()
        indent = len(line) - len(text)
        if heading is not None:
            style = heading
            parts.append(Text(line, style=f"bold {heading}"))
        elif indent:
            # Wrapped lines keep the indent of their item.
            parts.append(Padding(Text(text, style=style), (0, 0, 0, indent)))
        else:
            parts.append(Text(line))
    parts += [Text(note, style="yellow") for note in notes]
    return Group(*parts)


def summary_renderable(summary: DeletionSummary, notes: Sequence[str] = ()) -> RenderableType:
    """The summary line (green when complete), what failed or is left, what was kept."""
    lines = describe_summary(summary)
    if summary.complete:
        style = "bold green"
    elif summary.failures or summary.orphans_left:
        style = "bold red"
    else:
        style = "bold yellow"
    parts: list[RenderableType] = [Text(lines[0], style=style)]
    parts += [Text(line) for line in lines[1:]]
    reasons = Counter(kept.reason for kept in summary.kept)
    if reasons:
        parts.append(Text("Kept on purpose:"))
        parts += [
            Text(f"  {plural(count, 'object')} {reason}", style="yellow")
            for reason, count in reasons.items()
        ]
    parts += [Text(note) for note in notes]
    return Group(*parts)


def progress_counts(event: DeletionProgress) -> str:
    """``3 of 7 objects and segments · 2.0 KiB of 5.1 KiB``, and failures if any."""
    counts = (
        f"{event.done:,} of {event.total:,} objects and segments · "
        f"{format_bytes(event.bytes_done)} of {format_bytes(event.bytes_total)}"
    )
    return counts + (f" · {event.failures} failed" if event.failures else "")
