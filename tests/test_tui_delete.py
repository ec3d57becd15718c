"""Deleting from the TUI against the sandbox: mark, confirm, progress, summary, orphans.

python-swiftclient writes the archives (``deletion_support``) and the ``checker`` tells what
the server holds afterwards; the app is driven with keys and read from its screens.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
import swiftclient
from support.deletion_support import (
    make_slo,
    md5_of,
    names,
    put_segments,
    random_bytes,
    segment_prefix,
)
from support.faultproxy import Fault, FaultProxy
from support.tui_support import keys_of, open_container, screen_text, settle, text_of, wait_for
from textual.pilot import Pilot
from textual.widgets import Label, ProgressBar, Static

from swiftui.cloud import Cloud
from swiftui.sandbox import Sandbox
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.deletion.marking import AgeScreen
from swiftui.tui.deletion.orphans import OrphansScreen
from swiftui.tui.deletion.screen import DeleteConfirmScreen, DeleteScreen, Stage
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.units import format_bytes

DAY = 86400.0


@pytest.fixture
def make_app(cloud: Cloud) -> Callable[[], SwiftuiApp]:
    def make() -> SwiftuiApp:
        return SwiftuiApp(cloud=cloud, region="GRA", environ={})

    return make


def subtitle(app: SwiftuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, ListingTable).border_subtitle)


def confirm_title(app: SwiftuiApp) -> str | None:
    """The confirmation's question once it is on screen."""
    if not isinstance(app.screen, DeleteConfirmScreen):
        return None
    found = app.screen.query("#delete-confirm")
    return str(found.first().border_title) if found and found.first().border_title else None


async def wait_confirm(pilot: Pilot, app: SwiftuiApp) -> str:
    await wait_for(pilot, lambda: confirm_title(app), "the confirmation")
    return str(confirm_title(app))


async def wait_stage(pilot: Pilot, app: SwiftuiApp, stage: Stage) -> DeleteScreen:
    def reached() -> bool:
        return isinstance(app.screen, DeleteScreen) and app.screen.stage is stage

    await wait_for(pilot, reached, f"the deletion to be {stage}")
    assert isinstance(app.screen, DeleteScreen)
    return app.screen


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def segment_names(entries: list[dict[str, object]]) -> list[str]:
    return [str(entry["path"]).split("/", 2)[2] for entry in entries]


async def test_two_marked_archives_go_with_their_segments_and_nothing_else(
    make_app: Callable[[], SwiftuiApp], checker: swiftclient.Connection, container_name: str
) -> None:
    make_slo(checker, container_name, "a.tar", random_bytes(3000), mtime=1.0)
    shared = make_slo(checker, container_name, "b.tar", random_bytes(2000), mtime=2.0)[1]
    # keep.tar ends with b.tar's second segment: that one must stay.
    kept_data = random_bytes(1500)
    kept = make_slo(
        checker, container_name, "keep.tar", kept_data, mtime=3.0, extra_entries=[shared]
    )
    _headers, shared_data = checker.get_object(
        f"{container_name}_segments", segment_names([shared])[0]
    )
    checker.put_object(container_name, "notes.txt", b"keep me")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, app, container_name)
        await pilot.press("space", "space")
        assert list(screen.listing.marked) == ["a.tar", "b.tar"]
        assert "2 marked" in subtitle(app, "#objects")

        await pilot.press("d")
        assert await wait_confirm(pilot, app) == "Delete 2 objects and 4 segments?"
        shown = screen_text(app)
        # The plan in the CLI's words.
        assert f"{container_name}/a.tar SLO, 2.9 KiB: manifest and 3 segments in " in shown
        assert f"{container_name}/b.tar SLO, " in shown
        assert "manifest and 1 segment in " in shown and "1 shared segment kept" in shown
        assert "Kept, still used by other manifests:" in shown
        assert f"({format_bytes(len(shared_data))}): used by {container_name}/keep.tar" in shown
        assert "Total: 2 objects, 4 segments, " in shown
        assert f"in {container_name}, {container_name}_segments" in shown

        await pilot.press("y")
        deleting = await wait_stage(pilot, app, Stage.DONE)
        bar = deleting.query_one("#delete-progress", ProgressBar)
        assert (bar.progress, bar.total) == (6, 6)
        assert deleting.latest is not None and deleting.latest.done == 6
        assert "Deleted 2 objects and their 4 segments" in screen_text(app)
        assert "kept 1 shared" in screen_text(app)

        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the listing again")
        await wait_for(
            pilot, lambda: keys_of(app, "#objects") == ["o:keep.tar", "o:notes.txt"], "a refresh"
        )
        assert screen.listing.marked == {}
        assert "marked" not in subtitle(app, "#objects")

    assert names(checker, container_name) == ["keep.tar", "notes.txt"]
    assert names(checker, f"{container_name}_segments") == sorted(segment_names(kept))
    assert md5_of(checker, container_name, "keep.tar") == md5(kept_data + shared_data)


