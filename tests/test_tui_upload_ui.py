"""The upload screens' own behaviour, without Swift: the form's checks, the queue, and the
live view's responsiveness under a flood of engine events.

The account is the fixed one of ``tui_upload_support`` and the engine is scripted: these
tests are about what the UI does with the plan and with events, not about what Swift
stores (``test_tui_upload.py`` checks that against the sandbox).
"""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from support.tui_data import NOW
from support.tui_support import settle, wait_for
from support.tui_upload_support import (
    ScriptedEngine,
    fixed_app,
    flood,
    is_live,
    make_file,
    midway,
    open_form,
    plan_event,
    queue,
    shown,
)
from textual.widgets import Button

from swiftui.tui.app import SwiftuiApp
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadLiveScreen, show_uploads
from swiftui.tui.uploads.model import UploadModel
from swiftui.tui.uploads.queue import Uploads
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.tui.widgets.transfer_model import LOG_LINES, JobState, SegmentStatus
from swiftui.tui.widgets.transfer_queue import JobChanged
from swiftui.tui.widgets.transfer_rows import SegmentTable
from swiftui.units import MIB
from swiftui.upload import UploadRequest
from swiftui.upload.events import (
    Progress,
    SegmentFailed,
    SegmentProgress,
    SegmentQueued,
    SegmentRetrying,
)


def uploads(app: SwiftuiApp) -> Uploads:
    return app.uploads


async def test_the_form_explains_an_impossible_plan_before_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumps = tmp_path / "dumps"
    make_file(dumps / "big.dump", 20 * MIB)
    monkeypatch.chdir(dumps)
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        await pilot.press("down", "enter")
        assert "20.0 MiB fits in one segment of 64.0 MiB" in shown(app, "#plan")
        assert form.query_one("#segment-size").value == "64 MiB"

        await pilot.press("tab", "tab", "tab", "tab", "1")
        assert shown(app, "#plan").startswith(
            "✗ segment size 1 makes 20971520 segments, more than this cluster's manifests "
            "can list even nested: use segment size 1MiB or more"
        )
        assert form.query_one("#start-button", Button).disabled
        await pilot.press("ctrl+s")
        assert app.screen is form and uploads(app).jobs == []

        assert refused(form) == ["segment-size"]

        # The engine's refusal, the field named as the form labels it.
        await pilot.press("ctrl+u", *"2mib", "tab", "ctrl+u", "0")
        assert shown(app, "#plan").startswith("✗ threads must be between 1 and 32, not 0")
        assert refused(form) == ["threads"]
        # A duration goes through the CLI's parser, and says what is wrong in its words.
        await pilot.press("backspace", "8", "tab", "tab", *"30x")  # past the upload limit
        assert shown(app, "#plan").startswith("✗ expires after: cannot read '30x' as a duration")
        assert refused(form) == ["expiry"]
        await pilot.press("backspace", "d")
        await wait_for(pilot, lambda: form.destination_read, "the destination read")
        plan = shown(app, "#plan")
        assert plan.startswith("20.0 MiB = 10 segments of 2.0 MiB (asked)")
        assert "→ GRA › backups, segments in backups_segments" in plan
        assert "8 threads · expires 2026-12-25 (30 days)" in plan
        assert refused(form) == []
        assert not form.query_one("#start-button", Button).disabled
        assert form.request is not None
        assert (form.request.segment_size, form.request.delete_after) == (2 * MIB, 30 * 86400)
        await pilot.press("ctrl+u", *"12h")
        assert form.request is not None and form.request.delete_after == 12 * 3600


def refused(form: UploadFormScreen) -> list[str]:
    """The inputs the form marks as the cause of its refusal."""
    return [str(field.id) for field in form.query(".form-input.-refused")]


async def test_the_tree_shows_sizes_hides_dot_files_and_jumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    dumps = tmp_path / "dumps"
    make_file(dumps / "db.dump", 3 * MIB)
    make_file(dumps / ".partial", 10)
    make_file(tmp_path / "elsewhere" / "www.tar", MIB)
    monkeypatch.chdir(dumps)
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        tree = form.query_one("#files")
        assert str(tree.root.label) == "~/dumps"
        assert [str(node.label) for node in tree.root.children] == ["db.dump"]
        assert "3.0 MiB" in tree.render_label(
            tree.root.children[0], tree.rich_style, tree.rich_style
        )

        await pilot.press("full_stop")
        await wait_for(pilot, lambda: len(tree.root.children) == 2, "dot files")
        assert [str(node.label) for node in tree.root.children] == [".partial", "db.dump"]

        await pilot.press("backspace")
        await wait_for(pilot, lambda: str(tree.root.label) == "~", "the parent folder")
        await pilot.press("slash", "ctrl+u", *"~/elsewhere/www.tar", "enter")
        assert form.chosen is not None and form.chosen.path == tmp_path / "elsewhere" / "www.tar"
        assert str(tree.root.label) == "~/elsewhere"
        assert form.query_one("#object").value == "www.tar"


