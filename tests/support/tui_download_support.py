"""Helpers for the download screens' tests: a scripted engine for pictures in a known state,
and the way to the destination picker and the live view.

A scripted engine stands in for :func:`~swiftui.download.run_download` where a test is
about what the UI draws from events (a picture midway, a countdown): it sends its events
through the same callback and model as the real engine, then waits to be cancelled, as the
engine does. Tests of what ends up on disk run the real engine against the sandbox.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from pathlib import Path

from textual.pilot import Pilot

from support.tui_data import NOW
from support.tui_support import wait_for
from support.tui_upload_support import upload_cloud
from swiftui.download import (
    DownloadCancelled,
    DownloadEvent,
    DownloadPlanned,
    DownloadRequest,
    UnsealRequested,
    UnsealWaiting,
)
from swiftui.errors import OperationCancelled
from swiftui.swift import SwiftService
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.downloads.destination import DestinationScreen
from swiftui.tui.downloads.live import DownloadLiveScreen
from swiftui.tui.downloads.queue import DownloadJob
from swiftui.units import MIB
from swiftui.upload.events import (
    Progress,
    SegmentDone,
    SegmentProgress,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
)

Script = Callable[[DownloadRequest], Iterable[DownloadEvent]]


class ScriptedDownload:
    """Plays ``script(request)``'s events, then waits for ``cancel`` like the engine."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.played = threading.Event()

    def __call__(
        self,
        service: SwiftService,
        request: DownloadRequest,
        *,
        on_event: Callable[[DownloadEvent], None],
        cancel: threading.Event,
    ) -> None:
        for event in self.script(request):
            on_event(event)
        self.played.set()
        cancel.wait()
        on_event(DownloadCancelled(0, 0, resumable=False))
        raise OperationCancelled("download cancelled")


def midway(request: DownloadRequest) -> Iterator[DownloadEvent]:
    """Six parts of an SLO: two fetched before, one received, one at 40 %, one retrying."""
    size = 5 * MIB + MIB // 2
    yield DownloadPlanned(
        container=request.container,
        object_name=request.object_name,
        path=str(request.output),
        kind="SLO",
        size=size,
        parts=6,
        parts_done=2,
        checks=("md5 of 6 segments", "SLO etag", "SHA-256 of the whole file"),
        notes=("resuming the download started 2026-11-25 08:10:00: 2 of 6 parts are here",),
    )
    lengths = [MIB] * 5 + [MIB // 2]
    for index in (0, 1):
        yield SegmentDone(index, lengths[index], f"{index:032x}", reused=True)
    for index in range(2, 6):
        yield SegmentQueued(index, index * MIB, lengths[index])
    for index in (2, 3, 4):
        yield SegmentStarted(index, lengths[index])
    yield SegmentDone(2, MIB, f"{2:032x}", reused=False)
    yield SegmentRetrying(4, 2, "GET answered 503 Service Unavailable", 1.0)
    yield Progress(
        bytes_done=3 * MIB + 410 * 1024,
        bytes_total=size,
        rate_bps=41.5 * MIB,
        eta_s=2.0,
        segments_done=3,
        segments_total=6,
        active=(SegmentProgress(3, 410 * 1024, MIB),),
    )


def sealed(request: DownloadRequest) -> Iterator[DownloadEvent]:
    """A sealed archive of 8 segments: unsealing asked for all 9 objects, 42 minutes left."""
    now = NOW.timestamp()
    yield UnsealRequested(
        objects=9,
        readable=0,
        requested=9,
        ready_in_s=2532.0,
        ready_at=now + 2532,
        notes=(
            f"the manifest {request.container}/{request.object_name} is sealed: 8 segments "
            f"found by name in {request.container}_segments; their sizes and md5s add up to "
            "the archive's size and Etag",
        ),
    )
    yield UnsealWaiting(seconds_left=2531.4, ready_at=now + 2532, objects_waiting=9)


def picture_app(script: Script) -> tuple[SwiftuiApp, ScriptedDownload]:
    """The app on the fixed account with a frozen clock, its downloads scripted."""
    app = SwiftuiApp(cloud=upload_cloud(), region="GRA", environ={}, clock=lambda: NOW, zone=UTC)
    engine = ScriptedDownload(script)
    app.downloads.runner = engine
    return app, engine


def queue_download(app: SwiftuiApp, container: str, name: str, output: Path) -> DownloadJob:
    assert app.cloud is not None
    request = DownloadRequest(container, name, output=output)
    job = app.downloads.enqueue(app.cloud.service("GRA"), request)
    assert job is not None
    return job


def is_live(app: SwiftuiApp) -> Callable[[], bool]:
    """The download view is on screen and drawn."""
    return lambda: isinstance(app.screen, DownloadLiveScreen) and app.screen.ready


async def open_picker(pilot: Pilot, entries: int) -> DestinationScreen:
    """Wait for the destination picker and the ``entries`` of its tree's first folder."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, DestinationScreen), "the picker")
    picker = app.screen
    assert isinstance(picker, DestinationScreen)
    tree = picker.query_one("#files")
    await wait_for(pilot, lambda: len(tree.root.children) == entries, "the folder's entries")
    return picker
