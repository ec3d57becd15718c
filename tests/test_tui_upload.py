"""The upload screens against the sandbox: what the keys start is what the server holds.

A file is picked by moving in the directory tree (or typing its path), the form is filled
with keys, and the real engine runs in the app's worker. python-swiftclient then checks
the SLO (manifest header, segment count, md5 of the download). Cancelling and resuming go
through the UI too; a fault proxy holds one segment's PUT so the cancel lands mid-upload.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import swiftclient
from rich.console import Console
from support.faultproxy import Fault, FaultProxy
from support.tui_support import wait_for
from support.upload_support import (
    Recorder,
    download_md5,
    object_names,
    timestamps,
    upload,
    write_random,
)
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from swiftui.cloud import Cloud
from swiftui.errors import OperationCancelled
from swiftui.sandbox import Sandbox
from swiftui.swift import SwiftService
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadedDetailsScreen, UploadLiveScreen
from swiftui.tui.uploads.queue import UploadJob
from swiftui.tui.uploads.resume import ResumeScreen
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import JobState, SegmentStatus
from swiftui.units import MIB
from swiftui.upload import SegmentDone, UploadRequest, resumable_uploads

SIZE = 5 * MIB + 4321
SEGMENTS = 6


def upload_app(cloud: Cloud) -> SwiftuiApp:
    return SwiftuiApp(cloud=cloud, region="GRA", environ={})


def is_screen(app: SwiftuiApp, kind: type[Screen]) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, kind)


def shown(app: SwiftuiApp, selector: str) -> str:
    """A Static's text as the user reads it (styles dropped, any width)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def palette_offers(app: SwiftuiApp, prompt: str) -> Callable[[], bool]:
    """The command palette's highlighted command is ``prompt``."""

    def offered() -> bool:
        if not isinstance(app.screen, CommandPalette):
            return False
        commands = app.screen.query_one(CommandList)
        index = commands.highlighted
        return index is not None and str(commands.get_option_at_index(index).prompt).startswith(
            prompt
        )

    return offered


def manifest(checker: swiftclient.Connection, container: str, name: str) -> list[dict]:
    _headers, body = checker.get_object(container, name, query_string="multipart-manifest=get")
    return json.loads(body)


def held_segment(index: int) -> Fault:
    """Hold the PUT of segment ``index`` until the proxy lets go (then reset it)."""
    return Fault(
        match=lambda method, path, headers: method == "PUT" and path.endswith(f"/{index:08d}"),
        action="hold",
    )


async def fill_form(pilot: Pilot, *, segment_size: str, threads: str) -> None:
    """From the tree: Tab to the segment size and threads fields and type over them."""
    await pilot.press("tab", "tab", "tab", "tab")
    assert pilot.app.focused is not None and pilot.app.focused.id == "segment-size"
    await pilot.press(*segment_size, "tab", *threads)


async def live_job(pilot: Pilot, app: SwiftuiApp) -> UploadJob:
    """The job the live view shows (it may already be under the details of the result)."""

    def live() -> UploadLiveScreen | None:
        return next((s for s in app.screen_stack if isinstance(s, UploadLiveScreen)), None)

    await wait_for(pilot, lambda: (screen := live()) is not None and screen.ready, "the live view")
    screen = live()
    assert screen is not None and screen.shown is not None
    return screen.shown


async def verified(pilot: Pilot, app: SwiftuiApp) -> str:
    """Wait for the details of the uploaded object and its verification; its verdict."""
    await wait_for(pilot, is_screen(app, UploadedDetailsScreen), "the uploaded object's details")
    screen = app.screen
    assert isinstance(screen, ObjectDetailsScreen)
    await wait_for(
        pilot,
        lambda: screen.query("#verdict") and shown(app, "#verdict")[:1] in ("✓", "✗"),
        "the verification's verdict",
    )
    return shown(app, "#verdict")


