"""``swiftui upload``: large files, directories or a pipe to Swift, with progress.

What each form of the command does is in :mod:`swiftui.cli.upload_actions`; it is shown
as every long command's events are (:mod:`swiftui.cli.output`), in the upload's words.
Ctrl-C (or SIGTERM) stops within about a second, keeps what was sent and prints the
command that resumes. ``--dry-run`` prints the
plan and sends nothing. The ``swift upload`` habits ``-S SIZE`` and ``--use-slo`` are
accepted.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from swiftui.cli.common import add_auth_options, auth_option, connect_args
from swiftui.cli.output import Printer, Wording, printer, run_shown
from swiftui.cli.upload_actions import Shown, choose_action, is_stream
from swiftui.cli.wording import error_line, error_message
from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.units import MIB
from swiftui.upload import (
    DEFAULT_SPOOL_MEMORY,
    DEFAULT_THREADS,
    Notice,
    PlanReady,
    Progress,
    SegmentDone,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    describe,
    event_to_dict,
    status_line,
)

USE_SLO_NOTICE = (
    "--use-slo: swiftui always uploads a file larger than one segment as a Static Large "
    "Object; the option changes nothing"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upload",
        help="upload a large file as a segmented, resumable static large object",
        description="Upload FILE to CONTAINER as a Static Large Object (segments in "
        "CONTAINER_segments, same storage policy), or as one plain object when it fits in "
        "one segment. Interrupted? Run the same command again: only missing segments are "
        "sent.",
    )
    add_auth_options(parser)
    parser.add_argument("container", metavar="CONTAINER", help="created if missing")
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        type=Path,
        help="files and directories to upload (a directory's files go under its name); "
        "- for standard input",
    )
    parser.add_argument(
        "--object-name",
        metavar="NAME",
        help="name in the container (default: the file's name); for one directory, the "
        "name its files go under",
    )
    parser.add_argument(
        "-S",
        "--segment-size",
        metavar="SIZE",
        help="e.g. 1GiB, 500MB, 5G, or bytes: 5000000000 (default: chosen from the file "
        "size and the cluster's limits, and explained)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=int,
        default=DEFAULT_THREADS,
        help=f"segments sent in parallel (default: {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--limit-rate",
        metavar="RATE",
        help="send at most this much per second over all threads: 20MiB, 2.5MB/s, 160Mbit "
        "(default: no cap)",
    )
    parser.add_argument(
        "--segment-container",
        metavar="NAME",
        help="where segments go (default: CONTAINER_segments)",
    )
    expiry = parser.add_mutually_exclusive_group()
    expiry.add_argument(
        "--delete-after",
        metavar="DURATION",
        help="expire the object and its segments after this long (90d, 12h, 3600s)",
    )
    expiry.add_argument(
        "--delete-at",
        metavar="DATE",
        help="expire the object and its segments at 2027-01-31, 2027-01-31T18:00, unix time",
    )
    parser.add_argument(
        "--leave-segments",
        action="store_true",
        help="when replacing an object, keep its old segments",
    )
    parser.add_argument(
        "--no-sha256",
        action="store_true",
        help="do not compute the file's SHA-256 (stored as X-Object-Meta-Sha256 for stat, "
        "verify and download to check)",
    )
    parser.add_argument(
        "--use-slo",
        action="store_true",
        help="accepted for swift upload's habit: swiftui always makes an SLO",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (segments, resume, what is replaced) and send nothing",
    )
    parser.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="upload a directory's other files when some cannot be read (default: refuse, "
        "listing them)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON event per line")
    stream = parser.add_argument_group("standard input (PATH -)")
    stream.add_argument(
        "--expected-size",
        metavar="SIZE",
        help="about how much the stream holds: only chooses the segment size",
    )
    stream.add_argument(
        "--spool-dir",
        metavar="DIR",
        type=Path,
        help="where segments wait while they are sent (default: the user cache dir)",
    )
    stream.add_argument(
        "--spool-memory",
        metavar="SIZE",
        help=f"segments wait in memory up to this much, then on disk (default: "
        f"{DEFAULT_SPOOL_MEMORY // MIB}MiB)",
    )
    parser.set_defaults(handler=run)


def _describe(event: UploadEvent) -> str | None:
    """The upload's words, but a cancel: the error line on stderr says it."""
    return None if isinstance(event, UploadCancelled) else describe(event)


