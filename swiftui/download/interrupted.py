"""Downloads that stopped before the end, from this machine's journals: what a front end
offers to resume, and forgetting one.

A journal names the object (region, account, container, name), the local file and the
parts its partial file holds. Resuming is the same download again (:meth:`to_request`):
the engine finds the journal and fetches only what is missing, or says why it starts over
(the object changed on the server). Forgetting one removes its partial file and journal;
nothing in Swift is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from swiftui.download.journal import DownloadJournal, journal_dir, journal_path, lock_path
from swiftui.download.local import PartialFile, partial_path
from swiftui.download.request import DownloadRequest
from swiftui.errors import UsageError
from swiftui.lockfile import ProcessLock, is_locked
from swiftui.upload import journal_target

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class InterruptedDownload:
    journal_path: Path
    region: str
    container: str
    object_name: str
    output: Path
    """The file the download writes (its partial file lies beside it)."""
    size: int
    parts: int
    """Parts of the object (0 when the journal is older than this count)."""
    parts_done: int
    """Parts the partial file holds: what a resume does not fetch again."""
    started_at: float
    in_progress: bool
    """A swiftui (here or another process) is running it now."""
    problem: str | None
    """Why a resume would fetch everything again, or None."""

    @property
    def partial_path(self) -> Path:
        return partial_path(self.output)

    def to_request(self) -> DownloadRequest:
        """The same download again: it resumes."""
        return DownloadRequest(self.container, self.object_name, output=self.output)

    def belongs_to(self, service: SwiftService) -> bool:
        """Whether ``service`` (a region of a login) is where this download reads from:
        the same region and account, as the engine keys its journal."""
        target = journal_target(service, self.container, self.object_name)
        return journal_path(target, self.output) == self.journal_path


def interrupted_downloads() -> list[InterruptedDownload]:
    """Every readable download journal of this machine, oldest first."""
    directory = journal_dir()
    try:
        candidates = sorted(directory.glob("*.json"))
    except OSError:
        return []
    found = []
    for path in candidates:
        journal = DownloadJournal.load(path)
        names = journal.target.split("/", 3) if journal is not None else []
        if journal is None or len(names) != 4:
            continue
        region, _account, container, name = names
        output = Path(journal.output)
        size = journal.identity.size
        problem = None
        if not PartialFile.usable(partial_path(output), size):
            problem = f"{partial_path(output).name} is missing or has another size: it starts over"
        found.append(
            InterruptedDownload(
                journal_path=path,
                region=region,
                container=container,
                object_name=name,
                output=output,
                size=size,
                parts=journal.parts,
                parts_done=len(journal.done),
                started_at=journal.created_at,
                in_progress=is_locked(lock_path(path)),
                problem=problem,
            )
        )
    return sorted(found, key=lambda item: item.started_at)


def abandon_download(download: InterruptedDownload) -> None:
    """Remove the partial file and the journal of a download that is not running."""
    where = f"{download.container}/{download.object_name} to {download.output}"
    with ProcessLock(
        lock_path(download.journal_path),
        f"a swiftui is downloading {where} right now: stop it first",
        lambda error: UsageError(f"cannot lock {download.journal_path}: {error.strerror or error}"),
    ):
        download.partial_path.unlink(missing_ok=True)
        download.journal_path.unlink(missing_ok=True)
