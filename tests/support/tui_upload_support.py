"""Helpers for the upload screens' tests: a fixed cluster for pictures, scripted engines.

A scripted engine stands in for :func:`~swiftui.upload.engine.run_upload` where a test is
about the UI's handling of events (a picture in a known state, the UI's responsiveness
under a flood of them): it sends its events through the same callback and model as the
real engine, then waits to be cancelled, as the engine does. Tests of what Swift ends up
holding run the real engine against the sandbox.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from requests.structures import CaseInsensitiveDict
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from support.tui_data import NOW, FixedCloud, FixedService, demo_cloud
from support.tui_support import wait_for
from swiftui.errors import OperationCancelled
from swiftui.swift import SwiftLimits, SwiftService
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadLiveScreen
from swiftui.tui.uploads.queue import UploadJob
from swiftui.units import MIB
from swiftui.upload import UploadRequest
from swiftui.upload.events import (
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentProgress,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
    UploadCancelled,
    UploadEvent,
)

EventHandler = Callable[[UploadEvent], None]


class FixedUploadService(FixedService):
    """The fixed account, plus what the upload form asks: limits, storage URL, HEAD."""

    def limits(self) -> SwiftLimits:
        return SwiftLimits()

    def object_headers(self, container: str, name: str) -> CaseInsensitiveDict[str] | None:
        if container not in self.containers:
            return None
        return super().object_headers(container, name)


def fixed_app() -> SwiftuiApp:
    """The app on the fixed account, with a frozen clock."""
    return SwiftuiApp(
        cloud=upload_cloud(),
        region="GRA",
        environ={},
        clock=lambda: NOW,
        zone=UTC,
    )


def queue(app: SwiftuiApp, name: str, **options: Any) -> UploadJob:
    """Queue ``/srv/dumps/<name>`` for ``backups`` in GRA (the engine is the app's runner)."""
    request = UploadRequest(Path("/srv/dumps") / name, "backups", **options)
    assert app.cloud is not None
    job = app.uploads.enqueue(app.cloud.service("GRA"), request)
    assert job is not None
    return job


def is_live(app: SwiftuiApp) -> Callable[[], bool]:
    """The live view is on screen and drawn."""
    return lambda: isinstance(app.screen, UploadLiveScreen) and app.screen.ready


async def open_form(pilot: Pilot) -> UploadFormScreen:
    """Press u and wait for the form, the cluster's limits and the tree's first folder."""
    app = pilot.app
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(app.screen, UploadFormScreen), "the form")
    form = app.screen
    assert isinstance(form, UploadFormScreen)
    await wait_for(pilot, lambda: form.limits is not None, "the limits")
    await wait_for(pilot, lambda: form.query_one("#files").root.children, "the tree")
    return form


def shown(app: SwiftuiApp, selector: str) -> str:
    """A Static's text as the user reads it (styles dropped, any width)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def upload_cloud() -> FixedCloud:
    demo = demo_cloud()
    return FixedCloud(
        {
            region: FixedUploadService(region, demo.service(region).containers)
            for region in ("GRA", "SBG")
        }
    )


class ScriptedEngine:
    """Plays ``script(request)``'s events, then waits for ``cancel`` like the engine."""

    def __init__(self, script: Callable[[UploadRequest], Iterable[UploadEvent]]) -> None:
        self.script = script
        self.played = threading.Event()

    def __call__(
        self,
        service: SwiftService,
        request: UploadRequest,
        *,
        on_event: EventHandler,
        cancel: threading.Event,
    ) -> None:
        plan: PlanReady | None = None
        done: list[SegmentDone] = []
        for event in self.script(request):
            on_event(event)
            if isinstance(event, PlanReady):
                plan = event
            elif isinstance(event, SegmentDone):
                done.append(event)
        self.played.set()
        cancel.wait()
        total = plan.segment_count if plan else 0
        sent = sum(event.length for event in done)
        on_event(UploadCancelled(len(done), total, sent, plan.file_size if plan else 0))
        raise OperationCancelled(f"upload cancelled: {len(done)} of {total} segments are in Swift")


def plan_event(request: UploadRequest, size: int, segment_size: int) -> PlanReady:
    count = -(-size // segment_size)
    return PlanReady(
        local_path=str(request.local_path),
        container=request.container,
        object_name=request.resolved_object_name,
        segment_container=request.resolved_segment_container,
        file_size=size,
        segment_size=segment_size,
        segment_count=count,
        explanation=f"{size / MIB:.1f} MiB = {count} segments of 1.0 MiB (asked)",
        notes=(),
        delete_at=None,
    )


def midway(request: UploadRequest) -> Iterator[UploadEvent]:
    """Six segments: two sent, one half sent, one retrying, two queued."""
    size = 5 * MIB + MIB // 2
    yield plan_event(request, size, MIB)
    for index in range(6):
        yield SegmentQueued(index, index * MIB, min(MIB, size - index * MIB))
    for index in (0, 1):
        yield SegmentStarted(index, MIB)
        yield SegmentDone(index, MIB, f"{index:032x}", reused=False)
    yield SegmentStarted(2, MIB)
    yield SegmentStarted(3, MIB)
    yield SegmentRetrying(3, 2, "PUT answered 503 Service Unavailable", 1.0)
    yield RequestRetrying("container 'backups'", 2, "HEAD answered 503 Service Unavailable", 0.5)
    yield Progress(
        bytes_done=2 * MIB + 420 * 1024,
        bytes_total=size,
        rate_bps=3.2 * MIB,
        eta_s=1.0,
        segments_done=2,
        segments_total=6,
        active=(SegmentProgress(2, 420 * 1024, MIB), SegmentProgress(3, 0, MIB)),
    )


def flood(segments: int, threads: int, pause: Callable[[], None]) -> Callable[..., Iterator]:
    """``segments`` of 1 MiB, ``threads`` at a time, a progress event every step: the
    worst the engine could send (it sends progress ten times a second at most)."""

    def script(request: UploadRequest) -> Iterator[UploadEvent]:
        size = segments * MIB
        yield plan_event(request, size, MIB)
        for index in range(segments):
            yield SegmentQueued(index, index * MIB, MIB)
        for first in range(0, segments, threads):
            batch = range(first, min(first + threads, segments))
            for index in batch:
                yield SegmentStarted(index, MIB)
            for step in (1, 2, 3, 4):
                yield Progress(
                    bytes_done=first * MIB + step * len(batch) * MIB // 4,
                    bytes_total=size,
                    rate_bps=100 * MIB,
                    eta_s=(segments - first) / 100,
                    segments_done=first,
                    segments_total=segments,
                    active=tuple(SegmentProgress(i, step * MIB // 4, MIB) for i in batch),
                )
            for index in batch:
                yield SegmentDone(index, MIB, f"{index:032x}", reused=False)
            pause()

    return script


def make_file(path: Path, size: int, *, mtime: float = 1764547200, sparse: bool = False) -> Path:
    """A local file of ``size`` bytes and a fixed date; ``sparse`` for sizes a disk lacks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        if sparse:
            handle.truncate(size)
        else:
            handle.write(b"\0" * size)
    os.utime(path, (mtime, mtime))
    return path
