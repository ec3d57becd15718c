"""A virtual table: renders only the rows on screen, so 100 000 objects cost nothing.

Textual's ``DataTable`` measures every cell it is given (about 0.3 ms a row here), which
turns a 100 000-object listing or a re-sort of it into tens of seconds on the UI thread.
:class:`ListingTable` keeps row keys in order, builds a :class:`Row` (plain cells) only
when it is first drawn, and lays its columns out from its own width (one column takes the
room left). Rebuilding a row is :meth:`ListingTable.invalidate` away: relative dates age.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

GAP = 2


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None
    """Cells wide; None: this column takes the room the others leave."""
    justify: Literal["left", "right"] = "left"
    min_width: int = 10
    keep_end: bool = False
    """Cut a long cell in its middle, not at its end (segment names end with their index)."""


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str | Text, ...]
    style: str = ""


class ListingTable(ScrollView, can_focus=True):
    """Rows with a cursor, a fixed header, and messages for highlight, select and near-end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("enter", "select", "Open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "listing-table--header",
        "listing-table--cursor",
        "listing-table--cursor-blurred",
    }

    DEFAULT_CSS = """
    ListingTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        border: round $primary 40%;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        &:focus { border: round $primary; }
        &.failed { border-subtitle-color: $error; }
        & > .listing-table--header { text-style: bold; color: $text-primary; }
        & > .listing-table--cursor { background: $block-cursor-background;
            color: $block-cursor-foreground; text-style: $block-cursor-text-style; }
        & > .listing-table--cursor-blurred { background: $block-cursor-blurred-background; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class _TableMessage(Message):
        """A message about one table, which handlers can match with ``@on(..., "#id")``."""

        def __init__(self, table: ListingTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ListingTable:
            return self.table

    class Highlighted(_TableMessage):
        def __init__(self, table: ListingTable, key: str | None) -> None:
            super().__init__(table)
            self.key = key

    class Selected(_TableMessage):
        def __init__(self, table: ListingTable, key: str) -> None:
            super().__init__(table)
            self.key = key

    class HeaderSelected(_TableMessage):
        def __init__(self, table: ListingTable, column: str) -> None:
            super().__init__(table)
            self.column = column

    class NearEnd(_TableMessage):
        """The cursor or the view is within a screen of the last row: time to fetch more."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        row_for: Callable[[str], Row] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``row_for`` builds a row from its key when it is first drawn (see :meth:`show_keys`)."""
        super().__init__(id=id, classes=classes)
        self.columns = tuple(columns)
        self._row_for = row_for
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, Row] = {}
        self._widths: list[int] = []

    # -- content ---------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> Sequence[str]:
        return self._keys

    @property
    def rows(self) -> list[Row]:
        """Every row, built if need be (for small tables and tests)."""
        return [self._row_at(index) for index in range(len(self._keys))]

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self._keys):
            return self._keys[self.cursor_row]
        return None

    def set_rows(self, rows: Sequence[Row], *, keep_cursor_on: str | None = None) -> None:
        """Replace every row; the cursor follows ``keep_cursor_on`` if it is still there."""
        self._cache = {row.key: row for row in rows}
        self.show_keys([row.key for row in rows], keep_cursor_on=keep_cursor_on)

    def show_keys(self, keys: Sequence[str], *, keep_cursor_on: str | None = None) -> None:
        """Show these rows in this order; rows not built yet come from ``row_for``."""
        self._keys = list(keys)
        self._index = {key: index for index, key in enumerate(self._keys)}
        self._update_virtual_size()
        target = self._index.get(keep_cursor_on, 0) if keep_cursor_on else 0
        self.cursor_row = min(target, max(0, len(self._keys) - 1))
        self.refresh()

    def append_keys(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._index[key] = len(self._keys)
            self._keys.append(key)
        self._update_virtual_size()
        self.refresh()
        if len(self._keys) == len(keys):
            self.cursor_row = 0
        self._check_near_end()

    def update_row(self, row: Row) -> None:
        self._cache[row.key] = row
        if (index := self._index.get(row.key)) is not None:
            self.refresh_lines(index + 1)  # the header is line 0; ScrollView subtracts scroll

    def invalidate(self, keys: Sequence[str] | None = None) -> None:
        """Build these rows (all when None) again from ``row_for`` next time they are drawn."""
        if keys is None:
            self._cache.clear()
        else:
            for key in keys:
                self._cache.pop(key, None)
        self.refresh()

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Other columns, once what the rows hold is known (a Cloud Archive listing's seal
        states); every row is built again for them."""
        self.columns = tuple(columns)
        self._cache.clear()
        self._layout_columns(self.scrollable_content_region.width)
        self.refresh()

    def move_cursor_to_key(self, key: str) -> None:
        if key in self._index:
            self.cursor_row = self._index[key]

    def visible_keys(self) -> list[str]:
        """Keys of the rows on screen now."""
        first = round(self.scroll_y)
        return self._keys[first : first + self._visible_rows()]

    def _row_at(self, index: int) -> Row:
        key = self._keys[index]
        row = self._cache.get(key)
        if row is None:
            if self._row_for is None:
                raise KeyError(key)
            row = self._cache[key] = self._row_for(key)
        return row

    # -- geometry --------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._keys) + 1)

    def _layout_columns(self, width: int) -> None:
        fixed = sum(column.width or 0 for column in self.columns)
        gaps = GAP * (len(self.columns) - 1) + 1
        flexible = [column for column in self.columns if column.width is None]
        room = max(0, width - fixed - gaps)
        share = room // len(flexible) if flexible else 0
        self._widths = [
            column.width if column.width is not None else max(column.min_width, share)
            for column in self.columns
        ]

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns(self.scrollable_content_region.width)
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if not self._widths:
            self._layout_columns(width)
        base = self.rich_style
        if y == 0:
            header_style = base + self.get_component_rich_style("listing-table--header")
            cells: tuple[str | Text, ...] = tuple(column.label for column in self.columns)
            return self._render_cells(cells, header_style, width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self._keys):
            return Strip([Segment(" " * width, base)], width)
        row = self._row_at(index)
        style = base + Style.parse(row.style) if row.style else base
        if index == self.cursor_row:
            name = "listing-table--cursor" if self.has_focus else "listing-table--cursor-blurred"
            style += self.get_component_rich_style(name)
        return self._render_cells(row.cells, style, width)

    def _render_cells(self, cells: tuple[str | Text, ...], style: Style, width: int) -> Strip:
        line = Text(" ", style=style, no_wrap=True, end="")
        for position, (column, cell_width) in enumerate(
            zip(self.columns, self._widths, strict=True)
        ):
            text = cell.copy() if isinstance((cell := cells[position]), Text) else Text(cell)
            text.no_wrap = True
            if column.keep_end and text.cell_len > cell_width > 1:
                head = (cell_width - 1) // 2
                text = Text.assemble(text[:head], "…", text[-(cell_width - 1 - head) :])
            text.truncate(cell_width, overflow="ellipsis")
            padding = " " * (cell_width - text.cell_len)
            if column.justify == "right":
                line.append(padding)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(padding)
            if position < len(self.columns) - 1:
                line.append(" " * GAP)
        line.truncate(width, pad=True)
        line.stylize_before(style)
        segments = list(line.render(self.app.console))
        return Strip(segments, width).crop(0, width)

    # -- cursor and scrolling --------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._keys) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_cursor_into_view()
        # Rows set in the same breath have no scroll room yet: look again once laid out.
        self.call_after_refresh(self._scroll_cursor_into_view)
        self.post_message(self.Highlighted(self, self.cursor_key))
        self._check_near_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_near_end()

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        visible = self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def _check_near_end(self) -> None:
        visible = self._visible_rows()
        bottom = round(self.scroll_y) + visible
        end = len(self._keys) - visible
        if bottom >= end or self.cursor_row >= end:
            self.post_message(self.NearEnd(self))

    def action_cursor(self, step: int) -> None:
        self.cursor_row += step

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * self._visible_rows()

    def action_cursor_to(self, index: int) -> None:
        self.cursor_row = index if index >= 0 else len(self._keys) - 1

    def action_select(self) -> None:
        if (key := self.cursor_key) is not None:
            self.post_message(self.Selected(self, key))

    # -- mouse -----------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 1
            for column, width in zip(self.columns, self._widths, strict=True):
                if x <= offset.x < x + width + GAP:
                    self.post_message(self.HeaderSelected(self, column.key))
                    return
                x += width + GAP
            return
        index = round(self.scroll_y) + offset.y - 1
        if index < len(self._keys):
            if index == self.cursor_row and event.chain >= 2:
                self.action_select()
            self.cursor_row = index
