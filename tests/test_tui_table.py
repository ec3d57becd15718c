"""The listing table on its own: a row updated while the table is scrolled is redrawn
where the user sees it (the queue of uploads updates its running row this way)."""

from __future__ import annotations

from support.tui_support import drawn_lines
from textual.app import App, ComposeResult

from swiftui.tui.widgets.table import Column, ListingTable, Row


class OneTable(App[None]):
    CSS = "ListingTable { height: 6; }"

    def compose(self) -> ComposeResult:
        yield ListingTable([Column("name", "Name", 10), Column("state", "State")], id="t")


async def test_a_row_updated_while_scrolled_is_redrawn_in_place() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ListingTable)
        await pilot.pause()
        table.set_rows([Row(str(n), (f"job {n}", "queued")) for n in range(1, 9)])
        table.move_cursor_to_key("8")
        await pilot.pause()
        assert table.scroll_y > 0
        assert any("job 8" in line and "queued" in line for line in drawn_lines(pilot))

        table.update_row(Row("8", ("job 8", "uploading 44 %")))
        await pilot.pause()
        assert any("job 8" in line and "uploading 44 %" in line for line in drawn_lines(pilot))
