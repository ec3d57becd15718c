"""Deleting from the TUI: plan in a worker, confirm in a dialog, delete with progress, sum up.

``d`` in a container opens :class:`DeleteScreen` on the marked objects (or the highlighted
one). A thread worker plans (:func:`swiftui.deletion.plan_deletion` reads the manifests and
finds the segments other manifests share); :class:`DeleteConfirmScreen` then lists what
would go, with Cancel focused. Only a "yes" starts the second worker, which deletes and
reports progress at most a few times a second; Escape stops it between requests. The
summary stays until the user closes it, and the listing behind is refreshed then. The
orphans view (:mod:`swiftui.tui.deletion.orphans`) deletes its groups through the same screen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import Worker

from swiftui.deletion import (
    DeletionPlan,
    DeletionProgress,
    DeletionSummary,
    execute_deletion,
    plan_deletion,
)
from swiftui.tui.deletion.wording import (
    confirm_total,
    plan_question,
    plan_renderable,
    plan_subject,
    progress_counts,
    summary_renderable,
)
from swiftui.tui.widgets.dialogs import ConfirmScreen
from swiftui.tui.widgets.screens import SwiftuiModal

if TYPE_CHECKING:
    from swiftui.swift import SwiftService

# The UI hears from the deleting thread at most this often (and once more at the end).
PROGRESS_INTERVAL_S = 0.1

Planner = Callable[[], DeletionPlan]
"""Builds the plan; runs in a worker thread."""
Epilogue = Callable[[DeletionSummary], list[str]]
"""Runs in the worker after the deletion (removing resume journals); its lines join the summary."""


class DeleteConfirmScreen(ConfirmScreen):
    """The plan, then Delete or Cancel; Cancel (and Escape) is the default."""

    DEFAULT_CSS = """
    DeleteConfirmScreen {
        #delete-confirm { width: 78; }
        #delete-plan { height: auto; max-height: 12; }
        #delete-total { margin-top: 1; }
    }
    """

    def __init__(self, plan: DeletionPlan, notes: Sequence[str] = ()) -> None:
        super().__init__(plan_question(plan), yes="Delete", no="Cancel")
        self.plan = plan
        self.notes = tuple(notes)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="delete-confirm"):
            with VerticalScroll(id="delete-plan"):
                yield Static(plan_renderable(self.plan, self.notes))
            yield Static(Text(confirm_total(self.plan), style="bold"), id="delete-total")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#delete-confirm").border_title = self.question


class Stage(StrEnum):
    PLANNING = "planning"
    CONFIRMING = "confirming"
    DELETING = "deleting"
    CANCELLING = "cancelling"
    DONE = "done"
    NOTHING = "nothing to delete"
    FAILED = "failed"


HINTS = {
    Stage.PLANNING: "Escape cancels: nothing is deleted yet.",
    Stage.CONFIRMING: "",
    Stage.DELETING: "Escape or c cancels after the requests in flight.",
    Stage.CANCELLING: "Stopping after the requests in flight…",
    Stage.DONE: "Enter or Escape closes; the list behind is then refreshed.",
    Stage.NOTHING: "Enter or Escape closes.",
    Stage.FAILED: "Enter or Escape closes.",
}


class DeleteScreen(SwiftuiModal["DeletionSummary | None"]):
    """Plan, confirm, delete with progress, summary; dismissed with the summary (None when
    nothing was deleted)."""

    DEFAULT_CSS = """
    DeleteScreen {
        #delete-box { width: 78; }
        #delete-report { height: auto; max-height: 12; }
        #delete-progress { margin: 1 0; }
        #delete-hint { margin-top: 1; padding: 0; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Cancel or close"),
        Binding("c", "cancel_deletion", "Cancel", show=False),
        Binding("enter", "close", "Close", show=False),
        # A dialog hides the app's keys: quitting (which asks first) stays one key away.
        Binding("q", "app.quit", "Quit", show=False),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    class Planned(Message):
        def __init__(self, plan: DeletionPlan) -> None:
            super().__init__()
            self.plan = plan

    class Progressed(Message):
        def __init__(self, event: DeletionProgress) -> None:
            super().__init__()
            self.event = event

    class Finished(Message):
        def __init__(self, summary: DeletionSummary, notes: list[str]) -> None:
            super().__init__()
            self.summary = summary
            self.notes = notes

    def __init__(
        self,
        service: SwiftService,
        *,
        title: str,
        planner: Planner,
        notes: Sequence[str] = (),
        epilogue: Epilogue | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.title_text = title
        self.planner = planner
        self.notes = tuple(notes)
        self.epilogue = epilogue
        self.stage = Stage.PLANNING
        self.plan: DeletionPlan | None = None
        self.latest: DeletionProgress | None = None
        self.summary: DeletionSummary | None = None
        self.cancel = threading.Event()

    @classmethod
    def for_objects(cls, service: SwiftService, container: str, names: list[str]) -> DeleteScreen:
        """Delete these objects of ``container`` (archives with their segments)."""
        return cls(
            service,
            title=f"Delete from {container}",
            planner=partial(plan_deletion, service, container, names),
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="delete-box"):
            yield Static(id="delete-status")
            yield ProgressBar(id="delete-progress", show_eta=False)
            with VerticalScroll(id="delete-report"):
                yield Static(id="delete-lines")
            yield Label(id="delete-hint", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#delete-box").border_title = self.title_text
        self._set_stage(Stage.PLANNING)
        self._status(
            "Reading the manifests: what the selection holds and which segments other "
            "archives share…"
        )
        self.make_plan()

    def on_unmount(self) -> None:
        # Quitting the app stops a running deletion between requests.
        self.cancel.set()

    # -- state ------------------------------------------------------------------------------

    @property
    def is_deleting(self) -> bool:
        return self.stage in (Stage.DELETING, Stage.CANCELLING)

    def busy_text(self) -> str:
        """For ``q``: what is being deleted and how far it is."""
        what = plan_subject(self.plan) if self.plan else "objects"
        done = f", {self.latest.done} of {self.latest.total} done" if self.latest else ""
        return f"deletion of {what}{done} (quitting stops it after the requests in flight)"

    def _set_stage(self, stage: Stage) -> None:
        self.stage = stage
        self.query_one("#delete-progress").display = stage not in (
            Stage.PLANNING,
            Stage.CONFIRMING,
            Stage.NOTHING,
        ) and (stage is not Stage.FAILED or self.latest is not None)
        self.query_one("#delete-hint", Label).update(HINTS[stage])

    def _status(self, text: str | Text) -> None:
        self.query_one("#delete-status", Static).update(text)

    def _report(self, renderable: RenderableType) -> None:
        self.query_one("#delete-lines", Static).update(renderable)

    # -- planning ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan")
    def make_plan(self) -> None:
        self.post_message(self.Planned(self.planner()))

    @on(Planned)
    def planned(self, message: Planned) -> None:
        if self.stage is not Stage.PLANNING:
            return
        plan = self.plan = message.plan
        if plan.is_empty:
            self._set_stage(Stage.NOTHING)
            self._status(Text("Nothing can be deleted.", style="bold"))
            self._report(plan_renderable(plan))
            return
        self._set_stage(Stage.CONFIRMING)
        self._status(plan_question(plan))
        self.app.push_screen(DeleteConfirmScreen(plan, self.notes), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if not yes or self.plan is None:
            self.dismiss(None)
            return
        self._set_stage(Stage.DELETING)
        self._status(Text("Starting…", style="bold"))
        self._report(plan_renderable(self.plan, self.notes))
        self.query_one("#delete-progress", ProgressBar).update(total=None, progress=0)
        self.run_deletion(self.plan)

    # -- deleting ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="delete")
    def run_deletion(self, plan: DeletionPlan) -> None:
        last_posted = 0.0
        latest: list[DeletionProgress] = []

        def on_event(event: DeletionProgress) -> None:
            nonlocal last_posted
            latest[:] = [event]
            now = time.monotonic()
            if now - last_posted >= PROGRESS_INTERVAL_S:
                last_posted = now
                self.post_message(self.Progressed(event))

        summary = execute_deletion(self.service, plan, on_event=on_event, cancel=self.cancel)
        notes = self.epilogue(summary) if self.epilogue else []
        if latest:
            self.post_message(self.Progressed(latest[0]))
        self.post_message(self.Finished(summary, notes))

    @on(Progressed)
    def progressed(self, message: Progressed) -> None:
        event = self.latest = message.event
        self.query_one("#delete-progress", ProgressBar).update(
            total=max(event.total, 1), progress=event.done
        )
        if self.stage is Stage.DELETING:
            self._status(
                Text.assemble(("Deleting ", "bold"), event.item.label, "\n", progress_counts(event))
            )

    @on(Finished)
    def finished(self, message: Finished) -> None:
        self.summary = message.summary
        self._set_stage(Stage.DONE)
        self._status(progress_counts(self.latest) if self.latest else "")
        self._report(summary_renderable(message.summary, message.notes))
        if not message.summary.complete:
            self.app.bell()

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        """A plan that cannot be made (an object gone meanwhile) or a deletion that broke."""
        self._set_stage(Stage.FAILED)
        if worker.group == "plan":
            self._status(Text("Nothing was deleted.", style="bold"))
        else:
            self._status(
                Text("The deletion stopped: refresh the listing to see what is left.", style="bold")
            )
        self._report(Text(message, style="bold red"))
        return True

    # -- keys -------------------------------------------------------------------------------

    def action_escape(self) -> None:
        if self.stage is Stage.PLANNING:
            self.workers.cancel_group(self, "plan")
            self.dismiss(None)
        elif self.is_deleting:
            self.action_cancel_deletion()
        else:
            self.action_close()

    def action_cancel_deletion(self) -> None:
        if self.stage is Stage.DELETING:
            self.cancel.set()
            self._set_stage(Stage.CANCELLING)

    def action_close(self) -> None:
        if self.stage in (Stage.DONE, Stage.NOTHING, Stage.FAILED):
            self.dismiss(self.summary)


def running_deletions(screens: Iterable[Screen[Any]]) -> str | None:
    """What ``q`` asks about: deletions under way on any of ``screens``, if any."""
    running = [
        screen.busy_text()
        for screen in screens
        if isinstance(screen, DeleteScreen) and screen.is_deleting
    ]
    return "; ".join(running) or None
