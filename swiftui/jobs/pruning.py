"""A job's retention: its own archives, the rule's decision, and their deletion.

A job owns the objects its source names (:func:`~swiftui.jobs.sources.archive_pattern`);
the rest of the container is never looked at. Deletion is the safe one of ``swiftui rm``
(:mod:`swiftui.deletion`): manifest first, segments another manifest uses kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swiftui.deletion import KeptObject, execute_deletion, plan_deletion
from swiftui.errors import OperationCancelled, SwiftError, SwiftuiError
from swiftui.jobs.model import Job
from swiftui.jobs.sources import archive_pattern, listing_prefix, owned_by_job
from swiftui.retention import Archive, PruneSelection, list_archives, select_for_prune

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


def job_archives(service: SwiftService, job: Job) -> list[Archive]:
    """The job's archives in its container (none while the container does not exist)."""
    if service.container_headers(job.container) is None:
        return []
    pattern = archive_pattern(job.source)
    return [
        archive
        for archive in list_archives(service, job.container, prefix=listing_prefix(pattern))
        if owned_by_job(archive.name, pattern)
    ]


def decide(job: Job, archives: list[Archive], *, now: float) -> PruneSelection:
    retention = job.retention
    return select_for_prune(
        archives,
        older_than_s=retention.older_than.value if retention.older_than else None,
        keep_last=retention.keep_last,
        now=now,
    )


@dataclass(frozen=True)
class Pruned:
    names: tuple[str, ...]
    """Archives now gone."""
    bytes_freed: int
    refused: tuple[KeptObject, ...]
    """Archives kept because another manifest uses them as segments."""
    error: SwiftuiError | None
    """Why some are left (cancelled, a failed request), if any are."""


def delete_archives(
    service: SwiftService, job: Job, names: list[str], cancel: threading.Event
) -> Pruned:
    plan = plan_deletion(service, job.container, names)
    summary = execute_deletion(service, plan, cancel=cancel)
    left = set(summary.objects_left)
    gone = tuple(item.name for item in plan.objects if item.label not in left)
    error: SwiftuiError | None = None
    if summary.cancelled:
        error = OperationCancelled("retention stopped; what is left goes on the next run")
    elif not summary.complete:
        what = ", ".join(summary.objects_left) or f"{len(summary.orphans_left)} segments"
        error = SwiftError(f"retention incomplete: {len(summary.failures)} failed; left: {what}")
    return Pruned(gone, summary.bytes_freed, plan.refused, error)
