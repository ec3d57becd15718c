"""Pictures of the main screens, compared with the SVGs under ``__snapshots__``.

The account is the fixed one of ``tui_data`` and the clock is frozen, so a picture changes
only when the UI does (``pytest --snapshot-update`` after a deliberate change). Behaviour
against a real Swift is tested in ``test_tui_browse.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path

import pytest
from support.tui_data import NOW, demo_cloud
from support.tui_support import settle, wait_for
from support.tui_upload_support import ScriptedEngine, midway
from textual.pilot import Pilot

from swiftui.tui.app import SwiftuiApp
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.upload import UploadRequest

SnapCompare = Callable[..., bool]


def demo_app() -> SwiftuiApp:
    return SwiftuiApp(cloud=demo_cloud(), region="GRA", environ={}, clock=lambda: NOW, zone=UTC)


def keys(*presses: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_regions_and_containers(snap_compare: SnapCompare) -> None:
    assert snap_compare(demo_app(), run_before=keys())


def test_container_objects(snap_compare: SnapCompare) -> None:
    assert snap_compare(demo_app(), run_before=keys("enter"))


def test_folder_sorted_by_size_wide(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        demo_app(), run_before=keys("enter", "down", "enter", "s", "s"), terminal_size=(120, 36)
    )


def test_filter(snap_compare: SnapCompare) -> None:
    presses = ("enter", "down", "enter", "slash", "0", "9", "enter")
    assert snap_compare(demo_app(), run_before=keys(*presses))


def test_slo_manifest_verified(snap_compare: SnapCompare) -> None:
    presses = ("enter", "down", "enter", "end", "enter", "v")
    assert snap_compare(demo_app(), run_before=keys(*presses))


def test_dlo_segments(snap_compare: SnapCompare) -> None:
    presses = ("enter", "down", "down", "enter", "enter")
    assert snap_compare(demo_app(), run_before=keys(*presses))


def test_segments_container_in_sbg(snap_compare: SnapCompare) -> None:
    presses = ("shift+tab", "down", "enter", "down", "enter", "down", "down")
    assert snap_compare(demo_app(), run_before=keys(*presses), terminal_size=(120, 36))


def test_help(snap_compare: SnapCompare) -> None:
    assert snap_compare(demo_app(), run_before=keys("enter", "question_mark"))


def test_quit_asks_while_busy(snap_compare: SnapCompare) -> None:
    app = demo_app()
    engine = ScriptedEngine(midway)
    app.uploads.runner = engine

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        request = UploadRequest(Path("/srv/dumps/pg-2026-12.dump"), "backups")
        assert app.cloud is not None
        app.uploads.enqueue(app.cloud.service("GRA"), request)
        await wait_for(pilot, engine.played.is_set, "the upload under way")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before)


def test_connect_screen(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ovh-openrc.sh").write_text("export OS_AUTH_URL=https://auth.cloud.ovh.net/v3/\n")
    (tmp_path / "clouds.yaml").write_text(
        "clouds:\n  ovh-gra:\n    auth:\n      auth_url: https://auth.cloud.ovh.net/v3\n"
    )
    monkeypatch.chdir(tmp_path)
    app = SwiftuiApp(environ={"OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml")})
    assert snap_compare(app, run_before=keys())
