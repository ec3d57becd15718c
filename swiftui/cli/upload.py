"""``swiftui upload``: one large file to Swift, segmented, resumable, with progress.

Output styles are in :mod:`swiftui.cli.upload_output`. Ctrl-C (or SIGTERM) stops within
about a second, keeps what was sent and prints the command that resumes. ``--dry-run``
prints the plan and sends nothing. The ``swift upload`` habits ``-S SIZE`` and
``--use-slo`` are accepted.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swiftui.cli.common import add_auth_options, auth_option, connect_args
from swiftui.cli.upload_output import Printer, make_printer
from swiftui.cli.wording import error_line, error_message
from swiftui.errors import OperationCancelled, SwiftuiError, UsageError
from swiftui.units import MIB, parse_delete_at, parse_duration, parse_size
from swiftui.upload import (
    DEFAULT_SPOOL_MEMORY,
    DEFAULT_THREADS,
    Notice,
    SourceFile,
    StreamRequest,
    UploadPreview,
    UploadRequest,
    check_request,
    preview,
    run_stream_upload,
    run_upload,
)

if TYPE_CHECKING:
    from swiftui.swift import SwiftService

STREAM_OPTIONS = (
    ("--expected-size", "expected_size"),
    ("--spool-dir", "spool_dir"),
    ("--spool-memory", "spool_memory"),
)
USE_SLO_NOTICE = (
    "--use-slo: swiftui always uploads a file larger than one segment as a Static Large "
    "Object; the option changes nothing"
)


def register(subparsers: argparse._SubParsersAction) -> None:
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
        "file", metavar="FILE", type=Path, help="the local file to upload; - for standard input"
    )
    parser.add_argument(
        "--object-name", metavar="NAME", help="name in the container (default: FILE's name)"
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
    parser.add_argument("--json", action="store_true", help="one JSON event per line")
    stream = parser.add_argument_group("standard input (FILE -)")
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


Action = Callable[["SwiftService", Printer, threading.Event], None]
"""What the command does once connected: upload, or print a plan."""


def run(args: argparse.Namespace) -> int:
    """Every failure is one line on stderr (and, with ``--json``, a last ``error`` event)."""
    printer = make_printer(args.json, sys.stdout)
    region: str | None = None
    try:
        # Bad options, an unreadable file, a terminal for a pipe: refused before the password.
        action = _stream_action(args) if _is_stream(args) else _file_action(args)
        cloud, region = connect_args(args)
        try:
            service = cloud.service(region)
            if args.use_slo:
                printer.handle(Notice(USE_SLO_NOTICE))
            cancel = threading.Event()
            with _stop_on_signals(cancel):
                action(service, printer, cancel)
        finally:
            cloud.close()
    except SwiftuiError as error:
        printer.fail(error_message(error), error.exit_code)
        print(error_line(error), file=sys.stderr)
        resumable = isinstance(error, OperationCancelled) or printer.resumable
        if region is not None and resumable and not _is_stream(args):
            print(f"swiftui: resume with: {resume_command(args, region)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        printer.fail("interrupted", 130)
        print("swiftui: interrupted", file=sys.stderr)
        return 130
    printer.close()
    return 0


def _is_stream(args: argparse.Namespace) -> bool:
    return str(args.file) == "-"


def _file_action(args: argparse.Namespace) -> Action:
    for option, value in STREAM_OPTIONS:
        if getattr(args, value) is not None:
            raise UsageError(f"{option} is for standard input (FILE -) only")
    request = UploadRequest(local_path=args.file, object_name=args.object_name, **_settings(args))
    check_request(request)
    with SourceFile(args.file):
        pass

    def upload(service: SwiftService, printer: Printer, cancel: threading.Event) -> None:
        if args.dry_run:
            _print_preview(printer, preview(service, request))
        else:
            run_upload(service, request, on_event=printer.handle, cancel=cancel)

    return upload


def _stream_action(args: argparse.Namespace) -> Action:
    if not args.object_name:
        raise UsageError(
            "reading standard input (FILE -) needs --object-name NAME: the object's name "
            "in CONTAINER"
        )
    if args.dry_run:
        raise UsageError("--dry-run plans a file; a stream's plan is shown when it starts")
    if sys.stdin.isatty():
        raise UsageError(
            "standard input is a terminal: pipe the data in (tar c DIR | swiftui upload "
            "CONTAINER - --object-name NAME)"
        )
    request = StreamRequest(
        object_name=args.object_name,
        expected_size=_size(args.expected_size, "--expected-size"),
        spool_dir=args.spool_dir,
        spool_memory=_size(args.spool_memory, "--spool-memory") or DEFAULT_SPOOL_MEMORY,
        **_settings(args),
    )
    check_request(request)

    def upload(service: SwiftService, printer: Printer, cancel: threading.Event) -> None:
        run_stream_upload(
            service, request, sys.stdin.buffer, on_event=printer.handle, cancel=cancel
        )

    return upload


def _size(text: str | None, option: str) -> int | None:
    return parse_size(text, option=option) if text else None


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """What a file and a stream upload are asked alike."""
    return {
        "container": args.container,
        "segment_size": _size(args.segment_size, "--segment-size"),
        "threads": args.threads,
        "segment_container": args.segment_container,
        "delete_at": (
            parse_delete_at(args.delete_at, option="--delete-at") if args.delete_at else None
        ),
        "delete_after": (
            parse_duration(args.delete_after, option="--delete-after")
            if args.delete_after
            else None
        ),
        "leave_segments": args.leave_segments,
        "compute_sha256": not args.no_sha256,
    }


def _print_preview(printer: Printer, upload: UploadPreview) -> None:
    """``--dry-run``: the plan's lines (or one ``dry_run`` JSON event); nothing is sent."""
    plan = upload.decision.plan
    printer.report(
        "dry_run",
        [line.text for line in upload.lines],
        segment_size=plan.segment_size,
        segment_count=plan.segment_count,
        resumes=upload.decision.resume is not None,
    )
    printer.close()


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
    for flag, given in (
        ("--leave-segments", args.leave_segments),
        ("--no-sha256", args.no_sha256),
        ("--json", args.json),
    ):
        if given:
            words.append(flag)
    return shlex.join(words)


@contextlib.contextmanager
def _stop_on_signals(cancel: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask the engine to stop cleanly; a second Ctrl-C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if cancel.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        cancel.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
