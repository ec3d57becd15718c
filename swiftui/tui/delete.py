"""Deleting from the TUI: plan in a worker, confirm in a dialog, delete with progress, sum up.

``d`` in a container opens :class:`DeleteScreen` on the marked objects (or the highlighted
one). A thread worker plans (:func:`swiftui.deletion.plan_deletion` reads the manifests and
finds the segments other manifests share); :class:`DeleteConfirmScreen` then lists what
would go, with Cancel focused. Only a "yes" starts the second worker, which deletes and
reports progress at most a few times a second; Escape stops it between requests. The
summary stays until the user closes it, and the listing behind is refreshed then. The
orphans view (:mod:`swiftui.tui.orphans`) deletes its groups through the same screen.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import Worker

from swiftui.deletion import (
    DeletionPlan,
    DeletionProgress,
    DeletionSummary,
    KeptObject,
    PlannedDeletion,
    describe_summary,
    execute_deletion,
    plan_deletion,
    plan_total,
    plural,
)
from swiftui.tui.base import SwiftuiModal
from swiftui.tui.context import DELETE, ORPHANS, BrowseContext
from swiftui.tui.dialogs import ConfirmScreen
from swiftui.units import format_bytes

if TYPE_CHECKING:
    from swiftui.swift import SwiftService
    from swiftui.tui.app import SwiftuiApp

# The UI hears from the deleting thread at most this often (and once more at the end).
PROGRESS_INTERVAL_S = 0.1

KIND_LABELS = {"slo": "SLO", "dlo": "DLO", "plain": "object", "orphans": "orphans"}

Planner = Callable[[], DeletionPlan]
"""Builds the plan; runs in a worker thread."""
Epilogue = Callable[[DeletionSummary], list[str]]
"""Runs in the worker after the deletion (removing resume journals); its lines join the summary."""


def plan_subject(plan: DeletionPlan) -> str:
    """``2 objects and 7 segments``, or ``3 orphaned segments`` (orphans have no object)."""
    if plan.object_count == 0:
        return plural(plan.segment_count, "orphaned segment")
    return f"{plural(plan.object_count, 'object')} and {plural(plan.segment_count, 'segment')}"


def plan_question(plan: DeletionPlan) -> str:
    return f"Delete {plan_subject(plan)}?"


def confirm_total(plan: DeletionPlan) -> str:
    """The plan's total line; an orphans plan has segments only."""
    if plan.object_count:
        return plan_total(plan)
    containers = ", ".join(plan.containers) or "no container"
    return (
        f"Total: {plural(plan.segment_count, 'segment')}, {format_bytes(plan.bytes_total)} "
        f"in {containers}"
    )


def _what(item: PlannedDeletion) -> str:
    count = plural(len(item.segments), "segment")
    if item.kind in ("slo", "dlo"):
        return f"manifest + {count}"
    return count if item.kind == "orphans" else ""


def _kept_lines(owner: str, kept: Iterable[KeptObject]) -> list[Text]:
    """One line per reason: ``c/a.tar: 2 shared segments kept (2.0 KiB), used by c/b.tar``."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for item in kept:
        counts[item.reason] += 1
        sizes[item.reason] += item.object.bytes
    return [
        Text(
            f"  {owner}: {plural(count, 'shared segment')} kept "
            f"({format_bytes(sizes[reason])}), {reason}",
            style="yellow",
        )
        for reason, count in counts.items()
    ]


def plan_renderable(plan: DeletionPlan, notes: Sequence[str] = ()) -> RenderableType:
    """What will go (each archive with its segments), what is kept and why, and notes."""
    parts: list[RenderableType] = [Text(f"Deleted for good, in region {plan.region}:")]
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    for item in plan.items:
        shown = item.label + ("*" if item.kind == "orphans" else "")
        grid.add_row(shown, KIND_LABELS[item.kind], format_bytes(item.bytes_total), _what(item))
    parts.append(grid)
    kept = [line for item in plan.items for line in _kept_lines(item.label, item.kept)]
    if kept:
        parts += [Text("Kept, other manifests still need them:", style="bold yellow"), *kept]
    if plan.refused:
        parts.append(Text("Not deleted, another manifest uses it as a segment:", style="bold red"))
        parts += [
            Text(f"  {refused.object.label}: {refused.reason}", style="red")
            for refused in plan.refused
        ]
    parts += [Text(note, style="yellow") for note in notes]
    return Group(*parts)


def summary_renderable(summary: DeletionSummary, notes: Sequence[str] = ()) -> RenderableType:
    """The summary line (green when complete), what failed or is left, what was kept."""
    lines = describe_summary(summary)
    if summary.complete:
        style = "bold green"
    elif summary.failures or summary.orphans_left:
        style = "bold red"
    else:
        style = "bold yellow"
    parts: list[RenderableType] = [Text(lines[0], style=style)]
    parts += [Text(line) for line in lines[1:]]
    reasons = Counter(kept.reason for kept in summary.kept)
    if reasons:
        parts.append(Text("Kept on purpose:"))
        parts += [
            Text(f"  {plural(count, 'object')} {reason}", style="yellow")
            for reason, count in reasons.items()
        ]
    parts += [Text(note) for note in notes]
    return Group(*parts)


def progress_counts(event: DeletionProgress) -> str:
    """``3 of 7 objects and segments · 2.0 KiB of 5.1 KiB``, and failures if any."""
    counts = (
        f"{event.done:,} of {event.total:,} objects and segments · "
        f"{format_bytes(event.bytes_done)} of {format_bytes(event.bytes_total)}"
    )
    return counts + (f" · {event.failures} failed" if event.failures else "")


class DeleteConfirmScreen(ConfirmScreen):
    """The plan, then Delete or Cancel; Cancel (and Escape) is the default."""

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
    def for_objects(cls, context: BrowseContext) -> DeleteScreen:
        """The factory registered as ``delete``: the marked (or highlighted) objects."""
        if context.container is None or not context.objects:
            raise ValueError("delete is only offered on the objects of a container")
        names = [entry.name for entry in context.objects]
        return cls(
            context.service,
            title=f"Delete from {context.container}",
            planner=partial(plan_deletion, context.service, context.container, names),
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

    def show_error(self, message: str, worker: Worker) -> bool:
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


def running_deletions(app: SwiftuiApp) -> str | None:
    """The busy check: deletions under way on any screen of the app, if any."""
    running = [
        screen.busy_text()
        for screen in app.screen_stack
        if isinstance(screen, DeleteScreen) and screen.is_deleting
    ]
    return "; ".join(running) or None


def install_deletion(app: SwiftuiApp) -> None:
    """Plug deletion into ``app``: ``d`` deletes the selection, ``o`` lists a container's
    orphaned segments, and ``q`` asks first while a deletion runs."""
    from swiftui.tui.orphans import OrphansScreen

    app.register_screen_factory(DELETE, DeleteScreen.for_objects)
    app.register_screen_factory(ORPHANS, OrphansScreen.for_context)
    app.register_busy_check(partial(running_deletions, app))
