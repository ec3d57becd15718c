"""A queue of transfers (uploads, downloads) that runs one engine at a time, and the
messages it sends.

Each transfer runs its engine in a thread worker of the app (not of a screen, so leaving
the live view does not stop it) with the worker's ``cancelled_event`` as the engine's
``cancel``: ``c`` cancels that worker, and so does Textual when the app exits, so quitting
stops the engine within about a second and leaves its journal ready for a resume.

The engine's events go into the job's model (:mod:`~swiftui.tui.widgets.transfer_model`);
after each one the worker posts :class:`JobChanged` to the view that watches the queue
(the live view, when it is open). Queued ones of the same job replace each other, so the
view takes whatever changed once per turn, however fast events come. When the engine
returns, the worker posts :class:`JobEnded` to the app, which hands the job back to its
queue on the UI thread: its state, a notification (unless the live view shows it), the
next transfer, and the queue's own message to every screen.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from functools import partial
from threading import Event
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from swiftui.errors import OperationCancelled, SwiftuiError
from swiftui.tui.widgets.transfer_model import JobState, Outcome, Summary, TransferModel

if TYPE_CHECKING:
    from swiftui.swift import RateLimiter, SwiftService

Runner = Callable[..., Any]
"""The engine: (service, request, *, on_event, cancel) -> its result."""


class TransferJob(ABC):
    """One transfer the user asked for, from the queue to its outcome; a subclass is a
    dataclass that holds these attributes."""

    number: int
    service: SwiftService
    request: Any
    """What the engine is asked (an upload's, a download's request)."""
    model: TransferModel[Any, Any, Any]
    state: JobState
    worker: Worker[None] | None
    active_word: ClassVar[str]
    """``uploading``, ``downloading``: the queue row's word while bytes move."""

    @property
    def region(self) -> str:
        return self.service.region

    @property
    @abstractmethod
    def what(self) -> str:
        """The queue row's first column: the file, the object."""

    @property
    @abstractmethod
    def where(self) -> str:
        """The queue row's second column: where it goes; two unfinished transfers to the
        same place are one too many."""

    @property
    def targets(self) -> frozenset[str]:
        """Every place this transfer writes: two unfinished transfers that share one are one
        too many."""
        return frozenset({self.where})

    @property
    @abstractmethod
    def limiter(self) -> RateLimiter | None:
        """The transfer's bandwidth cap, changeable while it runs (None: it has none)."""

    @property
    @abstractmethod
    def activity(self) -> str:
        """``upload of db.dump to backups/db.dump``: what runs, for the question at quit."""

    @abstractmethod
    def summary_of(self, result: Any) -> str:
        """The line that says how the engine's run went, in the engine's words."""

    @abstractmethod
    def stopped_advice(self, outcome: Outcome[Any]) -> str:
        """What the user can do after a cancel or a failure."""

    def work(self, runner: Runner, changed: Callable[[], None], cancel: Event) -> tuple[str, Any]:
        """Run the engine on the worker's thread, its events into the model (``changed``
        after each): the line that says how it ended, and its result."""

        def on_event(event: Any) -> None:
            self.model.apply(event)
            changed()

        result = runner(self.service, self.request, on_event=on_event, cancel=cancel)
        return self.summary_of(result), result

    def advice(self) -> str:
        """What the user can do now that this transfer stopped (empty when it succeeded)."""
        outcome = self.model.summary().outcome
        if self.state is JobState.CANCELLED and outcome is None:
            return "Taken out of the queue before it started: r puts it back."
        if outcome is None or outcome.state is JobState.DONE:
            return ""
        return self.stopped_advice(outcome)

    def same_target(self, other: TransferJob) -> bool:
        return self.region == other.region and bool(self.targets & other.targets)

    def status_text(self, summary: Summary[Any, Any]) -> str:
        """``uploading 40 %``, ``queued``, ``done``: one cell of the queue list, from the
        same ``summary`` as the progress bar beside it."""
        if self.state is JobState.RUNNING:
            percent = summary.percent if summary.progress is not None else None
            return "starting" if percent is None else f"{self.active_word} {percent} %"
        if self.state is JobState.CANCELLED and summary.outcome is None:
            return "removed"
        return str(self.state)

    def stopped_text(self) -> str:
        """The outcome of a stopped transfer, in the engine's words."""
        outcome = self.model.summary().outcome
        return "" if outcome is None else outcome.message


class JobChanged(Message, bubble=False):
    """The job's model holds changes the view has not taken yet (posted by the worker)."""

    def __init__(self, job: TransferJob) -> None:
        super().__init__()
        self.job = job

    def can_replace(self, message: Message) -> bool:
        # The view reads the changes from the model: a later wake-up carries them all.
        return isinstance(message, JobChanged) and message.job is self.job


