"""Marking archives by age in a container listing: ask how old, find those older.

Archives are dated the way ``swiftui prune`` dates them (:mod:`swiftui.retention`): by the
uploaded file's date (``X-Object-Meta-Mtime``) when the object has one, else by its upload
date, so ``365d`` marks here what ``prune --older-than 365d`` would select. The age goes
through the same parser as the CLI's (:func:`swiftui.units.parse_duration`): it carries its
unit. Only the objects of the folder on screen that match its filter are looked at: the
rows the user sees, not the sub-folders (a container of many folders would cost a HEAD per
object below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from swiftui.errors import UsageError
from swiftui.references import parallel_map
from swiftui.retention import Archive, listing_timestamp, parse_mtime, select_for_prune
from swiftui.swift import MTIME_HEADER
from swiftui.units import parse_duration

if TYPE_CHECKING:
    from swiftui.swift import ObjectEntry, SwiftService

DEFAULT_AGE = "365d"


@dataclass(frozen=True)
class Age:
    """How old an archive must be to be marked: as typed, and in seconds."""

    text: str
    seconds: int


def archives_older_than(
    service: SwiftService,
    container: str,
    prefix: str,
    *,
    older_than_s: int,
    now: float,
    name_filter: str = "",
) -> list[ObjectEntry]:
    """Archives right under ``prefix`` whose shown name contains ``name_filter`` (any case,
    as the filter bar matches) and that are older than ``older_than_s`` at ``now``; one HEAD
    each."""
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
            last_modified=listing_timestamp(entry.last_modified),
            mtime=parse_mtime(headers.get(MTIME_HEADER)),
        )
        found[entry.name] = (entry, archive)
    selection = select_for_prune(
        [archive for _entry, archive in found.values()], older_than_s=older_than_s, now=now
    )
    return [found[archive.name][0] for archive in selection.selected]


def marked_notice(age: Age, found: int, newly_marked: int) -> str:
    """What marking by age did, in one notification."""
    older = f"older than {age.text}"
    if not found:
        return f"No archive here is {older}."
    already = found - newly_marked
    return (
        f"{found} archives here are {older} (by file date, as prune dates them): "
        f"{newly_marked} newly marked"
        + (f", {already} marked already" if already else "")
        + ". d deletes the marked ones."
    )


class AgeScreen(ModalScreen[Age | None]):
    """How old: Enter answers (a duration with its unit), Escape gives up."""

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
            yield Label("Mark the archives of this folder older than:")
            yield Input(DEFAULT_AGE, id="age", placeholder="365d, 12w, 90d, 36h")
            yield Label(id="age-error")
            yield Label(
                "Dated by the file's date (X-Object-Meta-Mtime), else the upload date, as "
                "swiftui prune does. Enter marks them, Escape cancels.",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#age-box").border_title = "Mark older than"
        self.query_one("#age", Input).focus()

    @on(Input.Submitted, "#age")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            seconds = parse_duration(text, option="older than")
        except UsageError as error:
            self.query_one("#age-error", Label).update(str(error))
            return
        self.dismiss(Age(text, seconds))
