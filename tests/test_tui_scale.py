"""A container of 100 000 objects: the first page shows at once, scrolling never waits.

Slow (filling the container takes about half an hour on two cores): ``pytest -m slow``.
"""

from __future__ import annotations

import time

import pytest
import swiftclient
from support.tui_support import bulk_create, wait_for

from swiftui.cloud import Cloud
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.widgets.table import ListingTable

OBJECTS = 100_000
FIRST_PAGE_S = 2.0
LONGEST_STALL_S = 0.5
"""Loading pages must never freeze the UI; what is left is Python's garbage collector
(about 0.15 s at 100 000 objects, measured)."""


@pytest.mark.scale
async def test_a_huge_container_pages_without_blocking(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    bulk_create(checker, container_name, [f"entry-{index:06d}.log" for index in range(OBJECTS)])
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        containers = app.screen.query_one("#containers", ListingTable)
        await wait_for(pilot, lambda: container_name in containers.keys, "the containers")
        containers.move_cursor_to_key(container_name)
        started = time.monotonic()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContainerScreen), "the screen")
        objects = app.screen.query_one("#objects", ListingTable)
        await wait_for(pilot, lambda: objects.row_count > 0, "the first page")
        first_page = time.monotonic() - started
        assert objects.row_count == 1000
        assert first_page < FIRST_PAGE_S, f"first page after {first_page:.2f} s"

        stall = [0.0, time.monotonic()]

        def heartbeat() -> None:
            now = time.monotonic()
            stall[0] = max(stall[0], now - stall[1])
            stall[1] = now

        app.set_interval(0.01, heartbeat)
        while objects.row_count < OBJECTS:
            await pilot.press("end")
            await pilot.pause(0.01)
        assert stall[0] < LONGEST_STALL_S, f"the UI froze for {stall[0] * 1000:.0f} ms"
        assert objects.keys[:2] == ["o:entry-000000.log", "o:entry-000001.log"]
        assert objects.keys[-1] == f"o:entry-{OBJECTS - 1:06d}.log"
