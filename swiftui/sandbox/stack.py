"""A real Keystone and two real Swift clusters (regions GRA and SBG) on 127.0.0.1.

The first start builds everything under one directory (Keystone SQLite database and
fernet keys, Swift rings and configs, a project and a user) and remembers it in
``state.json``; later starts only launch the nine server processes. Each cluster has two
storage policies, ``Standard`` (default) and ``PCA``, like OVHcloud's Cloud Archive.

The sandbox user's password is a throwaway generated for this directory; it is kept in
``state.json`` (mode 0600) so that a second start can print it again. It is not a user's
credential, and the openrc.sh / clouds.yaml written for the user do not contain it.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from swiftui.errors import SwiftuiError
from swiftui.paths import ensure_private_dir, write_private_file

REGIONS = ("GRA", "SBG")
PROJECT_NAME = "swiftui-demo"
USER_NAME = "swiftui-user"
STATE_VERSION = 1
READY_TIMEOUT_S = 60.0


class SandboxError(SwiftuiError):
    """The sandbox could not be built or started."""

    exit_code = 7


@dataclass
class ClusterPorts:
    proxy: int
    account: int
    container: int
    object: int


@dataclass
class SandboxState:
    version: int
    keystone_port: int
    admin_password: str
    user_password: str
    clusters: dict[str, ClusterPorts]
    project_id: str = ""
    configured: bool = False

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        raw = json.loads(path.read_text())
        raw["clusters"] = {name: ClusterPorts(**ports) for name, ports in raw["clusters"].items()}
        return cls(**raw)

    def save(self, path: Path) -> None:
        write_private_file(path, json.dumps(asdict(self), indent=2))


def _free_ports(count: int) -> list[int]:
    """Ask the kernel for distinct free ports (held open together so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _require_extras() -> None:
    missing = [
        name
        for name in ("swift", "keystone", "keystonemiddleware")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise SandboxError(
            f"the sandbox needs {', '.join(missing)}: pip install 'swiftui[sandbox]'"
        )


def _require_xattrs(directory: Path) -> None:
    probe = directory / ".xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.swiftui", b"1")
    except OSError as error:
        raise SandboxError(
            f"{directory}: the file system does not support user xattrs, which Swift's object "
            f"server needs ({error.strerror}); use --dir on ext4 or xfs"
        ) from None
    finally:
        probe.unlink(missing_ok=True)


def _fernet_key() -> bytes:
    return base64.urlsafe_b64encode(secrets.token_bytes(32))


class Sandbox:
    """Build (once) and run the local Keystone + Swift stack in ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        token_lifetime_s: int = 3600,
        log: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.directory = directory.resolve()
        self.token_lifetime_s = token_lifetime_s
        self._log = log
        self._processes: list[subprocess.Popen[bytes]] = []
        self.state: SandboxState | None = None

    # -- paths and facts the user and the tests need --------------------------------------

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @property
    def openrc_path(self) -> Path:
        return self.directory / "openrc.sh"

    @property
    def clouds_yaml_path(self) -> Path:
        return self.directory / "clouds.yaml"

    @property
    def logs_dir(self) -> Path:
        return self.directory / "logs"

    def _state(self) -> SandboxState:
        if self.state is None:
            raise SandboxError("the sandbox is not started")
        return self.state

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self._state().keystone_port}/v3"

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

    # -- life cycle ------------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        _require_extras()
        ensure_private_dir(self.directory)
        _require_xattrs(self.directory)
        ensure_private_dir(self.logs_dir)
        self._check_not_running()
        if self.state_path.exists():
            self.state = SandboxState.load(self.state_path)
            if self.state.version != STATE_VERSION:
                raise SandboxError(
                    f"{self.state_path}: made by another swiftui version; remove "
                    f"{self.directory} to rebuild the sandbox"
                )
            busy = [port for port in self._all_ports() if _port_in_use(port)]
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
            self._launch_all()
            self._wait_ready()
            if not self._state().configured:
                self._configure_catalog()
            self._write_user_files()
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
        (self.directory / "sandbox.pid").unlink(missing_ok=True)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    # -- building --------------------------------------------------------------------------

    def _all_ports(self) -> list[int]:
        state = self._state()
        ports = [state.keystone_port]
        for cluster in state.clusters.values():
            ports += [cluster.proxy, cluster.account, cluster.container, cluster.object]
        return ports

    def _check_not_running(self) -> None:
        pidfile = self.directory / "sandbox.pid"
        if not pidfile.exists():
            return
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            pid = int(pidfile.read_text().strip())
            if pid != os.getpid():
                os.kill(pid, 0)
                raise SandboxError(f"a sandbox is already running on {self.directory} (pid {pid})")

    def _write_pidfile(self) -> None:
        write_private_file(self.directory / "sandbox.pid", f"{os.getpid()}\n")

    def _build(self) -> None:
        self._log(f"building the sandbox in {self.directory} (first start only)")
        ports = _free_ports(1 + 4 * len(REGIONS))
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
        self._build_keystone()
        self._build_rings()
        state.save(self.state_path)

    def _keystone_conf_path(self) -> Path:
        return self.directory / "keystone" / "keystone.conf"

    def _build_keystone(self) -> None:
        keystone_dir = self.directory / "keystone"
        for repo in ("fernet-keys", "receipt-keys", "credential-keys"):
            repo_dir = ensure_private_dir(keystone_dir / repo)
            for index in ("0", "1"):
                write_private_file(repo_dir / index, _fernet_key())
        self._keystone_manage("db_sync")
        state = self._state()
        self._keystone_manage(
            "bootstrap",
            f"--bootstrap-password={state.admin_password}",
            "--bootstrap-admin-url",
            self.auth_url + "/",
            "--bootstrap-public-url",
            self.auth_url + "/",
            "--bootstrap-internal-url",
            self.auth_url + "/",
            "--bootstrap-region-id",
            REGIONS[0],
        )

    def _keystone_manage(self, *args: str) -> None:
        command = [
            sys.executable,
            "-c",
            "import sys; from keystone.cmd.manage import main; sys.exit(main())",
            "--config-file",
            str(self._keystone_conf_path()),
            *args,
        ]
        log_path = self.logs_dir / "keystone-manage.log"
        with log_path.open("ab") as log_file:
            result = subprocess.run(
                command, stdout=log_file, stderr=subprocess.STDOUT, check=False, timeout=300
            )
        if result.returncode != 0:
            raise SandboxError(f"keystone-manage {args[0]} failed: see {log_path}")

    def _build_rings(self) -> None:
        args = []
        for region, ports in self._state().clusters.items():
            swift_dir = self.directory / region / "etc"
            args += [str(swift_dir), str(ports.account), str(ports.container), str(ports.object)]
        result = subprocess.run(
            [sys.executable, "-m", "swiftui.sandbox.servers", "rings", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["?"])[-1]
            raise SandboxError(f"building the Swift rings failed: {last}")

    # -- configuration files (rewritten at each start: cheap, and carries token lifetime) ---

    def _write_configs(self) -> None:
        state = self._state()
        keystone_dir = ensure_private_dir(self.directory / "keystone")
        write_private_file(
            self._keystone_conf_path(),
            _KEYSTONE_CONF.format(
                db=keystone_dir / "keystone.db",
                keys=keystone_dir,
                lifetime=self.token_lifetime_s,
            ),
        )
        user = getpass.getuser()
        for region, ports in state.clusters.items():
            root = self.directory / region
            swift_dir = ensure_private_dir(root / "etc")
            devices = root / "devices"
            ensure_private_dir(devices / "d1")
            write_private_file(swift_dir / "swift.conf", _SWIFT_CONF.format(region=region))
            common = {"swift_dir": swift_dir, "devices": devices, "user": user}
            for server, port in (
                ("account", ports.account),
                ("container", ports.container),
                ("object", ports.object),
            ):
                write_private_file(
                    swift_dir / f"{server}-server.conf",
                    _STORAGE_SERVER_CONF.format(server=server, port=port, **common),
                )
            write_private_file(
                swift_dir / "proxy-server.conf",
                _PROXY_CONF.format(
                    port=ports.proxy,
                    auth_url=self.auth_url,
                    admin_password=state.admin_password,
                    **common,
                ),
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
        from swiftui.sandbox.servers import KEYSTONE_PORT_ENV

        state = self._state()
        self._spawn(
            "keystone",
            ["keystone"],
            {
                "OS_KEYSTONE_CONFIG_FILES": str(self._keystone_conf_path()),
                KEYSTONE_PORT_ENV: str(state.keystone_port),
            },
        )
        for region in state.clusters:
            swift_dir = self.directory / region / "etc"
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

    # -- Keystone catalog and the demo user ------------------------------------------------

    def _configure_catalog(self) -> None:
        import openstack

        state = self._state()
        admin = openstack.connect(
            auth_url=self.auth_url,
            username="admin",
            password=state.admin_password,
            project_name="admin",
            user_domain_name="Default",
            project_domain_name="Default",
            region_name=REGIONS[0],
            load_yaml_config=False,
            load_envvars=False,
        )
        identity = admin.identity
        for region in REGIONS:
            if identity.find_region(region) is None:
                identity.create_region(id=region)
        service = identity.create_service(name="swift", type="object-store", enabled=True)
        project = identity.create_project(name=PROJECT_NAME, domain_id="default")
        user = identity.create_user(
            name=USER_NAME,
            password=state.user_password,
            domain_id="default",
            default_project_id=project.id,
        )
        role = identity.find_role("member")
        identity.assign_project_role_to_user(project, user, role)
        for region, ports in state.clusters.items():
            url = f"http://127.0.0.1:{ports.proxy}/v1/AUTH_$(project_id)s"
            for interface in ("public", "internal", "admin"):
                identity.create_endpoint(
                    service_id=service.id, interface=interface, url=url, region_id=region
                )
        admin.close()
        state.project_id = project.id
        state.configured = True
        state.save(self.state_path)

    def _write_user_files(self) -> None:
        """An OVH-shaped openrc (asks for the password) and a clouds.yaml without secrets."""
        write_private_file(
            self.openrc_path,
            _OPENRC.format(
                auth_url=self.auth_url,
                project_id=self.project_id,
                project_name=PROJECT_NAME,
                username=USER_NAME,
                region=REGIONS[0],
            ),
        )
        write_private_file(
            self.clouds_yaml_path,
            _CLOUDS_YAML.format(
                auth_url=self.auth_url,
                project_name=PROJECT_NAME,
                username=USER_NAME,
                region=REGIONS[0],
            ),
        )


_KEYSTONE_CONF = """\
[DEFAULT]
debug = false
use_stderr = true

[database]
connection = sqlite:///{db}

[token]
provider = fernet
expiration = {lifetime}

[fernet_tokens]
key_repository = {keys}/fernet-keys

[fernet_receipts]
key_repository = {keys}/receipt-keys

[credential]
key_repository = {keys}/credential-keys

[identity]
password_hash_algorithm = bcrypt
password_hash_rounds = 4
"""

_SWIFT_CONF = """\
[swift-hash]
swift_hash_path_suffix = swiftui-sandbox-{region}
swift_hash_path_prefix = swiftui

[storage-policy:0]
name = Standard
default = yes

[storage-policy:1]
name = PCA
"""

_STORAGE_SERVER_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {swift_dir}
devices = {devices}
mount_check = false
disable_fallocate = true
log_level = WARNING

[pipeline:main]
pipeline = {server}-server

[app:{server}-server]
use = egg:swift#{server}
"""

_PROXY_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {swift_dir}
log_level = INFO

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk tempurl authtoken keystoneauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging
reveal_sensitive_prefix = 0

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = {auth_url}
auth_url = {auth_url}
auth_type = password
username = admin
password = {admin_password}
project_name = admin
user_domain_id = default
project_domain_id = default
interface = public
delay_auth_decision = True
token_cache_time = 10
service_token_roles_required = False

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:symlink]
use = egg:swift#symlink
"""

_OPENRC = """\
#!/bin/bash
# swiftui sandbox: same shape as the openrc.sh the OVHcloud Control Panel hands out.
export OS_AUTH_URL={auth_url}/
export OS_IDENTITY_API_VERSION=3
export OS_USER_DOMAIN_NAME=${{OS_USER_DOMAIN_NAME:-"Default"}}
export OS_PROJECT_DOMAIN_NAME=${{OS_PROJECT_DOMAIN_NAME:-"Default"}}
export OS_TENANT_ID={project_id}
export OS_TENANT_NAME="{project_name}"
export OS_USERNAME="{username}"
echo "Please enter your OpenStack Password: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="{region}"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
"""

_CLOUDS_YAML = """\
# swiftui sandbox; the password is not stored here: set OS_PASSWORD or type it when asked.
clouds:
  sandbox:
    auth:
      auth_url: {auth_url}
      username: {username}
      project_name: {project_name}
      user_domain_name: Default
      project_domain_name: Default
    region_name: {region}
    interface: public
    identity_api_version: 3
"""
