"""``swiftui download`` and ``swiftui unseal``: restore an archive, headless.

``download`` writes the object to a file (resumable: the same command after any
interruption fetches only what is missing) or, with ``-o -``, to standard output in order
(not resumable); its progress goes to stdout, or to stderr when the data does. On Cloud
Archive it asks for the unsealing of everything it needs at once, then waits with a
countdown (``--no-wait``: exit 8 with the time to come back). ``unseal`` only asks, and
reports when the objects will be readable (exit 8 while some are unsealing).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from swiftui.cli.common import add_auth_options, connect_args, stop_on_signals
from swiftui.cli.output import Printer, Wording, printer, run_shown
from swiftui.cli.wording import error_line
from swiftui.download import (
    DownloadEvent,
    DownloadFailed,
    DownloadPlanned,
    DownloadRequest,
    Readiness,
    Resolution,
    UnsealWaiting,
    check_request,
    countdown_text,
    describe,
    event_to_dict,
    make_readable,
    ready_text,
    run_download,
    stream_download,
    unseal_round,
)
from swiftui.errors import NotReadyError, SwiftuiError, UsageError
from swiftui.swift import RateLimiter
from swiftui.units import parse_rate
from swiftui.upload import DEFAULT_THREADS, Progress, SegmentDone, status_line

COUNTDOWN_LOG_EVERY_S = 60.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    download = subparsers.add_parser(
        "download",
        help="download an object (SLO, DLO, plain), verified and resumable",
        description="Download OBJECT of CONTAINER, its parts in parallel, each segment's md5 "
        "checked against the manifest, then the SLO etag, the size and the stored SHA-256. "
        "Interrupted? Run the same command again: only missing parts are fetched. On Cloud "
        "Archive, unsealing of everything needed is asked for at once and awaited.",
    )
    add_auth_options(download)
    download.add_argument("container", metavar="CONTAINER")
    download.add_argument("object", metavar="OBJECT")
    download.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the file to write, a directory to write it in, or - for standard output "
        "(default: the object's last name component, here)",
    )
    download.add_argument(
        "--threads",
        metavar="N",
        type=int,
        default=DEFAULT_THREADS,
        help=f"parts fetched in parallel (default: {DEFAULT_THREADS})",
    )
    download.add_argument(
        "--limit-rate",
        metavar="RATE",
        help="receive at most this much per second over all threads: 20MiB, 2.5MB/s, 160Mbit "
        "(default: no cap)",
    )
    download.add_argument("--force", action="store_true", help="replace an existing file")
    download.add_argument(
        "--no-wait",
        action="store_true",
        help="on Cloud Archive: ask for unsealing, then exit 8 with the time it will be ready",
    )
    download.add_argument("--json", action="store_true", help="one JSON event per line")
    download.set_defaults(handler=run)

    unseal = subparsers.add_parser(
        "unseal",
        help="ask Cloud Archive to unseal objects (and their segments)",
        description="Ask for the unsealing of each OBJECT and, for a large object, of its "
        "manifest and every segment, then say when they will be readable. Exit 0 when all "
        "are readable, 8 while some are unsealing (--wait: wait for them).",
    )
    add_auth_options(unseal)
    unseal.add_argument("container", metavar="CONTAINER")
    unseal.add_argument("objects", metavar="OBJECT", nargs="+")
    unseal.add_argument("--wait", action="store_true", help="wait until all are readable")
    unseal.add_argument("--json", action="store_true", help="JSON lines")
    unseal.set_defaults(handler=run_unseal)


def _status(event: DownloadEvent) -> str | None:
    if isinstance(event, Progress):
        return status_line(event)
    if isinstance(event, UnsealWaiting):
        return countdown_text(event)
    return None


WORDING: Wording[DownloadEvent] = Wording(
    describe=describe,
    status=_status,
    to_dict=event_to_dict,
    segment_total=lambda event: event.parts if isinstance(event, DownloadPlanned) else None,
    segment_done=lambda event: isinstance(event, SegmentDone),
    every_s=lambda event: COUNTDOWN_LOG_EVERY_S if isinstance(event, UnsealWaiting) else None,
)


def run(args: argparse.Namespace) -> int:
    to_stdout = args.output == "-"
    request = DownloadRequest(
        container=args.container,
        object_name=args.object,
        output=None if args.output in (None, "-") else Path(args.output),
        threads=args.threads,
        force=args.force,
        wait=not args.no_wait,
        rate_limiter=(
            RateLimiter(parse_rate(args.limit_rate, option="--limit-rate"))
            if args.limit_rate
            else None
        ),
    )
    # Bad options, an existing or unwritable target: refused before asking for a password.
    check_request(request, to_file=not to_stdout)
    if to_stdout and sys.stdout.isatty():
        raise UsageError(
            "-o - writes the object to standard output: pipe it (| tar x) or redirect it"
        )
    cloud, region = connect_args(args)
    shown = printer(args.json, sys.stderr if to_stdout else sys.stdout, WORDING)
    service = cloud.service(region)

    def work(on_event: Callable[[DownloadEvent], None], cancel: threading.Event) -> object:
        if to_stdout:
            return stream_download(
                service, request, sys.stdout.buffer, on_event=on_event, cancel=cancel
            )
        return run_download(service, request, on_event=on_event, cancel=cancel)

    try:
        error, resumable = run_shown(
            shown,
            work,
            lambda event: event.resumable if isinstance(event, DownloadFailed) else None,
        )
    finally:
        cloud.close()
    if error is None:
        return 0
    hint = " (the same command resumes the download)" if resumable else ""
    print(error_line(error) + hint, file=sys.stderr)
    return error.exit_code


# -- unseal ----------------------------------------------------------------------------------


def run_unseal(args: argparse.Namespace) -> int:
    targets = [(args.container, name) for name in args.objects]
    cloud, region = connect_args(args)
    shown = printer(args.json, sys.stdout, WORDING)
    cancel = threading.Event()
    try:
        swift = cloud.service(region)
        readiness = unseal_round(swift, targets, sliced=False, threads=DEFAULT_THREADS)
        _report(readiness, shown, args.json)
        if readiness.ready or not args.wait:
            return 0 if readiness.ready else NotReadyError.exit_code
        with stop_on_signals(cancel):
            resolutions = make_readable(
                swift,
                targets,
                sliced=False,
                threads=DEFAULT_THREADS,
                wait=True,
                on_event=shown.show,
                cancel=cancel,
            )
        _report(Readiness(tuple(resolutions), 0), shown, args.json)
        return 0
    except SwiftuiError as error:
        shown.close()
        print(error_line(error), file=sys.stderr)
        return error.exit_code
    finally:
        cloud.close()
        shown.close()


def _report(readiness: Readiness, shown: Printer[DownloadEvent], as_json: bool) -> None:
    now = time.time()
    for resolution in readiness.resolutions:
        one = Readiness((resolution,), 0)
        if as_json:
            shown.line(json.dumps(_object_dict(resolution, one, now), separators=(",", ":")))
        else:
            shown.line(_object_line(resolution, one, now))


def _object_dict(resolution: Resolution, one: Readiness, now: float) -> dict[str, Any]:
    ready_in = one.ready_in_s
    return {
        "event": "unseal_status",
        "container": resolution.container,
        "object": resolution.name,
        "kind": str(resolution.facts.kind),
        "archived_objects": len(resolution.needed),
        "readable": len(resolution.needed) - len(resolution.waiting),
        "ready": resolution.ready,
        "ready_in_s": ready_in,
        "ready_at": None if ready_in is None else now + ready_in,
        "notes": list(resolution.notes),
    }


def _object_line(resolution: Resolution, one: Readiness, now: float) -> str:
    where = f"{resolution.container}/{resolution.name}"
    needed = len(resolution.needed)
    if not needed and resolution.ready:
        text = f"{where}: not on Cloud Archive, readable now"
    elif resolution.ready:
        text = f"{where}: readable ({needed} archived object{'s' if needed != 1 else ''} unsealed)"
    else:
        waiting = len(resolution.waiting)
        text = (
            f"{where}: {waiting} of {needed} archived objects unsealing; "
            f"{ready_text(one.ready_in_s, now)}"
        )
    return "\n".join([text, *(f"  {note}" for note in resolution.notes)])
