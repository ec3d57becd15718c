"""Pick a local file (or mark several) and say where it goes; the engine's plan is shown
before Start.

The left pane is a :class:`~swiftui.tui.widgets.files.MarkingFileTree` rooted at the
working directory (sizes beside file names, dot files on ``.``, space marks files) under a
path input that jumps anywhere (and completes names with the right arrow). The right pane
is the form: container, object name, segment size (filled in from the engine's plan until
the user types one), threads, upload limit, expiry, segments container. Every change asks
the engine again (:func:`~swiftui.upload.build_preview`, on what a worker read of the
destination: the object it would replace, an interrupted upload to resume; for marked
files, :func:`~swiftui.upload.plan_batch` in a worker), so the plan and an impossible
upload are explained here, before Start, in the engine's words and the form's field names.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Static
from textual.worker import Worker

from swiftui.errors import UsageError
from swiftui.swift import SEGMENTS_SUFFIX, SwiftLimits, SwiftService
from swiftui.tui.uploads.batch import BatchJob
from swiftui.tui.uploads.form_batch import (
    BatchKey,
    BatchPlanned,
    batch_key,
    choice_text,
    plan_lines,
)
from swiftui.tui.uploads.form_fields import FormField, FormInput
from swiftui.tui.uploads.form_plan import (
    FIELD_INPUTS,
    FormFields,
    form_batch,
    form_request,
    preview_lines,
    refusal_line,
    size_text,
    unread_destination,
)
from swiftui.tui.uploads.live import show_uploads
from swiftui.tui.uploads.queue import uploads_of
from swiftui.tui.widgets.files import (
    FOLDER_KEYS,
    FolderKeysActions,
    LocalFilePane,
    MarkingFileTree,
    remembered_folder,
)
from swiftui.tui.widgets.screens import SwiftuiScreen
from swiftui.upload import (
    DEFAULT_THREADS,
    BatchPlan,
    Destination,
    LocalFile,
    UploadRequest,
    build_preview,
    inspect_destination,
    plan_batch,
)

DestinationKey = tuple[str, str, str, Path]
"""Container, object name, segments container, local file: what a destination read is for."""

FOLDER_MEMORY = "upload"
"""The form opens in the folder it showed last (:func:`remembered_folder`)."""
CHECK_DELAY_S = 0.3
CONTAINER_SUGGESTIONS = 10_000


class UploadFormScreen(FolderKeysActions, SwiftuiScreen):
    DEFAULT_CSS = """
    UploadFormScreen {
        #upload-panes { height: 1fr; }
        #upload-form {
            width: 1fr;
            min-width: 46;
            max-width: 64;
            border: round $primary 40%;
            border-title-color: $text;
            padding: 0 1;
            &:focus-within { border: round $primary; }
        }
        #file-info { height: 2; margin-bottom: 1; }
        #plan { height: auto; max-height: 7; margin: 1 0; overflow-y: auto; }
        #start-button { width: auto; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("ctrl+s", "start", "Start", id="start", tooltip="Queue the upload and watch it"),
        *FOLDER_KEYS,
    ]

    class TargetLoaded(Message):
        def __init__(self, limits: SwiftLimits, containers: list[str]) -> None:
            super().__init__()
            self.limits = limits
            self.containers = containers

    class DestinationRead(Message):
        def __init__(self, key: DestinationKey, destination: Destination) -> None:
            super().__init__()
            self.key = key
            self.destination = destination

    def __init__(
        self,
        service: SwiftService,
        *,
        container: str | None = None,
        prefix: str = "",
        start: Path | None = None,
    ) -> None:
        """Upload to ``service``'s region, into ``container`` (the user's to choose when
        None); the object is named ``prefix`` + the file's name unless the user types one."""
        super().__init__()
        self.service = service
        self.default_container = container or ""
        self.prefix = prefix
        self.start_dir = start or remembered_folder(FOLDER_MEMORY) or Path.cwd()
        self.chosen: LocalFile | None = None
        self.limits: SwiftLimits | None = None
        self.containers: list[str] | None = None
        self.problem = ""
        self.destinations: dict[DestinationKey, Destination] = {}
        """What was read of each destination the form described, by :data:`DestinationKey`."""
        self.destination_read = False
        """The plan shown rests on what was read of its destination, not on assumptions."""
        self.automatic: dict[str, str] = {"object": "", "segment-size": ""}
        """The value each self-filling field was last given: while it holds it, it follows."""
        self.ready = False
        """Every field is mounted: the plan can be drawn."""
        self.request: UploadRequest | None = None
        """What Start queues: set by every change of the form, None while it cannot start."""
        self.batch_requests: tuple[UploadRequest, ...] | None = None
        """What Start queues while files are marked, once the engine has planned them."""
        self.batch_plans: dict[BatchKey, BatchPlan | UsageError] = {}
        self._check_timer: Timer | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Horizontal(id="upload-panes"):
            yield LocalFilePane(self.start_dir, use=FOLDER_MEMORY, marks=True, id="local-pane")
            with Vertical(id="upload-form"):
                yield Static(id="file-info")
                yield FormField("Container", "container", self.default_container)
                yield FormField("Object name", "object", "", placeholder="the file's name")
                yield FormField("Segment size", "segment-size", "", placeholder="auto")
                yield FormField("Threads", "threads", str(DEFAULT_THREADS), kind="integer")
                yield FormField(
                    "Upload limit", "limit", "", placeholder="no cap (or 20MiB/s, 160Mbit)"
                )
                yield FormField("Expires after", "expiry", "", placeholder="never (or 90d, 12h…)")
                yield FormField(
                    "Segments in", "segment-container", "", placeholder="<container>_segments"
                )
                yield Static(id="plan")
                yield Button("Start upload (ctrl+s)", id="start-button", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#local-pane").border_title = "Local file"
        self.query_one("#upload-form").border_title = f"Upload to {self.service.region}"
        self.query_one("#files").focus()
        self._show_choice()
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
        default = self.default_container
        parent = default.removesuffix(SEGMENTS_SUFFIX)
        if (
            default.endswith(SEGMENTS_SUFFIX)
            and parent in message.containers
            and container_input.value == default
        ):
            container_input.value = parent
        self._refresh_plan()

    def _when_typing_pauses(self, read: Callable[[], None]) -> None:
        """Read what Swift holds once the user pauses typing (a worker: HEADs, a listing)."""
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(CHECK_DELAY_S, read)

    def _read_if_still_asked(self, key: DestinationKey, request: UploadRequest) -> None:
        if self.chosen is not None and key not in self.destinations:
            self.read_destination(key, request, self.chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="check")
    def read_destination(
        self, key: DestinationKey, request: UploadRequest, local: LocalFile
    ) -> None:
        try:
            destination = inspect_destination(self.service, request, local)
        except UsageError:
            return  # a name this cluster refuses: the form's preview says so already
        self.post_message(self.DestinationRead(key, destination))

    @on(DestinationRead)
    def destination_loaded(self, message: DestinationRead) -> None:
        self.destinations[message.key] = message.destination
        self._refresh_plan()

    def _plan_if_still_asked(self, key: BatchKey, requests: tuple[UploadRequest, ...]) -> None:
        if key not in self.batch_plans and key[1] == tuple(self._marked):
            self.plan_marked(key, requests)

    @work(thread=True, exclusive=True, exit_on_error=False, group="check")
    def plan_marked(self, key: BatchKey, requests: tuple[UploadRequest, ...]) -> None:
        try:
            plan: BatchPlan | UsageError = plan_batch(self.service, requests)
        except UsageError as error:
            plan = error
        self.post_message(BatchPlanned(key, plan))

    @on(BatchPlanned)
    def marked_planned(self, message: BatchPlanned) -> None:
        self.batch_plans[message.key] = message.plan
        self._refresh_plan()

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        self.problem = message
        self._refresh_plan()
        return True

    # -- the local file --------------------------------------------------------------------

    @on(LocalFilePane.Picked)
    def file_picked(self, message: LocalFilePane.Picked) -> None:
        self.pick(message.path)
        if message.typed:
            self.query_one("#container", FormInput).focus_at_end()

    @on(LocalFilePane.Moved)
    def folder_shown(self) -> None:
        self.problem = ""
        self._refresh_plan()

    @on(LocalFilePane.Refused)
    def path_refused(self, message: LocalFilePane.Refused) -> None:
        self._say(message.problem)

    @on(MarkingFileTree.MarksChanged)
    def marks_changed(self) -> None:
        name = self.query_one("#object", Input)
        name.disabled = bool(self._marked)
        name.placeholder = "the files' names" if name.disabled else "the file's name"
        self._show_choice()
        self._refresh_plan()

    @property
    def _marked(self) -> dict[Path, int]:
        return self.query_one(MarkingFileTree).marked

    def _show_choice(self) -> None:
        choice = choice_text(self._marked, self.chosen, self.swiftui_app.zone)
        self.query_one("#file-info", Static).update(choice)

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
        self._show_choice()
        self._follow("object", self.prefix + path.name)
        self._refresh_plan()

    def _say(self, problem: str) -> None:
        self.problem = problem
        self._refresh_plan()

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
    def field_changed(self) -> None:
        self._refresh_plan()

    @on(Input.Submitted, ".form-input")
    def field_submitted(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#start-button")
    def start_pressed(self) -> None:
        self.action_start()

    @property
    def can_start(self) -> bool:
        return self.request is not None or self.batch_requests is not None

    def _refresh_plan(self) -> None:
        if not self.ready:
            return
        could_start = self.can_start
        self.request, self.batch_requests = None, None
        if self._marked:
            self.batch_requests, lines, refused = self._batch_preview()
        else:
            self.request, lines, refused = self._preview()
        for field in self.query(".form-input"):
            field.set_class(field.id == refused, "-refused")
        self.query_one("#plan", Static).update(Text("\n").join(lines))
        self.query_one("#start-button", Button).disabled = not self.can_start
        if could_start != self.can_start:
            self.refresh_bindings()  # ctrl+s shown or not (the footer is built again)

    def _fields(self) -> FormFields:
        size = self._value("segment-size")
        return FormFields(
            container=self._value("container"),
            object_name=self._value("object"),
            segment_size=size,
            threads=self._value("threads"),
            expiry=self._value("expiry"),
            segment_container=self._value("segment-container"),
            limit=self._value("limit"),
            automatic_size=size in ("", self.automatic["segment-size"]),
        )

    def _preview(self) -> tuple[UploadRequest | None, list[Text], str | None]:
        """The request the form describes and the engine's words for what it will do, or
        why it cannot be (and the input at fault)."""
        self.destination_read = False
        if self.problem:
            return None, [Text(self.problem, "bold red")], None
        local = self.chosen
        if local is None:
            return None, [Text("No file chosen yet.", "dim")], None
        if self.limits is None or self.containers is None:
            return None, [Text("reading the cluster's limits…", "dim")], None
        fields = self._fields()
        try:
            request = form_request(fields, local.path)
            key = (
                request.container,
                request.resolved_object_name,
                request.resolved_segment_container,
                local.path,
            )
            destination = self.destinations.get(key)
            if destination is None:
                self._when_typing_pauses(lambda: self._read_if_still_asked(key, request))
                listed = request.container in self.containers
                destination = unread_destination(self.service.region, self.limits, listed=listed)
            shown = build_preview(
                request,
                local,
                destination,
                now=self.swiftui_app.clock().timestamp(),
                zone=self.swiftui_app.zone,
            )
        except UsageError as error:
            return None, [refusal_line(error)], FIELD_INPUTS.get(error.field or "")
        if fields.automatic_size:
            self._follow("segment-size", size_text(shown.decision.plan.segment_size))
        lines = preview_lines(shown)
        self.destination_read = key in self.destinations
        if not self.destination_read:
            lines.append(Text("looking at the destination…", "dim"))
        return shown.request, lines, None

    def _batch_preview(
        self,
    ) -> tuple[tuple[UploadRequest, ...] | None, list[Text], str | None]:
        """The marked files' requests and the engine's plan of them, or why they cannot go
        (and the input at fault)."""
        if self.problem:
            return None, [Text(self.problem, "bold red")], None
        if self.limits is None:
            return None, [Text("reading the cluster's limits…", "dim")], None
        fields = self._fields()
        try:
            requests = form_batch(fields, list(self._marked), self.prefix)
        except UsageError as error:
            return None, [refusal_line(error)], FIELD_INPUTS.get(error.field or "")
        key = batch_key(fields, self._marked)
        plan = self.batch_plans.get(key)
        if plan is None:
            self._when_typing_pauses(lambda: self._plan_if_still_asked(key, requests))
            return None, [Text(f"planning {len(requests)} files…", "dim")], None
        if isinstance(plan, UsageError):
            return None, [refusal_line(plan)], FIELD_INPUTS.get(plan.field or "")
        return requests, plan_lines(plan), None

    # -- start -----------------------------------------------------------------------------

    def action_start(self) -> None:
        uploads = uploads_of(self)
        if self.batch_requests is not None:
            job = uploads.add(BatchJob.of(uploads, self.service, self.batch_requests))
        elif self.request is not None:
            job = uploads.enqueue(self.service, self.request)
        else:
            self.app.bell()
            return
        if job is None:
            return
        self.dismiss()
        show_uploads(self.app, job)

    def action_unmark(self) -> None:
        self.query_one(MarkingFileTree).clear_marks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start":
            return self.can_start or None
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self._marked:
            yield SystemCommand(
                "Unmark all files", "Upload one file again, picked with Enter", self.action_unmark
            )
