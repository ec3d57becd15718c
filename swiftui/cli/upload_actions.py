"""What ``swiftui upload`` does with its PATHs: one file, several files and directories,
or standard input (``-``). Each form is checked before any password is asked (bad
options, unreadable files, a terminal given as a pipe) and becomes an :data:`Action` run
once connected.

One regular FILE keeps the single-file behaviour (its object replaced, its segments
reused). A directory or several PATHs is a batch: one plan for all, files in turn, and
those already in Swift with the same size and date skipped, so the same command resumes
the set. A directory with unreadable files is refused, listing them, unless
``--skip-unreadable``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from swiftui.cli.output import Printer
from swiftui.errors import UsageError
from swiftui.swift import RateLimiter
from swiftui.units import parse_delete_at, parse_duration, parse_rate, parse_size
from swiftui.upload import (
    DEFAULT_SPOOL_MEMORY,
    Notice,
    SourceFile,
    StreamRequest,
    UploadEvent,
    UploadPreview,
    UploadRequest,
    check_request,
    collect_files,
    describe,
    plan_batch,
    preview,
    run_batch,
    run_stream_upload,
    run_upload,
)
from swiftui.upload.wording import files

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class Shown:
    """What an action runs with: the printer (a dry run reports its plan on it), the
    handler of the upload's events, and the cancel event (Ctrl-C, SIGTERM)."""

    printer: Printer[UploadEvent]
    on_event: Callable[[UploadEvent], None]
    cancel: threading.Event


Action = Callable[["SwiftService", Shown], None]
"""What the command does once connected: upload, or print a plan."""

STREAM_OPTIONS = (
    ("--expected-size", "expected_size"),
    ("--spool-dir", "spool_dir"),
    ("--spool-memory", "spool_memory"),
)
# At most this many unreadable files are named in the refusal.
LISTED_UNREADABLE = 5


def choose_action(args: argparse.Namespace) -> Action:
    if is_stream(args):
        return _stream_action(args)
    if any(str(path) == "-" for path in args.paths):
        raise UsageError("standard input (-) is uploaded alone: give no other PATH")
    for option, value in STREAM_OPTIONS:
        if getattr(args, value) is not None:
            raise UsageError(f"{option} is for standard input (PATH -) only")
    [first, *others] = args.paths
    if not others and not first.is_dir():
        return _file_action(args)
    return _batch_action(args)


def is_stream(args: argparse.Namespace) -> bool:
    return [str(path) for path in args.paths] == ["-"]


def _file_action(args: argparse.Namespace) -> Action:
    [path] = args.paths
    request = UploadRequest(local_path=path, object_name=args.object_name, **_settings(args))
    check_request(request)
    with SourceFile(path):
        pass

    def upload(service: SwiftService, shown: Shown) -> None:
        if args.dry_run:
            _print_preview(shown.printer, preview(service, request))
        else:
            run_upload(service, request, on_event=shown.on_event, cancel=shown.cancel)

    return upload


def _stream_action(args: argparse.Namespace) -> Action:
    if not args.object_name:
        raise UsageError(
            "reading standard input (-) needs --object-name NAME: the object's name in CONTAINER"
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

    def upload(service: SwiftService, shown: Shown) -> None:
        # Standard input reopened as a BufferedReader, whose readinto the typing of
        # sys.stdin.buffer does not promise; the descriptor stays open.
        with open(sys.stdin.fileno(), "rb", closefd=False) as stdin:
            run_stream_upload(service, request, stdin, on_event=shown.on_event, cancel=shown.cancel)

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
        # One limiter for every thread and every file of this upload.
        "rate_limiter": (
            RateLimiter(parse_rate(args.limit_rate, option="--limit-rate"))
            if args.limit_rate
            else None
        ),
    }


def _print_preview(printer: Printer[UploadEvent], upload: UploadPreview) -> None:
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


def _batch_action(args: argparse.Namespace) -> Action:
    local = collect_files(args.paths, object_name=args.object_name)
    if local.unreadable and not args.skip_unreadable:
        listed = "; ".join(local.unreadable[:LISTED_UNREADABLE])
        more = len(local.unreadable) - LISTED_UNREADABLE
        raise UsageError(
            f"{files(len(local.unreadable))} cannot be read, nothing was uploaded: {listed}"
            + (f" and {more} more" if more > 0 else "")
            + " (--skip-unreadable uploads the others)"
        )
    if not local.files:
        raise UsageError("no file to upload in " + ", ".join(str(path) for path in args.paths))
    settings = _settings(args)
    requests = [
        UploadRequest(local_path=path, object_name=name, **settings) for path, name in local.files
    ]
    for request in requests:
        check_request(request)

    def upload(service: SwiftService, shown: Shown) -> None:
        for what in (*local.skipped, *(local.unreadable if args.skip_unreadable else ())):
            shown.on_event(Notice(f"skipped {what}"))
        plan = plan_batch(service, requests)
        if args.dry_run:
            event = plan.event()
            shown.printer.report(
                "dry_run",
                (describe(event) or "").splitlines(),
                files=event.files,
                files_to_send=event.files_to_send,
                bytes_to_send=event.bytes_to_send,
            )
        else:
            run_batch(service, plan, on_event=shown.on_event, cancel=shown.cancel)

    return upload
