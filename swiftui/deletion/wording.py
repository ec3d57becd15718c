"""A deletion plan and its outcome in the words people read (CLI and TUI alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from swiftui.units import format_bytes, plural

if TYPE_CHECKING:
    from collections.abc import Iterable

    from swiftui.deletion.execute import DeletionSummary
    from swiftui.deletion.plan import DeletionPlan, KeptObject, PlannedDeletion

_KIND_NAMES = {"slo": "SLO", "dlo": "DLO", "plain": "object", "orphans": "orphaned segments"}


def describe_item(item: PlannedDeletion) -> str:
    """``c/backup.tar  SLO 250.0 GiB: manifest and 233 segments in c_segments``."""
    if not item.has_object:
        return (
            f"{item.label}*  {plural(len(item.segments), 'orphaned segment')}, "
            f"{format_bytes(item.bytes_total)}"
        )
    text = f"{item.label}  {_KIND_NAMES[item.kind]}, {format_bytes(item.size)}"
    if item.kind == "plain":
        return text
    containers = ", ".join(sorted({segment.container for segment in item.segments}))
    where = f" in {containers}" if containers else ""
    text += f": manifest and {plural(len(item.segments), 'segment')}{where}"
    shared, unproven = split_kept(item.kept)
    if shared:
        text += f"; {plural(len(shared), 'shared segment')} kept"
    if unproven:
        text += f"; {plural(len(unproven), 'unproven segment')} kept"
    return text


def split_kept(kept: Iterable[KeptObject]) -> tuple[list[KeptObject], list[KeptObject]]:
    """Objects kept because manifests use (or, sealed and unproven, may use) them, and
    objects named after a sealed archive being deleted that could not be proven its own."""
    shared: list[KeptObject] = []
    unproven: list[KeptObject] = []
    for item in kept:
        (shared if item.used_by or item.maybe_used_by else unproven).append(item)
    return shared, unproven


def describe_plan(plan: DeletionPlan) -> list[str]:
    """The plan as lines for a terminal or a confirmation dialog; a sealed archive gets
    one more line saying how its segments were found without reading it."""
    lines = [f"To delete in region {plan.region}:"]
    for item in plan.items:
        lines.append(f"  {describe_item(item)}")
        if item.note:
            lines.append(f"    {item.note}")
    if not plan.items:
        lines.append("  nothing")
    shared, unproven = split_kept(plan.kept)
    if shared:
        lines.append(
            "Kept, still used by other manifests:"
            if all(kept.used_by for kept in shared)
            else "Kept, other manifests use them or (sealed, not proven) may use them:"
        )
        lines += [
            f"  {kept.object.label} ({format_bytes(kept.object.bytes)}): {kept.reason}"
            for kept in shared
        ]
    if unproven:
        where = unproven[0].object.container
        lines.append(
            "Kept, named after a sealed archive but not proven to be its segments (once its "
            f"manifest is gone, swiftui orphans {where} lists them):"
        )
        lines += [f"  {kept.object.label} ({format_bytes(kept.object.bytes)})" for kept in unproven]
    if plan.refused:
        lines.append("Not deleted, another manifest uses it as a segment:")
        lines += [f"  {kept.object.label}: {kept.reason}" for kept in plan.refused]
    lines.append(plan_total(plan))
    return lines


def plan_total(plan: DeletionPlan) -> str:
    """``Total: 2 objects, 466 segments, 500.0 GiB in c, c_segments``."""
    containers = ", ".join(plan.containers) or "no container"
    return (
        f"Total: {plural(plan.object_count, 'object')}, {plural(plan.segment_count, 'segment')}, "
        f"{format_bytes(plan.bytes_total)} in {containers}"
    )


def deleted_words(objects: int, segments: int) -> str:
    """``Deleted 2 objects and their 4 segments``; segments without an object are orphans."""
    if objects and segments:
        their = "its" if objects == 1 else "their"
        return f"Deleted {plural(objects, 'object')} and {their} {plural(segments, 'segment')}"
    if segments:
        return f"Deleted {plural(segments, 'orphaned segment')}"
    if objects:
        return f"Deleted {plural(objects, 'object')}"
    return "Deleted nothing"


def describe_summary(summary: DeletionSummary) -> list[str]:
    """What was done and what is left, as lines; the first one is the summary line."""
    line = f"{deleted_words(summary.objects_deleted, summary.segments_deleted)}, " + (
        f"{format_bytes(summary.bytes_freed)} freed"
    )
    shared, unproven = split_kept(summary.kept)
    if shared:
        line += f"; kept {len(shared)} shared"
    if unproven:
        line += f"; kept {len(unproven)} not proven to be the archive's"
    if summary.failures:
        line += f"; {len(summary.failures)} failed"
    if summary.cancelled:
        line += "; cancelled"
    lines = [line]
    lines += [f"  failed: {failure.reason}" for failure in summary.failures]
    if unproven:
        where = unproven[0].object.container
        lines.append(
            f"Kept {plural(len(unproven), 'segment')} named after a sealed archive, not proven "
            f"to be its own (its sizes and md5s do not add up): swiftui orphans {where} "
            "lists them"
        )
    if summary.objects_left:
        lines.append("Still there: " + ", ".join(summary.objects_left))
    if summary.orphans_left:
        lines.append(
            f"{plural(len(summary.orphans_left), 'segment')} left without a manifest "
            "(swiftui orphans finds them): "
            + ", ".join(summary.orphans_left[:5])
            + (" ..." if len(summary.orphans_left) > 5 else "")
        )
    return lines
