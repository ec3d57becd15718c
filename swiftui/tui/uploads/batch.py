"""Several marked files as one entry of the upload queue: the engine's batch upload.

When it starts, the queue's thread worker asks the engine for the batch's plan
(:func:`~swiftui.upload.plan_batch`: what is sent, resumed or skipped because Swift holds
it already) and runs it (:func:`~swiftui.upload.run_batch`): the files one after another,
each with its parallel segments. Every event goes to the model as for one upload, so the
live view draws the current file's segments, and its log holds the plan, each file's
summary and the outcome of every file. ``r`` plans again, so a batch that stopped sends
only what Swift lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event
from typing import TYPE_CHECKING

from swiftui.tui.uploads.model import UploadModel, UploadSummary
from swiftui.tui.uploads.queue import UploadJob, Uploads
from swiftui.tui.widgets.transfer_model import JobState
from swiftui.tui.widgets.transfer_queue import Runner
from swiftui.upload import (
    BatchFinished,
    UploadEvent,
    UploadRequest,
    UploadResult,
    describe,
    plan_batch,
    run_batch,
)

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(eq=False)
class BatchJob(UploadJob):
    """The upload of ``requests`` (one container, one rate limiter); :attr:`request` is
    the first, for what they share."""

    requests: tuple[UploadRequest, ...] = field(kw_only=True)

    @classmethod
    def of(
        cls, uploads: Uploads, service: SwiftService, requests: tuple[UploadRequest, ...]
    ) -> BatchJob:
        """The next entry of ``uploads``: ``requests`` to ``service``'s region."""
        model = UploadModel(uploads.clock)
        return cls(uploads.next_number, service, requests[0], model, requests=requests)

    @property
    def file_name(self) -> str:
        return f"{len(self.requests)} files"

    @property
    def target(self) -> str:
        return f"{self.request.container}/ ({len(self.requests)} objects)"

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(
            f"{request.container}/{request.resolved_object_name}" for request in self.requests
        )

    def status_text(self, summary: UploadSummary) -> str:
        """``file 2/3 40 %`` while it runs, then as for one upload."""
        if self.state is not JobState.RUNNING or summary.file is None:
            return super().status_text(summary)
        number, count = summary.file
        percent = summary.percent if summary.progress is not None else None
        return f"file {number}/{count}" + ("" if percent is None else f" {percent} %")

    def work(
        self, runner: Runner, changed: Callable[[], None], cancel: Event
    ) -> tuple[str, UploadResult | None]:
        """The engine's plan of the batch, then its files; no single object as the result."""

        def on_event(event: UploadEvent) -> None:
            self.model.apply(event)
            changed()

        plan = plan_batch(self.service, self.requests)
        outcomes = run_batch(self.service, plan, on_event=on_event, cancel=cancel)
        words = describe(BatchFinished(outcomes)) or ""
        return words.splitlines()[0], None
