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
from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.units import (
    format_bytes,
    format_eta,
    format_rate,
    parse_delete_at,
    parse_duration,
    parse_size,
)
from swiftui.upload.engine import DEFAULT_THREADS, UploadRequest, check_request, run_upload
from swiftui.upload.events import (
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentRetrying,
    UploadEvent,
    UploadFailed,
    UploadFinished,
    UploadResult,
    event_to_dict,
)
from swiftui.upload.source import SourceFile


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
    printer = _printer(args.json, sys.stdout)
    cancel = threading.Event()
    try:
        with _stop_on_signals(cancel):
            run_upload(service, request, on_event=printer.handle, cancel=cancel)
    except SwiftuiError as error:
        printer.close()
        print(f"swiftui: {error}", file=sys.stderr)
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
        if isinstance(event, SegmentDone):
            self._segments_done += 1
        text = describe(event, self._segments_done, self._segments_total)
        if isinstance(event, PlanReady):
            self._segments_total = event.segment_count
        if text:
            self.line(text)


class _LivePrinter(_Printer):
    """A terminal: plan, notices and retries as lines, and one status line kept current."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._status = ""
        self._segments_total = 0
        self._segments_done = 0

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, PlanReady):
            self._segments_total = event.segment_count
        if isinstance(event, Progress):
            self._draw(status_line(event))
            return
        if isinstance(event, SegmentDone):
            self._segments_done += 1
            return
        text = describe(event, self._segments_done, self._segments_total)
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


def status_line(progress: Progress) -> str:
    percent = 100 * progress.bytes_done / progress.bytes_total if progress.bytes_total else 100
    return (
        f"{format_bytes(progress.bytes_done)} / {format_bytes(progress.bytes_total)}  "
        f"{percent:3.0f}%  {format_rate(progress.rate_bps)}  ETA {format_eta(progress.eta_s)}  "
        f"segments {progress.segments_done}/{progress.segments_total}"
    )


def describe(event: UploadEvent, segments_done: int, segments_total: int) -> str | None:
    """One line for a human, or None for events only a live display shows."""
    if isinstance(event, PlanReady):
        where = f"{event.container}/{event.object_name}"
        text = f"uploading {event.local_path} to {where}: {event.explanation}"
        if event.segment_container:
            text += f", segments in {event.segment_container}"
        if event.delete_at is not None:
            text += f", expires {_local_time(event.delete_at)}"
        return "\n".join([text, *(f"  {note}" for note in event.notes)])
    if isinstance(event, SegmentDone):
        how = "already in Swift, md5 matches" if event.reused else "sent"
        return (
            f"[{segments_done}/{segments_total}] segment {event.index + 1} {how} "
            f"({format_bytes(event.length)}, etag {event.etag})"
        )
    if isinstance(event, SegmentRetrying):
        return (
            f"segment {event.index + 1}: {event.reason}; attempt {event.attempt} "
            f"in {event.delay_s:.1f} s"
        )
    if isinstance(event, RequestRetrying):
        return f"{event.what}: {event.reason}; attempt {event.attempt} in {event.delay_s:.1f} s"
    if isinstance(event, SegmentFailed):
        return f"segment {event.index + 1} failed: {event.reason}"
    if isinstance(event, Notice):
        return event.message
    if isinstance(event, ManifestWriting):
        return f"writing the manifest of {event.segment_count} segments"
    if isinstance(event, OldSegmentsDeleted):
        return f"deleted {event.count} segments of the replaced object"
    if isinstance(event, UploadFinished):
        return summary(event.result)
    return None


def summary(result: UploadResult) -> str:
    elapsed = max(result.elapsed_s, 0.001)
    where = f"{result.container}/{result.object_name}"
    text = (
        f"done: {where} is {format_bytes(result.size)}, sent {format_bytes(result.bytes_sent)} "
        f"in {elapsed:.1f} s ({format_rate(result.bytes_sent / elapsed)})"
    )
    if result.is_slo:
        text += f", {result.segment_count} segments in {result.segment_container}"
        if result.reused_segments:
            text += f" ({result.reused_segments} reused)"
    text += f", etag {result.etag}"
    if result.delete_at is not None:
        text += f", expires {_local_time(result.delete_at)}"
    return text


def _local_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(sep=" ", timespec="seconds")
