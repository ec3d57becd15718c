"""How ``swiftui upload`` shows its events: a live line, log lines, or JSON lines.

On a terminal: one live status line. Without one (cron, nohup, a pipe): a timestamped
line per finished segment and a summary, no control characters. ``--json``: one JSON
event per line, progress at most once a second, and every run ends with an event that
says how it ended (``upload_finished``, or ``error`` with the message and exit code).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from swiftui.cli.wording import error_event
from swiftui.upload import (
    PlanReady,
    Progress,
    SegmentDone,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    describe,
    event_to_dict,
    status_line,
)

# A 250 GB upload must not log 10 progress lines a second: JSON progress comes at most
# this often; segment events (queued, started, retrying, done, failed) always come.
JSON_PROGRESS_INTERVAL_S = 1.0


class Printer(ABC):
    """Shared by the three output styles: remembers whether the upload can be resumed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.resumable = False

    def handle(self, event: UploadEvent) -> None:
        if isinstance(event, UploadFailed | UploadCancelled):
            self.resumable = event.resumable
        self.show(event)

    @abstractmethod
    def show(self, event: UploadEvent) -> None: ...

    def report(self, kind: str, lines: Sequence[str], **fields: Any) -> None:
        """A result of the command's own (a dry run's plan): its lines, or one JSON event."""
        for text in lines:
            self.line(text)

    def fail(self, message: str, exit_code: int) -> None:
        """The run ends with an error; the error line itself goes to stderr."""
        self.close()

    def close(self) -> None:
        self.write("")

    def line(self, text: str) -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        """Output that nobody reads any more (a closed pipe) must not stop the upload."""
        if self.out.closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                self.out.close()


class JsonPrinter(Printer):
    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._last_progress = float("-inf")

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, Progress):
            now = time.monotonic()
            if now - self._last_progress < JSON_PROGRESS_INTERVAL_S:
                return
            self._last_progress = now
        self._emit(event_to_dict(event))

    def report(self, kind: str, lines: Sequence[str], **fields: Any) -> None:
        self._emit({"event": kind, "lines": list(lines), **fields})

    def fail(self, message: str, exit_code: int) -> None:
        self.line(error_event(message, exit_code))

    def _emit(self, data: dict[str, Any]) -> None:
        self.line(json.dumps(data, separators=(",", ":")))


class LogPrinter(Printer):
    """No terminal: one timestamped line per thing that happened, for cron mails and logs."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._segments_total = 0
        self._segments_done = 0

    def line(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
        for part in text.splitlines():
            super().line(f"{stamp} {part}")

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, PlanReady):
            self._segments_total = event.segment_count
            self._segments_done = 0
        if isinstance(event, UploadCancelled):
            return  # the error line on stderr says it
        text = describe(event)
        if isinstance(event, SegmentDone):
            self._segments_done += 1
            total = f" of {self._segments_total}" if self._segments_total else ""
            text = f"{text}; {self._segments_done}{total} done"
        if text:
            self.line(text)


class LivePrinter(Printer):
    """A terminal: plan, notices and retries as lines, and one status line kept current."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._status = ""

    def show(self, event: UploadEvent) -> None:
        if isinstance(event, Progress):
            self._draw(status_line(event))
            return
        if isinstance(event, SegmentDone | UploadCancelled):
            return
        text = describe(event)
        if text:
            self._draw("")
            self.line(text)

    def _draw(self, status: str) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)
        self._status = status[:width]
        self.write("\r\x1b[K" + self._status)

    def close(self) -> None:
        if self._status:
            self.write("\n")
            self._status = ""
        super().close()


def make_printer(as_json: bool, out: TextIO) -> Printer:
    if as_json:
        return JsonPrinter(out)
    return LivePrinter(out) if out.isatty() else LogPrinter(out)
