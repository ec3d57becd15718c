"""A log that wraps its lines at its own width, to the last character, and wraps them again
when that width changes.

Textual's ``RichLog`` renders a line once, when it is written, at no less than its
``min_width`` (78 cells): in a panel narrower than that (80 columns less a border and a
scrollbar) the end of each line was cut off, and a resize kept the old wrapping. This one
keeps the lines it was given (the last ``max_lines``) and renders them again on resize.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual import events
from textual.widgets import RichLog


class LogPanel(RichLog):
    def __init__(self, *, max_lines: int, id: str | None = None) -> None:
        super().__init__(max_lines=max_lines, min_width=1, wrap=True, id=id)
        self._kept: deque[Text] = deque(maxlen=max_lines)
        self._wrapped_at = 0

    def add(self, line: Text) -> None:
        self._kept.append(line)
        self.write(line)

    def forget(self) -> None:
        """Empty, as for a new upload."""
        self._kept.clear()
        self.clear()

    def on_resize(self, event: events.Resize) -> None:
        # RichLog's own handler runs after this one: it writes what came before the size
        # was known, at the new width; only later resizes need a new wrap.
        width = self.scrollable_content_region.width
        if not self._size_known:
            self._wrapped_at = width
            return
        if width == self._wrapped_at:
            return
        self._wrapped_at = width
        self.clear()
        for line in self._kept:
            self.write(line)
