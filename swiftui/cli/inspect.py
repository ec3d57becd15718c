"""``swiftui list``, ``stat`` and ``verify``: what the account holds, headless, for scripts.

``list`` (``ls``) shows containers, or a container's objects (``--long``: logical size,
date, kind and Cloud Archive's seal state); ``stat`` what ``swift stat`` shows plus the
kind, segments, expiry, seal state and SHA-256; ``verify`` checks an SLO's segments and
etag as the TUI does (exit 9 when anything is wrong). ``--json`` everywhere.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from swiftui.browse import ObjectKind, format_moment, verify_manifest
from swiftui.cli.common import add_auth_options, connect_args
from swiftui.download import resolve_object
from swiftui.errors import IntegrityError
from swiftui.inventory import (
    ObjectStatus,
    container_missing,
    list_objects,
    object_status,
    status_headers,
)
from swiftui.swift import SealState, SwiftService
from swiftui.units import format_bytes, format_eta


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = subparsers.add_parser(
        "list",
        aliases=["ls"],
        help="list containers, or the objects of a container",
        description="Without CONTAINER: the containers. With it: its objects (--long: "
        "logical size, date, kind, Cloud Archive seal state).",
    )
    add_auth_options(listing)
    listing.add_argument("container", metavar="CONTAINER", nargs="?")
    listing.add_argument("--prefix", default="", help="only names that start so")
    listing.add_argument("--long", action="store_true", help="sizes, dates, kinds")
    listing.add_argument("--json", action="store_true", help="a JSON list")
    listing.set_defaults(handler=run_list)

    stat = subparsers.add_parser(
        "stat",
        help="a container's or an object's details",
        description="What `swift stat` shows, plus an object's kind, segment count, "
        "segments container, expiry, Cloud Archive seal state and stored SHA-256.",
    )
    add_auth_options(stat)
    stat.add_argument("container", metavar="CONTAINER")
    stat.add_argument("object", metavar="OBJECT", nargs="?")
    stat.add_argument("--json", action="store_true", help="a JSON object")
    stat.set_defaults(handler=run_stat)

    verify = subparsers.add_parser(
        "verify",
        help="check that a large object is whole (exit 9 if not)",
        description="Check every segment of an SLO (exists, size and etag as its manifest "
        "says) and the SLO's etag, without downloading; a DLO's etag against its listing. "
        "Exit 9 when anything is wrong.",
    )
    add_auth_options(verify)
    verify.add_argument("container", metavar="CONTAINER")
    verify.add_argument("object", metavar="OBJECT")
    verify.add_argument("--json", action="store_true", help="a JSON verdict")
    verify.set_defaults(handler=run_verify)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


# -- list ------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    cloud, region = connect_args(args)
    try:
        swift = cloud.service(region)
        if args.container:
            _list_objects(swift, args)
        else:
            _list_containers(swift, args)
    finally:
        cloud.close()
    return 0


def _list_containers(swift: SwiftService, args: argparse.Namespace) -> None:
    containers = [info for info in swift.iter_containers() if info.name.startswith(args.prefix)]
    if args.json:
        _print_json(
            [
                {
                    "name": c.name,
                    "count": c.count,
                    "bytes": c.bytes,
                    "last_modified": c.last_modified,
                }
                for c in containers
            ]
        )
        return
    for info in containers:
        if args.long:
            print(f"{info.count:>10} {format_bytes(info.bytes):>11}  {info.name}")
        else:
            print(info.name)


def _list_objects(swift: SwiftService, args: argparse.Namespace) -> None:
    detailed = args.long or args.json
    objects = list(list_objects(swift, args.container, prefix=args.prefix, detailed=detailed))
    if args.json:
        _print_json(
            [
                {
                    "name": item.entry.name,
                    "bytes": item.size,
                    "kind": str(item.kind),
                    "last_modified": item.entry.last_modified,
                    "content_type": item.entry.content_type,
                    "etag": (item.entry.slo_etag or item.entry.etag).strip('"'),
                    "seal_state": item.entry.retrieval.state,
                    "unseal_delay_s": item.entry.retrieval.delay_s,
                }
                for item in objects
            ]
        )
        return
    archived = any(item.entry.retrieval.archived for item in objects)
    for item in objects:
        if not args.long:
            print(item.entry.name)
            continue
        seal = ""
        if archived:
            retrieval = item.entry.retrieval
            seal = f"{retrieval.state or '':<10} "
        when = format_moment(item.modified)
        print(f"{format_bytes(item.size):>11}  {when:16}  {item.kind:<7} {seal}{item.entry.name}")


# -- stat ------------------------------------------------------------------------------------


def run_stat(args: argparse.Namespace) -> int:
    cloud, region = connect_args(args)
    try:
        swift = cloud.service(region)
        if args.object is None:
            _stat_container(swift, args)
        else:
            _stat_object(swift, args)
    finally:
        cloud.close()
    return 0


def _account(swift: SwiftService) -> str:
    return urlsplit(swift.storage_url).path.rstrip("/").rsplit("/", 1)[-1]


def _show(rows: list[tuple[str, str]]) -> None:
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:>{width}}: {value}")


def _stat_container(swift: SwiftService, args: argparse.Namespace) -> None:
    headers = swift.container_headers(args.container)
    if headers is None:
        raise container_missing(swift, args.container)
    summary = {
        "account": _account(swift),
        "container": args.container,
        "objects": int(headers.get("X-Container-Object-Count", 0)),
        "bytes": int(headers.get("X-Container-Bytes-Used", 0)),
        "storage_policy": headers.get("X-Storage-Policy", ""),
        "read_acl": headers.get("X-Container-Read", ""),
        "write_acl": headers.get("X-Container-Write", ""),
        "headers": dict(headers),
    }
    if args.json:
        _print_json(summary)
        return
    rows = [
        ("Account", summary["account"]),
        ("Container", args.container),
        ("Objects", str(summary["objects"])),
        ("Bytes", f"{summary['bytes']} ({format_bytes(summary['bytes'])})"),
        ("Storage Policy", summary["storage_policy"]),
        ("Read ACL", summary["read_acl"]),
        ("Write ACL", summary["write_acl"]),
    ]
    rows += [
        (key, value)
        for key, value in headers.items()
        if key.lower().startswith("x-container-meta-")
    ]
    _show(rows)


def _seal_text(status: ObjectStatus) -> str:
    retrieval = status.retrieval
    if retrieval.state is SealState.UNSEALING:
        left = "unknown" if retrieval.delay_s is None else format_eta(retrieval.delay_s)
        return f"unsealing, readable in {left}"
    if retrieval.state is SealState.SEALED:
        return "sealed (download or unseal asks for its unsealing)"
    return str(retrieval.state)


def _stat_object(swift: SwiftService, args: argparse.Namespace) -> None:
    status = object_status(swift, args.container, args.object)
    facts = status.facts
    mtime = facts.metadata.get("mtime")
    file_date = _timestamp_text(mtime)
    summary: dict[str, Any] = {
        "account": _account(swift),
        "container": args.container,
        "object": args.object,
        "kind": str(facts.kind),
        "bytes": facts.size,
        "etag": facts.etag,
        "content_type": facts.content_type,
        "last_modified": facts.last_modified.isoformat() if facts.last_modified else None,
        "segment_count": status.segment_count,
        "segment_containers": list(status.segment_containers),
        "delete_at": facts.delete_at.isoformat() if facts.delete_at else None,
        "seal_state": status.retrieval.state,
        "unseal_delay_s": status.retrieval.delay_s,
        "sha256": status.sha256,
        "mtime": mtime,
        "notes": list(status.notes),
        "headers": facts.headers,
    }
    if args.json:
        _print_json(summary)
        return
    rows = [
        ("Account", summary["account"]),
        ("Container", args.container),
        ("Object", args.object),
        ("Kind", str(facts.kind)),
        ("Content Type", facts.content_type),
        ("Content Length", f"{facts.size} ({format_bytes(facts.size)})"),
        ("Last Modified", format_moment(facts.last_modified)),
        ("ETag", facts.etag),
    ]
    if facts.kind is ObjectKind.DLO:
        rows.append(("Manifest", f"{facts.dlo_container}/{facts.dlo_prefix}"))
    if facts.kind in (ObjectKind.SLO, ObjectKind.DLO):
        count = "unknown" if status.segment_count is None else str(status.segment_count)
        rows.append(("Segments", count))
        rows.append(("Segments Container", ", ".join(status.segment_containers) or "unknown"))
    rows.append(("Expires", format_moment(facts.delete_at) if facts.delete_at else "never"))
    if status.retrieval.archived:
        rows.append(("Cloud Archive", _seal_text(status)))
    rows.append(("SHA-256", status.sha256 or "not stored"))
    if file_date:
        rows.append(("File Date", file_date))
    rows += [
        (f"Meta {key.title()}", value)
        for key, value in facts.metadata.items()
        if key not in ("mtime", "sha256")
    ]
    rows += [("Note", note) for note in status.notes]
    rows += list(status_headers(facts.headers).items())
    _show(rows)


def _timestamp_text(value: str | None) -> str:
    try:
        return format_moment(datetime.fromtimestamp(float(value or ""), UTC))
    except ValueError:
        return ""


# -- verify ----------------------------------------------------------------------------------


def run_verify(args: argparse.Namespace) -> int:
    cloud, region = connect_args(args)
    try:
        swift = cloud.service(region)
        status = object_status(swift, args.container, args.object)
        verdict = _verdict(swift, status, args)
    finally:
        cloud.close()
    if args.json:
        _print_json(verdict)
    else:
        for line in verdict["problems"]:
            print(f"  {line['label']}: {line['explanation']}")
        print(verdict["summary"])
        if status.sha256:
            print(f"SHA-256 stored by the upload: {status.sha256} (download checks it)")
    return 0 if verdict["ok"] else IntegrityError.exit_code


def _verdict(swift: SwiftService, status: ObjectStatus, args: argparse.Namespace) -> dict[str, Any]:
    where = f"{args.container}/{args.object}"
    facts = status.facts
    verdict: dict[str, Any] = {
        "container": args.container,
        "object": args.object,
        "kind": str(facts.kind),
        "etag": facts.etag,
        "sha256": status.sha256,
        "problems": [],
    }
    if facts.kind is ObjectKind.SLO and not status.retrieval.readable:
        # Reading a sealed manifest would start its unsealing: its segments were found
        # by name, and proven (or not) by the archive's size and Etag.
        verdict["ok"] = status.segment_count is not None
        verdict["segments"] = status.segment_count
        verdict["summary"] = f"{where}: " + "; ".join(status.notes)
        return verdict
    if facts.kind is ObjectKind.SLO:
        check = verify_manifest(swift, args.container, args.object)
        verdict["ok"] = check.ok
        verdict["segments"] = len(check.segments)
        verdict["expected_etag"] = check.expected_etag
        verdict["problems"] = [
            {
                "index": problem.index,
                "label": f"segment #{problem.index} {problem.segment.path.lstrip('/')}",
                "state": str(problem.state),
                "explanation": problem.explanation,
            }
            for problem in check.problems
        ]
        verdict["summary"] = check.summary
        if check.ok:
            verdict["summary"] += f", SLO etag {check.actual_etag} matches"
        return verdict
    if facts.kind is ObjectKind.DLO:
        layout = resolve_object(swift, args.container, args.object, sliced=False).layout
        assert layout is not None
        verdict["ok"] = layout.etag == facts.etag
        verdict["segments"] = len(layout.parts)
        verdict["expected_etag"] = layout.etag
        verdict["summary"] = f"{where}: DLO of {len(layout.parts)} segments, etag " + (
            "matches its listing"
            if verdict["ok"]
            else f"{facts.etag} but its listing gives {layout.etag}"
        )
        return verdict
    verdict["ok"] = True
    verdict["summary"] = (
        f"{where}: a plain object ({format_bytes(facts.size)}, etag {facts.etag}): Swift "
        "checks its md5 itself; download checks the bytes"
    )
    return verdict
