"""How long-running commands (upload, download, job run) show their events, and stop on
signals.

On a terminal: lines for what happens and one live status line kept current. Without one
(cron, nohup, a pipe): a timestamped line per thing that happened (per finished segment,
counted: ``segment #3 sent ...; 4 of 8 done``) and no control characters. ``--json``: one
JSON event per line, status events (progress) at most once a second, and a failed run
ends with an ``error`` event. Each command brings its :class:`Wording`; a closed output
never stops the work.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TextIO, TypeVar

from swiftui.cli.common import stop_on_signals
from swiftui.cli.wording import error_event
from swiftui.errors import SwiftuiError

E = TypeVar("E")

JSON_STATUS_EVERY_S = 1.0
"""A 250 GB upload must not print 10 progress events a second: JSON status events come at
most this often (segment events always come)."""


@dataclass(frozen=True)
class Wording(Generic[E]):
    """What a command says about its events."""

    describe: Callable[[E], str | None]
    """A line for terminals and logs, or None."""
    status: Callable[[E], str | None]
    """The live status line an event sets (progress, a countdown), or None."""
    to_dict: Callable[[E], dict[str, Any]]
    segment_total: Callable[[E], int | None]
    """The number of segments a plan event announces (to number finished ones in logs)."""
    segment_done: Callable[[E], bool]
    """A finished segment: a numbered line in logs, nothing on a live terminal."""
    every_s: Callable[[E], float | None] = lambda event: None
    """Status events that logs show too, and JSON no more often, at most once per this
    many seconds."""


class Printer(ABC, Generic[E]):
    def __init__(self, out: TextIO, wording: Wording[E]) -> None:
        self.out = out
        self.wording = wording
        self._last_shown: dict[type, float] = {}

    @abstractmethod
    def show(self, event: E) -> None: ...

    def report(self, kind: str, lines: Sequence[str], **fields: Any) -> None:
        """A result of the command's own (a dry run's plan): its lines, or one JSON event."""
        for text in lines:
            self.line(text)

    def fail(self, message: str, exit_code: int) -> None:
        """The run ended with an error, whose line goes to stderr (JSON: an event too)."""
        self.close()

    def close(self) -> None:
        self.write("")

    def line(self, text: str) -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        """Output that nobody reads any more (a closed pipe) must not stop the work."""
        if self.out.closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                self.out.close()

    def _due(self, event: E, every: float | None) -> bool:
        """For an event shown at most once per ``every`` seconds: whether to show this one."""
        if every is None:
            return True
        now = time.monotonic()
        if now - self._last_shown.get(type(event), -every) < every:
            return False
        self._last_shown[type(event)] = now
        return True


class JsonPrinter(Printer[E]):
    def show(self, event: E) -> None:
        every = self.wording.every_s(event)
        if every is None and self.wording.status(event) is not None:
            every = JSON_STATUS_EVERY_S
        if self._due(event, every):
            self._emit(self.wording.to_dict(event))

    def report(self, kind: str, lines: Sequence[str], **fields: Any) -> None:
        self._emit({"event": kind, "lines": list(lines), **fields})

    def fail(self, message: str, exit_code: int) -> None:
        self.line(error_event(message, exit_code))

    def _emit(self, data: dict[str, Any]) -> None:
        self.line(json.dumps(data, separators=(",", ":")))


class LogPrinter(Printer[E]):
    """No terminal: one timestamped line per thing that happened, for cron mails and logs."""

    def __init__(self, out: TextIO, wording: Wording[E]) -> None:
        super().__init__(out, wording)
        self._segments_total = 0
        self._segments_done = 0

    def line(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
        for part in text.splitlines():
            super().line(f"{stamp} {part}")

    def show(self, event: E) -> None:
        total = self.wording.segment_total(event)
        if total is not None:  # a new plan (each file of a batch has its own)
            self._segments_total, self._segments_done = total, 0
        text = self.wording.describe(event)
        every = self.wording.every_s(event)
        if text is None and every is not None and self._due(event, every):
            text = self.wording.status(event)
        if text and self.wording.segment_done(event):
            self._segments_done += 1
            total_text = f" of {self._segments_total}" if self._segments_total else ""
            text = f"{text}; {self._segments_done}{total_text} done"
        if text:
            self.line(text)


class LivePrinter(Printer[E]):
    """A terminal: plans, notices and retries as lines, and one status line kept current."""

    def __init__(self, out: TextIO, wording: Wording[E]) -> None:
        super().__init__(out, wording)
        self._status = ""

    def show(self, event: E) -> None:
        status = self.wording.status(event)
        if status is not None:
            self._draw(status)
            return
        if self.wording.segment_done(event):
            return
        text = self.wording.describe(event)
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


def printer(as_json: bool, out: TextIO, wording: Wording[E]) -> Printer[E]:
    if as_json:
        return JsonPrinter(out, wording)
    return LivePrinter(out, wording) if out.isatty() else LogPrinter(out, wording)


Work = Callable[[Callable[[E], None], threading.Event], object]
"""Runs a command's engine with an event handler and a cancel event."""


def run_shown(
    shown: Printer[E], work: Work[E], resumable_when: Callable[[E], bool | None]
) -> tuple[SwiftuiError | None, bool]:
    """Run ``work`` with its events shown and Ctrl-C / SIGTERM as its cancel; return the
    error it stopped with (the output closed first) and whether the last failure event
    said it can be resumed (``resumable_when``: None for other events)."""
    cancel = threading.Event()
    resumable = False

    def on_event(event: E) -> None:
        nonlocal resumable
        verdict = resumable_when(event)
        if verdict is not None:
            resumable = verdict
        shown.show(event)

    try:
        with stop_on_signals(cancel):
            work(on_event, cancel)
    except SwiftuiError as error:
        return error, resumable
    finally:
        shown.close()
    return None, resumable
