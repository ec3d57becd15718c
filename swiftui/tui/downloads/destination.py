"""Where on this computer a download goes: a local folder (the directory tree and path line
of the upload form, opened in the folder used last, else the home directory) and, for one
object, the file name. The file the engine will write is shown as it changes, with the
engine's own refusals (no such folder, not writable), an existing file (replaced only
once the user confirms) and an interrupted download of it that will resume.

Several objects (the marked ones) each go under their own name in the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DirectoryTree, Footer, Input, Label, Static
from textual.widgets.directory_tree import DirEntry

from swiftui.download import DownloadRequest, destination, interrupted_downloads
from swiftui.errors import UsageError
from swiftui.tui.downloads.start import existing_targets, start_downloads
from swiftui.tui.widgets.files import (
    FOLDER_KEYS,
    FolderKeysActions,
    LocalFilePane,
    display_path,
    remember_folder,
    remembered_folder,
)
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.units import format_bytes

if TYPE_CHECKING:
    from swiftui.swift import SwiftService

FOLDER_MEMORY = "download"
"""The picker opens in the folder it showed last (:func:`remembered_folder`)."""


class DestinationScreen(FolderKeysActions, SwiftuiScreen):
    DEFAULT_CSS = """
    DestinationScreen {
        #download-form {
            height: auto;
            border: round $primary 40%;
            border-title-color: $text;
            padding: 0 1;
            &:focus-within { border: round $primary; }
        }
        #objects-info { height: auto; max-height: 2; }
        .field { height: 1; }
        .field-label { width: 9; color: $text-muted; }
        .field:focus-within .field-label { color: $accent; text-style: bold; }
        #file-name { width: 1fr; }
        #file-name:focus { background: $primary 30%; }
        #target-info { height: auto; max-height: 3; }
        #local-pane { height: 1fr; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("ctrl+s", "start", "Download", id="start", tooltip="Download to the file shown"),
        *FOLDER_KEYS,
    ]

    def __init__(
        self,
        service: SwiftService,
        container: str,
        names: Sequence[str],
        size: int,
        *,
        start: Path | None = None,
    ) -> None:
        """Download ``names`` (``size`` bytes in all) of ``container`` in ``service``'s
        region; the tree opens at ``start``, else the folder used last, else home."""
        super().__init__()
        self.service = service
        self.container = container
        self.names = list(names)
        self.total_bytes = size
        self.folder = start or remembered_folder(FOLDER_MEMORY) or Path.home()
        self.problem = ""
        """What the path line refused, shown until the next change."""

    @property
    def single(self) -> bool:
        return len(self.names) == 1

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Vertical(id="download-form"):
            yield Static(self._objects_text(), id="objects-info")
            with Horizontal(classes="field"):
                yield Label("Save as", classes="field-label")
                if self.single:
                    name = destination(self.folder, self.names[0]).name
                    yield Input(name, id="file-name", compact=True, placeholder="a file name")
                else:
                    yield Label("each object under its own name", classes="hint")
            yield Static(id="target-info")
        yield LocalFilePane(self.folder, use=FOLDER_MEMORY, id="local-pane")
        yield Footer(compact=True)

    def _objects_text(self) -> Text:
        if self.single:
            what = f"{self.container}/{self.names[0]}"
        else:
            what = f"{len(self.names)} objects of {self.container}: " + ", ".join(
                PurePosixPath(name).name for name in self.names
            )
        return Text.assemble((what, "bold"), f" · {format_bytes(self.total_bytes)}")

    def on_mount(self) -> None:
        self.query_one("#download-form").border_title = f"Download from {self.service.region}"
        self.query_one("#local-pane").border_title = "To the local folder"
        self.query_one("#files").focus()
        self.call_after_refresh(self._show_target)

    # -- the folder and the name -----------------------------------------------------------

    @on(DirectoryTree.NodeHighlighted, "#files")
    def node_highlighted(self, message: DirectoryTree.NodeHighlighted[DirEntry]) -> None:
        """The highlighted folder (a file's folder) is where the download goes."""
        entry = message.node.data
        if entry is not None:
            path = Path(entry.path)
            self._go(path if path.is_dir() else path.parent)

    @on(LocalFilePane.Moved)
    def folder_shown(self) -> None:
        self._go(Path(self.query_one(LocalFilePane).files.path))

    @on(LocalFilePane.Picked)
    def file_picked(self, message: LocalFilePane.Picked) -> None:
        """An existing file chosen: download over it (the start asks first)."""
        self.folder = message.path.parent
        if self.single:
            name = self.query_one("#file-name", Input)
            name.value = message.path.name
            name.focus()
        self.problem = ""
        self._show_target()

    @on(LocalFilePane.Refused)
    def path_refused(self, message: LocalFilePane.Refused) -> None:
        self.problem = message.problem
        self._show_target()

    @on(Input.Changed, "#file-name")
    def name_changed(self) -> None:
        self._show_target()

    @on(Input.Submitted, "#file-name")
    def name_submitted(self) -> None:
        self.action_start()

    def _go(self, folder: Path) -> None:
        if folder != self.folder:
            self.folder = folder
            self.problem = ""
            self._show_target()

    # -- what the engine will do -----------------------------------------------------------

    def requests(self) -> list[DownloadRequest]:
        """One request per object, each naming its local file (the engine's rule: a name
        in a folder)."""
        if self.single:
            typed = self.query_one("#file-name", Input).value.strip()
            if not typed:
                raise UsageError("give the file name to save the object as")
            outputs = [destination(self.folder / typed, self.names[0])]
        else:
            outputs = [destination(self.folder, name) for name in self.names]
            doubles = sorted({path.name for path in outputs if outputs.count(path) > 1})
            if doubles:
                raise UsageError(
                    f"several marked objects are named {', '.join(doubles)}: download them "
                    "one at a time, each to its own name"
                )
        return [
            DownloadRequest(self.container, name, output=output)
            for name, output in zip(self.names, outputs, strict=True)
        ]

    def _show_target(self) -> None:
        info = self.query_one("#target-info", Static)
        if self.problem:
            info.update(Text(self.problem, "bold red"))
            return
        try:
            requests = self.requests()
            existing = existing_targets(requests)
        except UsageError as error:
            info.update(Text(str(error), "bold red"))
            return
        outputs = [request.output for request in requests if request.output is not None]
        where = display_path(outputs[0] if self.single else self.folder)
        lines = [Text.assemble("→ ", (where, "bold"))]
        if existing and self.single:
            lines.append(Text("exists: ctrl+s asks before replacing it", "yellow"))
        elif existing:
            lines.append(Text(f"{len(existing)} of these files exist: ctrl+s asks first", "yellow"))
        lines += [Text(line, "cyan") for line in self._resumes(requests)]
        info.update(Text("\n").join(lines))

    def _resumes(self, requests: list[DownloadRequest]) -> list[str]:
        """What interrupted downloads to these files will resume."""
        wanted = {(request.object_name, request.output) for request in requests}
        lines = []
        for item in interrupted_downloads():
            if (item.object_name, item.output) not in wanted or not item.belongs_to(self.service):
                continue
            done = f"{item.parts_done} of {item.parts} parts" if item.parts else "its parts"
            what = item.problem or f"resumes the interrupted download: {done} are here"
            lines.append(f"{PurePosixPath(item.object_name).name}: {what}")
        return lines

    # -- start -----------------------------------------------------------------------------

    def action_start(self) -> None:
        try:
            start_downloads(self, self.service, self.requests(), then=self._started)
        except UsageError as error:
            self.query_one("#target-info", Static).update(Text(str(error), "bold red"))
            self.app.bell()

    def _started(self) -> None:
        try:
            remember_folder(FOLDER_MEMORY, self.folder)
        except OSError as error:
            self.log.warning(f"cannot remember the download folder: {error}")
        self.dismiss()
