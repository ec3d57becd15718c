"""Pick a local file and say where it goes; the engine's plan is shown before Start.

The left pane is a :class:`FileTree` rooted at the working directory (sizes beside file
names, dot files on ``.``) under a path input that jumps anywhere (and completes names
with the right arrow). The right pane is the form: container, object name, segment size
(filled in from the engine's plan until the user types one), threads, expiry in days,
segments container. Every change plans again with the engine's own
:func:`~swiftui.upload.plan.make_plan` and :func:`~swiftui.upload.engine.check_request`,
so an impossible upload is explained here, before Start, in the engine's words.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester, SuggestFromList
from textual.timer import Timer
from textual.widgets import Button, Checkbox, DirectoryTree, Footer, Input, Label, Static
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode
from textual.worker import Worker

from swiftui.browse import ObjectFacts, format_moment, head_object
from swiftui.errors import UsageError
from swiftui.swift import SEGMENTS_SUFFIX, SwiftLimits
from swiftui.tui.base import SwiftuiScreen
from swiftui.tui.context import BrowseContext
from swiftui.tui.upload_model import display_path
from swiftui.units import GIB, MIB, format_bytes, parse_size
from swiftui.upload import (
    DEFAULT_THREADS,
    MAX_THREADS,
    UploadRequest,
    check_request,
    journal_target,
)
from swiftui.upload.journal import Journal, find_journal
from swiftui.upload.plan import UploadPlan, make_plan

CHECK_DELAY_S = 0.3
CONTAINER_SUGGESTIONS = 10_000
DAY_S = 86400


def size_text(size: int) -> str:
    """``1 GiB``, ``250 MiB`` or bytes: exact, so reading it back gives the same size."""
    if size % GIB == 0:
        return f"{size // GIB} GiB"
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return str(size)


def tui_wording(message: str) -> str:
    """The engine speaks in CLI options; here they are fields."""
    for option, field_name in (
        ("--segment-size", "segment size"),
        ("--segment-container", "segments container"),
        ("--object-name", "object name"),
        ("--threads", "threads"),
        ("CONTAINER", "container"),
    ):
        message = message.replace(option, field_name)
    return message


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


@dataclass(frozen=True)
class LocalFile:
    path: Path
    size: int
    mtime: float


@dataclass(frozen=True)
class TargetFacts:
    """What is at the destination now: an object being replaced, an upload to resume."""

    existing: ObjectFacts | None
    journal: Journal | None


class UploadFormScreen(SwiftuiScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("ctrl+s", "start", "Start", id="start", tooltip="Queue the upload and watch it"),
        Binding("full_stop", "toggle_hidden", "Hidden", id="hidden", tooltip="Show dot files"),
        Binding("slash", "goto_path", "Go to", id="goto", tooltip="Type a path to jump to"),
        Binding("backspace", "parent", "Up", id="parent", tooltip="Show the parent folder"),
    ]

    class TargetLoaded(Message):
        def __init__(self, limits: SwiftLimits, containers: list[str]) -> None:
            super().__init__()
            self.limits = limits
            self.containers = containers

    class TargetChecked(Message):
        def __init__(self, key: tuple[str, str, str], facts: TargetFacts) -> None:
            super().__init__()
            self.key = key
            self.facts = facts

    def __init__(self, context: BrowseContext, start: Path | None = None) -> None:
        super().__init__()
        self.context = context
        self.service = context.service
        self.start_dir = start or Path.cwd()
        self.chosen: LocalFile | None = None
        self.limits: SwiftLimits | None = None
        self.containers: list[str] | None = None
        self.problem = ""
        self.targets: dict[tuple[str, str, str], TargetFacts] = {}
        self.automatic: dict[str, str] = {"object": "", "segment-size": ""}
        """The value each self-filling field was last given: while it holds it, it follows."""
        self.ready = False
        """Every field is mounted: the plan can be drawn."""
        self.request: UploadRequest | None = None
        """What Start queues: set by every change of the form, None while it cannot start."""
        self._check_timer: Timer | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Horizontal(id="upload-panes"):
            with Vertical(id="local-pane"):
                yield Input(
                    display_path(self.start_dir),
                    id="path",
                    compact=True,
                    suggester=PathSuggester(),
                    placeholder="a folder or a file: /var/lib/psa/dumps",
                )
                yield FileTree(self.start_dir, id="files")
                yield Checkbox("Hidden files (.)", id="show-hidden", compact=True)
            with Vertical(id="upload-form"):
                yield Static(
                    Text("Pick the file to upload in the tree (Enter).", "dim"), id="file-info"
                )
                yield from self._field("Container", "container", self._default_container())
                yield from self._field("Object name", "object", "", placeholder="the file's name")
                yield from self._field("Segment size", "segment-size", "", placeholder="auto")
                yield from self._field("Threads", "threads", str(DEFAULT_THREADS), kind="integer")
                yield from self._field(
                    "Expires after", "expiry", "", placeholder="never (days)", kind="integer"
                )
                yield from self._field(
                    "Segments in", "segment-container", "", placeholder="<container>_segments"
                )
                yield Static(id="plan")
                yield Button("Start upload (ctrl+s)", id="start-button", compact=True)
        yield Footer(compact=True)

    def _field(
        self, label: str, field_id: str, value: str, *, placeholder: str = "", kind: str = "text"
    ) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield Input(
                value,
                id=field_id,
                placeholder=placeholder,
                compact=True,
                type=kind,  # type: ignore[arg-type]
                classes="form-input",
            )

    def _default_container(self) -> str:
        return self.context.container or ""

    def on_mount(self) -> None:
        self.query_one("#local-pane").border_title = "Local file"
        self.query_one("#upload-form").border_title = f"Upload to {self.context.region}"
        self.query_one("#files", FileTree).focus()
        self.load_target()
        # The fields sit in containers whose children may still be mounting.
        self.call_after_refresh(self._first_plan)

    def _first_plan(self) -> None:
        if not self.query("#start-button"):
            self.call_after_refresh(self._first_plan)
            return
        self.ready = True
        self._refresh_plan()

    # -- the cluster and the destination ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="target")
    def load_target(self) -> None:
        limits = self.service.limits()
        names = [
            info.name for info in islice(self.service.iter_containers(), CONTAINER_SUGGESTIONS)
        ]
        self.post_message(self.TargetLoaded(limits, names))

    @on(TargetLoaded)
    def target_loaded(self, message: TargetLoaded) -> None:
        self.limits = message.limits
        self.containers = message.containers
        container_input = self.query_one("#container", Input)
        container_input.suggester = SuggestFromList(message.containers, case_sensitive=True)
        default = self._default_container()
        parent = default.removesuffix(SEGMENTS_SUFFIX)
        if (
            default.endswith(SEGMENTS_SUFFIX)
            and parent in message.containers
            and container_input.value == default
        ):
            container_input.value = parent
        self._refresh_plan()

    def _schedule_check(self) -> None:
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(CHECK_DELAY_S, self._check_target)

    def _check_target(self) -> None:
        key = self._target_key()
        if key is not None and key not in self.targets and self.chosen is not None:
            self.check_target(key, self.chosen)

    def _target_key(self) -> tuple[str, str, str] | None:
        if self.chosen is None:
            return None
        container = self._value("container")
        if not container or "/" in container:
            return None
        return (container, self._object_name(), str(self.chosen.path))

    @work(thread=True, exclusive=True, exit_on_error=False, group="check")
    def check_target(self, key: tuple[str, str, str], local: LocalFile) -> None:
        container, name, _path = key
        existing = head_object(self.service, container, name)
        journal = find_journal(journal_target(self.service, container, name), local.path)
        if journal is not None and journal.matches_file(local.size, local.mtime) is not None:
            journal = None
        self.post_message(self.TargetChecked(key, TargetFacts(existing, journal)))

    @on(TargetChecked)
    def target_checked(self, message: TargetChecked) -> None:
        self.targets[message.key] = message.facts
        self._refresh_plan()

    def show_error(self, message: str, worker: Worker) -> bool:
        self.problem = message
        self._refresh_plan()
        return True

    # -- the local file --------------------------------------------------------------------

    @on(DirectoryTree.FileSelected, "#files")
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.pick(event.path)

    def pick(self, path: Path) -> None:
        try:
            info = path.stat()
        except OSError as error:
            self._say(f"{path}: {error.strerror or error}")
            return
        if not stat.S_ISREG(info.st_mode):
            self._say(f"{path}: not a regular file")
            return
        self.chosen = LocalFile(path, info.st_size, info.st_mtime)
        modified = format_moment(datetime.fromtimestamp(info.st_mtime, UTC), self.swiftui_app.zone)
        self.query_one("#file-info", Static).update(
            Text.assemble(
                (path.name, "bold"),
                f"\n{format_bytes(info.st_size)} · modified {modified[:16]}",
            )
        )
        self._follow("object", self.context.prefix + path.name)
        self._refresh_plan()
        self._schedule_check()

    def _say(self, problem: str) -> None:
        self.problem = problem
        self._refresh_plan()

    @on(Input.Submitted, "#path")
    def path_submitted(self, event: Input.Submitted) -> None:
        tree = self.query_one("#files", FileTree)
        typed = Path(event.value.strip() or ".").expanduser()
        target = Path(os.path.normpath(typed if typed.is_absolute() else tree.path / typed))
        if target.is_dir():
            self._show_folder(target)
            tree.focus()
        elif target.exists():
            self._show_folder(target.parent)
            self.pick(target)
            self.query_one("#container", Input).focus()
        else:
            self._say(f"{event.value.strip()}: no such file or folder")

    def _show_folder(self, folder: Path) -> None:
        self.query_one("#files", FileTree).path = folder
        self.query_one("#path", Input).value = display_path(folder)
        self.problem = ""
        self._refresh_plan()

    def action_parent(self) -> None:
        folder = Path(self.query_one("#files", FileTree).path).resolve()
        if folder.parent != folder:
            self._show_folder(folder.parent)

    def action_goto_path(self) -> None:
        self.query_one("#path", Input).focus()

    def action_toggle_hidden(self) -> None:
        checkbox = self.query_one("#show-hidden", Checkbox)
        checkbox.value = not checkbox.value

    @on(Checkbox.Changed, "#show-hidden")
    def hidden_changed(self, event: Checkbox.Changed) -> None:
        tree = self.query_one("#files", FileTree)
        tree.show_hidden = event.value
        tree.reload()

    # -- the form --------------------------------------------------------------------------

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _object_name(self) -> str:
        return self._value("object") or (self.chosen.path.name if self.chosen else "")

    def _follow(self, field_id: str, value: str) -> None:
        """Give a self-filling field ``value``, unless the user typed their own."""
        field = self.query_one(f"#{field_id}", Input)
        if field.value == self.automatic[field_id]:
            self.automatic[field_id] = value
            field.value = value

    @on(Input.Changed, ".form-input")
    def field_changed(self, event: Input.Changed) -> None:
        self._refresh_plan()
        if event.input.id in ("container", "object"):
            self._schedule_check()

    @on(Input.Submitted, ".form-input")
    def field_submitted(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#start-button")
    def start_pressed(self) -> None:
        self.action_start()

    def _refresh_plan(self) -> None:
        if not self.ready:
            return
        self._fill_segment_size()
        self.request, lines = self._check()
        self.query_one("#plan", Static).update(Text("\n").join(lines))
        self.query_one("#start-button", Button).disabled = self.request is None
        self.refresh_bindings()

    def _facts(self) -> TargetFacts | None:
        key = self._target_key()
        return self.targets.get(key) if key else None

    def _fill_segment_size(self) -> None:
        """What the engine would choose: the interrupted upload's size, else its plan's."""
        if self.chosen is None or self.limits is None or self.problem:
            return
        facts = self._facts()
        if facts is not None and facts.journal is not None:
            self._follow("segment-size", size_text(facts.journal.segment_size))
            return
        segment_container = self._value("segment-container")
        try:
            plan = make_plan(
                self.chosen.size,
                None,
                self.limits,
                object_name=self._object_name(),
                segment_container=segment_container
                or f"{self._value('container')}{SEGMENTS_SUFFIX}",
            )
        except UsageError:
            return
        self._follow("segment-size", size_text(plan.segment_size))

    def _check(self) -> tuple[UploadRequest | None, list[Text]]:
        """The request the form describes and what it will do, or why it cannot be."""
        if self.problem:
            return None, [Text(self.problem, "bold red")]
        if self.chosen is None:
            return None, [Text("No file chosen yet.", "dim")]
        if self.limits is None:
            return None, [Text("reading the cluster's limits…", "dim")]
        local = self.chosen
        container = self._value("container")
        facts = self._facts()
        journal = facts.journal if facts else None
        object_name = self._object_name()
        size_field = self._value("segment-size")
        automatic = size_field in ("", self.automatic["segment-size"])
        try:
            if not container:
                raise UsageError("give the container to upload to (it is created if missing)")
            asked = parse_size(size_field, option="segment size") if size_field else None
            days = self._days()
            request = UploadRequest(
                local_path=local.path,
                container=container,
                object_name=object_name,
                segment_size=None if automatic else asked,
                threads=self._threads(),
                segment_container=self._value("segment-container") or None,
                delete_after=days * DAY_S if days else None,
            )
            check_request(request)
            if automatic:
                asked = journal.segment_size if journal is not None else None
            plan = make_plan(
                local.size,
                asked,
                self.limits,
                object_name=object_name,
                segment_container=request.resolved_segment_container,
            )
        except UsageError as error:
            return None, [Text("✗ " + tui_wording(str(error)), "bold red")]
        return request, self._describe(request, plan, facts, automatic, days)

    def _threads(self) -> int:
        text = self._value("threads")
        if not text.isdigit() or not 1 <= int(text) <= MAX_THREADS:
            raise UsageError(f"threads: a number from 1 to {MAX_THREADS}")
        return int(text)

    def _days(self) -> int | None:
        text = self._value("expiry")
        if not text:
            return None
        if not text.isdigit() or int(text) < 1:
            raise UsageError("expires after: a number of days, at least 1 (empty: never)")
        return int(text)

    def _describe(
        self,
        request: UploadRequest,
        plan: UploadPlan,
        facts: TargetFacts | None,
        automatic: bool,
        days: int | None,
    ) -> list[Text]:
        explanation = plan.explanation
        if automatic and facts is not None and facts.journal is not None:
            explanation = explanation.replace("(asked)", "(as the interrupted upload)")
        lines = [Text(explanation, "bold")]
        where = f"→ {self.context.region} › {request.container}"
        if self.containers is not None and request.container not in self.containers:
            where += " (new)"
        if not plan.is_plain_object:
            where += f", segments in {request.resolved_segment_container}"
        lines.append(Text(where))
        if days:
            until = self.swiftui_app.clock() + timedelta(days=days)
            expiry = f"expires {format_moment(until, self.swiftui_app.zone)[:10]} ({days} days)"
        else:
            expiry = "never expires"
        threads = (
            ""
            if plan.is_plain_object
            else f"{request.threads} thread{'' if request.threads == 1 else 's'} · "
        )
        lines.append(Text(threads + expiry))
        if facts is not None and facts.journal is not None:
            done = len(facts.journal.segments)
            lines.append(
                Text(
                    f"resumes the interrupted upload: {done} of {plan.segment_count} segments "
                    "already sent",
                    "cyan",
                )
            )
        if facts is not None and facts.existing is not None:
            existing = facts.existing
            when = format_moment(existing.last_modified, self.swiftui_app.zone)[:10]
            lines.append(
                Text(
                    f"replaces the {existing.kind} of {format_bytes(existing.size)} stored {when}",
                    "yellow",
                )
            )
        return lines

    # -- start -----------------------------------------------------------------------------

    def action_start(self) -> None:
        request = self.request
        if request is None:
            self.app.bell()
            return
        uploads = self.swiftui_app.uploads
        assert uploads is not None
        job = uploads.enqueue(self.service, request)
        if job is None:
            return
        self.dismiss()
        uploads.show(job)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start":
            return self.request is not None or None
        return True
