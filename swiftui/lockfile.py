"""One process at a time for one upload, download or job, across processes.

A nightly cron job can start while last night's run is still going; two runs of the same
transfer would share one journal and fight over it. The lock is ``flock`` on a file next to
the journal, so the kernel releases it when the process dies (``kill -9`` included) and a
resume is never blocked by a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from swiftui.errors import AlreadyRunning, SwiftuiError
from swiftui.paths import ensure_private_dir


class ProcessLock:
    """``with ProcessLock(path, busy, unusable):`` refuses with :class:`AlreadyRunning`
    (``busy`` as its message) while another process holds ``path``; ``unusable`` turns an
    error creating the lock file into the error the user reads."""

    def __init__(self, path: Path, busy: str, unusable: Callable[[OSError], SwiftuiError]) -> None:
        self.path = path
        self.busy = busy
        self.unusable = unusable
        self._fd = -1

    def __enter__(self) -> ProcessLock:
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise AlreadyRunning(self.busy) from None
            # The holder before us may have removed the file between our open and lock:
            # then we hold a lock on a file nobody else will see, so start over.
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self._fd = fd
                    return self
            os.close(fd)

    def _open(self) -> int:
        """The lock file, created owner-only; an unusable state directory (read-only, a
        file in the way, not ours) stops the work here, before anything is done."""
        try:
            ensure_private_dir(self.path.parent)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise self.unusable(error) from None

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = -1


def is_locked(path: Path) -> bool:
    """True while some process holds the lock file ``path``."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
