"""Pictures of the upload form and of the live view, compared with ``__snapshots__``.

The form shows a fixed local folder (named ``~/dumps`` through ``HOME``, files of fixed
sizes and dates, a 250 GB one sparse) against the fixed account of ``tui_data``; the live
view shows a scripted engine's events stopped midway, with a frozen clock. Behaviour
against Swift is tested in ``test_tui_upload.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest
from support.tui_data import NOW
from support.tui_support import settle, wait_for
from support.tui_upload_support import ScriptedEngine, make_file, midway, upload_cloud
from textual.pilot import Pilot

from swiftui.tui.app import SwiftuiApp
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadLiveScreen, show_uploads
from swiftui.tui.uploads.queue import Uploads
from swiftui.units import MIB
from swiftui.upload import UploadRequest

SnapCompare = Callable[..., bool]


def fixed_app() -> tuple[SwiftuiApp, Uploads]:
    app = SwiftuiApp(cloud=upload_cloud(), region="GRA", environ={}, clock=lambda: NOW, zone=UTC)
    return app, app.uploads


def monthly_dumps(home: Path) -> Path:
    """``~/dumps``: last month's dump, this month's 250 GB one (sparse), an older folder."""
    dumps = home / "dumps"
    make_file(dumps / "older" / "pg-2026-09.dump", MIB)
    make_file(dumps / "pg-2026-10.dump", 230 * MIB + 12345, mtime=1793502900)
    make_file(dumps / ".pg-2026-11.dump.partial", 0)
    make_file(dumps / "pg-2026-11.dump", 250 * 10**9, mtime=1796095800, sparse=True)
    return dumps


def test_upload_form(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(monthly_dumps(tmp_path))
    app, _uploads = fixed_app()

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadFormScreen), "the form")
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        await wait_for(pilot, lambda: form.limits is not None, "the limits")
        tree = form.query_one("#files")
        await wait_for(pilot, lambda: len(tree.root.children) == 3, "the folder")
        await pilot.press("end", "enter")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab", "tab", *"365d")
        # On to the Start button: an input's blinking cursor would make the picture vary.
        await pilot.press("tab", "tab")
        # Not settle(): the tree's loader is a worker that never ends.
        await wait_for(pilot, lambda: form.destination_read, "the destination read")
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_live_view_midway(snap_compare: SnapCompare) -> None:
    app, uploads = fixed_app()
    engine = ScriptedEngine(midway)
    uploads.runner = engine

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        request = UploadRequest(Path("/srv/dumps/pg-2026-11.dump"), "backups", threads=4)
        assert app.cloud is not None
        job = uploads.enqueue(app.cloud.service("GRA"), request)
        show_uploads(app, job)
        await wait_for(pilot, engine.played.is_set, "the scripted events")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, UploadLiveScreen) and app.screen.ready,
            "the live view",
        )
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
