"""What a job would do now, without doing it: ``swiftui job run --dry-run`` and a form's
preview while a job is edited.

It resolves the source, looks at what Swift holds for each archive (a HEAD each: the
checksum comparison, which reads the whole file, is left to the run), shows the upload
plan of each archive it would send (:func:`swiftui.upload.preview`, the plan the upload
will follow) and which archives retention would delete once they are stored. Nothing is
sent, created or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swiftui.errors import UsageError
from swiftui.jobs.model import Job
from swiftui.jobs.pruning import decide, job_archives
from swiftui.jobs.sources import COMMAND_IS_STREAMED, CommandItem, Item, LocalItem, resolve_source
from swiftui.retention import Archive, PruneSelection
from swiftui.upload import DEFAULT_THREADS, StreamRequest, UploadPreview, UploadRequest, preview

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService


@dataclass(frozen=True)
class ItemPlan:
    object_name: str
    path: Path | None
    """None for a command's output."""
    state: str
    """``new``, ``in Swift`` (same size: compared when the job runs), ``replaced``."""
    upload: UploadPreview | None
    """The upload's plan, for an archive that would be sent (a local file)."""


@dataclass(frozen=True)
class JobPlan:
    job: Job
    region: str
    items: tuple[ItemPlan, ...]
    problem: str | None
    """Why the source gives nothing today (no file matches the glob...), if it does not."""
    retention: PruneSelection | None
    """What retention would decide once the new archives are stored."""

    @property
    def protected(self) -> tuple[str, ...]:
        """The run's own archives, which its retention never deletes."""
        return tuple(item.object_name for item in self.items)


def plan_job(service: SwiftService, job: Job, *, now: datetime) -> JobPlan:
    try:
        items = resolve_source(job.source, now=now)
    except UsageError as error:
        return JobPlan(job, service.region, (), str(error), None)
    plans = tuple(_item_plan(service, job, item, now) for item in items)
    retention = _retention(service, job, plans, now) if job.retention.active else None
    return JobPlan(job, service.region, plans, None, retention)


def upload_requests(job: Job, *, now: datetime) -> list[UploadRequest]:
    """The uploads a run of ``job`` would make now, one per local file, in order: what a
    front end shows before the run starts. :class:`UsageError` when the source gives
    nothing, or a command's output (a stream, which the run starts itself)."""
    requests = []
    for item in resolve_source(job.source, now=now):
        if not isinstance(item, LocalItem):
            raise UsageError(f"{item.object_name}: {COMMAND_IS_STREAMED}")
        requests.append(upload_request(job, item))
    return requests


def upload_request(
    job: Job, item: LocalItem, rate_limiter: RateLimiter | None = None
) -> UploadRequest:
    """The upload a job makes of one local file, with the job's settings."""
    return UploadRequest(
        local_path=item.path, object_name=item.object_name, **_settings(job, rate_limiter)
    )


def stream_request(
    job: Job, item: CommandItem, source_name: str, rate_limiter: RateLimiter | None = None
) -> StreamRequest:
    """The upload a job makes of a command's output, with the job's settings."""
    return StreamRequest(
        object_name=item.object_name, source_name=source_name, **_settings(job, rate_limiter)
    )


def _settings(job: Job, rate_limiter: RateLimiter | None) -> dict[str, Any]:
    """What the job asks of every upload, a file's or a command's; one ``rate_limiter``
    caps a whole run (its :attr:`~swiftui.jobs.model.UploadSettings.limit_rate`)."""
    settings = job.upload
    return {
        "rate_limiter": rate_limiter,
        "container": job.container,
        "segment_size": settings.segment_size.value if settings.segment_size else None,
        "threads": settings.threads or DEFAULT_THREADS,
        "delete_after": settings.delete_after.value if settings.delete_after else None,
    }


def _item_plan(service: SwiftService, job: Job, item: Item, now: datetime) -> ItemPlan:
    path = item.path if isinstance(item, LocalItem) else None
    object_name = item.object_name
    headers = service.object_headers(job.container, object_name)
    if headers is not None and path is None:
        return ItemPlan(object_name, None, "in Swift", None)
    if (
        headers is not None
        and path is not None
        and int(headers.get("Content-Length", -1)) == path.stat().st_size
    ):
        return ItemPlan(object_name, path, "in Swift (checksum compared when the job runs)", None)
    state = "new" if headers is None else "replaced (another size in Swift)"
    if not isinstance(item, LocalItem):
        return ItemPlan(object_name, None, state, None)
    upload = preview(service, upload_request(job, item), now=now.timestamp())
    return ItemPlan(object_name, item.path, state, upload)


def _retention(
    service: SwiftService, job: Job, plans: tuple[ItemPlan, ...], now: datetime
) -> PruneSelection:
    """The decision once the run's archives are stored: they replace their namesakes."""
    incoming = {plan.object_name for plan in plans}
    archives = [archive for archive in job_archives(service, job) if archive.name not in incoming]
    for plan in plans:
        stat = plan.path.stat() if plan.path is not None else None
        archives.append(
            Archive(
                plan.object_name,
                stat.st_size if stat else 0,
                now.timestamp(),
                stat.st_mtime if stat else now.timestamp(),
            )
        )
    return decide(job, archives, now=now.timestamp())
