"""``swiftui job``: named jobs from the jobs file, run by hand or by cron and systemd.

``list``, ``show`` and ``history`` read; ``run`` uploads what is new, verifies it,
applies retention, records and notifies, and exits with the run's code; ``schedule``
prints a crontab line and systemd units (``--install`` writes the units, once confirmed);
``add`` writes a job into the file without touching the rest of it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from swiftui.cli.common import confirm, stop_on_signals
from swiftui.cli.job_add import add_options, run_add
from swiftui.errors import UsageError
from swiftui.jobs import (
    DEFAULT_TIME,
    Job,
    RunEvent,
    connect_job,
    crontab_line,
    describe,
    install_units,
    invocation,
    is_running,
    job_table,
    load_jobs,
    log_path,
    parse_schedule,
    plan_job,
    plan_lines,
    read_history,
    read_secrets,
    render_job,
    run_job,
    run_summary,
    systemd_units,
    unit_name,
    user_unit_dir,
)
from swiftui.paths import jobs_file
from swiftui.upload import Progress, status_line

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "job",
        help="named jobs: run (upload, verify, prune), list, show, history, schedule",
        description="Jobs are defined in the jobs file (default: "
        f"{jobs_file()}); see README 'The monthly job, end to end'.",
    )
    commands = parser.add_subparsers(title="job commands", metavar="COMMAND", required=True)

    def command(
        name: str, help_text: str, handler: Handler, *, named: bool = True
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        if named:
            sub.add_argument("name", metavar="NAME")
        sub.add_argument("--jobs-file", metavar="FILE", type=Path, help=f"default: {jobs_file()}")
        sub.set_defaults(handler=handler)
        return sub

    command("list", "the jobs, each with its last run", run_list, named=False)
    command("show", "a job's settings, last run and schedule hint", run_show)
    history = command("history", "a job's runs, oldest first", run_history)
    history.add_argument("--last", metavar="N", type=int, help="only the last N runs")
    run = command("run", "upload what is new, verify it, apply retention, notify", run_run)
    run.add_argument(
        "--dry-run", action="store_true", help="show what the run would do; change nothing"
    )
    schedule = command("schedule", "a crontab line and systemd units for the job", run_schedule)
    schedule.add_argument(
        "--every", default="month", metavar="PERIOD", help="day, week or month (default)"
    )
    schedule.add_argument(
        "--day", metavar="DAY", help="day of the month (1-28, default 1) or of the week (mon..sun)"
    )
    schedule.add_argument(
        "--at", default=DEFAULT_TIME, metavar="HH:MM", help=f"time (default {DEFAULT_TIME})"
    )
    schedule.add_argument(
        "--install",
        action="store_true",
        help=f"write the systemd user units into {user_unit_dir()} (asks first)",
    )
    schedule.add_argument("--yes", action="store_true", help="install without asking")
    add_options(command("add", "add a job to the jobs file", run_add))


# -- reading -------------------------------------------------------------------------------


def jobs_path(args: argparse.Namespace) -> Path:
    return args.jobs_file or jobs_file()


def find_job(args: argparse.Namespace) -> Job:
    jobs = load_jobs(jobs_path(args))
    if args.name not in jobs.jobs:
        known = ", ".join(jobs.jobs) or "none yet"
        raise UsageError(f"no job {args.name!r} in {jobs.path} (jobs: {known})")
    return jobs.jobs[args.name]


def run_list(args: argparse.Namespace) -> int:
    jobs = load_jobs(jobs_path(args))
    if not jobs.jobs:
        print(f"No jobs in {jobs.path}: `swiftui job add NAME ...` or edit it (see README).")
        return 0
    for job in jobs.jobs.values():
        records = read_history(job.name)
        if is_running(job.name):
            last = "running now"
        elif records:
            last = f"last run {records[-1].started[:16].replace('T', ' ')}: "
            last += run_summary(records[-1])
        else:
            last = "never run"
        print(f"{job.name}  {job.source.kind} {job.source.location} → {job.container}")
        print(f"    {last}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    job = find_job(args)
    print(render_job(job.name, job_table(job)).rstrip())
    records = read_history(job.name)
    print()
    if records:
        print(f"Runs: {len(records)}; last: {records[-1].started} {run_summary(records[-1])}")
    else:
        print("Never run: `swiftui job run " + job.name + " --dry-run` shows what it would do.")
    print(f"Schedule it: swiftui job schedule {job.name}")
    return 0


def run_history(args: argparse.Namespace) -> int:
    job = find_job(args)
    records = read_history(job.name)
    if args.last is not None:
        records = records[-args.last :] if args.last > 0 else []
    if not records:
        print(f"Job {job.name} has no recorded run.")
    for record in records:
        print(f"{record.started}  {run_summary(record)}")
    return 0


# -- running -------------------------------------------------------------------------------


def run_run(args: argparse.Namespace) -> int:
    job = find_job(args)
    if args.dry_run:
        return _dry_run(job)
    printer = _RunPrinter(sys.stdout)
    cancel = threading.Event()
    with stop_on_signals(cancel):
        record = run_job(job, on_event=printer.handle, cancel=cancel, environ=os.environ)
    printer.close()
    if record.error:
        print(f"swiftui: job {job.name}: {record.error}", file=sys.stderr)
    return record.exit_code or 0


def _dry_run(job: Job) -> int:
    secrets = read_secrets(job.credentials.secrets) if job.credentials.secrets else {}
    cloud, region, notes = connect_job(job, os.environ, secrets)
    try:
        for note in notes:
            print(f"swiftui: warning: {note}", file=sys.stderr)
        plan = plan_job(cloud.service(region), job, now=datetime.now())
    finally:
        cloud.close()
    for line in plan_lines(plan):
        print(line)
    print("Dry run: nothing sent, nothing deleted.")
    return 0


class _RunPrinter:
    """Timestamped lines for logs and cron; on a terminal, the upload's status line too."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self.status = ""

    def handle(self, event: RunEvent) -> None:
        if isinstance(event, Progress):
            if self.live:
                width = max(20, shutil.get_terminal_size().columns - 1)
                self.status = status_line(event)[:width]
                self._write("\r\x1b[K" + self.status)
            return
        text = describe(event)
        if not text:
            return
        if self.status:
            self._write("\r\x1b[K")
            self.status = ""
        stamp = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
        self._write("".join(f"{stamp} {line}\n" for line in text.splitlines()))

    def close(self) -> None:
        if self.status:
            self._write("\n")

    def _write(self, text: str) -> None:
        try:
            self.out.write(text)
            self.out.flush()
        except (BrokenPipeError, ValueError):
            pass


# -- scheduling ----------------------------------------------------------------------------


def run_schedule(args: argparse.Namespace) -> int:
    job = find_job(args)
    schedule = parse_schedule(args.every, args.day, args.at)
    command = invocation(job.name, args.jobs_file)
    log = log_path(job.name)
    units = systemd_units(job.name, schedule, command)
    print(f"# swiftui job {job.name}, {schedule.words}. With cron (crontab -e), one line:")
    print(crontab_line(schedule, command, log))
    print()
    print(f"# Or with systemd: these two files in {user_unit_dir()}")
    for name, text in units.items():
        print(f"# --- {name}")
        print(text, end="")
    print(
        "# then: systemctl --user daemon-reload && systemctl --user enable --now "
        f"{unit_name(job.name)}.timer"
    )
    print("#       loginctl enable-linger $USER   (so the timer runs when you are logged out)")
    if not args.install:
        return 0
    directory = user_unit_dir()
    confirm(
        f"Write {', '.join(units)} into {directory}?",
        yes=args.yes,
        nothing_done="nothing installed",
        action="install",
    )
    for path in install_units(units, directory):
        print(f"Wrote {path}")
    return 0
