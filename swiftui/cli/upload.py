"""``swiftui upload``: one large file to Swift, segmented, resumable, with progress.

On a terminal: one live status line. Without one (cron, nohup, a pipe): a timestamped
line per finished segment and a summary, no control characters. ``--json``: one JSON
event per line. Ctrl-C (or SIGTERM) stops within about a second, keeps what was sent and
prints the command that resumes.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from swiftui.cli.common import add_auth_options, auth_option, connect_args
from swiftui.cli.output import Wording, printer, run_shown
from swiftui.cli.wording import error_line
from swiftui.errors import OperationCancelled
from swiftui.units import parse_delete_at, parse_duration, parse_size
from swiftui.upload import (
    DEFAULT_THREADS,
    PlanReady,
    Progress,
    SegmentDone,
    SourceFile,
    UploadEvent,
    UploadFailed,
    UploadRequest,
    check_request,
    describe,
    event_to_dict,
    run_upload,
    status_line,
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
    parser.add_argument("file", metavar="FILE", type=Path, help="the local file to upload")
    parser.add_argument(
        "--object-name", metavar="NAME", help="name in the container (default: FILE's name)"
    )
    parser.add_argument(
        "--segment-size",
        metavar="SIZE",
        help="e.g. 1GiB, 500MB, 5G (default: chosen from the file size and the cluster's "
        "limits, and explained)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=int,
        default=DEFAULT_THREADS,
        help=f"segments sent in parallel (default: {DEFAULT_THREADS})",
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
    parser.add_argument("--json", action="store_true", help="one JSON event per line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    request = UploadRequest(
        local_path=args.file,
        container=args.container,
        object_name=args.object_name,
        segment_size=(
            parse_size(args.segment_size, option="--segment-size") if args.segment_size else None
        ),
        threads=args.threads,
        segment_container=args.segment_container,
        delete_at=parse_delete_at(args.delete_at, option="--delete-at") if args.delete_at else None,
        delete_after=(
            parse_duration(args.delete_after, option="--delete-after")
            if args.delete_after
            else None
        ),
        leave_segments=args.leave_segments,
    )
    # A bad option or an unreadable file is refused before asking for a password.
    check_request(request)
    with SourceFile(args.file):
        pass
    cloud, region = connect_args(args)
    service = cloud.service(region)
    shown = printer(args.json, sys.stdout, _upload_wording())
    try:
        error, resumable = run_shown(
            shown,
            lambda on_event, cancel: run_upload(service, request, on_event=on_event, cancel=cancel),
            lambda event: event.resumable if isinstance(event, UploadFailed) else None,
        )
    finally:
        cloud.close()
    if error is None:
        return 0
    print(error_line(error), file=sys.stderr)
    if isinstance(error, OperationCancelled) or resumable:
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
    words += [args.container, str(Path(args.file).absolute())]
    for option, value in (
        ("--object-name", args.object_name),
        ("--segment-size", args.segment_size),
        ("--segment-container", args.segment_container),
        ("--delete-after", args.delete_after),
        ("--delete-at", args.delete_at),
    ):
        if value:
            words += [option, value]
    if args.threads != DEFAULT_THREADS:
        words += ["--threads", str(args.threads)]
    if args.leave_segments:
        words.append("--leave-segments")
    if args.json:
        words.append("--json")
    return shlex.join(words)


def _upload_wording() -> Wording[UploadEvent]:
    return Wording(
        describe=describe,
        status=lambda event: status_line(event) if isinstance(event, Progress) else None,
        to_dict=event_to_dict,
        segment_total=lambda event: event.segment_count if isinstance(event, PlanReady) else None,
        segment_done=lambda event: isinstance(event, SegmentDone),
    )