async def test_cancel_in_the_confirmation_deletes_nothing(
    make_app: Callable[[], SwiftuiApp], checker: swiftclient.Connection, container_name: str
) -> None:
    make_slo(checker, container_name, "a.tar", random_bytes(2000))
    checker.put_object(container_name, "b.txt", b"b")
    before = (names(checker, container_name), names(checker, f"{container_name}_segments"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, app, container_name)
        await pilot.press("space", "space", "d")
        await wait_confirm(pilot, app)
        # Cancel has the focus: Enter alone does not delete.
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the listing again")
        assert list(screen.listing.marked) == ["a.tar", "b.txt"]

        await pilot.press("d")
        await wait_confirm(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the listing again")
        await settle(pilot)
        assert keys_of(app, "#objects") == ["o:a.tar", "o:b.txt"]

    assert (names(checker, container_name), names(checker, f"{container_name}_segments")) == before


async def test_mark_older_than_marks_the_archives_of_this_folder_by_file_date(
    make_app: Callable[[], SwiftuiApp], checker: swiftclient.Connection, container_name: str
) -> None:
    now = time.time()
    make_slo(checker, container_name, "old.tar", random_bytes(2000), mtime=now - 400 * DAY)
    make_slo(checker, container_name, "new.tar", random_bytes(2000), mtime=now - 10 * DAY)
    checker.put_object(container_name, "today.txt", b"no file date: dated by its upload")
    for name, age in (("ancient.bin", 1000), ("sub/older.bin", 500)):
        headers = {"X-Object-Meta-Mtime": f"{now - age * DAY:f}"}
        checker.put_object(container_name, name, b"x", headers=headers)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, app, container_name)
        objects = app.screen.query_one("#objects", ListingTable)
        assert objects.keys[3] == "d:sub/"
        objects.move_cursor_to_key("d:sub/")
        await pilot.pause()
        # A folder cannot be deleted: d waits for a mark.
        assert app.screen.active_bindings["d"].enabled is False

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AgeScreen), "the question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.listing.marked, "the marks")
        assert sorted(screen.listing.marked) == ["ancient.bin", "old.tar"]
        assert "2 marked" in subtitle(app, "#objects")
        assert app.screen.active_bindings["d"].enabled

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AgeScreen), "the question")
        await pilot.press("ctrl+u", *"5x", "enter")
        error = str(app.screen.query_one("#age-error", Label).content)
        assert error.startswith("older than: cannot read '5x' as a duration")
        await pilot.press("backspace", "d", "enter")
        await wait_for(pilot, lambda: len(screen.listing.marked) == 3, "more marks")
        assert sorted(screen.listing.marked) == ["ancient.bin", "new.tar", "old.tar"]


