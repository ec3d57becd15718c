"""The download screens against the sandbox: what the keys fetch is what python-swiftclient
reads from the server, byte for byte.

``D`` on an object opens the destination picker (the home directory at first, a folder
picked in its tree); the real engine runs in the app's worker. A fault proxy holds some
segments' GETs so that a cancel lands mid-download, and counts the GETs of the resume.
Cloud Archive is the sandbox's emulation, its unsealing delay a few seconds.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import swiftclient
from rich.console import Console
from support.download_support import (
    MTIME,
    archive_containers,
    archived_slo,
    segment_get,
    segment_gets,
)
from support.faultproxy import Fault, FaultProxy
from support.tui_download_support import open_picker
from support.tui_support import wait_for
from textual.pilot import Pilot
from textual.widgets import Input, Static

from swiftui.cloud import Cloud
from swiftui.download import DownloadResult, interrupted_downloads
from swiftui.sandbox import Sandbox
from swiftui.swift import SwiftService
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.container import ContainerScreen
from swiftui.tui.downloads.destination import DestinationScreen
from swiftui.tui.downloads.live import DownloadLiveScreen
from swiftui.tui.downloads.queue import DownloadJob
from swiftui.tui.downloads.resume import InterruptedDownloadsScreen
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.log_panel import LogPanel
from swiftui.tui.widgets.rate_dialog import RateLimitScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import JobState, SegmentStatus
from swiftui.units import KIB

SEGMENT = 64 * KIB
PARTS = 6


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's home directory, where the picker opens the first time."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def shown(app: SwiftuiApp, selector: str) -> str:
    """A Static's text as the user reads it (styles dropped, any width)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def stored(checker: swiftclient.Connection, container: str, name: str) -> bytes:
    """The object as python-swiftclient reads it."""
    _headers, body = checker.get_object(container, name)
    return bytes(body)


def proxied(cloud: Cloud, sandbox: Sandbox, proxy: FaultProxy) -> SwiftService:
    return cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))


async def live_job(pilot: Pilot, app: SwiftuiApp) -> DownloadJob:
    """The job the download view shows."""
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, DownloadLiveScreen) and app.screen.ready,
        "the download view",
    )
    screen = app.screen
    assert isinstance(screen, DownloadLiveScreen) and isinstance(screen.shown, DownloadJob)
    return screen.shown


async def download_from(
    pilot: Pilot, service: SwiftService, container: str, name: str, size: int
) -> DownloadJob:
    """Open the picker for ``name`` (in the home folder, empty), start, and the job shown."""
    app = pilot.app
    assert isinstance(app, SwiftuiApp)
    await app.push_screen(DestinationScreen(service, container, [name], size))
    await open_picker(pilot, entries=0)
    await pilot.press("ctrl+s")
    return await live_job(pilot, app)


def log_text(app: SwiftuiApp) -> str:
    """The download view's log, as drawn."""
    log = app.screen.query_one("#transfer-log", LogPanel)
    return " ".join(strip.text.rstrip() for strip in log.lines)


def result_of(job: DownloadJob) -> DownloadResult:
    outcome = job.model.summary().outcome
    assert outcome is not None and isinstance(outcome.result, DownloadResult), outcome
    return outcome.result


async def open_container(pilot: Pilot, container: str, objects: int) -> ContainerScreen:
    app = pilot.app
    containers = app.screen.query_one("#containers", ListingTable)
    await wait_for(pilot, lambda: container in containers.keys, "the container")
    containers.move_cursor_to_key(container)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ContainerScreen), "its objects")
    screen = app.screen
    assert isinstance(screen, ContainerScreen)
    await wait_for(pilot, lambda: screen.view.table.row_count == objects, "the objects")
    return screen


