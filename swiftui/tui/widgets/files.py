"""A local folder pane: a path line, a directory tree with file sizes, and the hidden-files
box; it remembers the last folder the user was in, across sessions (one memory per use:
the upload form's files, the download's destination).

Plain marks instead of emoji, for any terminal over SSH; dot files stay hidden until asked.
In a pane that marks files (the upload form's), space marks them (``●``, in any folder the
tree shows): several files go up as one batch.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Checkbox, DirectoryTree, Input
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

from swiftui.paths import state_dir, write_private_file
from swiftui.units import format_bytes

FOLDER_KEYS: list[BindingType] = [
    Binding("full_stop", "toggle_hidden", "Hidden", id="hidden", tooltip="Show dot files"),
    Binding("slash", "goto_path", "Go to", id="goto", tooltip="Type a path to jump to"),
    Binding("backspace", "parent", "Up", id="parent", tooltip="Show the parent folder"),
]
"""The keys of a screen that holds a :class:`LocalFilePane` (its actions are
:class:`FolderKeysActions`')."""
MARK = "● "
MARK_STYLE = "bold yellow"


def display_path(path: Path | str) -> str:
    """``~/dumps/db.dump`` for a path under the home directory, the path itself otherwise:
    shorter over SSH."""
    try:
        rest = Path(path).relative_to(Path.home())
    except ValueError:
        return str(path)
    return "~" if rest == Path() else f"~/{rest}"


def _memory_file(use: str) -> Path:
    return state_dir() / f"{use}-folder.json"


def remembered_folder(use: str) -> Path | None:
    """The folder a pane for ``use`` (``upload``, ``download``) showed last, in this session
    or an earlier one, if it is still there."""
    try:
        saved = json.loads(_memory_file(use).read_text())
        folder = Path(saved["folder"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if folder.is_dir() else None


def remember_folder(use: str, folder: Path) -> None:
    write_private_file(_memory_file(use), json.dumps({"folder": str(folder)}))


class FileTree(DirectoryTree):
    """A directory tree that shows file sizes, hides dot files until asked, and names its
    root ``~/…``; plain marks instead of emoji, for any terminal over SSH."""

    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "
    ICON_FILE = "  "

    def __init__(self, path: Path, *, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.show_hidden = False
        self.sizes: dict[Path, int] = {}
        self.root.set_label(display_path(path))

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Runs in the tree's loading thread: the place to stat for sizes."""
        for path in paths:
            if path.name.startswith(".") and not self.show_hidden:
                continue
            try:
                info = path.stat()
            except OSError:
                yield path
                continue
            if stat.S_ISREG(info.st_mode):
                self.sizes[path] = info.st_size
            yield path

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        if node.data is not None and not node.allow_expand:
            label = self.file_label(node.data.path, label)
            size = self.sizes.get(node.data.path)
            if size is not None:
                label.append(f"  {format_bytes(size)}", style="dim")
        return label

    def file_label(self, path: Path, label: Text) -> Text:
        """A file's name as the tree shows it, before its size."""
        return label

    def reset_node(
        self, node: TreeNode[DirEntry], label: str | Text, data: DirEntry | None = None
    ) -> FileTree:
        if node is self.root and data is not None:
            label = display_path(data.path)
        super().reset_node(node, label, data)
        return self


class MarkingFileTree(FileTree):
    """A :class:`FileTree` where space marks files (``●``), for a form that sends several."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "mark",
            "Mark",
            id="mark",
            tooltip="Mark or unmark a file: the marked files go up one after another",
        ),
    ]

    class MarksChanged(Message):
        """A file was marked or unmarked."""

    def __init__(self, path: Path, *, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.marked: dict[Path, int] = {}
        """The marked files and their sizes, in the order they were marked."""

    def action_mark(self) -> None:
        """Mark the file under the cursor, or unmark it; a folder opens or closes."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        if node.allow_expand:
            self.action_toggle_node()
            return
        path = node.data.path
        if self.marked.pop(path, None) is None:
            self.marked[path] = self.sizes.get(path, 0)
        node.refresh()
        self.post_message(self.MarksChanged())
        self.action_cursor_down()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.root.refresh()  # every line's cache depends on the root
        self.refresh()
        self.post_message(self.MarksChanged())

    def file_label(self, path: Path, label: Text) -> Text:
        if path not in self.marked:
            return label
        marked = Text.assemble((MARK, MARK_STYLE), label[len(self.ICON_FILE) :])
        marked.stylize(MARK_STYLE, len(MARK))
        return marked


class PathSuggester(Suggester):
    """Completes the last part of a typed path from the directory it names."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        directory, start = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            with os.scandir(directory) as entries:
                names = sorted(
                    (entry.name, entry.is_dir())
                    for entry in entries
                    if entry.name.startswith(start)
                    and (start.startswith(".") or not entry.name.startswith("."))
                )
        except OSError:
            return None
        if not names:
            return None
        name, is_dir = names[0]
        suggestion = value + name[len(start) :] + ("/" if is_dir else "")
        return suggestion if suggestion != value else None


class LocalFilePane(Vertical):
    """The path line (Enter jumps there, a file is picked), the tree (Enter picks) and the
    hidden-files box. Says what happened in messages; the form decides what it means."""

    DEFAULT_CSS = """
    LocalFilePane {
        width: 1fr;
        border: round $primary 40%;
        border-title-color: $text;
        &:focus-within { border: round $primary; }
        #path { margin-bottom: 1; }
        #path:focus, #show-hidden:focus { background: $primary 30%; }
        #files { height: 1fr; background: $surface; }
    }
    """

    class Picked(Message):
        """A file was chosen: in the tree, or ``typed`` on the path line."""

        def __init__(self, path: Path, *, typed: bool) -> None:
            super().__init__()
            self.path = path
            self.typed = typed

    class Moved(Message):
        """The tree shows another folder."""

    class Refused(Message):
        """What was typed on the path line is neither a folder nor a file."""

        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def __init__(
        self, start: Path, *, use: str, marks: bool = False, id: str | None = None
    ) -> None:
        """``use`` names the memory of the last folder shown (see :func:`remembered_folder`);
        with ``marks``, the tree is a :class:`MarkingFileTree`."""
        super().__init__(id=id)
        self.start = start
        self.use = use
        self.marks = marks

    def compose(self) -> ComposeResult:
        yield Input(
            display_path(self.start),
            id="path",
            compact=True,
            suggester=PathSuggester(),
            placeholder="a folder or a file: /var/lib/psa/dumps",
        )
        tree = MarkingFileTree if self.marks else FileTree
        yield tree(self.start, id="files")
        yield Checkbox("Hidden files (.)", id="show-hidden", compact=True)

    @property
    def files(self) -> FileTree:
        return self.query_one(FileTree)

    @on(DirectoryTree.FileSelected, "#files")
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._remember(event.path.parent)
        self.post_message(self.Picked(event.path, typed=False))

    @on(Input.Submitted, "#path")
    def path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = Path(event.value.strip() or ".").expanduser()
        target = Path(os.path.normpath(typed if typed.is_absolute() else self.files.path / typed))
        if target.is_dir():
            self.show_folder(target)
            self.files.focus()
        elif target.exists():
            self.show_folder(target.parent)
            self.post_message(self.Picked(target, typed=True))
        else:
            self.post_message(self.Refused(f"{event.value.strip()}: no such file or folder"))

    def show_folder(self, folder: Path) -> None:
        self.files.path = folder
        self.query_one("#path", Input).value = display_path(folder)
        self._remember(folder)
        self.post_message(self.Moved())

    def go_up(self) -> None:
        folder = Path(self.files.path).resolve()
        if folder.parent != folder:
            self.show_folder(folder.parent)

    def edit_path(self) -> None:
        self.query_one("#path", Input).focus()

    def toggle_hidden(self) -> None:
        checkbox = self.query_one("#show-hidden", Checkbox)
        checkbox.value = not checkbox.value

    @on(Checkbox.Changed, "#show-hidden")
    def hidden_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.files.show_hidden = event.value
        self.files.reload()

    def _remember(self, folder: Path) -> None:
        """For the next form; a state directory that cannot be written only costs that."""
        try:
            remember_folder(self.use, folder)
        except OSError as error:
            self.log.warning(f"cannot remember the {self.use} folder: {error}")


class FolderKeysActions:
    """The actions of :data:`FOLDER_KEYS`, for a screen that holds one
    :class:`LocalFilePane` (a base class before the screen's own)."""

    def _pane(self) -> LocalFilePane:
        assert isinstance(self, DOMNode)
        return self.query_one(LocalFilePane)

    def action_parent(self) -> None:
        self._pane().go_up()

    def action_goto_path(self) -> None:
        self._pane().edit_path()

    def action_toggle_hidden(self) -> None:
        self._pane().toggle_hidden()