async def test_pick_a_file_in_the_tree_and_upload_it(
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker.put_container(container_name)
    work = tmp_path / "work"
    (work / "older").mkdir(parents=True)
    (work / "older" / "pg-2026-10.dump").write_bytes(b"old")
    (work / ".cache").write_bytes(b"hidden")
    source = work / "pg-2026-11.dump"
    expected_md5 = write_random(source, SIZE)
    monkeypatch.chdir(work)
    app = upload_app(cloud)
    async with app.run_test(size=(80, 24)) as pilot:
        containers = app.screen.query_one("#containers", ListingTable)
        await wait_for(pilot, lambda: container_name in containers.keys, "the container")
        containers.move_cursor_to_key(container_name)
        await pilot.press("u")
        await wait_for(pilot, is_screen(app, UploadFormScreen), "the upload form")
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        await wait_for(pilot, lambda: form.limits is not None, "the cluster's limits")
        tree = form.query_one("#files")
        await wait_for(pilot, lambda: len(tree.root.children) == 2, "the working directory")
        # The root, then "older" (folders first), then the dump; .cache stays hidden.
        await pilot.press("down", "down", "enter")
        assert form.chosen is not None and form.chosen.path == source
        assert form.query_one("#container").value == container_name
        assert form.query_one("#object").value == "pg-2026-11.dump"

        await fill_form(pilot, segment_size="1mib", threads="2")
        assert form.request is not None and form.request.segment_size == MIB
        plan_text = shown(app, "#plan")
        assert f"= {SEGMENTS} segments of 1.0 MiB (asked)" in plan_text
        await pilot.press("ctrl+s")
        job = await live_job(pilot, app)
        verdict = await verified(pilot, app)
        assert job.state is JobState.DONE
        assert verdict.startswith(f"✓ all {SEGMENTS} segments present")
        # The verdict is on screen: no notification covers it (nor the Etag column).
        assert not app.screen.query("Toast")

    headers = checker.head_object(container_name, "pg-2026-11.dump")
    assert headers["x-static-large-object"] == "True"
    assert int(headers["content-length"]) == SIZE
    assert len(manifest(checker, container_name, "pg-2026-11.dump")) == SEGMENTS
    assert download_md5(checker, container_name, "pg-2026-11.dump") == expected_md5


async def test_after_an_upload_the_containers_show_fresh_counts_without_r(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    checker.put_container(container_name)
    source = tmp_path / "small.dump"
    write_random(source, 3000)
    app = upload_app(cloud)
    async with app.run_test(size=(80, 24)) as pilot:
        containers = app.screen.query_one("#containers", ListingTable)

        def row() -> list[str]:
            found = [r for r in containers.rows if r.key == container_name]
            return [str(cell) for cell in found[0].cells] if found else []

        await wait_for(pilot, lambda: row()[1:4] == ["0", "0 Bytes", "Standard"], "the count")
        job = app.uploads.enqueue(cloud.service("GRA"), UploadRequest(source, container_name))
        assert job is not None
        await wait_for(pilot, lambda: job.state is JobState.DONE, "the upload")
        await wait_for(pilot, lambda: row()[1:3] == ["1", "2.9 KiB"], "fresh counts")


async def test_the_form_shows_the_engines_decision_to_resume_an_interrupted_upload(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    """The plan, the segment size and the resume line are the engine's own, from what is
    in Swift and in the journal; the form sends nothing to find them out."""
    source = tmp_path / "pg-2026-12.dump"
    write_random(source, SIZE)
    cancel = threading.Event()

    def stop_after_two(event: object) -> None:
        if isinstance(event, SegmentDone) and event.index == 1:
            cancel.set()

    service = cloud.service("GRA")
    first = UploadRequest(source, container_name, segment_size=MIB, threads=1)
    with pytest.raises(OperationCancelled):
        upload(service, first, recorder=Recorder(then=stop_after_two), cancel=cancel)
    sent = object_names(checker, f"{container_name}_segments")
    app = upload_app(cloud)
    async with app.run_test(size=(80, 24)) as pilot:
        # The interrupted upload is offered at start, as to a user: go past the offer.
        await wait_for(pilot, is_screen(app, ResumeScreen), "the interrupted upload offered")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ResumeScreen), "the offer gone")
        await app.push_screen(UploadFormScreen(service, container=container_name))
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        await wait_for(pilot, lambda: form.limits is not None, "the cluster's limits")
        await pilot.press("slash", "ctrl+u", *str(source), "enter")
        await wait_for(pilot, lambda: form.destination_read, "the destination read")
        plan = shown(app, "#plan")
        assert plan.startswith(f"5.0 MiB = {SEGMENTS} segments of 1.0 MiB (as the interrupted")
        assert f"{len(sent)} of {SEGMENTS} segments" in plan and "already sent" in plan
        assert "replaces" not in plan
        assert form.query_one("#segment-size", Input).value == "1 MiB"
        assert form.request is not None and form.request.segment_size is None
    assert object_names(checker, f"{container_name}_segments") == sent


def proxied(cloud: Cloud, sandbox: Sandbox, proxy: FaultProxy) -> SwiftService:
    return cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))