class JobEnded(Message, bubble=False):
    """The engine of ``job`` returned: the worker's last word, posted to the app."""

    def __init__(self, queue: TransferQueue[Any], job: TransferJob) -> None:
        super().__init__()
        self.queue = queue
        self.job = job


Job = TypeVar("Job", bound=TransferJob)


class TransferQueue(ABC, Generic[Job]):
    """Transfers of one kind, run one at a time; one queue of each kind per app."""

    group: ClassVar[str]
    """The workers' group (``upload``, ``download``)."""

    def __init__(self, app: App[Any], clock: Callable[[], datetime], runner: Runner) -> None:
        self.app = app
        self.clock = clock
        self.jobs: list[Job] = []
        self.runner = runner
        self.viewer: MessagePump | None = None
        """Where :class:`JobChanged` goes: the live view while it is open."""

    @abstractmethod
    def new_model(self) -> TransferModel[Any, Any, Any]:
        """An empty model for a job (queued again)."""

    @abstractmethod
    def tell(self, job: Job, outcome: Outcome[Any]) -> None:
        """Say how ``job`` ended, in a notification."""

    @abstractmethod
    def finished_message(self, job: Job) -> Message:
        """What every screen hears once ``job`` stopped."""

    # -- what the app asks -----------------------------------------------------------------

    def busy(self) -> str | None:
        """``upload of db.dump to backups/db.dump, 40 %`` while one runs (for ``q``)."""
        running = self.running
        if running is None:
            return None
        summary = running.model.summary()
        percent = summary.percent if summary.progress is not None else None
        done = "" if percent is None else f", {percent} %"
        text = f"{running.activity}{done}"
        queued = sum(1 for job in self.jobs if job.state is JobState.QUEUED)
        if queued:
            text += f" ({queued} more queued)"
        return text

    @property
    def running(self) -> Job | None:
        return next(
            (job for job in self.jobs if job.state in (JobState.RUNNING, JobState.STOPPING)),
            None,
        )

    # -- the queue -------------------------------------------------------------------------

    @property
    def next_number(self) -> int:
        return len(self.jobs) + 1

    def add(self, job: Job) -> Job | None:
        """Queue ``job``, numbered :attr:`next_number`; None if it is already queued."""
        for other in self.jobs:
            if not other.state.finished and other.same_target(job):
                self.app.notify(
                    f"{other.activity} in {other.region} is already in the queue (#{other.number})",
                    severity="warning",
                )
                return None
        self.jobs.append(job)
        self._start_next()
        return job

    def again(self, job: Job) -> None:
        """Run a cancelled or failed transfer again: the engine resumes from its journal."""
        if not job.state.finished or job.state is JobState.DONE:
            return
        job.model = self.new_model()
        job.state = JobState.QUEUED
        job.worker = None
        self._start_next()

    def cancel(self, job: Job) -> None:
        """Stop a running transfer (it stays resumable) or take a queued one out."""
        if job.state is JobState.QUEUED:
            job.state = JobState.CANCELLED
        elif job.state is JobState.RUNNING and job.worker is not None:
            job.state = JobState.STOPPING
            job.worker.cancel()

    def _start_next(self) -> None:
        if self.running is not None:
            return
        job = next((job for job in self.jobs if job.state is JobState.QUEUED), None)
        if job is None:
            return
        job.state = JobState.RUNNING
        job.worker = self.app.run_worker(
            partial(self._run, job),
            name=f"{self.group} #{job.number}",
            group=self.group,
            thread=True,
            exit_on_error=False,
        )

    # -- the worker's thread ---------------------------------------------------------------

    def _run(self, job: Job) -> None:
        """The engine, its outcome into the model, then word to the app."""
        model = job.model
        try:
            message, result = job.work(
                self.runner, partial(self._changed, job), get_current_worker().cancelled_event
            )
        except OperationCancelled as error:
            model.end(JobState.CANCELLED, str(error))
        except SwiftuiError as error:
            model.end(JobState.FAILED, str(error))
        except Exception as error:
            model.end(
                JobState.FAILED, f"unexpected {type(error).__name__}: {error} (please report it)"
            )
        else:
            model.end(JobState.DONE, message, result)
        self._changed(job)
        self.app.post_message(JobEnded(self, job))

    def _changed(self, job: Job) -> None:
        viewer = self.viewer
        if viewer is not None:
            viewer.post_message(JobChanged(job))

    # -- back on the UI thread -------------------------------------------------------------

    def finish(self, job: Job, *, tell: bool) -> None:
        """The engine of ``job`` returned: settle its state, start the next one, and say
        how it ended when ``tell`` (not when the live view shows that job: it says so)."""
        outcome = job.model.summary().outcome
        if outcome is None:
            return
        job.state = outcome.state
        job.worker = None
        if tell:
            self.tell(job, outcome)
        for screen in self.app.screen_stack:
            screen.post_message(self.finished_message(job))
        self._start_next()
