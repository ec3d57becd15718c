"""The filter line above a listing: hidden until ``/``, it reports what is typed once typing
pauses (each pass of the filter reads every loaded name), or at once on Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label

FILTER_DELAY_S = 0.15


class FilterBar(Horizontal):
    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: 1;
        padding: 0 1;
        &.shown { display: block; }
        Label { color: $accent; text-style: bold; }
        #filter { width: 1fr; }
    }
    """

    class Changed(Message):
        """The filter text is now ``text``; ``done`` when the user pressed Enter."""

        def __init__(self, text: str, *, done: bool) -> None:
            super().__init__()
            self.text = text
            self.done = done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Label("Filter ")
        yield Input(placeholder="part of a name", id="filter", compact=True)

    @property
    def editing(self) -> bool:
        return self.query_one(Input).has_focus

    def open(self) -> None:
        self.add_class("shown")
        self.query_one(Input).focus()

    def close(self) -> None:
        """Empty and hidden; the listing shows every row again."""
        self._stop_timer()
        self.query_one(Input).value = ""
        self.remove_class("shown")
        self.post_message(self.Changed("", done=True))

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        event.stop()
        self._stop_timer()
        self._timer = self.set_timer(
            FILTER_DELAY_S, lambda: self.post_message(self.Changed(event.value, done=False))
        )

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._stop_timer()
        self.post_message(self.Changed(event.value, done=True))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
