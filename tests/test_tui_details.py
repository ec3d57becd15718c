"""The object details screen on the fixed account: the Headers tab is one key away (and
help lists it), and relative dates move on while the screen stays open."""

from __future__ import annotations

import io
from datetime import UTC, timedelta

import pytest
from rich.console import Console
from support.tui_data import NOW, demo_cloud
from support.tui_support import Clock, settle, wait_for
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from swiftui.tui.app import SwiftuiApp
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.widgets import screens
from swiftui.tui.widgets.dialogs import HelpScreen

# Open backups, then db/, then the last dump there: an SLO.
TO_AN_SLO = ("enter", "down", "enter", "end", "enter")


def shown(static: Static) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(static.content)
    return console.export_text()


async def open_slo(pilot: Pilot) -> ObjectDetailsScreen:
    await settle(pilot)
    for key in TO_AN_SLO:
        await pilot.press(key)
        await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ObjectDetailsScreen)
    await wait_for(pilot, lambda: screen.details is not None, "the details")
    return screen


async def test_h_shows_the_headers_and_help_lists_it() -> None:
    app = SwiftuiApp(cloud=demo_cloud(), region="GRA", environ={}, clock=lambda: NOW, zone=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_slo(pilot)
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "tab-manifest"
        await pilot.press("h")
        assert tabs.active == "tab-headers"
        await pilot.press("h")
        assert tabs.active == "tab-manifest"

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        help_text = shown(app.screen.query_one("#help-body Static", Static))
        assert "h    Headers: Every header of the object; h again goes back" in help_text


async def test_relative_dates_age_while_the_details_stay_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(screens, "AGE_REFRESH_S", 0.2)
    clock = Clock(NOW)
    app = SwiftuiApp(cloud=demo_cloud(), region="GRA", environ={}, clock=clock, zone=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_slo(pilot)
        summary = screen.query_one("#summary", Static)
        assert "(a month ago)" in shown(summary)
        assert "(11 months from now)" in shown(summary)
        clock.now = NOW + timedelta(days=400)
        await wait_for(pilot, lambda: "(1 year, 2 months ago)" in shown(summary), "the dates")
        assert "(2 months ago)" in shown(summary)  # the expiry, now past
