"""Plain HTTP to the sandbox's Cloud Archive emulation, and unsealing objects for a test;
the Cloud Archive containers of a test (the ``archive`` fixture of ``conftest.py``).

python-swiftclient retries a 429 on its own (ignoring ``Retry-After``), so the protocol's
answers are checked with plain ``requests`` carrying the token swiftclient obtained.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
import swiftclient

from support.deletion_support import random_bytes
from support.tui_support import upload_slo
from swiftui.sandbox import Sandbox

WAIT_S = 20.0
HOUR_S = 3600
"""An unsealing delay of OVHcloud's order: a test never waits for it."""


def sealed_objects_read(sandbox: Sandbox, *containers: str, region: str = "GRA") -> list[str]:
    """``container/name`` of every object of ``containers`` that a GET reached while it was
    sealed or unsealing, from the emulation's own log line for each such GET (deleted
    objects included, whose seal state is gone)."""
    names = "|".join(re.escape(container) for container in containers)
    line = re.compile(rf"AUTH_\w+/((?:{names})/.+): (?:sealed|unsealing), \S+ s left")
    log = (sandbox.logs_dir / f"{region}-proxy.log").read_text(errors="replace")
    return [match[1] for match in line.finditer(log)]


class ArchiveHttp:
    """Requests to one region's storage URL with the sandbox user's token."""

    def __init__(self, checker: swiftclient.Connection) -> None:
        self.url, self.token = checker.get_auth()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        stream: bool = False,
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/{quote(path)}",
            params=params,
            headers={"X-Auth-Token": self.token, **(headers or {})},
            data=data,
            stream=stream,
            timeout=30,
        )

    def state(self, container: str, name: str) -> str:
        return self.request("HEAD", f"{container}/{name}").headers["X-Ovh-Retrieval-State"]

    def states(self, container: str) -> dict[str, str]:
        """Every object's seal state, from a ``policy_extra`` listing."""
        listing = self.request(
            "GET", container, params={"format": "json", "policy_extra": "true"}
        ).json()
        return {entry["name"]: entry["policy_retrieval_state"] for entry in listing}

    def wait_for_state(self, container: str, names: Iterable[str], state: str) -> None:
        """Poll HEAD until every object is in ``state``; fail after 20 s."""
        waiting = list(names)
        deadline = time.monotonic() + WAIT_S
        while waiting:
            waiting = [name for name in waiting if self.state(container, name) != state]
            if waiting and time.monotonic() > deadline:
                raise AssertionError(f"{container}/{waiting[0]} not {state} after {WAIT_S:.0f} s")
            if waiting:
                time.sleep(0.1)

    def unseal(self, container: str, names: Iterable[str]) -> None:
        """GET each object (a sealed one starts unsealing), then wait until all are readable."""
        names = list(names)
        for name in names:
            response = self.request("GET", f"{container}/{name}", stream=True)
            response.close()
            assert response.status_code in (200, 429), response.status_code
        self.wait_for_state(container, names, "unsealed")


@dataclass(frozen=True)
class ArchiveContainers:
    """A Cloud Archive container and its segments container (policy PCA), and the views of
    them a test checks with."""

    sandbox: Sandbox
    checker: swiftclient.Connection
    http: ArchiveHttp
    name: str

    @property
    def segments(self) -> str:
        return f"{self.name}_segments"

    def swift_upload(self, local: Path, size: int, mtime: float) -> None:
        """A file of ``size`` random bytes dated ``mtime``, uploaded by python-swiftclient's
        own ``swift upload --use-slo -S 1000`` (the swift CLI's segment names)."""
        local.write_bytes(random_bytes(size))
        os.utime(local, (mtime, mtime))
        upload_slo(self.sandbox, self.name, local.name, local, segment_size=1000)

    def never_read(self) -> None:
        """No GET reached a sealed object of either container, and every object left is
        still sealed (any GET would have started its unsealing)."""
        assert sealed_objects_read(self.sandbox, self.name, self.segments) == []
        for where in (self.name, self.segments):
            assert set(self.http.states(where).values()) <= {"sealed"}, where
