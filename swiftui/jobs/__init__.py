"""Unattended archiving: named jobs that upload what is new, verify it, apply retention,
record each run and notify; schedules for cron and systemd. The package's public face;
its modules import each other, never this one.

For a front end (the CLI, the TUI's Jobs screen): :func:`load_jobs` lists the jobs;
:func:`last_run`, :func:`read_history` and :func:`is_running` tell how each went
(:func:`already_running` words a refusal); :func:`upload_requests` tells what a run would
upload; :func:`run_job` runs one on the calling thread (a worker), its :data:`RunEvent` s,
upload events included, going to ``on_event``; a form edits :func:`job_table`, checks it with
:func:`parse_jobs`, previews it with :func:`plan_job` (after :func:`connect_job`) and
:func:`plan_lines`, and writes it with :func:`save_job`.
"""

from __future__ import annotations

from swiftui.jobs.config import JobsFileError, load_jobs, parse_jobs
from swiftui.jobs.editing import job_table, render_job, save_job
from swiftui.jobs.events import (
    ArchivesPruned,
    ItemChecked,
    ItemVerified,
    JobEvent,
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
    last_run,
    read_history,
)
from swiftui.jobs.lock import already_running, is_running
from swiftui.jobs.login import connect_job
from swiftui.jobs.model import CredentialsSource, Job, JobsFile, SourceKind
from swiftui.jobs.plan import ItemPlan, JobPlan, plan_job, upload_requests
from swiftui.jobs.runner import run_job
from swiftui.jobs.schedule import (
    DEFAULT_TIME,
    Schedule,
    crontab_line,
    install_units,
    invocation,
    log_path,
    parse_schedule,
    systemd_units,
    unit_name,
    user_unit_dir,
)
from swiftui.jobs.secrets import read_secrets
from swiftui.jobs.stored import Presence
from swiftui.jobs.wording import describe, plan_lines, run_summary

__all__ = [
    "DEFAULT_TIME",
    "Action",
    "ArchivesPruned",
    "CredentialsSource",
    "ItemChecked",
    "ItemPlan",
    "ItemRecord",
    "ItemVerified",
    "Job",
    "JobEvent",
    "JobFinished",
    "JobNotice",
    "JobPlan",
    "JobStarted",
    "JobsFile",
    "JobsFileError",
    "NotificationRecord",
    "NotificationSent",
    "Presence",
    "Result",
    "RetentionDecided",
    "RunEvent",
    "RunRecord",
    "Schedule",
    "SourceKind",
    "already_running",
    "connect_job",
    "crontab_line",
    "describe",
    "install_units",
    "invocation",
    "is_running",
    "job_table",
    "last_run",
    "load_jobs",
    "log_path",
    "parse_jobs",
    "parse_schedule",
    "plan_job",
    "plan_lines",
    "read_history",
    "read_secrets",
    "render_job",
    "run_job",
    "run_summary",
    "save_job",
    "systemd_units",
    "unit_name",
    "upload_requests",
    "user_unit_dir",
]
