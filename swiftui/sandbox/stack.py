"""A real Keystone and two real Swift clusters (regions GRA and SBG) on 127.0.0.1.

The first start builds everything under one directory (Keystone SQLite database and
fernet keys, Swift rings and configs, a project and a user) and remembers it in
``state.json``; later starts only launch the nine server processes. Each cluster has two
storage policies, ``Standard`` (default) and ``PCA``, where the proxy emulates OVHcloud's
Cloud Archive (:mod:`swiftui.sandbox.cloud_archive`) with a delay and window chosen here.

Only the sandbox that wrote ``sandbox.pid`` removes it: a second start on a directory
whose sandbox runs is refused and leaves the running one alone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from swiftui.paths import ensure_private_dir, write_private_file
from swiftui.sandbox.building import (
    build_keystone,
    build_rings,
    configure_catalog,
    require_extras,
    require_xattrs,
)
from swiftui.sandbox.configs import Layout, write_server_configs, write_user_files
from swiftui.sandbox.retrievals import RetrievalStore
from swiftui.sandbox.servers import KEYSTONE_PORT_ENV
from swiftui.sandbox.state import (
    PROJECT_NAME,
    REGIONS,
    STATE_VERSION,
    USER_NAME,
    ClusterPorts,
    SandboxError,
    SandboxState,
    free_ports,
    port_in_use,
)

READY_TIMEOUT_S = 60.0
DEFAULT_UNSEAL_DELAY_S = 60
DEFAULT_UNSEAL_WINDOW_S = 24 * 3600
DEFAULT_MAX_MANIFEST_SEGMENTS = 1000


class Sandbox:
    """Build (once) and run the local Keystone + Swift stack in ``directory``.

    ``unseal_delay_s`` and ``unseal_window_s`` set the Cloud Archive emulation's delay
    (first GET to readable) and readable window on the ``PCA`` policy.
    ``max_manifest_segments`` is the SLO limit of both clusters (Swift's default 1000; a
    test of nested SLOs lowers it).
    """

    def __init__(
        self,
        directory: Path,
        *,
        token_lifetime_s: int = 3600,
        unseal_delay_s: int = DEFAULT_UNSEAL_DELAY_S,
        unseal_window_s: int = DEFAULT_UNSEAL_WINDOW_S,
        max_manifest_segments: int = DEFAULT_MAX_MANIFEST_SEGMENTS,
        log: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.directory = directory.resolve()
        self.layout = Layout(self.directory)
        self.token_lifetime_s = token_lifetime_s
        self.unseal_delay_s = unseal_delay_s
        self.unseal_window_s = unseal_window_s
        self.max_manifest_segments = max_manifest_segments
        self._log = log
        self._processes: list[subprocess.Popen[bytes]] = []
        self._owns_pidfile = False
        self.state: SandboxState | None = None

    # -- paths and facts the user and the tests need --------------------------------------

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @property
    def pidfile_path(self) -> Path:
        return self.directory / "sandbox.pid"

    @property
    def openrc_path(self) -> Path:
        return self.layout.openrc

    @property
    def clouds_yaml_path(self) -> Path:
        return self.layout.clouds_yaml

    @property
    def logs_dir(self) -> Path:
        return self.directory / "logs"

    def _state(self) -> SandboxState:
        if self.state is None:
            raise SandboxError("the sandbox is not started")
        return self.state

    @property
    def auth_url(self) -> str:
        return self._state().auth_url

    @property
    def username(self) -> str:
        return USER_NAME

    @property
    def project_name(self) -> str:
        return PROJECT_NAME

    @property
    def password(self) -> str:
        return self._state().user_password

    @property
    def project_id(self) -> str:
        return self._state().project_id

    def proxy_url(self, region: str) -> str:
        return f"http://127.0.0.1:{self._state().clusters[region].proxy}"

    def storage_url(self, region: str) -> str:
        return f"{self.proxy_url(region)}/v1/AUTH_{self.project_id}"

    def environ(self, region: str = REGIONS[0]) -> dict[str, str]:
        """``OS_*`` variables for the sandbox user, as a sourced openrc would set them."""
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": USER_NAME,
            "OS_PASSWORD": self.password,
            "OS_PROJECT_NAME": PROJECT_NAME,
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": region,
        }

    # -- Cloud Archive timing --------------------------------------------------------------

    def set_unseal_timing(self, delay_s: int, window_s: int) -> None:
        """Apply another Cloud Archive delay and window at once, in every region; unsealings
        already running keep their own."""
        self.unseal_delay_s, self.unseal_window_s = delay_s, window_s
        for region in self._state().clusters:
            self._retrievals(region).set_timing(delay_s, window_s)

    @contextlib.contextmanager
    def unseal_timing(self, delay_s: int, window_s: int | None = None) -> Iterator[None]:
        """``set_unseal_timing`` for a ``with`` block, then back to the previous timing."""
        previous = (self.unseal_delay_s, self.unseal_window_s)
        self.set_unseal_timing(delay_s, self.unseal_window_s if window_s is None else window_s)
        try:
            yield
        finally:
            self.set_unseal_timing(*previous)

    def _retrievals(self, region: str) -> RetrievalStore:
        return RetrievalStore(
            self.layout.cloud_archive_db(region),
            delay_s=self.unseal_delay_s,
            window_s=self.unseal_window_s,
        )

    # -- life cycle ------------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        require_extras()
        ensure_private_dir(self.directory)
        require_xattrs(self.directory)
        ensure_private_dir(self.logs_dir)
        self._check_not_running()
        if self.state_path.exists():
            self.state = SandboxState.load(self.state_path)
            if self.state.version != STATE_VERSION:
                raise SandboxError(
                    f"{self.state_path}: made by another swiftui version; remove "
                    f"{self.directory} to rebuild the sandbox"
                )
            busy = [port for port in self.state.ports() if port_in_use(port)]
            if busy:
                raise SandboxError(
                    f"port {busy[0]} on 127.0.0.1 is in use: is a sandbox already running on "
                    f"{self.directory}? Stop it, or use another --dir"
                )
        else:
            self._build()
        self._write_pidfile()
        try:
            self._write_configs()
            self.set_unseal_timing(self.unseal_delay_s, self.unseal_window_s)
            self._launch_all()
            self._wait_ready()
            state = self._state()
            if not state.configured:
                configure_catalog(state)
                state.save(self.state_path)
            write_user_files(self.layout, state)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process this sandbox started: SIGTERM, then SIGKILL after 5 s."""
        for process in self._processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self._processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()
        if self._owns_pidfile:
            self.pidfile_path.unlink(missing_ok=True)
            self._owns_pidfile = False

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    # -- building --------------------------------------------------------------------------

    def _check_not_running(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            pid = int(self.pidfile_path.read_text().strip())
            if pid != os.getpid():
                os.kill(pid, 0)
                raise SandboxError(f"a sandbox is already running on {self.directory} (pid {pid})")

    def _write_pidfile(self) -> None:
        write_private_file(self.pidfile_path, f"{os.getpid()}\n")
        self._owns_pidfile = True

    def _build(self) -> None:
        self._log(f"building the sandbox in {self.directory} (first start only)")
        ports = free_ports(1 + 4 * len(REGIONS))
        clusters = {
            region: ClusterPorts(*ports[1 + 4 * i : 5 + 4 * i]) for i, region in enumerate(REGIONS)
        }
        state = SandboxState(
            version=STATE_VERSION,
            keystone_port=ports[0],
            admin_password=secrets.token_urlsafe(18),
            user_password=secrets.token_urlsafe(12),
            clusters=clusters,
        )
        self.state = state
        self._write_configs()
        build_keystone(self.layout, state, self.logs_dir / "keystone-manage.log")
        build_rings(self.layout, state)
        state.save(self.state_path)

    def _write_configs(self) -> None:
        write_server_configs(
            self.layout,
            self._state(),
            token_lifetime_s=self.token_lifetime_s,
            unseal_delay_s=self.unseal_delay_s,
            unseal_window_s=self.unseal_window_s,
            max_manifest_segments=self.max_manifest_segments,
        )

    # -- processes -------------------------------------------------------------------------

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        log_file = (self.logs_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "swiftui.sandbox.servers", *args],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        log_file.close()
        self._processes.append(process)

    def _launch_all(self) -> None:
        state = self._state()
        self._spawn(
            "keystone",
            ["keystone"],
            {
                "OS_KEYSTONE_CONFIG_FILES": str(self.layout.keystone_conf),
                KEYSTONE_PORT_ENV: str(state.keystone_port),
            },
        )
        for region in state.clusters:
            swift_dir = self.layout.swift_dir(region)
            for server in ("account", "container", "object", "proxy"):
                self._spawn(
                    f"{region}-{server}",
                    [
                        "swift",
                        str(swift_dir / f"{server}-server.conf"),
                        f"{server}-server",
                        str(swift_dir / "swift.conf"),
                    ],
                )

    def _wait_ready(self) -> None:
        state = self._state()
        probes = [f"{self.auth_url}/"] + [
            f"http://127.0.0.1:{ports.proxy}/healthcheck" for ports in state.clusters.values()
        ]
        deadline = time.monotonic() + READY_TIMEOUT_S
        for url in probes:
            while True:
                self._check_processes_alive()
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status < 500:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise SandboxError(f"{url} did not answer in {READY_TIMEOUT_S:.0f} s")
                time.sleep(0.1)

    def _check_processes_alive(self) -> None:
        for process in self._processes:
            if process.poll() is not None:
                name = process.args[-1] if isinstance(process.args, list) else "?"
                raise SandboxError(
                    f"a sandbox server exited early (code {process.returncode}, {name}): "
                    f"see the logs in {self.logs_dir}"
                )
