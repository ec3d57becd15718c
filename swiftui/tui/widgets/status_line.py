"""A line of status text redrawn many times a second without laying the screen out again."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """A :class:`Static` for text that changes often (rates, counters, a phase).

    :meth:`show` repaints only when the text changed, and asks for a layout of the screen
    (which costs far more than a repaint) only when the text takes another number of lines
    at the widget's width: so a status updated ten times a second costs a repaint.
    """

    _shown: Text | None = None

    def show(self, content: Text | str) -> None:
        text = Text(content) if isinstance(content, str) else content
        if text == self._shown:
            return
        old, self._shown = self._shown, text
        self.update(text, layout=old is None or self._height(old) != self._height(text))

    def _height(self, text: Text) -> int:
        width = self.content_region.width
        if width <= 0:
            return -1
        return len(text.wrap(self.app.console, width))
