"""One upload of a given file to a given object at a time, across processes.

A nightly cron job can start while last night's upload is still running; two uploads of
the same file to the same object would share one journal and fight over its segments.
The lock is ``flock`` on a file next to the journal, so the kernel releases it when the
process dies (``kill -9`` included) and a resume is never blocked by a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from swiftui.errors import AlreadyRunning
from swiftui.paths import ensure_private_dir
from swiftui.upload.journal import JournalError


def lock_path(journal_file: Path) -> Path:
    return journal_file.with_suffix(".lock")


class UploadLock:
    """``with UploadLock(journal_file, what):`` refuses if another process holds it."""

    def __init__(self, journal_file: Path, what: str) -> None:
        self.path = lock_path(journal_file)
        self.what = what
        self._fd = -1

    def __enter__(self) -> UploadLock:
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise AlreadyRunning(
                    f"another swiftui is already uploading {self.what}; wait for it to "
                    "finish (or stop it) and run this again to resume"
                ) from None
            # The holder before us may have removed the file between our open and lock:
            # then we hold a lock on a file nobody else will see, so start over.
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self._fd = fd
                    return self
            os.close(fd)

    def _open(self) -> int:
        """The lock file, created owner-only; an unusable state directory (read-only, a
        file in the way, not ours) stops the upload here, before anything is sent."""
        try:
            ensure_private_dir(self.path.parent)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise JournalError(
                f"cannot write in {self.path.parent}, where swiftui keeps what resumes an "
                f"upload: {error.strerror or error} (XDG_STATE_HOME chooses another place)"
            ) from None

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = -1


def is_locked(journal_file: Path) -> bool:
    """True while some process is running the upload this journal belongs to."""
    try:
        fd = os.open(lock_path(journal_file), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
