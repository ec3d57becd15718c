"""The upload screens against the sandbox: marked files go up as one batch, and the
bandwidth cap is set in the form, shown in the live view and changed while the upload runs.

Keys drive the form and the live view; python-swiftclient checks what the server holds,
and the cap is checked where it acts, on the upload's own rate limiter (never as a speed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import swiftclient
from support.tui_support import drawn_lines, wait_for
from support.tui_upload_support import open_form, shown
from support.upload_support import download_md5, write_random
from textual.pilot import Pilot
from textual.widgets import Input, Label

from swiftui.cloud import Cloud
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.uploads.batch import BatchJob
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadLiveScreen
from swiftui.tui.widgets.log_panel import LogPanel
from swiftui.tui.widgets.rate_dialog import RateLimitScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.units import KIB, MIB


async def form_on(pilot: Pilot, container: str) -> UploadFormScreen:
    """u on ``container``; the form once the cluster's limits and the folder are read."""
    containers = pilot.app.screen.query_one("#containers", ListingTable)
    await wait_for(pilot, lambda: container in containers.keys, "the container")
    containers.move_cursor_to_key(container)
    return await open_form(pilot)


def log_text(app: SwiftuiApp) -> str:
    """The live view's log, as drawn (under the uploaded object's details, if they opened)."""
    live = next(screen for screen in app.screen_stack if isinstance(screen, UploadLiveScreen))
    log = live.query_one("#transfer-log", LogPanel)
    return " ".join(strip.text.rstrip() for strip in log.lines)


async def test_marked_files_go_up_one_after_another_as_one_batch(
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker.put_container(container_name)
    work = tmp_path / "dumps"
    work.mkdir()
    first, second = work / "a.dump", work / "b.dump"
    write_random(first, MIB + MIB // 2)
    write_random(second, 3000)
    (work / "c.txt").write_bytes(b"not marked")
    monkeypatch.chdir(work)
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        form = await form_on(pilot, container_name)
        # The root, then the files in name order; space marks and moves down.
        await pilot.press("down", "space", "space")
        assert list(form.query_one("#files").marked) == [first, second]  # type: ignore[attr-defined]
        marked_rows = [line for line in drawn_lines(pilot) if "● " in line]
        assert [("a.dump" in row, "b.dump" in row) for row in marked_rows] == [
            (True, False),
            (False, True),
        ]
        assert shown(app, "#file-info").startswith("2 files marked · 1.5 MiB")
        assert form.query_one("#object", Input).disabled

        await pilot.press("tab", "tab", "tab")  # hidden files, container, (not the name) size
        assert app.focused is not None and app.focused.id == "segment-size"
        await pilot.press(*"1mib")
        await wait_for(pilot, lambda: form.batch_requests is not None, "the engine's plan of both")
        plan = shown(app, "#plan")
        assert plan.startswith(f"uploading 2 files (1.5 MiB) to {container_name}: 2 to send")
        assert "a.dump: 1.5 MiB = 2 segments of 1.0 MiB (asked)" in plan

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadLiveScreen), "the live view")
        [job] = app.uploads.jobs
        assert isinstance(job, BatchJob)
        await wait_for(pilot, lambda: job.state is JobState.DONE, "the batch")
        await wait_for(pilot, lambda: "2 files: 2 uploaded" in log_text(app), "the summary")
        text = log_text(app)
        assert text.index("file 1 of 2") < text.index("file 2 of 2")
        assert f"done: {container_name}/a.dump" in text
        assert f"done: {container_name}/b.dump" in text

    for path in (first, second):
        _headers, body = checker.get_object(container_name, path.name)
        assert body == path.read_bytes()
    assert checker.head_object(container_name, "a.dump")["x-static-large-object"] == "True"
    names = [entry["name"] for entry in checker.get_container(container_name)[1]]
    assert names == ["a.dump", "b.dump"]


async def test_the_cap_is_set_in_the_form_shown_and_changed_while_the_upload_runs(
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker.put_container(container_name)
    source = tmp_path / "capped.dump"
    md5 = write_random(source, 8 * MIB)
    monkeypatch.chdir(tmp_path)
    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        form = await form_on(pilot, container_name)
        await pilot.press("down", "enter")
        assert form.chosen is not None and form.chosen.path == source
        limit = form.query_one("#limit", Input)
        limit.focus()
        await pilot.press(*"20")
        assert shown(app, "#plan").strip() == (
            "✗ upload limit: 20: add a unit: 20MiB, 2MB/s or 160Mbit"
        )
        assert limit.has_class("-refused") and form.request is None
        await pilot.press("backspace", "backspace", *"256KiB/s")
        assert form.request is not None and form.request.rate_limiter is not None
        assert form.request.rate_limiter.rate == 256 * KIB

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadLiveScreen), "the live view")
        [job] = app.uploads.jobs
        limiter = job.limiter
        assert limiter is not None
        await wait_for(pilot, lambda: job.model.summary().plan is not None, "the plan")
        await wait_for(
            pilot, lambda: shown(app, "#counters").rstrip().endswith("cap 256.0 KiB/s"), "cap"
        )

        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, RateLimitScreen), "the cap dialog")
        rate = app.screen.query_one("#rate", Input)
        assert rate.value == "256KiB/s"
        rate.value = "0"
        await pilot.press("enter")
        error = str(app.screen.query_one("#rate-error", Label).content)
        assert error.startswith("upload limit: a rate must be at least 1 byte per second")
        assert limiter.rate == 256 * KIB
        rate.value = "512KiB/s"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadLiveScreen), "back")
        assert limiter.rate == 512 * KIB
        await wait_for(
            pilot, lambda: shown(app, "#counters").rstrip().endswith("cap 512.0 KiB/s"), "new cap"
        )
        assert "bandwidth cap changed: cap 512.0 KiB/s" in log_text(app)

        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, RateLimitScreen), "the dialog again")
        no_cap = app.screen.query_one("#no-cap")
        await wait_for(pilot, lambda: no_cap.region.area, "its buttons laid out")
        await pilot.click(no_cap)
        # Without a cap the rest goes at once: the uploaded object's details may open.
        await wait_for(pilot, lambda: limiter.rate is None, "the cap lifted")
        await wait_for(pilot, lambda: job.state is JobState.DONE, "the upload")
        assert "bandwidth cap changed: no cap" in log_text(app)

    assert download_md5(checker, container_name, "capped.dump") == md5
