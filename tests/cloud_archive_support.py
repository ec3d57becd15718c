"""Plain HTTP to the sandbox's Cloud Archive emulation, and unsealing objects for a test.

python-swiftclient retries a 429 on its own (ignoring ``Retry-After``), so the protocol's
answers are checked with plain ``requests`` carrying the token swiftclient obtained.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from urllib.parse import quote

import requests
import swiftclient

from swiftui.sandbox import Sandbox

WAIT_S = 20.0


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
