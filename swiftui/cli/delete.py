"""``swiftui rm``, ``prune`` and ``orphans``: delete archives with their segments, safely.

Each command plans first and prints the plan (manifests, segments, bytes, containers,
shared segments kept). Without ``--yes`` a terminal asks; without a terminal nothing is
deleted and the exit code is 6. A failed deletion exits 5 and says what is left; Ctrl-C
stops after the requests in flight (exit 130).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TYPE_CHECKING

from swiftui.cli.common import add_auth_options, confirm, connect_args
from swiftui.deletion import (
    DeletionPlan,
    DeletionProgress,
    DeletionSummary,
    describe_plan,
    describe_summary,
    execute_deletion,
    plan_deletion,
)
from swiftui.errors import OperationCancelled, SwiftError, UsageError
from swiftui.orphans import (
    DEFAULT_MIN_AGE_S,
    describe_group,
    describe_sealed,
    find_orphans,
    forget_deleted_uploads,
)
from swiftui.retention import (
    check_prune_rules,
    format_date,
    list_archives,
    select_for_prune,
)
from swiftui.units import format_bytes, parse_duration, plural

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rm = subparsers.add_parser(
        "rm",
        help="delete archives with their segments (segments other archives use are kept)",
        description="Delete objects completely: an SLO with its segments, a DLO with its "
        "prefix segments, a plain object. Segments another manifest references are kept.",
    )
    add_auth_options(rm)
    rm.add_argument("container", metavar="CONTAINER")
    rm.add_argument("objects", metavar="OBJECT", nargs="+")
    _add_safety_options(rm, dry_run=True)
    rm.set_defaults(handler=run_rm)

    prune = subparsers.add_parser(
        "prune",
        help="delete archives older than a duration, or all but the N newest",
        description="Retention: select archives by age (the file date, X-Object-Meta-Mtime, "
        "else the upload date), by count (the N newest are always kept), and by prefix; "
        "delete them with their segments.",
    )
    add_auth_options(prune)
    prune.add_argument("container", metavar="CONTAINER")
    prune.add_argument("--prefix", default="", help="only archives whose name starts so")
    prune.add_argument(
        "--older-than", metavar="DUR", help="select archives older than this (365d, 12w, 36h)"
    )
    prune.add_argument(
        "--keep-last",
        metavar="N",
        type=int,
        help="never delete the N newest archives (alone: delete all but them)",
    )
    _add_safety_options(prune, dry_run=True)
    prune.set_defaults(handler=run_prune)

    orphans = subparsers.add_parser(
        "orphans",
        help="find (and delete) segments no manifest references",
        description="List segments of CONTAINER and CONTAINER_segments that no manifest "
        "references, grouped by upload; --delete removes the groups selected by default "
        "(not resumable, not recent).",
    )
    add_auth_options(orphans)
    orphans.add_argument("container", metavar="CONTAINER")
    orphans.add_argument("--delete", action="store_true", help="delete the selected groups")
    orphans.add_argument(
        "--min-age",
        metavar="DUR",
        default=None,
        help="leave groups written more recently than this (default: 1d; 0 for none)",
    )
    orphans.add_argument(
        "--include-resumable",
        action="store_true",
        help="also delete uploads a resume journal could continue (and forget the journal)",
    )
    _add_safety_options(orphans, dry_run=False)
    orphans.set_defaults(handler=run_orphans)


def _add_safety_options(parser: argparse.ArgumentParser, *, dry_run: bool) -> None:
    parser.add_argument("--yes", action="store_true", help="delete without asking")
    if dry_run:
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be deleted; delete nothing"
        )
    parser.add_argument(
        "--also-check",
        metavar="CONTAINER",
        action="append",
        default=[],
        help="also read the manifests of this container for shared segments (repeatable)",
    )


# -- commands -------------------------------------------------------------------------------


def run_rm(args: argparse.Namespace) -> int:
    service = _service(args)
    plan = plan_deletion(service, args.container, args.objects, also_check=args.also_check)
    _print_lines(describe_plan(plan))
    if plan.refused:
        names = ", ".join(kept.object.label for kept in plan.refused)
        raise UsageError(f"nothing deleted: {names} is a segment another manifest needs")
    if args.dry_run:
        print("Dry run: nothing deleted.")
        return 0
    _confirm_and_delete(service, plan, yes=args.yes)
    return 0


def run_prune(args: argparse.Namespace) -> int:
    older_than = parse_duration(args.older_than, option="--older-than") if args.older_than else None
    if older_than is None and args.keep_last is None:
        raise UsageError("prune: give --older-than DUR or --keep-last N (or both)")
    check_prune_rules(older_than, args.keep_last)
    service = _service(args)
    archives = list_archives(service, args.container, prefix=args.prefix)
    selection = select_for_prune(
        archives,
        prefix=args.prefix,
        older_than_s=older_than,
        keep_last=args.keep_last,
        now=time.time(),
    )
    where = f"{args.container!r}" + (f" under {args.prefix!r}" if args.prefix else "")
    print(f"Archives in {where}, newest first:")
    for decision in selection.decisions:
        archive = decision.archive
        print(
            f"  {'delete' if decision.delete else 'keep  '}  {format_date(archive.archive_time)}"
            f"  {format_bytes(archive.size):>10}  {archive.name}  ({decision.reason})"
        )
    if not selection.selected:
        print(f"Nothing to prune: {plural(len(selection.kept), 'archive')} kept.")
        return 0
    plan = plan_deletion(
        service,
        args.container,
        [archive.name for archive in selection.selected],
        also_check=args.also_check,
    )
    _print_lines(describe_plan(plan))
    if args.dry_run:
        print("Dry run: nothing deleted.")
        return 0
    _confirm_and_delete(service, plan, yes=args.yes)
    return 0


def run_orphans(args: argparse.Namespace) -> int:
    min_age = _parse_min_age(args.min_age)
    service = _service(args)
    now = time.time()
    report = find_orphans(service, args.container, also_check=args.also_check, min_age_s=min_age)
    for warning in report.warnings:
        print(f"swiftui: warning: {warning}", file=sys.stderr)
    chosen = [
        group
        for group in report.groups
        if (group.selected_by_default or (args.include_resumable and group.resumable))
        and not group.recent
        and group.deletable
    ]
    scanned = ", ".join(report.scanned) or "no container"
    _print_lines(describe_sealed(report))
    if not report.groups:
        print(
            f"No orphaned segments: nothing in {report.segment_container!r} or "
            f"{report.container!r} lacks a manifest (manifests read in {scanned})."
        )
        return 0
    print(
        f"Segments no manifest references, in {report.segment_container!r} and "
        f"{report.container!r} (manifests read in {scanned}):"
    )
    chosen_ids = {id(group) for group in chosen}
    for group in report.groups:
        mark = "delete" if id(group) in chosen_ids else "keep  "
        print(f"  {mark}  {describe_group(group, now=now)}")
    chosen_count = sum(group.count for group in chosen)
    chosen_bytes = sum(group.bytes for group in chosen)
    print(
        f"Total: {plural(len(report.groups), 'group')}, {plural(report.count, 'segment')}, "
        f"{format_bytes(report.bytes)}; selected {plural(len(chosen), 'group')}, "
        f"{plural(chosen_count, 'segment')}, {format_bytes(chosen_bytes)}"
    )
    if not args.delete or not chosen:
        if chosen:
            print("Nothing deleted: run again with --delete to delete the selected groups.")
        return 0
    plan = report.plan(chosen)
    _print_lines(describe_plan(plan))
    summary = _confirm_and_delete(service, plan, yes=args.yes, raise_if_incomplete=False)
    for path in forget_deleted_uploads(chosen, summary):
        print(f"Removed the resume journal {path}")
    _raise_if_incomplete(summary)
    return 0


# -- shared steps ---------------------------------------------------------------------------


def _service(args: argparse.Namespace) -> SwiftService:
    cloud, region = connect_args(args)
    return cloud.service(region)


def _parse_min_age(text: str | None) -> float:
    if text is None:
        return DEFAULT_MIN_AGE_S
    return parse_duration(text, option="--min-age", allow_zero=True)


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def _confirm_and_delete(
    service: SwiftService, plan: DeletionPlan, *, yes: bool, raise_if_incomplete: bool = True
) -> DeletionSummary:
    if plan.is_empty:
        print("Nothing to delete.")
        return execute_deletion(service, plan)
    confirm(
        f"Delete {plural(plan.object_count, 'object')} and "
        f"{plural(plan.segment_count, 'segment')} "
        f"({format_bytes(plan.bytes_total)})?",
        yes=yes,
    )
    summary = _execute_in_thread(service, plan)
    _print_lines(describe_summary(summary))
    if raise_if_incomplete:
        _raise_if_incomplete(summary)
    return summary


def _execute_in_thread(service: SwiftService, plan: DeletionPlan) -> DeletionSummary:
    """Run the deletion in a thread, so Ctrl-C can stop it cleanly between requests."""
    cancel = threading.Event()
    summaries: list[DeletionSummary] = []
    errors: list[BaseException] = []

    finished = threading.Event()

    def work() -> None:
        try:
            summaries.append(
                execute_deletion(service, plan, on_event=_print_progress, cancel=cancel)
            )
        except BaseException as error:
            errors.append(error)
        finally:
            finished.set()

    # Wait on our own event: a Thread.join() that Ctrl-C interrupts can make the next
    # join() and is_alive() say the thread ended while it still runs (CPython 3.11).
    threading.Thread(target=work, name="swiftui-delete", daemon=True).start()
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        cancel.set()
        print(
            "swiftui: stopping after the requests in flight (Ctrl-C again quits at once)",
            file=sys.stderr,
        )
        finished.wait()
    if errors:
        raise errors[0]
    return summaries[0]


def _print_progress(event: DeletionProgress) -> None:
    if not event.item_finished:
        return
    print(
        f"[{event.done}/{event.total} objects, {format_bytes(event.bytes_done)} of "
        f"{format_bytes(event.bytes_total)}] {event.item.label}",
        flush=True,
    )


def _raise_if_incomplete(summary: DeletionSummary) -> None:
    left = [*summary.objects_left]
    if summary.orphans_left:
        left.append(f"{plural(len(summary.orphans_left), 'segment')} without a manifest")
    left_text = f"; left: {', '.join(left)}" if left else ""
    if summary.cancelled:
        raise OperationCancelled(f"deletion cancelled{left_text}")
    if not summary.complete:
        raise SwiftError(f"deletion incomplete: {len(summary.failures)} failed{left_text}")
