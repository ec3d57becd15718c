"""What the user asks of a download, and the checks it passes before anything is sent.

Refusals name the field at fault (``threads``, ``force``...), each front end words it
(:class:`~swiftui.errors.UsageError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from swiftui.download.local import check_destination, destination
from swiftui.errors import UsageError
from swiftui.swift import RateLimiter, RetryPolicy
from swiftui.upload import DEFAULT_THREADS, check_threads


@dataclass(frozen=True)
class DownloadRequest:
    container: str
    object_name: str
    output: Path | None = None
    """The file to write, or a directory to write it in; default: the object's last name
    component in the current directory. Standard output is :func:`stream_download`."""
    threads: int = DEFAULT_THREADS
    """Parts fetched in parallel (the upload's default)."""
    force: bool = False
    """Replace an existing file at the target."""
    wait: bool = True
    """Wait for Cloud Archive to unseal; False stops with exit 8 once it is asked."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limiter: RateLimiter | None = None
    """The bandwidth cap over all threads (the upload's kind); its ``set_rate`` changes it
    while the download runs."""

    @property
    def rate_limit(self) -> int | None:
        """The cap now, in bytes per second (None: none)."""
        return self.rate_limiter.rate if self.rate_limiter is not None else None


def check_request(request: DownloadRequest, *, to_file: bool = True) -> Path | None:
    """Refuse a bad request before any network use; return the target file (None for
    standard output)."""
    check_threads(request.threads)
    if not request.container or "/" in request.container:
        raise UsageError(f"{request.container!r} is not a container name", field="container")
    if not request.object_name:
        raise UsageError("the object name must not be empty", field="object_name")
    if not to_file:
        return None
    target = destination(request.output, request.object_name)
    check_destination(target, force=request.force)
    return target
