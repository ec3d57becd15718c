"""What a built sandbox remembers between starts (ports, throwaway passwords), and its error.

The sandbox user's password is a throwaway generated for one directory; it is kept in
``state.json`` (mode 0600) so that a second start can print it again. It is not a user's
credential, and the openrc.sh / clouds.yaml written for the user do not contain it.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from swiftui.errors import SwiftuiError
from swiftui.paths import write_private_file

REGIONS = ("GRA", "SBG")
PROJECT_NAME = "swiftui-demo"
USER_NAME = "swiftui-user"
STATE_VERSION = 1


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

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.keystone_port}/v3"

    def ports(self) -> list[int]:
        """Every port the sandbox listens on."""
        ports = [self.keystone_port]
        for cluster in self.clusters.values():
            ports += [cluster.proxy, cluster.account, cluster.container, cluster.object]
        return ports


def free_ports(count: int) -> list[int]:
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


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
