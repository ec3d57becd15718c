"""Helpers for driving the TUI in Pilot tests and for filling the sandbox with archives.

Archives are made with python-swiftclient (the ``swift upload`` code), so the TUI is shown
SLOs that another tool wrote, named the way that tool names segments.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from swiftclient.service import SwiftService, SwiftUploadObject
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from swiftui.sandbox import Sandbox

WAIT_S = 20.0


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail naming ``what`` after 20 s."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def settle(pilot: Pilot) -> None:
    """Let running workers and the short timers that start new ones finish."""
    for _ in range(3):
        await pilot.pause(0.35)
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def swift_options(sandbox: Sandbox, region: str) -> dict[str, object]:
    return {
        "auth_version": "3",
        "os_auth_url": sandbox.auth_url,
        "os_username": sandbox.username,
        "os_password": sandbox.password,
        "os_project_name": sandbox.project_name,
        "os_user_domain_name": "Default",
        "os_project_domain_name": "Default",
        "os_region_name": region,
    }


def upload_slo(
    sandbox: Sandbox,
    container: str,
    name: str,
    source: Path,
    *,
    segment_size: int,
    region: str = "GRA",
    headers: tuple[str, ...] = (),
) -> None:
    """``swift upload --use-slo -S segment_size container source --object-name name``."""
    options = {"segment_size": segment_size, "use_slo": True, "header": list(headers)}
    with SwiftService(options=swift_options(sandbox, region)) as swift:
        for result in swift.upload(
            container, [SwiftUploadObject(str(source), object_name=name)], options=options
        ):
            if not result["success"]:
                raise AssertionError(f"swift upload failed: {result.get('error')}")
