"""What the user asks of an upload, and the checks it passes before anything is sent.

Refusals name the field at fault (``threads``, ``delete_after``, ``container``...), not a
CLI option: each front end words it (:class:`~swiftui.errors.UsageError`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from swiftui import paths
from swiftui.errors import FieldNames, UsageError
from swiftui.swift import RateLimiter, RetryPolicy, segments_container_of
from swiftui.upload.spool import DEFAULT_SPOOL_MEMORY

if TYPE_CHECKING:
    from swiftui.swift import SwiftLimits, SwiftService

# Measured with tests/benchmark_upload.py (2 GiB, 256 MiB segments, 2-core sandbox, runs
# interleaved): 4 threads 248-279 MB/s, 3 threads 200-241, 2 threads about 200; the
# client CPU is the same (md5 dominates). More threads only add server contention here;
# over a WAN, where one connection is capped, 4 parallel segments also help.
DEFAULT_THREADS = 4
MAX_THREADS = 32


@dataclass(frozen=True)
class UploadRequest:
    """What the user asked for; everything else is decided by the plan."""

    local_path: Path
    container: str
    object_name: str | None = None
    """Default: the file's name."""
    segment_size: int | None = None
    """Default: chosen by :func:`~swiftui.upload.plan.make_plan` (or an interrupted upload's)."""
    threads: int = DEFAULT_THREADS
    segment_container: str | None = None
    """Default: ``<container>_segments``."""
    delete_at: int | None = None
    delete_after: int | None = None
    """Seconds from the start of this run; the manifest and every segment get it."""
    leave_segments: bool = False
    """Keep the segments of the object being replaced."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    compute_sha256: bool = True
    """Store the whole file's SHA-256 as ``X-Object-Meta-Sha256`` (costs one more read of
    each block, from the page cache, and about 0.5 CPU-s per GiB)."""
    rate_limiter: RateLimiter | None = None
    """The bandwidth cap over all threads (share one between the files of a batch); its
    ``set_rate`` changes it while the upload runs."""

    @property
    def resolved_object_name(self) -> str:
        """An empty name given (``--object-name "$UNSET"``) stays empty and is refused."""
        return Path(self.local_path).name if self.object_name is None else self.object_name

    @property
    def resolved_segment_container(self) -> str:
        return self.segment_container or segments_container_of(self.container)


@dataclass(frozen=True)
class StreamRequest:
    """An upload of a stream (standard input, a command's output) whose size is unknown
    until it ends: segments are spooled while they are sent, and it cannot be resumed."""

    container: str
    object_name: str
    segment_size: int | None = None
    """Default: from ``expected_size`` as for a file of that size, else 1 GiB."""
    expected_size: int | None = None
    """What the stream will probably hold: only helps choose the segment size."""
    threads: int = DEFAULT_THREADS
    segment_container: str | None = None
    delete_at: int | None = None
    delete_after: int | None = None
    leave_segments: bool = False
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    compute_sha256: bool = True
    rate_limiter: RateLimiter | None = None
    spool_dir: Path | None = None
    """Where segments too large for ``spool_memory`` wait (default: the user cache dir)."""
    spool_memory: int = DEFAULT_SPOOL_MEMORY
    source_name: str = "standard input"
    """How messages name the stream."""

    @property
    def resolved_object_name(self) -> str:
        return self.object_name

    @property
    def resolved_segment_container(self) -> str:
        return self.segment_container or segments_container_of(self.container)

    @property
    def resolved_spool_dir(self) -> Path:
        return self.spool_dir or paths.spool_dir()


def check_request(request: UploadRequest | StreamRequest) -> int | None:
    """Refuse a bad request before any network or disk work; return its expiry (unix time).

    ``delete_after`` counts from now, so each run (a resume too) sets it afresh.
    """
    check_threads(request.threads)
    if request.delete_at is not None and request.delete_after is not None:
        raise UsageError(
            lambda names: f"give {names('delete_at')} or {names('delete_after')}, not both",
            field="delete_at",
        )
    if request.delete_after is not None:
        if request.delete_after <= 0:
            raise UsageError(
                lambda names: f"{names('delete_after')} must be at least 1 second",
                field="delete_after",
            )
        return int(time.time()) + request.delete_after
    if request.delete_at is not None and request.delete_at <= time.time():
        when = datetime.fromtimestamp(request.delete_at).isoformat(sep=" ", timespec="seconds")
        raise UsageError(
            lambda names: f"{names('delete_at')} {when} is not in the future", field="delete_at"
        )
    return request.delete_at


def check_threads(threads: int) -> None:
    """Refuse a thread count outside 1..MAX_THREADS (uploads and downloads alike)."""
    if not 1 <= threads <= MAX_THREADS:
        raise UsageError(
            lambda names: f"{names('threads')} must be between 1 and {MAX_THREADS}, not {threads}",
            field="threads",
        )


def check_names(request: UploadRequest | StreamRequest, limits: SwiftLimits) -> None:
    """Refuse container and object names this cluster would refuse, before anything is made."""
    for field_name, name in (
        ("container", request.container),
        ("segment_container", request.resolved_segment_container),
    ):
        if not name or "/" in name:
            raise UsageError(
                _container_problem(field_name, name, "is not a container name (no '/', not empty)"),
                field=field_name,
            )
        if len(name.encode()) > limits.max_container_name_length:
            raise UsageError(
                _container_problem(
                    field_name,
                    name,
                    f"is longer than this cluster's {limits.max_container_name_length} bytes",
                ),
                field=field_name,
            )
    if not request.resolved_object_name:
        raise UsageError(
            lambda names: f"{names('object_name')} must not be empty", field="object_name"
        )


def _container_problem(field_name: str, name: str, problem: str) -> Callable[[FieldNames], str]:
    return lambda names: f"{names(field_name)}: {name!r} {problem}"


def journal_target(service: SwiftService, container: str, object_name: str) -> str:
    """Names the destination in a journal: region, account, container, object (no secret).

    The account comes from the storage URL's path, not its host, so a resume goes to the
    same journal whichever endpoint (public, internal, a proxy) the first run used.
    """
    account = urlsplit(service.storage_url).path.rstrip("/").rsplit("/", 1)[-1]
    return f"{service.region}/{account}/{container}/{object_name}"
