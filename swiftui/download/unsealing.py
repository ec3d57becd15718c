"""Make Cloud Archive objects readable: ask once for everything sealed, then wait.

A round looks at each object (:func:`~swiftui.download.resolve.resolve_object`), then asks
Cloud Archive to unseal every sealed object the read needs, the manifest and every segment
together (:meth:`~swiftui.swift.SwiftService.request_unseal`, a few at a time), so that a
restore costs one unsealing delay, not one per object. The time everything will be ready
is the latest delay the provider gave (``Retry-After``, ``X-Ovh-Retrieval-Delay``).
:func:`make_readable` waits that long with a countdown, looks again, and repeats until all
is readable: a manifest whose segments could only be found by reading it takes a second
round. Unsealing runs on the provider's side, so a Ctrl-C loses nothing: the same command
later finds the objects unsealing (or readable) and carries on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from swiftui.download.events import UnsealRequested, UnsealWaiting
from swiftui.download.resolve import ArchivedObject, Resolution, resolve_object
from swiftui.errors import NotReadyError, OperationCancelled
from swiftui.swift import SealState, SwiftService
from swiftui.units import format_eta

TICK_S = 1.0
UNKNOWN_DELAY_S = 60.0
"""How long to wait before looking again when the provider gives no delay."""

Target = tuple[str, str]
WaitEvent = UnsealRequested | UnsealWaiting


@dataclass(frozen=True)
class Readiness:
    """Where the objects of one or more reads stand after a round."""

    resolutions: tuple[Resolution, ...]
    requested: int
    """Sealed objects whose unsealing this round asked for."""

    @property
    def ready(self) -> bool:
        return all(resolution.ready for resolution in self.resolutions)

    @property
    def needed(self) -> tuple[ArchivedObject, ...]:
        return tuple(item for resolution in self.resolutions for item in resolution.needed)

    @property
    def waiting(self) -> tuple[ArchivedObject, ...]:
        return tuple(item for resolution in self.resolutions for item in resolution.waiting)

    @property
    def ready_in_s(self) -> float | None:
        """The latest delay the provider gave for what is still unsealing."""
        delays = [item.retrieval.delay_s for item in self.waiting]
        known = [delay for delay in delays if delay is not None]
        return max(known) if known else None

    def event(self, now: float) -> UnsealRequested:
        ready_in = self.ready_in_s
        return UnsealRequested(
            objects=len(self.needed),
            readable=len(self.needed) - len(self.waiting),
            requested=self.requested,
            ready_in_s=ready_in,
            ready_at=None if ready_in is None else now + ready_in,
            notes=tuple(note for resolution in self.resolutions for note in resolution.notes),
        )


def unseal_round(
    swift: SwiftService, targets: Sequence[Target], *, sliced: bool, threads: int
) -> Readiness:
    """Look at every target and ask for the unsealing of what is sealed; never waits."""
    resolutions = [
        resolve_object(swift, container, name, sliced=sliced) for container, name in targets
    ]
    sealed = [
        item
        for resolution in resolutions
        for item in resolution.waiting
        if item.retrieval.state is SealState.SEALED
    ]
    # A sealed manifest's unsealing was asked for by the GET that tried to read it.
    asked_by_reading = sum(
        1 for resolution in resolutions for item in resolution.waiting if item.role == "manifest"
    )
    if not sealed:
        return Readiness(tuple(resolutions), asked_by_reading)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        after = dict(
            zip(
                sealed,
                pool.map(lambda item: swift.request_unseal(item.container, item.name), sealed),
                strict=True,
            )
        )
    updated = [
        replace(
            resolution,
            needed=tuple(
                replace(item, retrieval=after[item]) if item in after else item
                for item in resolution.needed
            ),
        )
        for resolution in resolutions
    ]
    return Readiness(tuple(updated), len(sealed) + asked_by_reading)


def make_readable(
    swift: SwiftService,
    targets: Sequence[Target],
    *,
    sliced: bool,
    threads: int,
    wait: bool,
    on_event: Callable[[WaitEvent], None],
    cancel: threading.Event,
) -> list[Resolution]:
    """Rounds until every target is readable and its parts known; with ``wait`` False,
    :class:`NotReadyError` (exit 8) once unsealing is asked for, saying when to come back."""
    while True:
        readiness = unseal_round(swift, targets, sliced=sliced, threads=threads)
        if readiness.ready:
            return list(readiness.resolutions)
        now = time.time()
        event = readiness.event(now)
        on_event(event)
        if not readiness.waiting:
            continue  # everything became readable meanwhile: look again at once
        if not wait:
            raise NotReadyError(not_ready_message(readiness, now))
        countdown(readiness.ready_in_s, len(readiness.waiting), on_event, cancel)


def countdown(
    seconds: float | None,
    objects_waiting: int,
    on_event: Callable[[WaitEvent], None],
    cancel: threading.Event,
) -> None:
    """Wait ``seconds`` (a minute when unknown), ticking about once a second."""
    ready_at = time.time() + max(TICK_S, UNKNOWN_DELAY_S if seconds is None else seconds)
    while (left := ready_at - time.time()) > 0:
        on_event(UnsealWaiting(left, ready_at, objects_waiting))
        if cancel.wait(min(TICK_S, left)):
            raise OperationCancelled(
                "stopped waiting for Cloud Archive; the unsealing goes on at the provider: "
                "run the same command again to carry on"
            )


def not_ready_message(readiness: Readiness, now: float) -> str:
    """``8 objects are unsealing: ready in 4h 00m (at 2026-11-25 03:28); run ... again``."""
    count = len(readiness.waiting)
    what = "object is" if count == 1 else "objects are"
    names = ", ".join(f"{r.container}/{r.name}" for r in readiness.resolutions if not r.ready)
    return (
        f"{names}: {count} archived {what} unsealing; {ready_text(readiness.ready_in_s, now)}; "
        "run the same command again then"
    )


def ready_text(seconds: float | None, now: float) -> str:
    """``ready in 4h 00m (at 2026-11-25 03:28 CET)``."""
    if seconds is None:
        return "the provider gives no delay yet"
    when = datetime.fromtimestamp(now + seconds).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"ready in {format_eta(seconds)} (at {when})"
