"""Start-up: pick credentials (or take the command line's), ask the password, log in.

Without auth options the screen offers what it finds: ``OS_*`` variables of the shell,
openrc files in the working directory, clouds of clouds.yaml, and the sandbox if one is
running in its default directory; one file is offered once, however it is reached.
Logging in runs in a thread worker; when the credentials need a password, the worker waits
for the masked modal's answer (a future the screen resolves), so ``load_credentials``
keeps its synchronous ``ask_password`` contract. When the region the credentials name has
no object store, the user picks one of the catalog's after logging in (no new password,
no file to edit); OVHcloud's compute region (GRA7) is taken for its storage region (GRA).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from openstack import exceptions as sdk_exceptions
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from swiftui.cloud import Cloud, RegionNotInCatalog, connect
from swiftui.credentials import load_credentials
from swiftui.errors import SwiftuiError
from swiftui.paths import sandbox_default_dir
from swiftui.sandbox import SandboxState
from swiftui.tui.widgets.screens import SwiftuiScreen

PASSWORD_POLL_S = 0.2


@dataclass(frozen=True)
class ConnectRequest:
    """Where credentials come from, as the command line named it or the screen offers it."""

    label: str
    openrc: Path | None = None
    cloud: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def source_key(self) -> tuple[str, str]:
        """Equal for two requests that name the same credentials (one file, one cloud)."""
        if self.openrc is not None:
            return ("openrc", str(self.openrc.expanduser().resolve()))
        if self.cloud is not None:
            return ("cloud", self.cloud)
        return ("environment", "")


def unique_requests(requests: list[ConnectRequest]) -> list[ConnectRequest]:
    """The first request of each source: ``openrc.sh`` and its absolute path are one file."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for request in requests:
        if request.source_key not in seen:
            seen.add(request.source_key)
            unique.append(request)
    return unique


def discover_requests(cwd: Path, environ: Mapping[str, str]) -> list[ConnectRequest]:
    """What this machine offers: shell variables, openrc files here, clouds, the sandbox."""
    found: list[ConnectRequest] = []
    if environ.get("OS_AUTH_URL") and not environ.get("OS_CLOUD"):
        found.append(ConnectRequest("OS_* variables of this shell", environ=environ))
    sandbox = _running_sandbox(sandbox_default_dir(), environ)
    for path in sorted(cwd.glob("*openrc*")):
        request = ConnectRequest(f"openrc  {path.name}", openrc=path, environ=environ)
        # The sandbox's own openrc is offered as the sandbox, which knows its password.
        if path.is_file() and (sandbox is None or request.source_key != sandbox.source_key):
            found.append(request)
    found.extend(
        ConnectRequest(f"cloud   {name}  (clouds.yaml)", cloud=name, environ=environ)
        for name in _cloud_names(environ)
    )
    if sandbox is not None:
        found.append(sandbox)
    return unique_requests(found)


def _cloud_names(environ: Mapping[str, str]) -> list[str]:
    """Clouds of the clouds.yaml openstacksdk would read (``OS_CLIENT_CONFIG_FILE`` first)."""
    from openstack.config import loader

    config_file = environ.get("OS_CLIENT_CONFIG_FILE")
    files: dict[str, Any] = {"config_files": [config_file]} if config_file else {}
    try:
        config = loader.OpenStackConfig(load_envvars=False, **files)
        # Without any clouds.yaml the loader still names one cloud: its built-in defaults.
        return sorted(config.get_cloud_names()) if config.config_filename else []
    except (sdk_exceptions.SDKException, OSError, yaml.YAMLError):
        return []


def _running_sandbox(directory: Path, environ: Mapping[str, str]) -> ConnectRequest | None:
    """The sandbox of ``directory`` if its process is alive; its throwaway password is known."""
    try:
        pid = int((directory / "sandbox.pid").read_text().strip())
        os.kill(pid, 0)
        state = SandboxState.load(directory / "state.json")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    openrc = directory / "openrc.sh"
    if not openrc.is_file():
        return None
    return ConnectRequest(
        f"sandbox {directory}",
        openrc=openrc,
        environ={**environ, "OS_PASSWORD": state.user_password},
    )


