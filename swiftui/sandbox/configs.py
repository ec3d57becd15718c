"""The sandbox's config files, filled in from the templates in ``swiftui/sandbox/templates``.

Templates are ``str.format`` text (``{name}`` fields, ``{{``/``}}`` for a literal brace).
Server configs are rewritten at each start: cheap, and they carry the options of that
start (token lifetime, Cloud Archive delay and window, SLO segment limit).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from swiftui.paths import ensure_private_dir, write_private_file
from swiftui.sandbox.state import PROJECT_NAME, REGIONS, USER_NAME, SandboxState


@dataclass(frozen=True)
class Layout:
    """Where each part of a sandbox lives under its directory."""

    directory: Path

    @property
    def keystone_dir(self) -> Path:
        return self.directory / "keystone"

    @property
    def keystone_conf(self) -> Path:
        return self.keystone_dir / "keystone.conf"

    def swift_dir(self, region: str) -> Path:
        return self.directory / region / "etc"

    def cloud_archive_db(self, region: str) -> Path:
        """The seal states of the region's Cloud Archive emulation."""
        return self.directory / region / "cloud-archive.sqlite"

    @property
    def openrc(self) -> Path:
        return self.directory / "openrc.sh"

    @property
    def clouds_yaml(self) -> Path:
        return self.directory / "clouds.yaml"


def render(template: str, **fields: object) -> str:
    return files("swiftui.sandbox").joinpath("templates", template).read_text().format(**fields)


def write_server_configs(
    layout: Layout,
    state: SandboxState,
    *,
    token_lifetime_s: int,
    unseal_delay_s: int,
    unseal_window_s: int,
    max_manifest_segments: int,
) -> None:
    """Keystone's config, and each cluster's swift.conf and four server configs."""
    keystone_dir = ensure_private_dir(layout.keystone_dir)
    write_private_file(
        layout.keystone_conf,
        render(
            "keystone.conf",
            db=keystone_dir / "keystone.db",
            keys=keystone_dir,
            lifetime=token_lifetime_s,
        ),
    )
    user = getpass.getuser()
    for region, ports in state.clusters.items():
        swift_dir = ensure_private_dir(layout.swift_dir(region))
        devices = layout.directory / region / "devices"
        ensure_private_dir(devices / "d1")
        write_private_file(swift_dir / "swift.conf", render("swift.conf", region=region))
        common = {"swift_dir": swift_dir, "devices": devices, "user": user}
        for server, port in (
            ("account", ports.account),
            ("container", ports.container),
            ("object", ports.object),
        ):
            write_private_file(
                swift_dir / f"{server}-server.conf",
                render("storage-server.conf", server=server, port=port, **common),
            )
        write_private_file(
            swift_dir / "proxy-server.conf",
            render(
                "proxy-server.conf",
                port=ports.proxy,
                auth_url=state.auth_url,
                admin_password=state.admin_password,
                unseal_delay=unseal_delay_s,
                unseal_window=unseal_window_s,
                max_manifest_segments=max_manifest_segments,
                state_db=layout.cloud_archive_db(region),
                **common,
            ),
        )


def write_user_files(layout: Layout, state: SandboxState) -> None:
    """An OVH-shaped openrc (asks for the password) and a clouds.yaml without secrets."""
    write_private_file(
        layout.openrc,
        render(
            "openrc.sh",
            auth_url=state.auth_url,
            project_id=state.project_id,
            project_name=PROJECT_NAME,
            username=USER_NAME,
            region=REGIONS[0],
        ),
    )
    write_private_file(
        layout.clouds_yaml,
        render(
            "clouds.yaml",
            auth_url=state.auth_url,
            project_name=PROJECT_NAME,
            username=USER_NAME,
            region=REGIONS[0],
        ),
    )
