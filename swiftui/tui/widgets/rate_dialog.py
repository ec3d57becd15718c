"""Change or remove a running transfer's bandwidth cap: one dialog for uploads and downloads.

The cap is the transfer's own :class:`~swiftui.swift.RateLimiter`, shared by all its
threads; :meth:`~swiftui.swift.RateLimiter.set_rate` applies a new rate at once, to the
threads already waiting too. What is typed goes through the CLI's parser
(:func:`~swiftui.units.parse_rate`): a rate carries its unit, and a refusal is its one line.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from swiftui.errors import UsageError
from swiftui.swift import RateLimiter
from swiftui.units import KIB, MIB, format_rate, parse_rate


def rate_text(rate: int) -> str:
    """``20MiB/s``, ``512KiB/s`` or bytes: exact, so reading it back gives the same rate."""
    if rate % MIB == 0:
        return f"{rate // MIB}MiB/s"
    if rate % KIB == 0:
        return f"{rate // KIB}KiB/s"
    return f"{rate}B/s"


def cap_text(rate: int | None) -> str:
    """The cap as the views show it: ``cap 20.0 MiB/s`` or ``no cap``."""
    return "no cap" if rate is None else f"cap {format_rate(rate)}"


class RateLimitScreen(ModalScreen[bool]):
    """The cap of ``limiter``: Enter applies what is typed (empty: no cap), Escape leaves it.
    Answers whether the cap changed."""

    DEFAULT_CSS = """
    RateLimitScreen {
        #rate-box { width: 64; }
        #rate-error { color: $error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Cancel"),
    ]

    def __init__(self, limiter: RateLimiter, *, what: str) -> None:
        """``what``: the transfer, as the dialog names it (``upload``, ``download``)."""
        super().__init__()
        self.limiter = limiter
        self.what = what

    def compose(self) -> ComposeResult:
        rate = self.limiter.rate
        with Vertical(classes="dialog", id="rate-box"):
            yield Label(f"At most this much per second for this {self.what}, all threads:")
            yield Input(
                "" if rate is None else rate_text(rate),
                id="rate",
                placeholder="20MiB/s, 2.5MB/s, 160Mbit; empty: no cap",
            )
            yield Label(id="rate-error")
            yield Label(
                f"Now: {cap_text(rate)}. The new cap applies at once. Enter applies it, "
                "Escape leaves it as it is.",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("No cap", id="no-cap")
                yield Button("Apply", variant="primary", id="apply")

    def on_mount(self) -> None:
        self.query_one("#rate-box").border_title = f"Bandwidth cap of this {self.what}"
        self.query_one("#rate", Input).focus()

    @on(Input.Submitted, "#rate")
    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        text = self.query_one("#rate", Input).value.strip()
        try:
            rate = parse_rate(text, option=f"{self.what} limit") if text else None
        except UsageError as error:
            self.query_one("#rate-error", Label).update(str(error))
            return
        self._set(rate)

    @on(Button.Pressed, "#no-cap")
    def lift(self) -> None:
        self._set(None)

    def _set(self, rate: int | None) -> None:
        changed = rate != self.limiter.rate
        self.limiter.set_rate(rate)
        self.dismiss(changed)