async def test_D_downloads_an_slo_into_the_folder_picked_in_the_tree(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, home: Path
) -> None:
    data = os.urandom(PARTS * SEGMENT - 1000)
    archived_slo(checker, container_name, "db/pg-2026-11.dump", data, segment_size=SEGMENT)
    (home / "restore").mkdir()
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, container_name, 1)
        await pilot.press("enter")  # into the folder db/
        await wait_for(pilot, lambda: screen.view.table.cursor_key == "o:db/pg-2026-11.dump", "it")
        await pilot.press("D")
        picker = await open_picker(pilot, entries=1)
        assert shown(app, "#target-info").startswith("→ ~/pg-2026-11.dump")
        await pilot.press("down")  # the restore folder, under the home directory
        await wait_for(pilot, lambda: "~/restore/" in shown(app, "#target-info"), "the folder")
        assert picker.folder == home / "restore"
        await pilot.press("ctrl+s")
        job = await live_job(pilot, app)
        await wait_for(pilot, lambda: job.state is JobState.DONE, "the download")
        await wait_for(pilot, lambda: shown(app, "#phase").startswith("✓ done"), "the outcome")
        assert shown(app, "#counters").startswith(f"segments {PARTS}/{PARTS} done")
        assert result_of(job).checks[-1] == "SHA-256 of the whole file"

    target = home / "restore" / "pg-2026-11.dump"
    assert target.read_bytes() == stored(checker, container_name, "db/pg-2026-11.dump") == data
    assert target.stat().st_mtime == pytest.approx(MTIME, abs=0.001)
    assert interrupted_downloads() == []


async def test_D_on_marked_objects_downloads_each_under_its_name(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, home: Path
) -> None:
    small = os.urandom(3000)
    archived_slo(checker, container_name, "a.dump", os.urandom(3 * SEGMENT), segment_size=SEGMENT)
    checker.put_object(container_name, "b.txt", small)
    checker.put_object(container_name, "c.txt", b"not marked")
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, container_name, 3)
        await pilot.press("space", "space", "D")
        await open_picker(pilot, entries=0)
        assert "2 objects of" in shown(app, "#objects-info")
        assert shown(app, "#target-info").strip() == "→ ~"
        await pilot.press("ctrl+s")
        await live_job(pilot, app)
        jobs = app.downloads.jobs
        assert [entry.request.object_name for entry in jobs] == ["a.dump", "b.txt"]
        await wait_for(pilot, lambda: all(j.state is JobState.DONE for j in jobs), "both")

    assert (home / "a.dump").read_bytes() == stored(checker, container_name, "a.dump")
    assert (home / "b.txt").read_bytes() == small
    assert not (home / "c.txt").exists()


async def test_cancel_keeps_the_parts_and_starting_again_fetches_only_the_missing_ones(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    home: Path,
) -> None:
    data = os.urandom(PARTS * SEGMENT)
    archived_slo(checker, container_name, "pg.dump", data, segment_size=SEGMENT)
    segments = f"{container_name}_segments"
    target = home / "pg.dump"

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            proxy.add(Fault(match=segment_get(2), action="hold", times=1000))
            service = proxied(cloud, sandbox, proxy)
            job = await download_from(pilot, service, container_name, "pg.dump", len(data))
            await wait_for(
                pilot,
                lambda: job.model.summary().counts.get(SegmentStatus.DONE) == 2,
                "two parts fetched, the others held",
            )
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press("y")
            await wait_for(pilot, lambda: job.state is JobState.CANCELLED, "the cancel")
            await wait_for(pilot, lambda: "r resumes it" in shown(app, "#phase"), "the advice")
            assert "2 of 6 parts" in shown(app, "#phase")
    assert not target.exists()
    [interrupted] = interrupted_downloads()
    assert (interrupted.parts_done, interrupted.parts, interrupted.output) == (2, PARTS, target)

    # Next start: the interrupted download is offered; D again with the same file resumes.
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, InterruptedDownloadsScreen), "the offer"
        )
        table = app.screen.query_one("#interrupted", ListingTable)
        await wait_for(pilot, lambda: table.row_count == 1, "the interrupted download")
        assert [str(cell) for cell in table.rows[0].cells[1:4]] == ["~/pg.dump", "2/6", "384.0 KiB"]
        await pilot.press("escape")
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            service = proxied(cloud, sandbox, proxy)
            await app.push_screen(
                DestinationScreen(service, container_name, ["pg.dump"], len(data))
            )
            await open_picker(pilot, entries=1)  # the partial file
            assert "resumes the interrupted download: 2 of 6 parts are here" in shown(
                app, "#target-info"
            )
            await pilot.press("ctrl+s")
            job = await live_job(pilot, app)
            await wait_for(pilot, lambda: job.state is JobState.DONE, "the resumed download")
            fetched = segment_gets(proxy, segments)
        assert result_of(job).reused_parts == 2
        assert shown(app, "#counters").startswith("segments 6/6 done · 2 fetched before")

    assert sorted(name.rsplit("/", 1)[1] for name in fetched) == [f"{i:08d}" for i in range(2, 6)]
    assert target.read_bytes() == stored(checker, container_name, "pg.dump") == data
    assert interrupted_downloads() == []


