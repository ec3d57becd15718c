"""A labelled field of the upload form: its label, its input, and how focus and refusal
look."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label


class FormInput(Input):
    """A field of the form. Tab into it selects its text, so typing replaces it, as in any
    form; when the form moves the focus here itself (a file was picked), the cursor goes
    after the text instead, and typing adds to it."""

    def focus_at_end(self) -> None:
        self.select_on_focus = False
        self.cursor_position = len(self.value)
        self.focus()

    def on_blur(self) -> None:
        self.select_on_focus = True


class FormField(Horizontal):
    """``label`` and the input ``field_id``; the form marks a refused input ``-refused``."""

    DEFAULT_CSS = """
    FormField {
        height: 1;
        .field-label { width: 14; color: $text-muted; }
        .form-input { width: 1fr; }
        .form-input:focus { background: $primary 30%; }
        .form-input.-refused { color: $error; text-style: bold; }
        &:focus-within .field-label { color: $accent; text-style: bold; }
    }
    """

    def __init__(
        self, label: str, field_id: str, value: str, *, placeholder: str = "", kind: str = "text"
    ) -> None:
        super().__init__(classes="field")
        self.label = label
        self.field_id = field_id
        self.value = value
        self.placeholder = placeholder
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield FormInput(
            self.value,
            id=self.field_id,
            placeholder=self.placeholder,
            compact=True,
            type=self.kind,  # type: ignore[arg-type]
            classes="form-input",
        )
