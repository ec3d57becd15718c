"""Pictures of the Jobs screens, compared with the SVGs under ``__snapshots__``.

The jobs file, the runs and the job's account are the fixed ones of ``tui_jobs_support``
and the clock is frozen, so a picture changes only when the UI does. What a run, a save
and a refusal do is tested against the sandbox in ``test_tui_jobs.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.tui_jobs_support import jobs_app, jobs_home, plesk_dumps, record_runs
from support.tui_support import drawn_lines, settle, wait_for
from textual.pilot import Pilot

from swiftui.tui.jobs.form import JobFormScreen

SnapCompare = Callable[..., bool]


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fixed jobs and their runs, dates in UTC (retention lines use the local zone)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    path = jobs_home(tmp_path, monkeypatch)
    plesk_dumps(tmp_path)
    record_runs()
    yield path
    monkeypatch.undo()
    time.tzset()


def keys(*presses: str) -> Callable[[Pilot], object]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_jobs_screen(snap_compare: SnapCompare, jobs: Path) -> None:
    assert snap_compare(jobs_app(), run_before=keys("J"), terminal_size=(80, 24))


def test_job_history(snap_compare: SnapCompare, jobs: Path) -> None:
    assert snap_compare(jobs_app(), run_before=keys("J", "down", "enter"), terminal_size=(80, 24))


def test_job_form_with_its_plan(snap_compare: SnapCompare, jobs: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await keys("J", "e")(pilot)
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, JobFormScreen), "the form")
        await wait_for(
            pilot, lambda: any("retention over" in line for line in drawn_lines(pilot)), "plan"
        )
        # On the kind of source: an input's blinking cursor would make the picture vary.
        await pilot.press("shift+tab")
        await settle(pilot)

    assert snap_compare(jobs_app(), run_before=run_before, terminal_size=(80, 24))
