"""Delete objects by bulk delete when the cluster offers it, one DELETE per object otherwise.

A bulk-delete reply counts deletions and lists failures without naming what succeeded:
when its numbers add up, every path it does not list as failed is gone; the failed ones,
and all of them when the request itself failed or the reply does not add up, are deleted
again one by one (a 404 then means already gone). The outcome of every object comes back,
so deletion and the upload's clean-up tell the user exactly what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING
from urllib.parse import unquote

from swiftui.errors import Aborted, SwiftuiError
from swiftui.swift.client import object_path
from swiftui.swift.retry import SINGLE_ATTEMPT

if TYPE_CHECKING:
    from swiftui.swift.client import SwiftService

ObjectKey = tuple[str, str]
"""(container, object name), both unquoted."""

# One DELETE per object runs on this many threads.
DELETE_THREADS = 4
# At most this many paths per bulk-delete request, whatever the cluster allows, so that
# progress and cancellation are not stuck behind one huge request.
BULK_CHUNK = 1000


class DeleteResult(Enum):
    DELETED = "deleted"
    ALREADY_GONE = "already gone"
    FAILED = "failed"
    NOT_TRIED = "not tried"
    """The cancel event was set before its request was sent."""

    @property
    def gone(self) -> bool:
        return self in (DeleteResult.DELETED, DeleteResult.ALREADY_GONE)


@dataclass(frozen=True)
class DeleteOutcome:
    key: ObjectKey
    result: DeleteResult
    reason: str = ""
    """Why it failed, in one line."""


@dataclass(frozen=True)
class DeleteReport:
    """What one request (bulk or not), or a whole :func:`delete_objects` call, did."""

    outcomes: tuple[DeleteOutcome, ...]
    not_found: int = 0
    """Of the objects a bulk reply counts as gone, how many it says were not there; it does
    not say which, so their outcome is ``DELETED``."""

    @property
    def gone(self) -> int:
        """Objects that are no longer there (deleted, or already gone)."""
        return sum(1 for outcome in self.outcomes if outcome.result.gone)

    @property
    def left(self) -> int:
        """Objects still there: refused, or not tried after a cancel."""
        return len(self.outcomes) - self.gone


ReportCallback = Callable[[DeleteReport], None]


def delete_objects(
    swift: SwiftService,
    keys: Sequence[ObjectKey],
    *,
    bulk: bool | None = None,
    chunk: int | None = None,
    on_report: ReportCallback | None = None,
) -> DeleteReport:
    """Delete ``keys`` (bulk delete when ``bulk``, None: when the cluster offers it), at
    most ``chunk`` paths per bulk request. ``on_report`` hears each request's outcomes on
    the calling thread. With ``swift``'s cancel event set, what is not sent yet is
    ``NOT_TRIED``; nothing is raised for a refused object."""
    if not keys:
        return DeleteReport(())
    limits = swift.limits()
    use_bulk = limits.bulk_delete_max is not None if bulk is None else bulk
    size = min(chunk or BULK_CHUNK, limits.bulk_delete_max or BULK_CHUNK)
    report = on_report or _ignore
    outcomes: list[DeleteOutcome] = []
    not_found = 0
    if not use_bulk or len(keys) == 1:
        outcomes = _delete_each(swift, keys, report)
        return DeleteReport(tuple(outcomes))
    for start in range(0, len(keys), size):
        batch = keys[start : start + size]
        if swift.cancel is not None and swift.cancel.is_set():
            outcomes += [DeleteOutcome(key, DeleteResult.NOT_TRIED) for key in batch]
            continue
        done = _bulk_delete(swift, batch)
        if done.outcomes:
            report(done)
        not_found += done.not_found
        settled = {outcome.key for outcome in done.outcomes}
        outcomes += done.outcomes
        outcomes += _delete_each(swift, [key for key in batch if key not in settled], report)
    return DeleteReport(tuple(outcomes), not_found)


def delete_object(swift: SwiftService, key: ObjectKey) -> DeleteOutcome:
    """One DELETE, retried by ``swift``'s policy; a 404 means already gone."""
    container, name = key
    try:
        response = swift.request(
            "DELETE", object_path(container, name), ok=(200, 202, 204, 404), what=_label(key)
        )
    except Aborted:
        return DeleteOutcome(key, DeleteResult.NOT_TRIED)
    except SwiftuiError as error:
        return DeleteOutcome(key, DeleteResult.FAILED, str(error))
    if response.status_code == 404:
        return DeleteOutcome(key, DeleteResult.ALREADY_GONE)
    return DeleteOutcome(key, DeleteResult.DELETED)


def _delete_each(
    swift: SwiftService, keys: Sequence[ObjectKey], report: ReportCallback
) -> list[DeleteOutcome]:
    """One DELETE per object, a few at a time; each outcome reported as it comes."""
    if len(keys) <= 1:
        outcomes = [delete_object(swift, key) for key in keys]
        for outcome in outcomes:
            report(DeleteReport((outcome,)))
        return outcomes
    outcomes = []
    with ThreadPoolExecutor(max_workers=DELETE_THREADS) as pool:
        futures = [pool.submit(delete_object, swift, key) for key in keys]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            report(DeleteReport((outcome,)))
    return outcomes


def _bulk_delete(swift: SwiftService, keys: Sequence[ObjectKey]) -> DeleteReport:
    """One bulk-delete request, sent once; the objects it does not clearly account for
    are left out of the report (the caller deletes them one by one)."""
    body = "\n".join("/" + object_path(container, name) for container, name in keys)
    try:
        response = swift.request(
            "POST",
            "",
            params={"bulk-delete": ""},
            data=body.encode("utf-8"),
            headers={"Content-Type": "text/plain", "Accept": "application/json"},
            ok=(200,),
            what="bulk delete",
            retry=SINGLE_ATTEMPT,
        )
        reply = response.json()
        deleted = int(reply["Number Deleted"])
        not_found = int(reply["Number Not Found"])
        errors = {unquote(path).lstrip("/") for path, _status in reply.get("Errors") or []}
    except Aborted:
        return DeleteReport(tuple(DeleteOutcome(key, DeleteResult.NOT_TRIED) for key in keys))
    except (SwiftuiError, ValueError, KeyError, TypeError):
        return DeleteReport(())
    if deleted + not_found + len(errors) != len(keys):
        return DeleteReport(())
    gone = tuple(
        DeleteOutcome(key, DeleteResult.DELETED) for key in keys if _label(key) not in errors
    )
    return DeleteReport(gone, not_found)


def _label(key: ObjectKey) -> str:
    return f"{key[0]}/{key[1]}"


def _ignore(report: DeleteReport) -> None:
    return