async def test_an_object_gone_before_planning_is_an_error_in_the_dialog(
    make_app: Callable[[], SwiftuiApp], checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "a.txt", b"a")
    checker.put_object(container_name, "b.txt", b"b")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, app, container_name)
        await pilot.press("space")
        checker.delete_object(container_name, "a.txt")
        await pilot.press("d")
        await wait_stage(pilot, app, Stage.FAILED)
        shown = screen_text(app)
        assert f"no such object in container {container_name!r}: 'a.txt'" in shown
        assert "Nothing was deleted." in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the listing again")
    assert names(checker, container_name) == ["b.txt"]


async def test_escape_cancels_a_running_deletion_and_quit_asks_first(
    make_app: Callable[[], SwiftuiApp],
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = random_bytes(3000)
    make_slo(checker, container_name, "a.tar", data)
    segments = names(checker, f"{container_name}_segments")
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=lambda method, path, headers: method == "DELETE", action="hold"))
        storage = proxy.url_for(sandbox.storage_url("GRA"))
        original = Cloud.service

        def through_proxy(self: Cloud, region: str, **_options: Any) -> Any:
            return original(self, region, endpoint_override=storage)

        monkeypatch.setattr(Cloud, "service", through_proxy)
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_container(pilot, app, container_name)
            await pilot.press("d")
            await wait_confirm(pilot, app)
            await pilot.press("y")
            deleting = await wait_stage(pilot, app, Stage.DELETING)
            await wait_for(pilot, lambda: "held" in proxy.outcomes("DELETE"), "the held DELETE")

            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            question = text_of(app.screen.query_one("#question", Static))
            assert "Still running: deletion of 1 object and 3 segments" in question
            await pilot.press("n")
            assert app.screen is deleting and app.is_running

            await pilot.press("escape")
            assert deleting.stage is Stage.CANCELLING
            proxy.release()
            await wait_stage(pilot, app, Stage.DONE)
            assert deleting.summary is not None and deleting.summary.cancelled
            assert deleting.summary.objects_left == (f"{container_name}/a.tar",)
            assert "cancelled" in screen_text(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ContainerScreen), "the listing")

    assert names(checker, container_name) == ["a.tar"]
    assert names(checker, f"{container_name}_segments") == segments
    assert md5_of(checker, container_name, "a.tar") == md5(data)


async def test_orphans_of_an_interrupted_upload_are_listed_and_deleted(
    make_app: Callable[[], SwiftuiApp], checker: swiftclient.Connection, container_name: str
) -> None:
    live_data = random_bytes(3000)
    live = make_slo(checker, container_name, "live.tar", live_data, mtime=1.0)
    prefix = segment_prefix("gone.tar", 5.0, 3000, 1024)
    put_segments(checker, f"{container_name}_segments", prefix, random_bytes(2048), 1024)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: container_name in keys_of(app, "#containers"), "listing")
        app.screen.query_one("#containers", ListingTable).move_cursor_to_key(container_name)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OrphansScreen), "the orphans view")
        orphans = app.screen
        assert isinstance(orphans, OrphansScreen)
        group = f"{container_name}_segments/{prefix}"
        await wait_for(pilot, lambda: keys_of(app, "#orphan-groups") == [group], "the group")
        row = orphans.query_one("#orphan-groups", ListingTable).rows[0]
        assert [str(cell) for cell in row.cells][:2] == ["  gone.tar", "2 of 3"]
        # Just written: an upload may still be going on, so it is not selected.
        assert str(row.cells[4]) == "recent" and not orphans.selected
        assert app.screen.active_bindings["d"].enabled is False

        await pilot.press("space", "d")
        assert await wait_confirm(pilot, app) == "Delete 2 orphaned segments?"
        assert "an upload may still be writing it" in screen_text(app)
        await pilot.press("y")
        await wait_stage(pilot, app, Stage.DONE)
        assert "Deleted 2 orphaned segments" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is orphans, "the orphans view again")
        await wait_for(pilot, lambda: orphans.report is not None, "the new scan")
        assert keys_of(app, "#orphan-groups") == []
        assert "No orphaned segments" in screen_text(app)

    assert names(checker, f"{container_name}_segments") == segment_names(live)
    assert md5_of(checker, container_name, "live.tar") == md5(live_data)
