"""Interrupted uploads this machine can resume, as their journals describe them, and
abandoning one (its segments deleted, its journal forgotten)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from swiftui.swift import RetryPolicy
from swiftui.upload.cleanup import delete_unused_segments
from swiftui.upload.journal import Journal, list_journals
from swiftui.upload.lock import UploadLock, is_locked
from swiftui.upload.request import DEFAULT_THREADS, UploadRequest

if TYPE_CHECKING:
    from swiftui.swift import SwiftService


@dataclass(frozen=True)
class ResumableUpload:
    """An interrupted segmented upload, as its journal describes it."""

    journal_path: Path
    local_path: Path
    region: str
    container: str
    object_name: str
    segment_container: str
    file_size: int
    segment_size: int
    segment_count: int
    segments_done: int
    bytes_done: int
    started_at: float
    delete_at: int | None
    delete_after: int | None
    problem: str | None
    """Why it cannot resume as it is (the file changed or is gone), or None."""
    in_progress: bool
    """Another process is running this upload right now."""

    @property
    def bytes_left(self) -> int:
        return max(0, self.file_size - self.bytes_done)

    def to_request(self, *, threads: int = DEFAULT_THREADS) -> UploadRequest:
        """The request that resumes this upload."""
        return UploadRequest(
            local_path=self.local_path,
            container=self.container,
            object_name=self.object_name,
            segment_size=self.segment_size,
            threads=threads,
            segment_container=self.segment_container,
            delete_at=None if self.delete_after else self.delete_at,
            delete_after=self.delete_after,
        )


def resumable_uploads() -> list[ResumableUpload]:
    """Interrupted uploads recorded in this machine's journals, oldest first."""
    uploads = []
    for journal in list_journals():
        try:
            info = os.stat(journal.local_path)
        except OSError as error:
            problem: str | None = f"{journal.local_path}: {error.strerror or error}"
        else:
            problem = journal.matches_file(info.st_size, info.st_mtime)
        uploads.append(
            ResumableUpload(
                journal_path=journal.path,
                local_path=Path(journal.local_path),
                region=journal.region,
                container=journal.container,
                object_name=journal.object_name,
                segment_container=journal.segment_container,
                file_size=journal.file_size,
                segment_size=journal.segment_size,
                segment_count=math.ceil(journal.file_size / journal.segment_size),
                segments_done=len(journal.segments),
                bytes_done=journal.bytes_done,
                started_at=journal.created_at,
                delete_at=journal.delete_at,
                delete_after=journal.delete_after,
                problem=problem,
                in_progress=is_locked(journal.path),
            )
        )
    return uploads


def abandon_upload(service: SwiftService, upload: ResumableUpload) -> int:
    """Delete the segments an interrupted upload left (not those the object uses) and
    forget it; returns how many segments were deleted."""
    what = f"{upload.local_path} to {upload.container}/{upload.object_name}"
    with UploadLock(upload.journal_path, what):
        journal = Journal.load(upload.journal_path)
        report = delete_unused_segments(
            service.configured(retry=RetryPolicy()),
            journal.container,
            journal.object_name,
            journal.segment_container,
            journal.segment_prefix,
        )
        journal.remove()
    return report.gone
