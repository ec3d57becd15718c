"""Building a sandbox once: checks, Keystone's database and keys, rings, the catalog.

Each step runs in a child process (``keystone-manage``, ``python -m
swiftui.sandbox.servers rings``) so that neither Keystone's argv parsing nor Swift's
eventlet reaches the process that drives the sandbox.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import openstack

from swiftui.paths import ensure_private_dir, write_private_file
from swiftui.sandbox.configs import Layout
from swiftui.sandbox.state import PROJECT_NAME, REGIONS, USER_NAME, SandboxError, SandboxState

if TYPE_CHECKING:
    from openstack.identity.v3._proxy import Proxy as IdentityV3


def require_extras() -> None:
    missing = [
        name
        for name in ("swift", "keystone", "keystonemiddleware")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise SandboxError(
            f"the sandbox needs {', '.join(missing)}: pip install 'swiftui[sandbox]'"
        )


def require_xattrs(directory: Path) -> None:
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


def build_keystone(layout: Layout, state: SandboxState, log_path: Path) -> None:
    """Fernet keys, the SQLite database and the admin user, region and endpoints."""
    for repo in ("fernet-keys", "receipt-keys", "credential-keys"):
        repo_dir = ensure_private_dir(layout.keystone_dir / repo)
        for index in ("0", "1"):
            write_private_file(repo_dir / index, _fernet_key())
    _keystone_manage(layout, log_path, "db_sync")
    _keystone_manage(
        layout,
        log_path,
        "bootstrap",
        f"--bootstrap-password={state.admin_password}",
        "--bootstrap-admin-url",
        state.auth_url + "/",
        "--bootstrap-public-url",
        state.auth_url + "/",
        "--bootstrap-internal-url",
        state.auth_url + "/",
        "--bootstrap-region-id",
        REGIONS[0],
    )


def _keystone_manage(layout: Layout, log_path: Path, *args: str) -> None:
    command = [
        sys.executable,
        "-c",
        "import sys; from keystone.cmd.manage import main; sys.exit(main())",
        "--config-file",
        str(layout.keystone_conf),
        *args,
    ]
    with log_path.open("ab") as log_file:
        result = subprocess.run(
            command, stdout=log_file, stderr=subprocess.STDOUT, check=False, timeout=300
        )
    if result.returncode != 0:
        raise SandboxError(f"keystone-manage {args[0]} failed: see {log_path}")


def build_rings(layout: Layout, state: SandboxState) -> None:
    args = []
    for region, ports in state.clusters.items():
        swift_dir = layout.swift_dir(region)
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


def configure_catalog(state: SandboxState) -> None:
    """Regions, the object-store endpoints of each cluster, the demo project and user."""
    admin = openstack.connect(
        auth_url=state.auth_url,
        username="admin",
        password=state.admin_password,
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name=REGIONS[0],
        load_yaml_config=False,
        load_envvars=False,
    )
    # Keystone v3 (the sandbox bootstraps nothing else); openstacksdk types it v2 | v3.
    identity = cast("IdentityV3", admin.identity)
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
    role = identity.find_role("member", ignore_missing=False)
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
