"""Shared fixtures: one real sandbox (Keystone + Swift GRA/SBG) per test session.

Every test also gets its own XDG directories, so journals and state never touch the
developer's home, and the files swiftui writes can be inspected afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import swiftclient
from support.cloud_archive_support import HOUR_S, ArchiveContainers, ArchiveHttp

from swiftui.cloud import Cloud, connect
from swiftui.credentials import load_credentials
from swiftui.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Its Cloud Archive (policy PCA) unseals in a second; a test that needs OVHcloud's
    hours wraps itself in ``with sandbox.unseal_timing(delay_s=3600):``."""
    with Sandbox(tmp_path_factory.mktemp("sandbox"), unseal_delay_s=1) as running:
        yield running


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Per-test XDG dirs: what swiftui writes lands under ``tmp_path/xdg``."""
    root = tmp_path / "xdg"
    for name in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(root / name.lower()))
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    return root


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandbox user's ``OS_*`` variables, also set in this process's environment."""
    env = sandbox.environ()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture(scope="session")
def cloud(sandbox: Sandbox) -> Iterator[Cloud]:
    connected = connect(load_credentials(environ=sandbox.environ(), ask_password=None))
    yield connected
    connected.close()


def swift_checker(sandbox: Sandbox, region: str = "GRA") -> swiftclient.Connection:
    """python-swiftclient, an independent view of what the server holds."""
    return swiftclient.Connection(
        authurl=sandbox.auth_url,
        user=sandbox.username,
        key=sandbox.password,
        auth_version="3",
        os_options={
            "project_name": sandbox.project_name,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": region,
        },
    )


def openrc_with_region(sandbox: Sandbox, directory: Path, region: str) -> Path:
    """The sandbox's openrc with OVHcloud's habit: a compute region such as GRA7."""
    path = directory / "openrc.sh"
    text = sandbox.openrc_path.read_text()
    assert 'OS_REGION_NAME="GRA"' in text
    path.write_text(text.replace('OS_REGION_NAME="GRA"', f'OS_REGION_NAME="{region}"'))
    return path


@pytest.fixture(scope="session")
def checker(sandbox: Sandbox) -> swiftclient.Connection:
    return swift_checker(sandbox)


@pytest.fixture
def container_name() -> str:
    """A container name of its own for each test."""
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def archive(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
) -> Iterator[ArchiveContainers]:
    """Cloud Archive containers whose objects take an hour to unseal, as on OVHcloud; the
    sandbox user's credentials are in the environment for the CLI."""
    containers = ArchiveContainers(sandbox, checker, ArchiveHttp(checker), container_name)
    for name in (containers.name, containers.segments):
        checker.put_container(name, headers={"X-Storage-Policy": "PCA"})
    with sandbox.unseal_timing(delay_s=HOUR_S):
        yield containers