WORDING: Wording[UploadEvent] = Wording(
    describe=_describe,
    status=lambda event: status_line(event) if isinstance(event, Progress) else None,
    to_dict=event_to_dict,
    segment_total=lambda event: event.segment_count if isinstance(event, PlanReady) else None,
    segment_done=lambda event: isinstance(event, SegmentDone),
)


def _resumable(event: UploadEvent) -> bool | None:
    return event.resumable if isinstance(event, UploadFailed | UploadCancelled) else None


def run(args: argparse.Namespace) -> int:
    """Every failure is one line on stderr (and, with ``--json``, a last ``error`` event)."""
    shown = printer(args.json, sys.stdout, WORDING)
    region: str | None = None
    try:
        # Bad options, unreadable files, a terminal for a pipe: refused before the password.
        action = choose_action(args)
        cloud, region = connect_args(args)
        try:
            service = cloud.service(region)
            if args.use_slo:
                shown.show(Notice(USE_SLO_NOTICE))
            error, resumable = run_shown(
                shown,
                lambda on_event, cancel: action(service, Shown(shown, on_event, cancel)),
                _resumable,
            )
        finally:
            cloud.close()
    except SwiftuiError as refused:
        return _failed(args, shown, refused, region, resumable=False)
    except KeyboardInterrupt:
        shown.fail("interrupted", 130)
        print("swiftui: interrupted", file=sys.stderr)
        return 130
    if error is not None:
        return _failed(args, shown, error, region, resumable=resumable)
    shown.close()
    return 0


def _failed(
    args: argparse.Namespace,
    shown: Printer[UploadEvent],
    error: SwiftuiError,
    region: str | None,
    *,
    resumable: bool,
) -> int:
    """The error's line (and JSON event), and the command that resumes when one does."""
    shown.fail(error_message(error), error.exit_code)
    print(error_line(error), file=sys.stderr)
    resumable = resumable or isinstance(error, OperationCancelled)
    if region is not None and resumable and not is_stream(args):
        print(f"swiftui: resume with: {resume_command(args, region)}", file=sys.stderr)
    return error.exit_code


def resume_command(args: argparse.Namespace, region: str) -> str:
    """The command that resumes this upload from any directory (same region, same file)."""
    words = ["swiftui", "upload"]
    for option, name in (("--openrc", "openrc"), ("--os-cloud", "os_cloud")):
        value = auth_option(args, name)
        if value:
            words += [option, str(Path(str(value)).absolute()) if name == "openrc" else str(value)]
    words += ["--region", region]
    if auth_option(args, "insecure"):
        words.append("--insecure")
    words += [args.container, *(str(Path(path).absolute()) for path in args.paths)]
    for option, value in (
        ("--object-name", args.object_name),
        ("--segment-size", args.segment_size),
        ("--segment-container", args.segment_container),
        ("--delete-after", args.delete_after),
        ("--delete-at", args.delete_at),
        ("--limit-rate", args.limit_rate),
    ):
        if value:
            words += [option, value]
    if args.threads != DEFAULT_THREADS:
        words += ["--threads", str(args.threads)]
    for flag, given in (
        ("--leave-segments", args.leave_segments),
        ("--no-sha256", args.no_sha256),
        ("--skip-unreadable", args.skip_unreadable),
        ("--json", args.json),
    ):
        if given:
            words.append(flag)
    return shlex.join(words)