class PasswordScreen(ModalScreen[str | None]):
    """A masked input; Escape answers None (no password: the login is abandoned)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="password-box", classes="dialog"):
            yield Label(self.prompt)
            yield Input(password=True, id="password")
            yield Label("Enter to log in, Escape to cancel", classes="hint")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RegionScreen(ModalScreen[str | None]):
    """The catalog's regions, when the one asked for has no object store; Escape: none."""

    DEFAULT_CSS = """
    RegionScreen #regions-to-pick {
        height: auto;
        max-height: 10;
        margin: 1 0;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, problem: RegionNotInCatalog) -> None:
        super().__init__()
        self.problem = problem
        self.regions = OptionList(
            *(Option(name, id=name) for name in problem.valid), id="regions-to-pick"
        )

    def compose(self) -> ComposeResult:
        problem = self.problem
        source = f" (from {problem.origin})" if problem.origin else ""
        with Vertical(id="region-box", classes="dialog"):
            yield Static(
                f"Region {problem.name}{source} has no object storage in this catalog. "
                "Pick the region to use (nothing is written to your files):",
                id="region-problem",
            )
            yield self.regions
            yield Label("Enter to use it, Escape to go back", classes="hint")

    def on_mount(self) -> None:
        # The list itself, not a query: it may not be mounted inside its box yet.
        nearest = self.problem.nearest
        self.regions.highlighted = self.problem.valid.index(nearest) if nearest else 0
        self.regions.focus()

    @on(OptionList.OptionSelected, "#regions-to-pick")
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConnectScreen(SwiftuiScreen):
    """The choices, an openrc path input, and what happened when logging in failed."""

    DEFAULT_CSS = """
    ConnectScreen {
        #connect-box { padding: 0 1; }
        #choices { height: auto; max-height: 12; border: round $primary; }
        #openrc-path { margin: 0 0 1 0; }
        #connect-status { height: auto; padding: 0 1; }
        #connect-status.error { color: $error; border: round $error; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "focus_path", "openrc path", tooltip="Type the path of an openrc file"),
    ]

    class PasswordNeeded(Message):
        def __init__(self, prompt: str, answer: Future[str | None]) -> None:
            super().__init__()
            self.prompt = prompt
            self.answer = answer

    class Found(Message):
        def __init__(self, requests: list[ConnectRequest]) -> None:
            super().__init__()
            self.requests = requests

    class Connected(Message):
        def __init__(self, cloud: Cloud, region: str) -> None:
            super().__init__()
            self.cloud = cloud
            self.region = region

    class RegionNeeded(Message):
        def __init__(self, cloud: Cloud, problem: RegionNotInCatalog) -> None:
            super().__init__()
            self.cloud = cloud
            self.problem = problem

    def __init__(
        self,
        given: ConnectRequest | None,
        environ: Mapping[str, str],
        *,
        region: str | None = None,
        insecure: bool = False,
    ) -> None:
        super().__init__()
        self.given = given
        self.environ = environ
        self.region_name = region
        self.insecure = insecure
        self.requests: list[ConnectRequest] = [given] if given else []

    def compose(self) -> ComposeResult:
        yield from self.header()
        with Vertical(id="connect-box"):
            yield Static(
                "Pick the credentials to log in with (Enter); the password is asked when "
                "they need one.",
                classes="hint",
            )
            yield OptionList(id="choices")
            yield Label("Or the path of an openrc file:", classes="hint")
            yield Input(placeholder="e.g. ~/openrc.sh", id="openrc-path")
            yield Static(id="connect-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.border_title = "Connect to"
        self.discover(Path.cwd())
        if self.given is not None:
            self.start(self.given)

    @work(thread=True, exit_on_error=False, group="discover")
    def discover(self, cwd: Path) -> None:
        self.post_message(self.Found(discover_requests(cwd, self.environ)))

    @on(Found)
    def show_requests(self, message: Found) -> None:
        found = message.requests
        self.requests = unique_requests([self.given, *found]) if self.given else found
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        if self.requests:
            choices.add_options(
                Option(request.label, id=str(index)) for index, request in enumerate(self.requests)
            )
            choices.highlighted = 0
        else:
            choices.add_option(
                Option(
                    "No credentials found here: no OS_* variables, no *openrc* file in "
                    f"{Path.cwd()}, no clouds.yaml, no running sandbox. Type the path of "
                    "an openrc file below, or start one with `swiftui sandbox`.",
                    disabled=True,
                )
            )
        if self.given is None:
            (choices if self.requests else self.query_one("#openrc-path", Input)).focus()

    @on(OptionList.OptionSelected, "#choices")
    def choose(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.start(self.requests[int(event.option.id)])

    @on(Input.Submitted, "#openrc-path")
    def choose_path(self, event: Input.Submitted) -> None:
        if event.value.strip():
            path = Path(event.value.strip()).expanduser()
            self.start(ConnectRequest(f"openrc  {path}", openrc=path, environ=self.environ))

    def action_focus_path(self) -> None:
        self.query_one("#openrc-path", Input).focus()

    def start(self, request: ConnectRequest) -> None:
        self.set_status(f"Logging in with {' '.join(request.label.split())}…")
        self.log_in(request)

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#connect-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def show_error(self, message: str, worker: Worker[Any]) -> bool:
        self.set_status(
            f"{message}\n\nFix it, then press Enter on a choice to try again, or pick another.",
            error=True,
        )
        self.query_one("#choices", OptionList).focus()
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def log_in(self, request: ConnectRequest) -> None:
        credentials = load_credentials(
            openrc=request.openrc,
            cloud=request.cloud,
            environ=request.environ,
            ask_password=self._ask_password,
        )
        for warning in credentials.warnings:
            self.app.call_from_thread(self.app.notify, warning, severity="warning")
        cloud = connect(credentials, insecure=self.insecure)
        try:
            choice = cloud.choose_region(self.region_name)
        except RegionNotInCatalog as problem:
            self.post_message(self.RegionNeeded(cloud, problem))
            return
        except SwiftuiError:
            cloud.close()
            raise
        if get_current_worker().is_cancelled:
            cloud.close()
            return
        if choice.notice:
            self.app.call_from_thread(self.app.notify, choice.notice, severity="warning")
        self.post_message(self.Connected(cloud, choice.name))

    def _ask_password(self, prompt: str) -> str | None:
        """Runs in the worker thread: the screen shows the modal, the thread waits for it."""
        answer: Future[str | None] = Future()
        self.post_message(self.PasswordNeeded(prompt.rstrip(": "), answer))
        worker = get_current_worker()
        while True:
            try:
                return answer.result(timeout=PASSWORD_POLL_S)
            except TimeoutError:
                if worker.is_cancelled:
                    return None

    @on(PasswordNeeded)
    def ask_password(self, message: PasswordNeeded) -> None:
        self.app.push_screen(PasswordScreen(message.prompt), message.answer.set_result)

    @on(Connected)
    def connected(self, message: Connected) -> None:
        self.swiftui_app.show_browser(message.cloud, message.region)

    @on(RegionNeeded)
    def ask_region(self, message: RegionNeeded) -> None:
        cloud, problem = message.cloud, message.problem

        def picked(region: str | None) -> None:
            if region is None:
                cloud.close()
                self.set_status(
                    f"{problem}\n\nNo region chosen: press Enter on a choice to log in again "
                    "and pick one.",
                    error=True,
                )
                self.query_one("#choices", OptionList).focus()
            else:
                self.set_status(f"Using region {region}.")
                self.swiftui_app.show_browser(cloud.with_region(region), region)

        self.app.push_screen(RegionScreen(problem), picked)
