"""Modal screens: a yes/no confirmation, and help for the screen below.

Their look (the ``dialog``, ``buttons`` and ``hint`` classes) is the app's, shared by
every dialog: see :class:`~swiftui.tui.app.SwiftuiApp`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

GLOSSARY = (
    (
        "SLO",
        "static large object: a manifest listing its segments in order; its size is "
        "the sum of theirs, while the container counts only the manifest's few bytes.",
    ),
    (
        "DLO",
        "dynamic large object: a manifest naming a prefix; every object under that "
        "prefix is a segment, in name order.",
    ),
    (
        "segment",
        "one piece of a large object, kept in <container>_segments and named "
        "<object>/slo/<mtime>/<size>/<segment size>/<index> (as the swift CLI does).",
    ),
    ("folder", "a pseudo-folder: object names share the prefix up to a '/'."),
    ("expires", "X-Delete-At: Swift deletes the object then, but not its segments."),
    (
        "verify",
        "on an SLO's details, v checks every segment's size and etag on the "
        "server and the SLO's etag against its manifest.",
    ),
    (
        "delete",
        "d deletes the marked objects (space marks, a marks by age), an SLO or DLO with "
        "its segments; segments another manifest uses are kept. A list comes first.",
    ),
    (
        "download",
        "D saves the marked objects (or the highlighted one) in a local folder: parts "
        "fetched in parallel, each md5 checked, then the whole; c cancels and keeps them, "
        "D again fetches only what is missing. Sealed Cloud Archive objects are unsealed "
        "first, with a countdown.",
    ),
    (
        "sealed",
        "on Cloud Archive (OVHcloud PCA), data is read only after an unsealing that takes "
        "minutes to hours; everything else works sealed. U on its details asks for it: an "
        "SLO's manifest and every segment.",
    ),
    (
        "orphan",
        "a segment no manifest references (an interrupted upload, an overwrite that left "
        "its old segments): billed until deleted; o lists them by upload.",
    ),
)


class ConfirmScreen(ModalScreen[bool]):
    """A question with two answers; Escape means no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below (read from its live bindings), then the terms."""

    DEFAULT_CSS = """
    HelpScreen {
        #help-box { width: 100; height: 100%; padding: 0 1; }
        #help-body { height: 1fr; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss(None)", "Close"),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-box"):
            with VerticalScroll(id="help-body"):
                yield Static(Group(*self._keys(), Text(), *self._glossary()))
            yield Label("Escape closes this help; ctrl+p lists every command.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"
        self.query_one("#help-body").focus()

    def _keys(self) -> list[Text | Table]:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for active in self.below.active_bindings.values():
            binding = active.binding
            tooltip = active.tooltip or binding.tooltip
            if binding.description and (binding.show or tooltip):
                what = f"{binding.description}: {tooltip}" if tooltip else binding.description
                grid.add_row(self.app.get_key_display(binding), what)
        return [Text("Keys here", style="bold underline"), grid]

    @staticmethod
    def _glossary() -> list[Text | Table]:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for term, meaning in GLOSSARY:
            grid.add_row(term, meaning)
        return [Text("Terms", style="bold underline"), grid]
