"""Edit a job: its fields, the plan a run would follow now, and a save that keeps the file's
comments.

Every change builds the job's table again (:mod:`.fields`) and hands it to the jobs file's
own reader (:func:`~swiftui.jobs.parse_jobs`: sizes and durations through
:mod:`swiftui.units`, always with their unit). A refusal is shown under the fields in the
reader's words, its field marked; a job that checks is previewed a moment later by a
worker logged in as the job (:func:`~swiftui.jobs.plan_job`, worded by
:func:`~swiftui.jobs.plan_lines`). ctrl+s saves with :func:`~swiftui.jobs.save_job`, which
checks the whole file again and changes only the keys of this job that changed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Select, Static
from textual.worker import Worker

from swiftui.errors import UsageError
from swiftui.jobs import Job, SourceKind, parse_jobs, plan_job, plan_lines, save_job
from swiftui.tui.jobs.fields import FIELDS, SOURCE, edited_table, field_at_fault, shown_values
from swiftui.tui.jobs.logins import job_logins_of
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.screens import SwiftuiScreen

PREVIEW_DELAY_S = 0.4
ROWS: tuple[tuple[str | None, ...], ...] = (
    ("container", "region"),
    ("segment-size", "threads"),
    ("delete-after", None),
    ("keep-last", "older-than"),
    ("webhook",),
)
"""The fields after the source, as they sit: two to a row when they are short."""


class JobFormScreen(SwiftuiScreen):
    DEFAULT_CSS = """
    JobFormScreen {
        #job-form {
            height: auto;
            border: round $primary 40%;
            border-title-color: $text;
            padding: 0 1;
            &:focus-within { border: round $primary; }
        }
        .row { height: 1; }
        .field { width: 1fr; }
        .field-label { width: 14; color: $text-muted; }
        .second .field-label { width: 13; margin-left: 2; }
        .field:focus-within .field-label { color: $accent; text-style: bold; }
        #kind { width: 14; margin-right: 1; }
        .form-input { width: 1fr; }
        .form-input:focus { background: $primary 30%; }
        .form-input.-invalid { background: $error 40%; }
        #form-error { height: auto; color: $error; display: none; }
        #plan-box {
            height: 1fr;
            border: round $primary 40%;
            border-title-color: $text;
            padding: 0 1;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", tooltip="Back to the jobs (asks if changed)"),
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Write the job into the jobs file"),
    ]

    class Previewed(Message):
        def __init__(self, generation: int, lines: list[str], notes: tuple[str, ...]) -> None:
            super().__init__()
            self.generation = generation
            self.lines = lines
            self.notes = notes

    class Saved(Message):
        def __init__(self, job: Job) -> None:
            super().__init__()
            self.job = job

    def __init__(self, path: Path, job: Job) -> None:
        super().__init__()
        self.path = path
        self.job = job
        self.shown = shown_values(job)
        self.table: dict[str, Any] | None = None
        """What ctrl+s saves: the table of the fields, once it checks."""
        self.checked: Job | None = None
        self.generation = 0
        """Counts the checked versions: a preview of an older one is dropped."""
        self._preview_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield from self.header()
        fields = {form_field.id: form_field for form_field in FIELDS}
        with Vertical(id="job-form"):
            with Horizontal(classes="row field"):
                yield Label("Source", classes="field-label")
                yield Select(
                    [(str(kind), kind) for kind in SourceKind],
                    value=self.job.source.kind,
                    allow_blank=False,
                    compact=True,
                    id="kind",
                )
                yield self._input(SOURCE, "a file, a glob, a folder or a command")
            for row in ROWS:
                with Horizontal(classes="row"):
                    for place, field_id in enumerate(row):
                        second = "second" if place else ""
                        if field_id is None:
                            yield Static(classes=f"field {second}")
                            continue
                        form_field = fields[field_id]
                        with Horizontal(classes=f"field {second}"):
                            yield Label(form_field.label, classes="field-label")
                            yield self._input(field_id, form_field.placeholder, form_field.integer)
            yield Static(id="form-error")
        with VerticalScroll(id="plan-box"):
            yield Static(id="plan")
        yield Footer(compact=True)

    def _input(self, field_id: str, placeholder: str, integer: bool = False) -> Input:
        return Input(
            self.shown[field_id],
            id=field_id,
            placeholder=placeholder,
            compact=True,
            type="integer" if integer else "text",
            classes="form-input",
        )

    def on_mount(self) -> None:
        where = display_path(self.path)
        self.query_one("#job-form").border_title = f"Job {self.job.name} · {where}"
        self.query_one("#plan-box").border_title = "What a run would do now"
        self.query_one(f"#{SOURCE}", Input).focus()
        self._check()

    # -- checking --------------------------------------------------------------------------

    def _values(self) -> dict[str, str]:
        return {
            field_id: self.query_one(f"#{field_id}", Input).value.strip() for field_id in self.shown
        }

    def _kind(self) -> SourceKind:
        value = self.query_one("#kind", Select).value
        return value if isinstance(value, SourceKind) else self.job.source.kind

    @on(Input.Changed, ".form-input")
    @on(Select.Changed, "#kind")
    def _check(self) -> None:
        """Check the fields as the file's reader would, then preview the job that checks."""
        for field in self.query(".form-input"):
            field.remove_class("-invalid")
        name = self.job.name
        try:
            table = edited_table(self.job, self._kind(), self._values())
            job = parse_jobs(self.path, {"jobs": {name: table}}).jobs[name]
        except UsageError as error:
            self._refuse(error)
            return
        self.table, self.checked = table, job
        self._show_error("")
        self.generation += 1
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY_S, self._start_preview)
        self.refresh_bindings()

    def _refuse(self, error: UsageError) -> None:
        self.table = self.checked = None
        self.generation += 1
        message = str(error).removeprefix(f"{self.path}: job {self.job.name!r}: ")
        field_id = error.field or field_at_fault(message)
        if field_id is not None:
            self.query_one(f"#{field_id}", Input).add_class("-invalid")
        self._show_error(message)
        self.query_one("#plan", Static).update(
            Text("The plan follows once the fields above are right.", style="dim")
        )
        self.refresh_bindings()

    # -- the preview -----------------------------------------------------------------------

    def _start_preview(self) -> None:
        job = self.checked
        if job is None:
            return
        self.query_one("#plan", Static).update(Text("planning: logging in as the job…", "dim"))
        app = self.swiftui_app
        self.preview(job, self.generation, app.clock().astimezone(app.zone))

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def preview(self, job: Job, generation: int, now: datetime) -> None:
        service, notes = job_logins_of(self).service(job)
        plan = plan_job(service, job, now=now)
        self.post_message(
            self.Previewed(generation, plan_lines(plan, show_path=display_path), notes)
        )

    @on(Previewed)
    def previewed(self, message: Previewed) -> None:
        if message.generation != self.generation:
            return
        text = Text("\n").join(
            [Text(note, style="yellow") for note in message.notes]
            + [Text(line) for line in message.lines]
        )
        self.query_one("#plan", Static).update(text)

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        if worker.group == "preview":
            self.query_one("#plan", Static).update(Text(message, style="bold red"))
        else:
            self._show_error(message)
        return True

    def _show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.display = bool(message)
        error.update(message)

    # -- save, leave -----------------------------------------------------------------------

    def action_save(self) -> None:
        if self.table is None:
            self.app.bell()
            return
        self.save(self.table)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, table: dict[str, Any]) -> None:
        saved = save_job(self.path, self.job.name, table, replace=True)
        self.post_message(self.Saved(saved.jobs[self.job.name]))

    @on(Saved)
    def saved(self, message: Saved) -> None:
        self.app.notify(f"Job {message.job.name} saved in {display_path(self.path)}.")
        self.dismiss()

    def action_leave(self) -> None:
        if self._values() == self.shown and self._kind() is self.job.source.kind:
            self.dismiss()
            return
        question = f"Leave without saving your changes to job {self.job.name}?"

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        self.app.push_screen(ConfirmScreen(question, yes="Leave", no="Stay"), answered)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.table is not None or None
        return True
