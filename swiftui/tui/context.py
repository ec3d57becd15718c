"""What a screen plugged into the browser (upload, delete) is told about where the user is.

Other screens register a factory on the app (:meth:`SwiftuiApp.register_screen_factory`)
under a name the browser binds to a key (``upload`` on ``u``, ``delete`` on ``d``,
``orphans`` on ``o``); the browser calls the factory with a :class:`BrowseContext` and
refreshes its listing when the pushed screen is dismissed. A busy check
(:meth:`SwiftuiApp.register_busy_check`) tells ``q`` that something is running and
quitting needs a confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from swiftui.cloud import Cloud
    from swiftui.swift import ObjectEntry, SwiftService

UPLOAD = "upload"
DELETE = "delete"
ORPHANS = "orphans"


@dataclass(frozen=True)
class BrowseContext:
    """Where the user stands: region, container and pseudo-folder, and what is selected."""

    cloud: Cloud
    region: str
    service: SwiftService
    container: str | None = None
    prefix: str = ""
    objects: tuple[ObjectEntry, ...] = ()
    """The objects the user pointed at: the marked rows, else the highlighted one; empty
    outside a container."""


ScreenFactory = Callable[[BrowseContext], "Screen[Any]"]
BusyCheck = Callable[[], "str | None"]
"""Returns what is running (``"upload of db.tar, 40 %"``), or None when idle."""
