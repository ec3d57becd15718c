"""Keys both browsing screens bind, each to its own action of the same name."""

from __future__ import annotations

from textual.binding import Binding

REFRESH = Binding(
    "r", "refresh", "Refresh", id="refresh", show=False, tooltip="Load the listing again"
)
UPLOAD = Binding("u", "upload", "Upload", id="upload", tooltip="Upload a file here")
ORPHANS = Binding(
    "o",
    "orphans",
    "Orphans",
    id="orphans",
    show=False,
    tooltip="Segments no manifest references, by upload",
)
JOBS = Binding(
    "J",
    "app.jobs",
    "Jobs",
    id="jobs",
    show=False,
    tooltip="Your jobs with their last runs: run now, edit, history",
)