async def test_uploads_queue_one_at_a_time_and_cancel_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = ScriptedEngine(midway)
    app = fixed_app()
    uploads(app).runner = engine
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = queue(app, "a.dump")
        second = queue(app, "b.dump")
        assert uploads(app).enqueue(first.service, first.request) is None
        show_uploads(app, first)
        await wait_for(pilot, is_live(app), "the live view")
        await wait_for(pilot, engine.played.is_set, "the first upload's events")
        await settle(pilot)
        assert (first.state, second.state) == (JobState.RUNNING, JobState.QUEUED)
        assert uploads(app).busy() == "upload of a.dump to backups/a.dump, 44 % (1 more queued)"
        assert "2/6 done · 1 uploading · 1 retrying · 2 queued · 2 retries" in shown(
            app, "#counters"
        )
        segments = app.screen.query_one("#segments", SegmentTable)
        assert segments.cursor_key == "2"

        jobs = app.screen.query_one("#jobs", ListingTable)
        jobs.focus()
        await pilot.press("down")
        assert app.screen.shown is second
        assert shown(app, "#phase").startswith("queued")
        await pilot.press("c")
        assert second.state is JobState.CANCELLED
        await pilot.press("r")
        assert second.state is JobState.QUEUED

        await pilot.press("up", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = shown(app, "#question")
        assert "2 of 6 segments" in question and "are kept in Swift" in question
        assert "unfinished segment" in question and "will be sent again" in question
        await pilot.press("n")
        assert first.state is JobState.RUNNING
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: first.state is JobState.CANCELLED, "the cancel")
        outcome = first.model.summary().outcome
        assert outcome is not None and "2 of 6 segments" in outcome.message
        await wait_for(pilot, lambda: second.state is JobState.RUNNING, "the next upload")


async def test_a_flood_of_changes_is_drawn_once() -> None:
    """However many wake-ups the engine's thread posts before the view gets its turn, the
    view takes the model's changes once and draws where they lead."""
    engine = ScriptedEngine(lambda request: [plan_event(request, 50 * MIB, MIB)])
    app = fixed_app()
    uploads(app).runner = engine
    async with app.run_test(size=(80, 24)) as pilot:
        job = queue(app, "huge.dump", threads=8)
        show_uploads(app, job)
        await wait_for(pilot, is_live(app), "the live view")
        await wait_for(pilot, engine.played.is_set, "the plan")
        await settle(pilot)
        live = app.screen
        assert isinstance(live, UploadLiveScreen)
        with patch.object(job.model, "take_changes", wraps=job.model.take_changes) as taken:
            for event in flood(50, 8, pause=lambda: None)(job.request):
                job.model.apply(event)
                live.post_message(JobChanged(job))
            await settle(pilot)
        assert taken.call_count == 1
        assert shown(app, "#counters").startswith("segments 50/50 done")


def test_the_model_keeps_one_entry_per_segment_and_a_bounded_log() -> None:
    model = UploadModel(lambda: NOW)
    for event in flood(50, 8, pause=lambda: None)(UploadRequest(Path("/srv/x.dump"), "backups")):
        model.apply(event)
    for attempt in range(LOG_LINES + 100):
        model.apply(SegmentRetrying(3, attempt + 2, "PUT answered 503", 0.1))
    changes = model.take_changes()
    assert changes.replanned
    assert changes.segments == list(range(50))
    assert len(changes.log) == LOG_LINES
    assert model.take_changes().segments == []
    model.apply(SegmentQueued(7, 7 * MIB, MIB))
    assert model.take_changes().segments == []
    assert model.segment(3).status is SegmentStatus.RETRYING
    assert changes.summary.retries == LOG_LINES + 100
    # The engine's last snapshot may still list a segment that failed: it stays failed.
    model.apply(SegmentFailed(3, "PUT answered 403"))
    model.apply(Progress(0, 50 * MIB, 0.0, None, 0, 50, (SegmentProgress(3, MIB // 2, MIB),)))
    assert model.segment(3).status is SegmentStatus.FAILED