async def start_held_upload(
    pilot: Pilot, app: SwiftuiApp, service: SwiftService, container: str, source: Path
) -> UploadJob:
    """Open the form on ``service`` (behind the proxy), type the file's path, start with
    one thread; return once segments 0 and 1 are in and segment 2 is held."""
    await app.push_screen(UploadFormScreen(service, container=container))
    form = app.screen
    assert isinstance(form, UploadFormScreen)
    await wait_for(pilot, lambda: form.limits is not None, "the cluster's limits")
    await pilot.press("slash", "ctrl+u", *str(source), "enter")
    assert form.chosen is not None and form.chosen.path == source
    form.query_one("#files").focus()
    await fill_form(pilot, segment_size="1mib", threads="1")
    await pilot.press("ctrl+s")
    job = await live_job(pilot, app)
    done = (JobState.DONE, JobState.CANCELLED, JobState.FAILED)
    await wait_for(
        pilot,
        lambda: job.model.summary().counts.get(SegmentStatus.DONE) == 2 or job.state in done,
        "two segments sent",
    )
    assert job.state is JobState.RUNNING
    return job


async def test_cancel_then_resume_sends_only_the_missing_segments(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    source = tmp_path / "pg-2026-12.dump"
    expected_md5 = write_random(source, SIZE)
    segments = container_name + "_segments"
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(held_segment(2))
        app = upload_app(cloud)
        async with app.run_test(size=(80, 24)) as pilot:
            job = await start_held_upload(
                pilot, app, proxied(cloud, sandbox, proxy), container_name, source
            )
            await pilot.press("c")
            await wait_for(pilot, is_screen(app, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await wait_for(pilot, lambda: job.state is JobState.CANCELLED, "the cancel")
            # The state is the queue's; the screen draws it on its next turn.
            await wait_for(pilot, lambda: "resumes" in shown(app, "#phase"), "the outcome shown")
            phase = shown(app, "#phase")
            assert "2 of 6 segments" in phase and "r resumes it" in phase

            sent = [item["name"] for item in checker.get_container(segments)[1]]
            assert len(sent) == 2
            before = timestamps(checker, segments, sent)
            (interrupted,) = resumable_uploads()
            assert (interrupted.segments_done, interrupted.segment_count) == (2, SEGMENTS)

            await pilot.press("ctrl+p")
            await pilot.press(*"resume interrupted")
            await wait_for(pilot, palette_offers(app, "Resume interrupted uploads"), "the match")
            await pilot.press("enter")
            await wait_for(pilot, is_screen(app, ResumeScreen), "the interrupted uploads")
            table = app.screen.query_one("#interrupted", ListingTable)
            await wait_for(pilot, lambda: table.row_count == 1, "the interrupted upload")
            assert [str(cell) for cell in table.rows[0].cells[2:4]] == ["2/6", "3.0 MiB"]
            await pilot.press("enter")

            resumed = await live_job(pilot, app)
            assert resumed is not job
            verdict = await verified(pilot, app)
            assert verdict.startswith(f"✓ all {SEGMENTS} segments present")
            outcome = resumed.model.summary().outcome
            assert outcome is not None and outcome.result is not None
            assert outcome.result.reused_segments == 2

    assert timestamps(checker, segments, sent) == before
    assert len(checker.get_container(segments)[1]) == SEGMENTS
    assert len(manifest(checker, container_name, source.name)) == SEGMENTS
    assert download_md5(checker, container_name, source.name) == expected_md5
    assert resumable_uploads() == []


async def test_quit_during_an_upload_asks_and_leaves_it_resumable(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    source = tmp_path / "pg-2027-01.dump"
    expected_md5 = write_random(source, SIZE)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(held_segment(2))
        app = upload_app(cloud)
        async with app.run_test(size=(80, 24)) as pilot:
            job = await start_held_upload(
                pilot, app, proxied(cloud, sandbox, proxy), container_name, source
            )
            await pilot.press("q")
            await wait_for(pilot, is_screen(app, ConfirmScreen), "the question")
            question = shown(app, "#question")
            assert f"upload of {source.name} to {container_name}/{source.name}" in question
            await pilot.press("y")
        # The app is gone; its worker was cancelled and the engine stops within a second.
        assert job.model.ended.wait(10)
    outcome = job.model.summary().outcome
    assert outcome is not None and outcome.state is JobState.CANCELLED

    # Next start: the interrupted upload is offered, and Enter resumes it.
    app = upload_app(cloud)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, is_screen(app, ResumeScreen), "the offer to resume")
        table = app.screen.query_one("#interrupted", ListingTable)
        await wait_for(pilot, lambda: table.row_count == 1, "the interrupted upload")
        await pilot.press("enter")
        await live_job(pilot, app)
        verdict = await verified(pilot, app)
        assert verdict.startswith(f"✓ all {SEGMENTS} segments present")
    assert download_md5(checker, container_name, source.name) == expected_md5


async def test_a_failed_upload_says_why_and_r_resumes_it(
    cloud: Cloud,
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
) -> None:
    source = tmp_path / "pg-2027-02.dump"
    expected_md5 = write_random(source, SIZE)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(
            Fault(
                match=lambda method, path, headers: method == "PUT" and path.endswith("/00000002"),
                action="status",
                status=403,
            )
        )
        app = upload_app(cloud)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.push_screen(
                UploadFormScreen(proxied(cloud, sandbox, proxy), container=container_name)
            )
            form = app.screen
            assert isinstance(form, UploadFormScreen)
            await wait_for(pilot, lambda: form.limits is not None, "the cluster's limits")
            await pilot.press("slash", "ctrl+u", *str(source), "enter")
            form.query_one("#files").focus()
            await fill_form(pilot, segment_size="1mib", threads="1")
            await pilot.press("ctrl+s")
            job = await live_job(pilot, app)
            await wait_for(pilot, lambda: job.state is JobState.FAILED, "the failure")
            await wait_for(pilot, lambda: "resumes" in shown(app, "#phase"), "the outcome shown")
            phase = shown(app, "#phase")
            assert "answered 403" in phase
            assert "The segments sent are kept. Once the cause is fixed, r resumes it" in phase
            segments = app.screen.query_one("#segments", ListingTable)
            await wait_for(
                pilot,
                lambda: str(segments.rows[2].cells[3]).startswith("failed: "),
                "segment #2 shown failed",
            )

            await pilot.press("r")
            verdict = await verified(pilot, app)
            assert verdict.startswith(f"✓ all {SEGMENTS} segments present")
            outcome = job.model.summary().outcome
            assert outcome is not None and outcome.result is not None
            assert outcome.result.reused_segments == 2
    assert download_md5(checker, container_name, source.name) == expected_md5
