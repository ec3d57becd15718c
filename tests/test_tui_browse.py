"""The browser against the sandbox: what the user sees is what the server holds.

Each test makes its own containers (python-swiftclient writes the data), starts the app on
the session's connected cloud, drives it with keys, and reads the tables on screen.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import swiftclient
from rich.console import Console
from support.tui_support import settle, upload_slo, wait_for
from support.tui_upload_support import ScriptedEngine, midway
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from swiftui.cloud import Cloud
from swiftui.sandbox import Sandbox
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.browsing.regions import BrowserScreen
from swiftui.tui.deletion.screen import DeleteConfirmScreen
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.units import MIB
from swiftui.upload import UploadRequest

AppFactory = Callable[..., SwiftuiApp]


@pytest.fixture
def make_app(cloud: Cloud) -> AppFactory:
    def make(**options: Any) -> SwiftuiApp:
        return SwiftuiApp(cloud=cloud, region="GRA", environ={}, **options)

    return make


def table(app: SwiftuiApp, selector: str) -> ListingTable:
    return app.screen.query_one(selector, ListingTable)


def cells(app: SwiftuiApp, selector: str, key: str) -> list[str]:
    """A row as the user reads it: its cells' plain text."""
    row = next(row for row in table(app, selector).rows if row.key == key)
    return [str(cell) for cell in row.cells]


def keys_of(app: SwiftuiApp, selector: str) -> list[str]:
    """Row keys of a table of the current screen; none while that screen is being built."""
    return [key for found in app.screen.query(selector).results(ListingTable) for key in found.keys]


