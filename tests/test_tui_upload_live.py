"""The live view at 80x24, as drawn on the terminal: the log keeps every character and
wraps again on resize, and the queue keeps the running upload in view with the same
progress as the bar. A scripted engine plays the events (no Swift needed)."""

from __future__ import annotations

from support.tui_support import drawn_lines, settle, wait_for
from support.tui_upload_support import ScriptedEngine, fixed_app, is_live, midway, queue
from textual.widgets import ProgressBar

from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.widgets.log_panel import LogPanel
from swiftui.tui.widgets.transfer_model import JobState

RETRY_LINE = "09:30:00 segment #3: PUT answered 503 Service Unavailable; attempt 2 in 1.0 s"


async def test_the_log_keeps_the_last_character_and_wraps_again_on_resize() -> None:
    app = fixed_app()
    engine = ScriptedEngine(midway)
    app.uploads.runner = engine
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        show_uploads(app, queue(app, "pg-2026-11.dump"))
        await wait_for(pilot, is_live(app), "the live view")
        log = app.screen.query_one("#transfer-log", LogPanel)

        def lines() -> list[str]:
            return [strip.text.rstrip() for strip in log.lines]

        await wait_for(pilot, lambda: any("segment #3" in line for line in lines()), "the retry")
        width = log.scrollable_content_region.width
        assert all(len(line) <= width for line in lines())
        assert RETRY_LINE in " ".join(lines())  # wrapped at a space, not one cell lost
        assert RETRY_LINE not in lines()

        await pilot.resize_terminal(120, 30)
        await wait_for(pilot, lambda: RETRY_LINE in lines(), "the lines wrapped at 120 columns")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: RETRY_LINE not in lines(), "the lines wrapped at 80 again")
        assert RETRY_LINE in " ".join(lines())


async def test_the_queue_shows_the_running_upload_as_far_as_its_bar() -> None:
    """Four uploads, three cancelled: the queue list (three rows high) scrolls to the one
    running, and its row says the percentage the bar shows."""
    app = fixed_app()
    app.uploads.runner = ScriptedEngine(midway)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        jobs = [queue(app, f"pg-2026-0{month}.dump") for month in (1, 2, 3, 4)]
        show_uploads(app, jobs[0])
        await wait_for(pilot, is_live(app), "the live view")
        for job in jobs[:3]:
            await wait_for(pilot, lambda job=job: job.model.summary().progress, "its progress")
            app.uploads.cancel(job)
            await wait_for(pilot, lambda job=job: job.state is JobState.CANCELLED, "the cancel")
        last = jobs[3]
        await wait_for(pilot, lambda: last.model.summary().progress, "the last one's progress")
        bar = app.screen.query_one("#overall", ProgressBar)
        await wait_for(pilot, lambda: bar.progress == 2 * 2**20 + 420 * 1024, "the bar")
        await pilot.pause()

        queue_rows = [line for line in drawn_lines(pilot)[3:7] if ".dump" in line]
        assert [row.split()[1] for row in queue_rows] == ["2", "3", "4"]
        assert queue_rows[-1].rstrip(" │▂▆").endswith("uploading 44 %")
        assert bar.percentage is not None and round(100 * bar.percentage) == 44
