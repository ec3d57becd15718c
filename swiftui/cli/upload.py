"""``swiftui upload``: one large file to Swift, segmented, resumable, with progress.

On a terminal: one live status line. Without one (cron, nohup, a pipe): a timestamped
line per finished segment and a summary, no control characters. ``--json``: one JSON
event per line. Ctrl-C (or SIGTERM) stops within about a second, keeps what was sent and
prints the command that resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import shutil
import signal
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from swiftui.cli.common import add_auth_options, auth_option, connect_args
from swiftui.cli.wording import error_line
from swiftui.errors import OperationCancelled, SwiftuiError
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
    parser.add_argument(
        "--no-sha256",
        action="store_true",
        help="do not compute the file's SHA-256 (stored as X-Object-Meta-Sha256 for stat, "
        "verify and download to check)",
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
        compute_sha256=not args.no_sha256,
    )
    # A bad option or an unreadable file is refused before asking for a password.
    check_request(request)
    with SourceFile(args.file):
        pass
    cloud, region = connect_args(args)
    service = cloud.service(region)
    printer = _printer(args.json, sys.stdout)
    cancel = threading.Event()
    try:
        with _stop_on_signals(cancel):
            run_upload(service, request, on_event=printer.handle, cancel=cancel)
    except SwiftuiError as error:
        printer.close()
        print(error_line(error), file=sys.stderr)
        if isinstance(error, OperationCancelled) or printer.resumable:
            print(f"swiftui: resume with: {resume_command(args, region)}", file=sys.stderr)
        return error.exit_code
    finally:
        cloud.close()
    printer.close()
    return 0


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
    if args.no_sha256:
        words.append("--no-sha256")
    if args.json:
        words.append("--json")
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


class _Printer(ABC):
    """Shared by the three output styles: remembers whether the upload can be resumed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.resumable = False

    def handle(self, event: UploadEvent) -> None:
        if isinstance(event, UploadFailed):
            self.resumable = event.resumable
        self.show(event)

    @abstractmethod
    def show(self, event: UploadEvent) -> None: ...

    def close(self) -> None:
        self.write("")

    def line(self, text: str) -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        """Output that nobody reads any more (a closed pipe) must not stop the upload."""
        if self.out.closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                self.out.close()


class _JsonPrinter(_Printer):
    def show(self, event: UploadEvent) -> None:
        self.line(json.dumps(event_to_dict(event), separators=(",", ":")))


class _LogPrinter(_Printer):
    """No terminal: one timestamped line per thing that happened, for cron mails and logs."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._segments_total = 0
        self._segments_done = 0

    def line(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
        for part in text.splitlines():
            super().line(f"{stamp} {part}")

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, PlanReady):
            self._segments_total = event.segment_count
        text = describe(event)
        if isinstance(event, SegmentDone):
            self._segments_done += 1
            text = f"[{self._segments_done}/{self._segments_total}] {text}"
        if text:
            self.line(text)


class _LivePrinter(_Printer):
    """A terminal: plan, notices and retries as lines, and one status line kept current."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._status = ""

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, Progress):
            self._draw(status_line(event))
            return
        if isinstance(event, SegmentDone):
            return
        text = describe(event)
        if text:
            self._draw("")
            self.line(text)

    def _draw(self, status: str) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)
        self._status = status[:width]
        self.write("\r\x1b[K" + self._status)

    def close(self) -> None:
        if self._status:
            self.write("\n")
            self._status = ""
        super().close()


def _printer(as_json: bool, out: TextIO) -> _Printer:
    if as_json:
        return _JsonPrinter(out)
    return _LivePrinter(out) if out.isatty() else _LogPrinter(out)
