"""Helpers for driving the TUI in Pilot tests and for filling the sandbox with archives.

Archives are made with python-swiftclient (the ``swift upload`` code), so the TUI is shown
SLOs that another tool wrote, named the way that tool names segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import re
import tarfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
import swiftclient
from rich.console import Console
from swiftclient.service import SwiftService, SwiftUploadObject
from textual.app import App
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import WorkerCancelled

from swiftui.sandbox import Sandbox
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_live import TransferLiveScreen

WAIT_S = 60.0
"""How long a wait may last before it fails: generous, since a wait ends as soon as its
condition holds and a loaded 2-core CI machine can be slow to log in or start a worker."""
TRANSFER_GROUPS = ("upload", "download")
"""The worker groups of the app's uploads and downloads (:mod:`swiftui.tui.uploads.queue`,
:mod:`swiftui.tui.downloads.queue`)."""


class Clock:
    """A clock for the app that the test moves forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail naming ``what`` after WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def drawn_lines(pilot: Pilot) -> list[str]:
    """The screen as the terminal shows it, one string per line (from the app's own
    screenshot: what was last drawn, not what a widget would draw now)."""
    svg = pilot.app.export_screenshot()
    cells: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(
        r'<text[^>]*?x="([\d.]+)"[^>]*?y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
        cells.setdefault(float(y), []).append((float(x), plain))
    return ["".join(part for _x, part in sorted(cells[y])) for y in sorted(cells)]


async def settle(pilot: Pilot) -> None:
    """Let the app finish what it started: its messages, its workers, and its own short
    timers that start more (the HEADs of the rows just shown, a filter typed, the next
    redraw). Waits on those, never a fixed time; fails after 20 s. An upload or a download
    runs as long as it takes: its worker is not waited for (wait for its job's state
    instead)."""
    app = pilot.app
    deadline = time.monotonic() + WAIT_S
    while True:
        await pilot.pause()
        busy = [w for w in app.workers if w.is_running and w.group not in TRANSFER_GROUPS]
        if busy:
            with contextlib.suppress(WorkerCancelled):
                await asyncio.wait_for(
                    asyncio.gather(*(w.wait() for w in busy)), deadline - time.monotonic()
                )
            continue
        timers = pending_timers(app)
        if not timers:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {len(timers)} timers of the app")
        await asyncio.wait(timers, timeout=deadline - time.monotonic())


def pending_timers(app: App[Any]) -> list[asyncio.Task[None]]:
    """The app's own one-shot timers still to fire (Textual's, such as a cursor's blink or
    a notification's timeout, repeating ones and a transfer view's redraws are not waited
    for)."""
    nodes: list[MessagePump] = [app]
    for screen in app.screen_stack:
        nodes += [screen, *screen.walk_children()]
    tasks = []
    for node in nodes:
        for timer in list(node._timers):
            callback = getattr(timer._callback, "args", (None,))[0]
            task = timer._task
            if (
                timer._repeat == 0
                and task is not None
                and not task.done()
                and getattr(callback, "__module__", "").startswith("swiftui.")
                # A running transfer's redraws come as long as it runs, like its worker.
                and getattr(callback, "__func__", None) is not TransferLiveScreen._draw_waiting
            ):
                tasks.append(task)
    return tasks


def swift_options(sandbox: Sandbox, region: str) -> dict[str, object]:
    return {
        "auth_version": "3",
        "os_auth_url": sandbox.auth_url,
        "os_username": sandbox.username,
        "os_password": sandbox.password,
        "os_project_name": sandbox.project_name,
        "os_user_domain_name": "Default",
        "os_project_domain_name": "Default",
        "os_region_name": region,
    }


def upload_slo(
    sandbox: Sandbox,
    container: str,
    name: str,
    source: Path,
    *,
    segment_size: int,
    region: str = "GRA",
    headers: tuple[str, ...] = (),
) -> None:
    """``swift upload --use-slo -S segment_size container source --object-name name``."""
    options = {"segment_size": segment_size, "use_slo": True, "header": list(headers)}
    with SwiftService(options=swift_options(sandbox, region)) as swift:
        for result in swift.upload(
            container, [SwiftUploadObject(str(source), object_name=name)], options=options
        ):
            if not result["success"]:
                raise AssertionError(f"swift upload failed: {result.get('error')}")


def bulk_create(checker: swiftclient.Connection, container: str, names: list[str]) -> None:
    """Empty objects, 10 000 per request, through the bulk middleware's extract-archive."""
    url, token = checker.get_auth()
    for start in range(0, len(names), 10_000):
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for name in names[start : start + 10_000]:
                tar.addfile(tarfile.TarInfo(name), io.BytesIO(b""))
        response = requests.put(
            f"{url}/{container}?extract-archive=tar",
            data=archive.getvalue(),
            headers={"X-Auth-Token": token, "Accept": "application/json"},
            timeout=3600,
        )
        result = response.json()
        if response.status_code != 200 or result.get("Errors"):
            raise AssertionError(f"extract-archive failed: {response.status_code} {result}")


# -- reading what the app shows ---------------------------------------------------------


def keys_of(app: SwiftuiApp, selector: str) -> list[str]:
    """The row keys of the tables ``selector`` finds on the screen."""
    return [key for found in app.screen.query(selector).results(ListingTable) for key in found.keys]


def text_of(widget: Widget) -> str:
    """What a Static shows, as plain text (rich renderables included)."""
    assert isinstance(widget, Static)
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return " ".join(console.export_text().split())


def screen_text(app: SwiftuiApp) -> str:
    return " ".join(text_of(static) for static in app.screen.query(Static).results(Static))


async def open_container(pilot: Pilot, app: SwiftuiApp, name: str) -> ContainerScreen:
    await wait_for(pilot, lambda: name in keys_of(app, "#containers"), f"container {name}")
    app.screen.query_one("#containers", ListingTable).move_cursor_to_key(name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ContainerScreen), "the objects")
    screen = app.screen
    assert isinstance(screen, ContainerScreen)
    await wait_for(pilot, lambda: screen.listing.complete, "the listing")
    return screen
