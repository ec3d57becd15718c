"""A job's history: every run, newest first, and the highlighted one in full.

The runs are the job's history file (:func:`~swiftui.jobs.read_history`), read by a worker
when the screen opens and again after a run ends, the lines ``swiftui job history``
prints; under them, what the highlighted run uploaded, found in Swift and pruned, its
error and whom it notified.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker

from swiftui.jobs import Job, RunRecord, read_history
from swiftui.tui.jobs.rows import RUN_COLUMNS, run_facts, run_row
from swiftui.tui.uploads.queue import UploadFinished
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.tui.widgets.table import ListingTable
from swiftui.units import plural


class JobHistoryScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    JobHistoryScreen {
        #run-list { height: 1fr; }
        #run-box {
            height: auto;
            max-height: 10;
            border: round $primary 40%;
            border-title-color: $text;
        }
        #run-facts { padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the jobs"),
    ]

    class Read(Message):
        def __init__(self, records: list[RunRecord]) -> None:
            super().__init__()
            self.records = records

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.records: list[RunRecord] = []
        """Newest first; a row's key is its index here."""

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield ListingTable(RUN_COLUMNS, id="run-list")
        with VerticalScroll(id="run-box"):
            yield Static(id="run-facts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#run-list", ListingTable)
        table.border_title = f"Runs of job {self.job.name}, newest first"
        table.focus()
        self.query_one("#run-box").display = False
        self.load()

    @on(UploadFinished)
    def upload_finished(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        self.post_message(self.Read(read_history(self.job.name)))

    @on(Read)
    def read(self, message: Read) -> None:
        self.records = message.records[::-1]
        table = self.query_one("#run-list", ListingTable)
        zone = self.swiftui_app.zone
        table.set_rows(
            [run_row(str(index), record, zone) for index, record in enumerate(self.records)]
        )
        table.border_subtitle = plural(len(self.records), "run")
        self._show_run()

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        box = self.query_one("#run-box")
        box.display = True
        box.border_title = "Error"
        self.query_one("#run-facts", Static).update(Text(message, style="bold red"))
        return True

    @on(ListingTable.Highlighted, "#run-list")
    def _show_run(self) -> None:
        key = self.query_one("#run-list", ListingTable).cursor_key
        record = self.records[int(key)] if key is not None else None
        box = self.query_one("#run-box")
        box.display = True
        if record is None:
            box.border_title = "No runs yet"
            self.query_one("#run-facts", Static).update(
                f"R on the Jobs screen runs it now; `swiftui job schedule {self.job.name}` "
                "prints its crontab line and systemd units."
            )
            return
        box.border_title = "This run"
        self.query_one("#run-facts", Static).update(run_facts(record, self.swiftui_app.zone))

    def action_back(self) -> None:
        self.dismiss()
