"""Pictures of the deletion screens, compared with the SVGs under ``__snapshots__``.

The account is the fixed one of ``tui_data`` (made deletable by ``tui_delete_data``) and the
clock is frozen, so a picture changes only when the UI does. What deleting does to a real
Swift is tested in ``test_tui_delete.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC

from support.tui_data import NOW
from support.tui_delete_data import deletable_cloud
from support.tui_support import settle
from textual.pilot import Pilot

from swiftui.tui.app import SwiftuiApp

SnapCompare = Callable[..., bool]

# Open backups, then db/, and mark the January and February dumps.
MARK_TWO = ("enter", "down", "enter", "space", "space")


def deletable_app() -> SwiftuiApp:
    return SwiftuiApp(
        cloud=deletable_cloud(),
        region="GRA",
        environ={},
        clock=lambda: NOW,
        zone=UTC,
    )


def keys(*presses: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_delete_confirmation(snap_compare: SnapCompare) -> None:
    assert snap_compare(deletable_app(), run_before=keys(*MARK_TWO, "d"))


def test_delete_summary(snap_compare: SnapCompare) -> None:
    assert snap_compare(deletable_app(), run_before=keys(*MARK_TWO, "d", "y"))


def test_orphans_view(snap_compare: SnapCompare) -> None:
    assert snap_compare(deletable_app(), run_before=keys("o"))
