"""Helpers shared by the download tests: objects made with python-swiftclient (so that what
swiftui reads was written by another tool), downloads run in this process with their
events recorded, and what a fault proxy saw of the segments' GETs."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import swiftclient

from support.deletion_support import make_slo, put_segments, random_bytes
from support.faultproxy import Fault, FaultProxy
from support.upload_support import Recorder
from swiftui.cloud import Cloud
from swiftui.download import DownloadRequest, DownloadResult, journal_dir, run_download
from swiftui.errors import OperationCancelled
from swiftui.sandbox import Sandbox
from swiftui.swift import RetryPolicy, SwiftService

# Retries as a download does them, only with short waits so fault tests stay quick.
FAST = RetryPolicy(attempts=6, first_delay_s=0.05, max_delay_s=0.2)
MTIME = 1_700_000_000.25


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5_of(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def archived_slo(
    checker: swiftclient.Connection,
    container: str,
    name: str,
    data: bytes,
    *,
    segment_size: int,
    sha256: bool = True,
) -> list[dict[str, object]]:
    """An SLO whose manifest carries the file date and (``sha256``) the whole's SHA-256,
    as swiftui's upload writes them; segments in ``<container>_segments``."""
    headers = {"X-Object-Meta-Sha256": sha256_of(data)} if sha256 else {}
    return make_slo(
        checker, container, name, data, segment_size=segment_size, mtime=MTIME, headers=headers
    )


def archive_containers(checker: swiftclient.Connection, container: str) -> None:
    """``container`` and its segments container on the Cloud Archive policy (PCA)."""
    for name in (container, f"{container}_segments"):
        checker.put_container(name, headers={"X-Storage-Policy": "PCA"})


def nested_slo(checker: swiftclient.Connection, container: str, name: str) -> bytes:
    """An SLO made of a ranged segment, a nested SLO (itself ranged in its parent) and a
    plain segment; returns the bytes a client must read from it."""
    segments = f"{container}_segments"
    inner_data = random_bytes(3000)
    inner = put_segments(checker, segments, "inner/", inner_data, 1000)
    checker.put_object(
        container, "inner.slo", json.dumps(inner), query_string="multipart-manifest=put"
    )
    head = random_bytes(2048)
    tail = random_bytes(700)
    [head_entry] = put_segments(checker, segments, "head/", head, 4096)
    [tail_entry] = put_segments(checker, segments, "tail/", tail, 4096)
    manifest = [
        {**head_entry, "range": "100-1099"},
        {"path": f"/{container}/inner.slo", "range": "500-2499"},
        tail_entry,
    ]
    checker.put_object(container, name, json.dumps(manifest), query_string="multipart-manifest=put")
    return head[100:1100] + inner_data[500:2500] + tail


def download(
    service: SwiftService,
    container: str,
    name: str,
    output: Path,
    *,
    cancel: threading.Event | None = None,
    recorder: Recorder | None = None,
    **options: object,
) -> tuple[DownloadResult, Recorder]:
    recorder = recorder or Recorder()
    request = DownloadRequest(container, name, output=output, retry=FAST, **options)  # type: ignore[arg-type]
    result = run_download(service, request, on_event=recorder, cancel=cancel or threading.Event())
    return result, recorder


def through(cloud: Cloud, sandbox: Sandbox, proxy: FaultProxy) -> SwiftService:
    """The sandbox's Swift, seen through ``proxy``."""
    return cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))


def segment_gets(proxy: FaultProxy, container: str) -> list[str]:
    """Names of the objects of ``container`` that the proxy saw a GET for, in order."""
    prefix = f"/{container}/"
    return [
        seen.path.split(prefix, 1)[1]
        for seen in proxy.seen
        if seen.method == "GET" and prefix in seen.path
    ]


def journals() -> list[Path]:
    directory = journal_dir()
    return sorted(directory.glob("*.json")) if directory.exists() else []


def journal_done() -> int:
    """Parts recorded in the (only) download journal; 0 while there is none."""
    for path in journals():
        try:
            return len(json.loads(path.read_text())["done"])
        except (OSError, ValueError, KeyError):
            return 0
    return 0


def segment_get(first: int, last: int | None = None) -> Callable[[str, str, dict[str, str]], bool]:
    """Fault matcher: GET of a segment (swift CLI naming) whose index is ``first`` or more
    (and ``last`` or less)."""

    def match(method: str, path: str, headers: dict[str, str]) -> bool:
        index = path.rsplit("/", 1)[-1]
        if method != "GET" or "/slo/" not in path or not index.isdigit():
            return False
        return first <= int(index) and (last is None or int(index) <= last)

    return match


def interrupt_after(
    cloud: Cloud, sandbox: Sandbox, container: str, name: str, target: Path, parts: int
) -> OperationCancelled:
    """Run a download that the proxy stalls from segment ``parts`` on, and cancel it once
    the journal holds ``parts`` parts; return the error it stopped with."""
    cancel = threading.Event()
    recorder = Recorder(lambda event: cancel.set() if journal_done() >= parts else None)
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_get(parts), action="hold", times=1000))
        with pytest.raises(OperationCancelled) as stopped:
            download(
                through(cloud, sandbox, proxy),
                container,
                name,
                target,
                cancel=cancel,
                recorder=recorder,
                threads=2,
            )
    return stopped.value