async def test_l_caps_a_running_download_then_lifts_the_cap(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    home: Path,
) -> None:
    data = os.urandom(PARTS * SEGMENT)
    archived_slo(checker, container_name, "pg.dump", data, segment_size=SEGMENT)
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
            proxy.add(Fault(match=segment_get(2), action="hold", times=1))
            service = proxied(cloud, sandbox, proxy)
            job = await download_from(pilot, service, container_name, "pg.dump", len(data))
            limiter = job.limiter
            assert limiter is not None and limiter.rate is None
            await wait_for(
                pilot, lambda: shown(app, "#counters").startswith("segments "), "the parts"
            )
            assert "cap" not in shown(app, "#counters")

            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, RateLimitScreen), "the dialog")
            app.screen.query_one("#rate", Input).value = "256KiB/s"
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DownloadLiveScreen), "back")
            assert limiter.rate == 256 * KIB
            await wait_for(
                pilot, lambda: shown(app, "#counters").rstrip().endswith("cap 256.0 KiB/s"), "cap"
            )
            assert "bandwidth cap changed: cap 256.0 KiB/s" in log_text(app)

            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, RateLimitScreen), "again")
            app.screen.query_one("#rate", Input).value = ""
            await pilot.press("enter")
            await wait_for(pilot, lambda: limiter.rate is None, "the cap lifted")
            proxy.release()
            await wait_for(pilot, lambda: job.state is JobState.DONE, "the download")
        assert "cap" not in shown(app, "#counters")
        assert "bandwidth cap changed: no cap" in log_text(app)

    assert (home / "pg.dump").read_bytes() == data


async def test_a_sealed_archive_counts_down_then_downloads(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    home: Path,
) -> None:
    archive_containers(checker, container_name)
    data = os.urandom(4 * SEGMENT)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=SEGMENT)
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        with sandbox.unseal_timing(delay_s=3):
            job = await download_from(
                pilot, cloud.service("GRA"), container_name, "dump.tar", len(data)
            )
            await wait_for(pilot, lambda: "ready in" in shown(app, "#phase"), "the countdown")
            phase = shown(app, "#phase")
            assert phase.startswith("sealed on Cloud Archive, unsealing 5 objects: ready in ")
            assert "c stops waiting" in phase
            jobs = app.screen.query_one("#jobs", ListingTable)
            assert str(jobs.rows[0].cells[3]).startswith("unsealing ")
            segments = app.screen.query_one("#segments", ListingTable)
            assert segments.border_title == "Parts: listed once Cloud Archive has unsealed them"
            await wait_for(pilot, lambda: job.state is JobState.DONE, "the download")
        assert shown(app, "#counters").startswith("segments 4/4 done")

    assert (home / "dump.tar").read_bytes() == data
    assert checker.head_object(container_name, "dump.tar")["x-ovh-retrieval-state"] == "unsealed"


async def test_an_existing_file_is_replaced_only_when_the_user_says_so(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, home: Path
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "notes.txt", b"what Swift holds\n")
    target = home / "notes.txt"
    target.write_bytes(b"mine\n")
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, container_name, 1)
        await pilot.press("D")
        picker = await open_picker(pilot, entries=1)
        assert "exists: ctrl+s asks before replacing it" in shown(app, "#target-info")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert shown(app, "#question").startswith("~/notes.txt exists.")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is picker, "back to the picker")
        assert app.downloads.jobs == []
        assert target.read_bytes() == b"mine\n"

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        job = await live_job(pilot, app)
        await wait_for(pilot, lambda: job.state is JobState.DONE, "the download")
    assert target.read_bytes() == b"what Swift holds\n"
