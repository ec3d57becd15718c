"""Pictures of the download view, compared with ``__snapshots__``: a scripted engine's
events stopped midway (parts fetched before, one received, one retrying), and a sealed
Cloud Archive archive counting down, on the fixed account with a frozen clock. Behaviour
against Swift is tested in ``test_tui_download.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.tui_download_support import (
    Script,
    is_live,
    midway,
    picture_app,
    queue_download,
    sealed,
)
from support.tui_support import settle, wait_for
from textual.pilot import Pilot

from swiftui.tui.downloads.live import show_downloads

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The engine's own lines give local times (as the CLI prints them): UTC, whatever
    the machine's zone, so that the pictures do not depend on it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def shoot(snap_compare: SnapCompare, script: Script) -> bool:
    app, engine = picture_app(script)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        job = queue_download(
            app, "backups", "db/pg-2026-11.dump", Path("/srv/restore/pg-2026-11.dump")
        )
        show_downloads(app, job)
        await wait_for(pilot, engine.played.is_set, "the scripted events")
        await wait_for(pilot, is_live(app), "the download view")
        await settle(pilot)

    return snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_download_view_midway(snap_compare: SnapCompare) -> None:
    assert shoot(snap_compare, midway)


def test_sealed_archive_counting_down(snap_compare: SnapCompare) -> None:
    assert shoot(snap_compare, sealed)
