"""The upload form at 80x24 and wider, on the fixed account: where the focus is can be
seen, a picked file does not leave a field's text selected, the tree takes the room a
wide terminal gives, and the form opens in the folder the user was last in."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from support.tui_support import settle, wait_for
from support.tui_upload_support import fixed_app, make_file, open_form
from textual.widget import Widget
from textual.widgets import Input, Tree

from swiftui.units import MIB


@pytest.fixture
def dumps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``~/dumps`` with one dump, and ``~/elsewhere`` with another; the app starts in the
    home directory."""
    monkeypatch.setenv("HOME", str(tmp_path))
    make_file(tmp_path / "dumps" / "pg-2026-11.dump", 3 * MIB)
    make_file(tmp_path / "elsewhere" / "www.tar", MIB)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "dumps"


def look(widget: Widget) -> Style:
    """How a widget shows where the focus is: its colours, or a tree's cursor line."""
    if isinstance(widget, Tree):
        return widget.get_component_rich_style("tree--cursor")
    return widget.rich_style


def visibly_different(one: Style, other: Style) -> bool:
    """Reversed, or backgrounds apart by more than a faint tint."""
    if one.reverse != other.reverse or one.bgcolor is None or other.bgcolor is None:
        return one.reverse != other.reverse or one.bgcolor != other.bgcolor
    first, second = one.bgcolor.get_truecolor(), other.bgcolor.get_truecolor()
    return sum(abs(a - b) for a, b in zip(first, second, strict=True)) >= 60


async def test_every_focus_stop_of_the_form_shows_it(dumps: Path) -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        stops: list[Widget] = []
        for _ in range(12):
            focused = app.focused
            assert focused is not None
            if focused in stops:
                break
            stops.append(focused)
            focused_look = look(focused)
            await pilot.press("tab")
            assert visibly_different(look(focused), focused_look), f"{focused}: focus unseen"
        ids = [widget.id for widget in stops]
        assert ids[:2] == ["files", "show-hidden"]
        assert {"container", "object", "segment-size", "expiry"} <= set(ids)
        labels = form.query(".field-label")
        form.query_one("#container", Input).focus()
        await pilot.pause()
        assert labels.first().rich_style != labels.last().rich_style  # its label lights up


async def test_a_file_picked_by_its_path_leaves_the_container_to_be_added_to(
    dumps: Path,
) -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        await pilot.press("slash", "ctrl+u", *str(dumps / "pg-2026-11.dump"), "enter")
        container = form.query_one("#container", Input)
        await wait_for(pilot, lambda: container.has_focus, "the container field")
        assert container.selection.is_empty
        await pilot.press(*"-2026")
        assert container.value == "backups-2026"


async def test_the_tree_takes_the_room_of_a_wide_terminal(dumps: Path) -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        assert form.query_one("#local-pane").outer_size.width == 34
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        pane = form.query_one("#local-pane").outer_size.width
        fields = form.query_one("#upload-form").outer_size.width
        assert pane > fields and pane + fields == 160


async def test_the_form_opens_in_the_folder_last_used(dumps: Path) -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        assert str(form.query_one("#files").root.label) == "~"
        await pilot.press("slash", "ctrl+u", *"~/elsewhere", "enter")
        await pilot.press("escape")
        form = await open_form(pilot)
        assert str(form.query_one("#files").root.label) == "~/elsewhere"

    # Another session: still there.
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot)
        assert str(form.query_one("#files").root.label) == "~/elsewhere"
        await pilot.press("down", "enter")
        assert form.chosen is not None and form.chosen.path == dumps.parent / "elsewhere/www.tar"
