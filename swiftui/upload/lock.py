"""One upload of a given file to a given object at a time, across processes: a
:class:`~swiftui.lockfile.ProcessLock` next to the upload's journal."""

from __future__ import annotations

from pathlib import Path

from swiftui import lockfile
from swiftui.upload.journal import JournalError


def lock_path(journal_file: Path) -> Path:
    return journal_file.with_suffix(".lock")


class UploadLock(lockfile.ProcessLock):
    """``with UploadLock(journal_file, what):`` refuses (exit 10) if another process holds it."""

    def __init__(self, journal_file: Path, what: str) -> None:
        path = lock_path(journal_file)
        super().__init__(
            path,
            f"another swiftui is already uploading {what}; wait for it to finish (or stop "
            "it) and run this again to resume",
            lambda error: JournalError(
                f"cannot write in {path.parent}, where swiftui keeps what resumes an "
                f"upload: {error.strerror or error} (XDG_STATE_HOME chooses another place)"
            ),
        )


def is_locked(journal_file: Path) -> bool:
    """True while some process is running the upload this journal belongs to."""
    return lockfile.is_locked(lock_path(journal_file))
