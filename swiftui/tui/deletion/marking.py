"""Marking archives by age in a container listing: ask how many days, find those older.

Archives are dated the way ``swiftui prune`` dates them (:mod:`swiftui.retention`): by the
uploaded file's date (``X-Object-Meta-Mtime``) when the object has one, else by its upload
date, so N days mark here what ``prune --older-than Nd`` would select. Only the objects of
the folder on screen that match its filter are looked at: the rows the user sees, not the
sub-folders (a container of many folders would cost a HEAD per object below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Number
from textual.widgets import Input, Label

from swiftui.references import parallel_map
from swiftui.retention import Archive, parse_listing_time, parse_mtime, select_for_prune

if TYPE_CHECKING:
    from swiftui.swift import ObjectEntry, SwiftService

DAY_S = 86400
DEFAULT_DAYS = 365
MAX_DAYS = 36500


def archives_older_than(
    service: SwiftService,
    container: str,
    prefix: str,
    *,
    days: int,
    now: float,
    name_filter: str = "",
) -> list[ObjectEntry]:
    """Archives right under ``prefix`` whose shown name contains ``name_filter`` (any case,
    as the filter bar matches) and that are older than ``days`` at ``now``; one HEAD each."""
    needle = name_filter.lower()
    entries = [
        entry
        for entry in service.iter_objects(container, prefix=prefix, delimiter="/")
        if not entry.is_dir and not entry.is_segment and needle in entry.name[len(prefix) :].lower()
    ]
    heads = parallel_map(lambda entry: service.object_headers(container, entry.name), entries)
    found: dict[str, tuple[ObjectEntry, Archive]] = {}
    for entry, headers in zip(entries, heads, strict=True):
        if headers is None:
            continue
        archive = Archive(
            name=entry.name,
            size=entry.bytes,
            last_modified=parse_listing_time(entry.last_modified),
            mtime=parse_mtime(headers.get("X-Object-Meta-Mtime")),
        )
        found[entry.name] = (entry, archive)
    selection = select_for_prune(
        [archive for _entry, archive in found.values()], older_than_s=days * DAY_S, now=now
    )
    return [found[archive.name][0] for archive in selection.selected]


def marked_notice(days: int, found: int, newly_marked: int) -> str:
    """What marking by age did, in one notification."""
    older = f"older than {days} days"
    if not found:
        return f"No archive here is {older}."
    already = found - newly_marked
    return (
        f"{found} archives here are {older} (by file date, as prune dates them): "
        f"{newly_marked} newly marked"
        + (f", {already} marked already" if already else "")
        + ". d deletes the marked ones."
    )


class AgeScreen(ModalScreen[int | None]):
    """How many days: Enter answers, Escape gives up."""

    DEFAULT_CSS = """
    AgeScreen {
        #age-box { width: 64; }
        #age-error { color: $error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="age-box"):
            yield Label("Mark the archives of this folder older than how many days?")
            yield Input(
                str(DEFAULT_DAYS),
                type="integer",
                id="age-days",
                validators=[Number(minimum=1, maximum=MAX_DAYS)],
            )
            yield Label(id="age-error")
            yield Label(
                "Dated by the file's date (X-Object-Meta-Mtime), else the upload date, as "
                "swiftui prune does. Enter marks them, Escape cancels.",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#age-box").border_title = "Mark older than"
        self.query_one("#age-days", Input).focus()

    @on(Input.Submitted, "#age-days")
    def submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one("#age-error", Label).update(
                f"A whole number of days from 1 to {MAX_DAYS}, please."
            )
            return
        self.dismiss(int(event.value))
