"""One run of a job at a time, across processes.

Cron can start tonight's run while last night's still uploads, and a person can press
"run now" meanwhile. ``flock`` on a file in the job's state directory: the kernel drops
it when the process dies (``kill -9`` included), so a stale lock never blocks a run. The
file stays in place (removing it would let two processes lock two different files).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from swiftui.errors import AlreadyRunning, SwiftuiError
from swiftui.paths import ensure_private_dir, jobs_state_dir


def lock_path(job: str) -> Path:
    return jobs_state_dir() / f"{job}.lock"


class JobLock:
    """``with JobLock(name):`` raises :class:`AlreadyRunning` (exit 10) if another holds it."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.path = lock_path(job)
        self._fd = -1

    def __enter__(self) -> JobLock:
        fd = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise already_running(self.job) from None
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        os.close(self._fd)
        self._fd = -1


def already_running(job: str) -> AlreadyRunning:
    """What a second run of ``job`` is told (and a front end that saw :func:`is_running`)."""
    return AlreadyRunning(
        f"job {job!r} is already running (another swiftui holds {lock_path(job)})"
    )


def is_running(job: str) -> bool:
    """True while some process runs the job (a shared lock probes without ever taking
    what a starting run needs for longer than the probe)."""
    try:
        fd = os.open(lock_path(job), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _open(path: Path) -> int:
    try:
        ensure_private_dir(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise SwiftuiError(
            f"cannot write in {path.parent}, where swiftui keeps its jobs' state: "
            f"{error.strerror or error} (XDG_STATE_HOME chooses another place)"
        ) from None
