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
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from swiftui.errors import IntegrityError, OperationCancelled, SwiftuiError
from swiftui.jobs.command import CommandOutput, Redactor
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
from swiftui.jobs.login import connect_job
from swiftui.jobs.model import Job
from swiftui.jobs.notify import Message, notify
from swiftui.jobs.plan import stream_request, upload_request
from swiftui.jobs.pruning import decide, delete_archives, job_archives
from swiftui.jobs.secrets import KNOWN as SECRET_NAMES
from swiftui.jobs.secrets import SMTP_PASSWORD, read_secrets
from swiftui.jobs.sources import CommandItem, LocalItem, resolve_source
from swiftui.jobs.stored import Presence, Remembered, check_intact, compare, verify_upload
from swiftui.jobs.wording import finish_message, start_message
from swiftui.swift import RateLimiter, SwiftService
from swiftui.units import plural
from swiftui.upload import UploadResult, run_stream_upload, run_upload

logger = logging.getLogger(__name__)

EventHandler = Callable[[RunEvent], None]


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
        self.redact = Redactor(environ.get(name, "") for name in SECRET_NAMES)
        limit = job.upload.limit_rate
        self.rate_limiter = RateLimiter(limit.value) if limit is not None else None
        """One cap for every upload and thread of the run."""
        self.record: RunRecord | None = None
        """Set once the run has ended, however it ended (a bug too)."""

    def execute(self) -> RunRecord:
        self.on_event(JobStarted(self.job.name, self.started))
        secrets: Mapping[str, str] = {}
        problem: SwiftuiError | None = None
        if self.job.credentials.secrets is not None:
            try:
                secrets = read_secrets(self.job.credentials.secrets)
            except SwiftuiError as unreadable:
                problem = unreadable
        self.smtp_password = secrets.get(SMTP_PASSWORD, self.smtp_password)
        self.redact = Redactor([*self.redact.secrets, *secrets.values()])
        self._notify(start_message(self.job, self.started))
        try:
            if problem is None:
                self._work(secrets)
        except SwiftuiError as failure:
            problem = failure
        except Exception as bug:
            self._finish(SwiftuiError(f"unexpected error: {type(bug).__name__}: {bug}"))
            raise
        return self._finish(problem)

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
        path = str(item.path)
        if comparison.skip:
            self.items.append(
                ItemRecord(
                    item.object_name,
                    Action.SKIPPED,
                    comparison.size,
                    0,
                    path,
                    comparison.mtime,
                    comparison.etag,
                )
            )
            return
        request = upload_request(self.job, item, self.rate_limiter)
        result = run_upload(service, request, on_event=self.on_event, cancel=self.cancel)
        # Remembered only for the file that was compared: one rewritten meanwhile is read
        # again next time.
        same_file = (result.size, _mtime(item.path)) == (comparison.size, comparison.mtime)
        self.items.append(
            ItemRecord(
                item.object_name,
                Action.UPLOADED,
                result.size,
                result.bytes_sent,
                path,
                comparison.mtime if same_file else None,
                result.etag,
            )
        )
        self._verify(service, result)

    def _verify(self, service: SwiftService, result: UploadResult) -> None:
        verdict = verify_upload(
            service,
            self.job.container,
            result.object_name,
            size=result.size,
            etag=result.etag,
            cancel=self.cancel,
        )
        if not verdict.ok:
            raise IntegrityError(f"verification after the upload failed: {verdict.summary}")
        self.on_event(ItemVerified(result.object_name, verdict.summary))

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
        output = CommandOutput(
            item.command,
            shell=item.shell,
            environ=self.environ,
            redact=self.redact,
            cancel=self.cancel,
        )
        try:
            with output:
                request = stream_request(
                    self.job, item, f"the output of {output.label!r}", self.rate_limiter
                )
                result = run_stream_upload(
                    service, request, output, on_event=self.on_event, cancel=self.cancel
                )
        finally:
            if output.stopped:
                self.on_event(JobNotice(f"stopped the command {output.label!r}"))
        if output.stderr_lines:
            self.on_event(
                JobNotice(
                    f"the command wrote {plural(output.stderr_lines, 'line')} on its standard "
                    f"error, ending with: {output.stderr_tail}"
                )
            )
        self.items.append(
            ItemRecord(item.object_name, Action.UPLOADED, result.size, result.bytes_sent)
        )
        self._verify(service, result)

    # -- retention -----------------------------------------------------------------------------

    def _prune(self, service: SwiftService) -> None:
        selection = decide(self.job, job_archives(service, self.job), now=time.time())
        protected = tuple(item.object_name for item in self.items)
        self.on_event(RetentionDecided(selection.decisions, protected))
        names = [archive.name for archive in selection.selected if archive.name not in protected]
        if not names:
            return
        self._check_cancel()
        pruned = delete_archives(service, self.job, names, self.cancel)
        for kept in pruned.refused:
            self.on_event(JobNotice(f"kept {kept.object.label}: {kept.reason}"))
        self.pruned = pruned.names
        self.on_event(ArchivesPruned(pruned.names, pruned.bytes_freed))
        if pruned.error is not None:
            raise pruned.error


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
