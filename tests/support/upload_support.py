"""Helpers shared by the upload tests: local files, what the server holds, event records."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import swiftclient

from swiftui import paths
from swiftui.swift import RetryPolicy, SwiftService
from swiftui.units import MIB
from swiftui.upload import UploadRequest, run_upload
from swiftui.upload.events import UploadEvent, UploadResult

# Retries as the engine does them, only with short waits so fault tests stay quick.
FAST_RETRY = RetryPolicy(attempts=6, first_delay_s=0.05, max_delay_s=0.2)

EventT = TypeVar("EventT")


def write_random(path: Path, size: int) -> str:
    """Write ``size`` random bytes; return their md5."""
    digest = hashlib.md5()
    with path.open("wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, MIB))
            digest.update(block)
            handle.write(block)
            left -= len(block)
    return digest.hexdigest()


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while block := handle.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """What ``sha256sum`` prints for ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def download_md5(checker: swiftclient.Connection, container: str, name: str) -> str:
    """md5 of the object as python-swiftclient downloads it (an SLO: the joined segments)."""
    _headers, body = checker.get_object(container, name, resp_chunk_size=MIB)
    digest = hashlib.md5()
    for block in body:
        digest.update(block)
    return digest.hexdigest()


def segment_etags(path: Path, segment_size: int) -> list[str]:
    etags = []
    with path.open("rb") as handle:
        while block := handle.read(segment_size):
            etags.append(hashlib.md5(block).hexdigest())
    return etags


def object_names(checker: swiftclient.Connection, container: str) -> list[str]:
    _headers, listing = checker.get_container(container, full_listing=True)
    return [item["name"] for item in listing]


def timestamps(checker: swiftclient.Connection, container: str, names: list[str]) -> dict:
    """X-Timestamp of each object: it changes only when the object is written again."""
    return {name: checker.head_object(container, name)["x-timestamp"] for name in names}


def journal_files() -> list[Path]:
    directory = paths.journal_dir()
    return sorted(directory.glob("*.json")) if directory.exists() else []


def journal_segments() -> int:
    """Finished segments recorded in the (only) journal; 0 while there is none."""
    for path in journal_files():
        try:
            return len(json.loads(path.read_text())["segments"])
        except (OSError, ValueError, KeyError):
            return 0
    return 0


def segment_put(min_index: int = 0) -> Callable[[str, str, dict[str, str]], bool]:
    """Fault matcher: PUT of a segment (swift CLI naming) whose index is ``min_index`` or more."""

    def match(method: str, path: str, headers: dict[str, str]) -> bool:
        if method != "PUT" or "/slo/" not in path:
            return False
        index = path.rsplit("/", 1)[-1]
        return index.isdigit() and int(index) >= min_index

    return match


def manifest_put(method: str, path: str, headers: dict[str, str]) -> bool:
    return method == "PUT" and "/slo/" not in path and path.count("/") >= 4


class Recorder:
    """Collects events; ``then`` runs a test's action when an event arrives."""

    def __init__(self, then: Callable[[UploadEvent], None] | None = None) -> None:
        self.events: list[UploadEvent] = []
        self._then = then

    def __call__(self, event: UploadEvent) -> None:
        self.events.append(event)
        if self._then is not None:
            self._then(event)

    def of(self, kind: type[EventT]) -> list[EventT]:
        return [event for event in self.events if isinstance(event, kind)]


def upload(
    service: SwiftService,
    request: UploadRequest,
    *,
    recorder: Recorder | None = None,
    cancel: threading.Event | None = None,
) -> tuple[UploadResult, Recorder]:
    recorder = recorder or Recorder()
    result = run_upload(service, request, on_event=recorder, cancel=cancel or threading.Event())
    return result, recorder
