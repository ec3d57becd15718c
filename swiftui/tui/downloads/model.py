"""The state of one download as its engine events describe it: the shared transfer model
(segments, counters, log) plus the download's own events: Cloud Archive's unsealing and
its countdown, the plan, the whole file's check, how it ended.

The last unsealing or checking event is kept as the summary's ``stage``: the view words
the countdown itself, in the app's time zone.
"""

from __future__ import annotations

from dataclasses import replace

from swiftui.download import (
    DownloadCancelled,
    DownloadEvent,
    DownloadFailed,
    DownloadFinished,
    DownloadPlanned,
    DownloadResult,
    UnsealRequested,
    UnsealWaiting,
    Verifying,
    describe,
)
from swiftui.tui.widgets.files import display_path
from swiftui.tui.widgets.transfer_model import SharedEvent, Summary, TransferModel

DownloadSummary = Summary[DownloadPlanned, DownloadResult]
DOWNLOADING = "downloading"


class DownloadModel(TransferModel[DownloadEvent, DownloadPlanned, DownloadResult]):
    first_phase = "looking at the object: its parts, and whether Cloud Archive keeps it sealed"

    def describe(self, event: DownloadEvent | SharedEvent) -> str | None:
        return describe(event)

    def apply_own(self, event: DownloadEvent) -> None:
        if isinstance(event, DownloadPlanned):
            # The parts' lengths come with their first event (queued, or already here).
            self.set_plan(event, event.size, [0] * event.parts, DOWNLOADING)
            self.log_event(replace(event, path=display_path(event.path)))
        elif isinstance(event, UnsealRequested):
            self.set_phase((self.describe(event) or "").splitlines()[0], stage=event)
            self.log_event(event)
        elif isinstance(event, UnsealWaiting):
            self.set_phase("unsealing", stage=event)
        elif isinstance(event, Verifying):
            self.set_phase(f"verifying the {event.what}", stage=event)
            self.log_event(event)
        elif isinstance(event, DownloadFinished):
            self.log_event(event)
        elif isinstance(event, DownloadCancelled):
            kept = event.bytes_done if event.resumable else None
            self.stopped(kept_bytes=kept, resumable=event.resumable)
        elif isinstance(event, DownloadFailed):
            self.stopped(resumable=event.resumable)
