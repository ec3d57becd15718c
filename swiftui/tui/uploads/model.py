"""The state of one upload as its engine events describe it: the shared transfer model
(:mod:`~swiftui.tui.widgets.transfer_model`: segments, counters, log) plus the upload's
own events, its plan, the manifest and how it ended.
"""

from __future__ import annotations

from dataclasses import replace

from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.transfer_model import SharedEvent, Summary, TransferModel
from swiftui.upload import describe
from swiftui.upload.events import (
    BatchFinished,
    BatchPlanReady,
    FileSkipped,
    FileStarted,
    ManifestWriting,
    OldSegmentsDeleted,
    PlanReady,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    UploadFinished,
    UploadResult,
)

UploadSummary = Summary[PlanReady, UploadResult]


class UploadModel(TransferModel[UploadEvent, PlanReady, UploadResult]):
    first_phase = "preparing: reading the cluster's limits, looking for an interrupted upload"

    def describe(self, event: UploadEvent | SharedEvent) -> str | None:
        return describe(event)

    def apply_own(self, event: UploadEvent) -> None:
        if isinstance(event, PlanReady):
            lengths = [
                min(event.segment_size, event.file_size - index * event.segment_size)
                for index in range(event.segment_count)
            ]
            self.set_plan(event, event.file_size, lengths, "uploading")
            self.log_event(replace(event, local_path=display_path(event.local_path)))
        elif isinstance(event, ManifestWriting):
            self.set_phase(f"writing the manifest: Swift checks all {event.segment_count} segments")
            self.log_event(event)
        elif isinstance(event, OldSegmentsDeleted | UploadFinished | BatchPlanReady):
            self.log_event(event)
        elif isinstance(event, FileStarted | FileSkipped):
            self.next_file(event.number, event.count, describe(event) or "")
        elif isinstance(event, BatchFinished):
            self.batch_over()
            self.log_event(event)
        elif isinstance(event, UploadCancelled):
            self.stopped(kept_bytes=event.bytes_done)
        elif isinstance(event, UploadFailed):
            self.stopped(resumable=event.resumable)