def shown(app: SwiftuiApp, selector: str) -> str:
    """The text of a Static as the user reads it (tables and styles rendered to plain)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def is_screen(app: SwiftuiApp, kind: type[Screen]) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, kind)


async def open_container(pilot: Pilot[int], app: SwiftuiApp, name: str) -> None:
    await wait_for(pilot, lambda: name in keys_of(app, "#containers"), f"container {name}")
    table(app, "#containers").move_cursor_to_key(name)
    table(app, "#containers").focus()
    await pilot.press("enter")
    await wait_for(pilot, is_screen(app, ContainerScreen), "the container screen")
    screen = app.screen
    assert isinstance(screen, ContainerScreen)
    await wait_for(pilot, lambda: not screen.listing.loading, "the first page")


def slo_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "dump.bin"
    path.write_bytes(os.urandom(size))
    return path


async def test_regions_and_their_containers(
    make_app: AppFactory, checker: swiftclient.Connection, cloud: Cloud, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "one", b"1" * 10)
    checker.put_object(container_name, "two", b"2" * 20)
    sbg = cloud.service("SBG")
    sbg.ensure_container(container_name + "-sbg", policy="PCA")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: keys_of(app, "#regions") == ["GRA", "SBG"], "regions")
        await wait_for(pilot, lambda: container_name in keys_of(app, "#containers"), "listing")
        await settle(pilot)
        assert cells(app, "#containers", container_name)[1:4] == ["2", "30 Bytes", "Standard"]
        assert container_name + "-sbg" not in keys_of(app, "#containers")

        await pilot.press("escape", "down")
        await wait_for(
            pilot, lambda: container_name + "-sbg" in keys_of(app, "#containers"), "SBG listing"
        )
        assert table(app, "#containers").border_title == "Containers in SBG"
        await settle(pilot)
        assert cells(app, "#containers", container_name + "-sbg")[3] == "PCA"
        assert container_name not in keys_of(app, "#containers")


async def test_pseudo_folders_open_and_close(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for name in ("a.txt", "dir/b.txt", "dir/sub/c.txt"):
        checker.put_object(container_name, name, b"x")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, container_name)
        assert keys_of(app, "#objects") == ["o:a.txt", "d:dir/"]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: "o:dir/b.txt" in keys_of(app, "#objects"), "dir/")
        assert keys_of(app, "#objects") == ["o:dir/b.txt", "d:dir/sub/"]
        assert table(app, "#objects").border_title == f"GRA › {container_name} › dir/"
        assert cells(app, "#objects", "o:dir/b.txt")[0] == "b.txt"

        await pilot.press("escape")
        await wait_for(pilot, lambda: "o:a.txt" in keys_of(app, "#objects"), "back up")
        assert table(app, "#objects").cursor_key == "d:dir/"
        await pilot.press("escape")
        await wait_for(pilot, is_screen(app, BrowserScreen), "back to the containers")


async def test_slo_details_manifest_and_verification(
    make_app: AppFactory,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    upload_slo(
        sandbox,
        container_name,
        "dumps/db.tar",
        slo_file(tmp_path, 3 * MIB + 100),
        segment_size=MIB,
    )
    server_etag = checker.head_object(container_name, "dumps/db.tar")["etag"].strip('"')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, container_name)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "o:dumps/db.tar" in keys_of(app, "#objects"), "dumps/")
        assert cells(app, "#objects", "o:dumps/db.tar")[1:4:2] == ["3.0 MiB", "SLO"]

        await pilot.press("enter")
        await wait_for(pilot, is_screen(app, ObjectDetailsScreen), "the details")
        await wait_for(pilot, lambda: table(app, "#manifest").row_count == 4, "the manifest")
        summary = shown(app, "#summary")
        assert f"SLO: 4 segments in {container_name}_segments" in summary
        assert server_etag in summary
        assert [cells(app, "#manifest", str(i))[2] for i in range(4)] == [
            "1.0 MiB",
            "1.0 MiB",
            "1.0 MiB",
            "100 Bytes",
        ]

        await pilot.press("v")
        await wait_for(pilot, lambda: "✓" in shown(app, "#verdict"), "the verdict")
        assert f"SLO etag {server_etag} matches" in shown(app, "#verdict").replace("\n", " ")
        assert {cells(app, "#manifest", str(i))[4] for i in range(4)} == {"ok"}

        segments = checker.get_container(container_name + "_segments")[1]
        checker.delete_object(container_name + "_segments", segments[2]["name"])
        await pilot.press("v")
        await wait_for(pilot, lambda: "✗" in shown(app, "#verdict"), "the failed verdict")
        assert "4 segments, 1 missing" in shown(app, "#verdict")
        assert cells(app, "#manifest", "2")[4] == "missing"
        assert table(app, "#manifest").cursor_key == "2"


async def test_segments_container_is_linked_to_its_parent(
    make_app: AppFactory, sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    upload_slo(sandbox, container_name, "f.bin", slo_file(tmp_path, 2 * MIB), segment_size=MIB)
    segments = container_name + "_segments"
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: segments in keys_of(app, "#containers"), "listing")
        await settle(pilot)
        assert cells(app, "#containers", segments)[4] == f"segments of {container_name}"
        assert cells(app, "#containers", container_name)[4] == "+2.0 MiB in segments"

        await open_container(pilot, app, container_name)
        await pilot.press("g")
        await wait_for(pilot, lambda: segments in str(table(app, "#objects").border_title), "g")
        screen = app.screen
        assert isinstance(screen, ContainerScreen)
        await wait_for(pilot, lambda: table(app, "#objects").row_count == 2, "the segments")
        assert f"(segments of {container_name})" in str(table(app, "#objects").border_title)
        first = table(app, "#objects").rows[0]
        assert str(first.cells[3]) == "segment"
        assert "segment #0 of f.bin" in shown(app, "#row-info")

        await pilot.press("g")
        await wait_for(pilot, lambda: "o:f.bin" in keys_of(app, "#objects"), "back to the parent")


async def test_dlo_size_kind_expiry_and_segments(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_container(container_name + "_segments")
    for index in range(3):
        checker.put_object(container_name + "_segments", f"old/part-{index}", b"d" * 1000)
    checker.put_object(
        container_name,
        "legacy.tar",
        b"",
        headers={
            "X-Object-Manifest": f"{container_name}_segments/old/",
            "X-Delete-At": "4102444800",
        },
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, container_name)
        await wait_for(
            pilot, lambda: cells(app, "#objects", "o:legacy.tar")[3] == "DLO", "the HEAD"
        )
        assert cells(app, "#objects", "o:legacy.tar")[1] == "2.9 KiB"
        assert cells(app, "#objects", "o:legacy.tar")[4] == "2100-01-01"

        await pilot.press("i")
        await wait_for(pilot, lambda: table(app, "#dlo").row_count == 3, "the DLO segments")
        assert keys_of(app, "#dlo") == [f"old/part-{index}" for index in range(3)]
        summary = shown(app, "#summary")
        assert f"DLO: prefix {container_name}_segments/old/, 3 segments" in summary


async def test_filter_and_sort(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for name, size in (("db-2026-01.tar", 10), ("db-2026-02.tar", 30), ("www.tar", 20)):
        checker.put_object(container_name, name, b"x" * size)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, container_name)
        await pilot.press("slash", "d", "b", "enter")
        assert keys_of(app, "#objects") == ["o:db-2026-01.tar", "o:db-2026-02.tar"]
        assert "2 of 3 match 'db'" in str(table(app, "#objects").border_subtitle)

        await pilot.press("escape")
        assert len(keys_of(app, "#objects")) == 3
        await pilot.press("s")
        assert keys_of(app, "#objects") == ["o:db-2026-02.tar", "o:www.tar", "o:db-2026-01.tar"]
        assert "by size ↓" in str(table(app, "#objects").border_subtitle)
        await pilot.press("S")
        assert keys_of(app, "#objects") == ["o:db-2026-01.tar", "o:www.tar", "o:db-2026-02.tar"]


async def test_listing_pages_load_as_the_user_scrolls(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for index in range(130):
        checker.put_object(container_name, f"obj-{index:04d}", b"")
    app = make_app(page_size=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, container_name)
        objects = table(app, "#objects")
        assert objects.row_count == 50
        assert "more below" in str(objects.border_subtitle)

        await pilot.press("end")
        await wait_for(pilot, lambda: objects.row_count == 100, "the second page")
        await pilot.press("end")
        await wait_for(pilot, lambda: objects.row_count == 130, "the last page")
        await settle(pilot)
        server = [
            item["name"] for item in checker.get_container(container_name, full_listing=True)[1]
        ]
        assert [key[2:] for key in keys_of(app, "#objects")] == server
        assert str(objects.border_subtitle) == "130 entries"


async def test_a_failing_listing_is_shown_not_raised(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: container_name in keys_of(app, "#containers"), "listing")
        checker.delete_container(container_name)
        await open_container(pilot, app, container_name)
        subtitle = str(table(app, "#objects").border_subtitle)
        assert f"container {container_name!r}: GET answered 404" in subtitle
        assert app.is_running


async def test_u_and_d_open_their_screens_on_what_is_highlighted(
    make_app: AppFactory, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "old.tar", b"o")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: container_name in keys_of(app, "#containers"), "listing")
        table(app, "#containers").move_cursor_to_key(container_name)
        await pilot.press("u")
        await wait_for(pilot, is_screen(app, UploadFormScreen), "the upload form")
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        assert form.service.region == "GRA"
        assert form.query_one("#container", Input).value == container_name
        await pilot.press("escape")

        await open_container(pilot, app, container_name)
        await pilot.press("d")
        await wait_for(pilot, is_screen(app, DeleteConfirmScreen), "the confirmation")
        confirm = app.screen
        assert isinstance(confirm, DeleteConfirmScreen)
        assert [item.label for item in confirm.plan.items] == [f"{container_name}/old.tar"]
        await pilot.press("n")
        await wait_for(pilot, is_screen(app, ContainerScreen), "the objects again")
    assert checker.head_object(container_name, "old.tar")["content-length"] == "1"


async def test_quit_asks_while_an_upload_runs(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    engine = ScriptedEngine(midway)
    app.uploads.runner = engine
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, is_screen(app, BrowserScreen), "the browser")
        request = UploadRequest(tmp_path / "db.tar", "backups")
        assert app.cloud is not None
        job = app.uploads.enqueue(app.cloud.service("GRA"), request)
        assert job is not None
        await wait_for(pilot, engine.played.is_set, "the upload under way")
        await pilot.press("q")
        await wait_for(pilot, is_screen(app, ConfirmScreen), "the question")
        assert "Still running: upload of db.tar to backups/db.tar, 44 %." in shown(app, "#question")
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, BrowserScreen)
        app.uploads.cancel(job)
        await wait_for(pilot, lambda: job.state is JobState.CANCELLED, "the cancel")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
    assert app.return_value == 0
