"""``swiftui job add NAME ...``: a job written into the jobs file from options.

Relative paths are made absolute (cron runs jobs from another directory). The job goes
through the same checks as the file itself before anything is written, and the rest of
the file (other jobs, comments) is left as it was. Mail notifications have more settings
than are worth options: add them in the file (README shows them).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from swiftui.jobs import SourceKind, save_job
from swiftui.paths import jobs_file

PATH_SOURCES = (SourceKind.FILE, SourceKind.GLOB, SourceKind.DIRECTORY)


def add_options(parser: argparse.ArgumentParser) -> None:
    login = parser.add_mutually_exclusive_group(required=True)
    login.add_argument("--openrc", metavar="FILE", help="the openrc.sh to log in with")
    login.add_argument("--cloud", metavar="NAME", help="a clouds.yaml cloud to log in with")
    parser.add_argument(
        "--secrets", metavar="FILE", help="owner-only file with OS_PASSWORD (and SMTP_PASSWORD)"
    )
    parser.add_argument("--region", metavar="NAME", help="object-store region")
    parser.add_argument("--container", metavar="NAME", required=True)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", metavar="PATH", help="upload this file")
    what.add_argument(
        "--glob", metavar="PATTERN", help="upload the newest match ('/var/lib/psa/dumps/*.tar')"
    )
    what.add_argument("--directory", metavar="PATH", help="upload every file under it")
    what.add_argument("--command", metavar="CMD", help="upload the command's standard output")
    parser.add_argument(
        "--object-name", metavar="NAME", help="a command's object name (strftime: www-%%Y-%%m.tar)"
    )
    parser.add_argument(
        "--shell",
        action="store_true",
        help="run the command by /bin/sh -c (pipes, redirections; default: no shell)",
    )
    parser.add_argument("--prefix", metavar="P", help="put before every object name")
    parser.add_argument("--segment-size", metavar="SIZE", help="e.g. 1GiB")
    parser.add_argument("--threads", metavar="N", type=int)
    parser.add_argument("--limit-rate", metavar="RATE", help="e.g. 20MiB/s")
    parser.add_argument("--delete-after", metavar="DURATION", help="expire archives, e.g. 400d")
    parser.add_argument("--keep-last", metavar="N", type=int, help="retention: keep the N newest")
    parser.add_argument(
        "--older-than", metavar="DURATION", help="retention: delete archives older than this"
    )
    parser.add_argument("--webhook", metavar="URL", help="pinged at URL/start, URL, URL/fail")
    parser.add_argument("--replace", action="store_true", help="replace a job of that name")


def job_table_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The job as the file holds it; checked by the file's reader when saved."""
    table: dict[str, Any] = _present(
        openrc=_absolute(args.openrc),
        cloud=args.cloud,
        secrets=_absolute(args.secrets),
        region=args.region,
        container=args.container,
    )
    kind = next(kind for kind in SourceKind if getattr(args, kind) is not None)
    location = getattr(args, kind)
    table["source"] = _present(
        **{kind: _absolute(location) if kind in PATH_SOURCES else location},
        object_name=args.object_name,
        shell=args.shell or None,
        prefix=args.prefix,
    )
    for key, values in (
        (
            "upload",
            _present(
                segment_size=args.segment_size,
                threads=args.threads,
                limit_rate=args.limit_rate,
                delete_after=args.delete_after,
            ),
        ),
        ("retention", _present(keep_last=args.keep_last, older_than=args.older_than)),
        ("notify", _present(webhook=args.webhook)),
    ):
        if values:
            table[key] = values
    return table


def run_add(args: argparse.Namespace) -> int:
    path = args.jobs_file or jobs_file()
    save_job(path, args.name, job_table_from_args(args), replace=args.replace)
    print(f"Saved job {args.name} in {path}.")
    print(f"See what it would do: swiftui job run {args.name} --dry-run")
    return 0


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _absolute(path: str | None) -> str | None:
    return None if path is None else str(Path(path).expanduser().absolute())
