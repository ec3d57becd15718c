"""Run a job: upload what is new, verify it, apply retention, record and notify.

The steps, each of which can end the run (the history and the notifications say where):

1. the job's lock (another run: :class:`AlreadyRunning`, exit 10, nothing else happens);
   a run that a ``kill -9`` or a reboot cut short is recorded as interrupted;
2. the start notification; the secrets file; log in (:mod:`swiftui.cloud`);
3. for each archive the source gives (:mod:`.sources`): skip it when Swift already holds
   it whole and the same (:mod:`.stored`), else upload it (:func:`swiftui.upload.run_upload`,
   which resumes an interrupted upload from its journal) and verify what Swift holds;
4. retention, only once every archive of the run is in Swift and verified, and never on
   an archive of this run;
5. the run's record (history), then the success or failure notification.

A failed notification is reported and recorded; it never changes the run's result.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from swiftui.cloud import Cloud, connect
from swiftui.credentials import Credentials, load_credentials
from swiftui.deletion import execute_deletion, plan_deletion
from swiftui.errors import IntegrityError, OperationCancelled, SwiftError, SwiftuiError, UsageError
from swiftui.jobs.events import (
    ArchivesPruned,
    ItemChecked,
    ItemVerified,
    JobFinished,
    JobNotice,
    JobStarted,
    NotificationSent,
    RetentionDecided,
    RunEvent,
)
from swiftui.jobs.history import (
    Action,
    ItemRecord,
    NotificationRecord,
    Result,
    RunRecord,
    append_record,
    clear_running,
    mark_running,
    read_history,
    unfinished_run,
)
from swiftui.jobs.lock import JobLock
from swiftui.jobs.model import Job
from swiftui.jobs.notify import Message, notify
from swiftui.jobs.plan import upload_request
from swiftui.jobs.secrets import OS_SECRETS, SMTP_PASSWORD, read_secrets
from swiftui.jobs.sources import (
    CommandItem,
    LocalItem,
    archive_pattern,
    listing_prefix,
    owned_by_job,
    resolve_source,
)
from swiftui.jobs.stored import Presence, Remembered, check_intact, compare, verify_upload
from swiftui.jobs.wording import finish_message, start_message
from swiftui.retention import list_archives, select_for_prune
from swiftui.swift import SwiftService
from swiftui.upload import run_upload

logger = logging.getLogger(__name__)

EventHandler = Callable[[RunEvent], None]
COMMAND_NEEDS_PIPE = "command sources need the pipe upload (coming)"


def run_job(
    job: Job,
    *,
    on_event: EventHandler,
    cancel: threading.Event,
    environ: Mapping[str, str],
) -> RunRecord:
    """Run ``job`` once and return its record (also appended to its history).

    A failed run is a record too (``result`` failed, ``exit_code`` its error's); only
    :class:`AlreadyRunning` (another run holds the lock) is raised, and a bug, once
    recorded and notified.
    """
    with JobLock(job.name):
        stale = unfinished_run(job.name)
        if stale is not None:
            append_record(stale)
            on_event(JobNotice(f"the run started {stale.started} never finished: recorded"))
        started = _now()
        mark_running(job.name, started)
        run = _Run(job, on_event, cancel, environ, started)
        try:
            record = run.execute()
        finally:
            if run.record is not None:
                append_record(run.record)
                clear_running(job.name)
    on_event(JobFinished(record))
    return record


def job_credentials(
    job: Job, environ: Mapping[str, str], secrets: Mapping[str, str]
) -> Credentials:
    """The job's openrc or clouds.yaml cloud; the secret from its secrets file, else from
    ``OS_PASSWORD`` of the environment; never a prompt (cron has no terminal)."""
    overrides = {name: secrets[name] for name in OS_SECRETS if name in secrets}
    return load_credentials(
        openrc=job.credentials.openrc,
        cloud=job.credentials.cloud,
        environ={**environ, **overrides},
        ask_password=None,
    )


def connect_job(
    job: Job, environ: Mapping[str, str], secrets: Mapping[str, str]
) -> tuple[Cloud, str, tuple[str, ...]]:
    """Log in as the job does: the cloud, the region and the credentials' warnings."""
    credentials = job_credentials(job, environ, secrets)
    cloud = connect(credentials)
    try:
        choice = cloud.choose_region(job.credentials.region)
    except SwiftuiError:
        cloud.close()
        raise
    notes = (*credentials.warnings, *((choice.notice,) if choice.notice else ()))
    return cloud, choice.name, notes


def remembered_uploads(records: list[RunRecord]) -> dict[tuple[str, str], Remembered]:
    """What earlier successful runs checked, by (local path, object): the latest wins."""
    found = {}
    for record in records:
        if record.result is not Result.OK:
            continue
        for item in record.items:
            if item.path is not None and item.mtime is not None and item.etag:
                found[(item.path, item.object_name)] = Remembered(
                    item.path, item.object_name, item.size, item.mtime, item.etag, record.started
                )
    return found


class _Run:
    def __init__(
        self,
        job: Job,
        on_event: EventHandler,
        cancel: threading.Event,
        environ: Mapping[str, str],
        started: str,
    ) -> None:
        self.job = job
        self.on_event = on_event
        self.cancel = cancel
        self.environ = environ
        self.started = started
        self.items: list[ItemRecord] = []
        self.pruned: tuple[str, ...] = ()
        self.notifications: list[NotificationRecord] = []
        self.smtp_password = environ.get(SMTP_PASSWORD)
        self.record: RunRecord | None = None
        """Set once the run has ended, however it ended (a bug too)."""

    def execute(self) -> RunRecord:
        self.on_event(JobStarted(self.job.name, self.started))
        secrets: Mapping[str, str] = {}
        problem: SwiftuiError | None = None
        if self.job.credentials.secrets is not None:
            try:
                secrets = read_secrets(self.job.credentials.secrets)
            except SwiftuiError as error:
                problem = error
        self.smtp_password = secrets.get(SMTP_PASSWORD, self.smtp_password)
        self._notify(start_message(self.job, self.started))
        error: SwiftuiError | None = problem
        try:
            if error is None:
                self._work(secrets)
        except SwiftuiError as failure:
            error = failure
        except Exception as bug:
            self._finish(SwiftuiError(f"unexpected error: {type(bug).__name__}: {bug}"))
            raise
        return self._finish(error)

    def _finish(self, error: SwiftuiError | None) -> RunRecord:
        if error is None:
            result, exit_code = Result.OK, 0
        elif isinstance(error, OperationCancelled):
            result, exit_code = Result.INTERRUPTED, error.exit_code
        else:
            result, exit_code = Result.FAILED, error.exit_code
        record = RunRecord(
            job=self.job.name,
            started=self.started,
            result=result,
            ended=_now(),
            exit_code=exit_code,
            bytes_sent=sum(item.bytes_sent for item in self.items),
            items=tuple(self.items),
            pruned=self.pruned,
            error=None if error is None else str(error),
        )
        self._notify(finish_message(self.job, record))
        self.record = replace(record, notifications=tuple(self.notifications))
        return self.record

    def _notify(self, message: Message) -> None:
        for record in notify(self.job.notify, message, smtp_password=self.smtp_password):
            self.notifications.append(record)
            if not record.ok:
                logger.warning("%s notification failed: %s", record.channel, record.error)
            self.on_event(NotificationSent(record))

    def _work(self, secrets: Mapping[str, str]) -> None:
        cloud, region, notes = connect_job(self.job, self.environ, secrets)
        try:
            for note in notes:
                self.on_event(JobNotice(note))
            service = cloud.service(region)
            if self.job.upload.limit_rate is not None:
                self.on_event(
                    JobNotice(
                        f"limit_rate {self.job.upload.limit_rate.text} is not applied yet: this "
                        "swiftui's upload has no rate limiter"
                    )
                )
            remembered = remembered_uploads(read_history(self.job.name))
            for item in resolve_source(self.job.source, now=datetime.now()):
                self._check_cancel()
                if isinstance(item, LocalItem):
                    self._local(service, item, remembered.get((str(item.path), item.object_name)))
                else:
                    self._command(service, item)
            if self.job.retention.active:
                self._prune(service)
        finally:
            cloud.close()

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise OperationCancelled(f"job {self.job.name!r} stopped; run it again to go on")

    # -- one archive ---------------------------------------------------------------------------

    def _local(self, service: SwiftService, item: LocalItem, remembered: Remembered | None) -> None:
        container = self.job.container
        comparison = compare(
            service,
            container,
            item.path,
            item.object_name,
            remembered=remembered,
            cancel=self.cancel,
            on_reading=lambda text: self.on_event(JobNotice(text)),
        )
        self.on_event(ItemChecked(item.object_name, comparison.presence, comparison.reason))
        before = os.stat(item.path)
        if comparison.skip:
            self.items.append(
                ItemRecord(
                    item.object_name,
                    Action.SKIPPED,
                    before.st_size,
                    0,
                    str(item.path),
                    before.st_mtime,
                    comparison.etag,
                )
            )
            return
        request = upload_request(self.job, item)
        result = run_upload(service, request, on_event=self.on_event, cancel=self.cancel)
        after = os.stat(item.path)
        unchanged = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        self.items.append(
            ItemRecord(
                item.object_name,
                Action.UPLOADED,
                result.size,
                result.bytes_sent,
                str(item.path),
                before.st_mtime if unchanged else None,
                result.etag,
            )
        )
        verdict = verify_upload(
            service,
            container,
            item.object_name,
            size=result.size,
            etag=result.etag,
            cancel=self.cancel,
        )
        if not verdict.ok:
            raise IntegrityError(f"verification after the upload failed: {verdict.summary}")
        self.on_event(ItemVerified(item.object_name, verdict.summary))

    def _command(self, service: SwiftService, item: CommandItem) -> None:
        """A command's archive is named for its date: once that name is whole in Swift the
        command is not run again (its output cannot be compared without running it)."""
        container = self.job.container
        headers = service.object_headers(container, item.object_name)
        if headers is not None:
            intact = check_intact(service, container, item.object_name, headers, self.cancel)
            if intact.ok:
                size = int(headers.get("Content-Length", 0))
                self.on_event(ItemChecked(item.object_name, Presence.SAME, "already in Swift"))
                self.items.append(ItemRecord(item.object_name, Action.SKIPPED, size, 0))
                return
            self.on_event(ItemChecked(item.object_name, Presence.DAMAGED, intact.summary))
        else:
            self.on_event(ItemChecked(item.object_name, Presence.NEW, "not in Swift yet"))
        send_command_output(service, item)

    # -- retention -----------------------------------------------------------------------------

    def _prune(self, service: SwiftService) -> None:
        retention = self.job.retention
        pattern = archive_pattern(self.job.source)
        archives = [
            archive
            for archive in list_archives(
                service, self.job.container, prefix=listing_prefix(pattern)
            )
            if owned_by_job(archive.name, pattern)
        ]
        selection = select_for_prune(
            archives,
            older_than_s=retention.older_than.value if retention.older_than else None,
            keep_last=retention.keep_last,
            now=time.time(),
        )
        protected = tuple(item.object_name for item in self.items)
        self.on_event(RetentionDecided(selection.decisions, protected))
        names = [archive.name for archive in selection.selected if archive.name not in protected]
        if not names:
            return
        self._check_cancel()
        plan = plan_deletion(service, self.job.container, names)
        for kept in plan.refused:
            self.on_event(JobNotice(f"kept {kept.object.label}: {kept.reason}"))
        summary = execute_deletion(service, plan, cancel=self.cancel)
        left = set(summary.objects_left)
        self.pruned = tuple(item.name for item in plan.objects if item.label not in left)
        self.on_event(ArchivesPruned(self.pruned, summary.bytes_freed))
        if summary.cancelled:
            raise OperationCancelled("retention stopped; what is left goes on the next run")
        if not summary.complete:
            left = ", ".join(summary.objects_left) or f"{len(summary.orphans_left)} segments"
            raise SwiftError(f"retention incomplete: {len(summary.failures)} failed; left: {left}")


def send_command_output(service: SwiftService, item: CommandItem) -> None:
    """Upload a command's standard output as ``item.object_name``, streamed.

    Today's upload takes a regular file, whose size is known before the first byte; a
    stream needs the pipe upload, and spooling a 250 GB dump to a temporary file is what
    the pipe upload exists to avoid. The command is not run, so nothing is dumped in vain.
    """
    raise UsageError(f"{item.object_name}: {COMMAND_NEEDS_PIPE}")


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
