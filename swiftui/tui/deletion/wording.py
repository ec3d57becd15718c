"""How a deletion is worded: the plan to confirm, the progress line, the summary.

Plain functions of :mod:`swiftui.deletion`'s values (rich text, no widget), shared by the
deletion screen and its confirmation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from swiftui.deletion import (
    DeletionPlan,
    DeletionProgress,
    DeletionSummary,
    KeptObject,
    PlannedDeletion,
    describe_summary,
    plan_total,
    plural,
)
from swiftui.units import format_bytes

KIND_LABELS = {"slo": "SLO", "dlo": "DLO", "plain": "object", "orphans": "orphans"}


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


def _what(item: PlannedDeletion) -> str:
    count = plural(len(item.segments), "segment")
    if item.kind in ("slo", "dlo"):
        return f"manifest + {count}"
    return count if item.kind == "orphans" else ""


def _kept_lines(owner: str, kept: Iterable[KeptObject]) -> list[Text]:
    """One line per reason: ``c/a.tar: 2 shared segments kept (2.0 KiB), used by c/b.tar``."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for item in kept:
        counts[item.reason] += 1
        sizes[item.reason] += item.object.bytes
    return [
        Text(
            f"  {owner}: {plural(count, 'shared segment')} kept "
            f"({format_bytes(sizes[reason])}), {reason}",
            style="yellow",
        )
        for reason, count in counts.items()
    ]


def plan_renderable(plan: DeletionPlan, notes: Sequence[str] = ()) -> RenderableType:
    """What will go (each archive with its segments), what is kept and why, and notes."""
    parts: list[RenderableType] = [Text(f"Deleted for good, in region {plan.region}:")]
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    for item in plan.items:
        shown = item.label + ("*" if item.kind == "orphans" else "")
        grid.add_row(shown, KIND_LABELS[item.kind], format_bytes(item.bytes_total), _what(item))
    parts.append(grid)
    kept = [line for item in plan.items for line in _kept_lines(item.label, item.kept)]
    if kept:
        parts += [Text("Kept, other manifests still need them:", style="bold yellow"), *kept]
    if plan.refused:
        parts.append(Text("Not deleted, another manifest uses it as a segment:", style="bold red"))
        parts += [
            Text(f"  {refused.object.label}: {refused.reason}", style="red")
            for refused in plan.refused
        ]
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
