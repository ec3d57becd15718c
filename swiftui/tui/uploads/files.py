"""The upload form's left pane: a directory tree with file sizes, and path completion.

Plain marks instead of emoji, for any terminal over SSH; dot files stay hidden until asked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.suggester import Suggester
from textual.widgets import DirectoryTree
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

from swiftui.tui.uploads.model import display_path
from swiftui.units import format_bytes


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
            size = self.sizes.get(node.data.path)
            if size is not None:
                label.append(f"  {format_bytes(size)}", style="dim")
        return label

    def reset_node(
        self, node: TreeNode[DirEntry], label: str | Text, data: DirEntry | None = None
    ) -> FileTree:
        if node is self.root and data is not None:
            label = display_path(data.path)
        super().reset_node(node, label, data)
        return self


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
