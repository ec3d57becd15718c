"""Download journal: which parts of an interrupted download the partial file already holds.

One JSON file per download in ``paths.state_dir()/downloads`` (mode 0600), keyed by the
object (region, account, container, name) and the local file, next to the upload
journals. It holds no token or password. It names the object's identity (Etag, size,
Last-Modified) and the parts list it was made for: an object replaced on the server since
starts the download over, and says why.

Finished parts are committed in batches: the partial file is flushed to disk first
(``fdatasync``), then the journal is rewritten atomically, so a part is never recorded
before its bytes are safe, even across a power cut; a crash loses at most the parts of the
last second.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swiftui import paths
from swiftui.errors import SwiftuiError

JOURNAL_FORMAT = 1


class DownloadJournalError(SwiftuiError):
    """The journal could not be written; the download stops, the partial file stays."""


def journal_dir() -> Path:
    return paths.state_dir() / "downloads"


def lock_path(journal: Path) -> Path:
    """The lock a running download holds beside its journal (a ProcessLock)."""
    return journal.with_suffix(".lock")


def journal_path(target: str, output: Path) -> Path:
    """The same object to the same local file gives the same journal, across runs."""
    key = f"{target}\n{output}".encode("utf-8", "surrogateescape")
    return journal_dir() / f"{hashlib.sha256(key).hexdigest()[:32]}.json"


@dataclass(frozen=True)
class Identity:
    """What tells one version of an object from another without reading it."""

    etag: str
    size: int
    last_modified: str

    def change_from(self, before: Identity) -> str | None:
        """Why ``before`` (an interrupted download's object) is not this one, or None."""
        for field, was, now in (
            ("etag", before.etag, self.etag),
            ("size", before.size, self.size),
            ("last modified", before.last_modified, self.last_modified),
        ):
            if was != now:
                return (
                    "the object changed on the server since the interrupted download "
                    f"({field} {was} → {now})"
                )
        return None


class DownloadJournal:
    """The state of one download; :meth:`part_done` is safe from any thread."""

    def __init__(
        self,
        path: Path,
        *,
        target: str,
        output: str,
        identity: Identity,
        fingerprint: str,
        created_at: float,
        parts: int = 0,
        done: dict[int, str] | None = None,
    ) -> None:
        self.path = path
        self.target = target
        self.output = output
        self.identity = identity
        self.fingerprint = fingerprint
        self.created_at = created_at
        self.parts = parts
        """How many parts the object has (0 in a journal written before it was recorded)."""
        self.done: dict[int, str] = dict(done or {})
        """Committed parts: index → md5 of its bytes (empty for a ranged part)."""
        self._pending: dict[int, str] = {}
        self._lock = threading.Lock()
        self._last_commit = time.monotonic()

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        target: str,
        output: str,
        identity: Identity,
        fingerprint: str,
        parts: int,
    ) -> DownloadJournal:
        """A fresh journal, saved now, so an unusable state directory stops the download
        before its first byte."""
        journal = cls(
            path,
            target=target,
            output=output,
            identity=identity,
            fingerprint=fingerprint,
            created_at=time.time(),
            parts=parts,
        )
        with journal._lock:
            journal._save()
        return journal

    @classmethod
    def load(cls, path: Path) -> DownloadJournal | None:
        """The journal at ``path``; None when there is none or it cannot be read (the
        download then starts over)."""
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != JOURNAL_FORMAT:
                return None
            identity = data["identity"]
            return cls(
                path,
                target=str(data["target"]),
                output=str(data["output"]),
                identity=Identity(
                    str(identity["etag"]), int(identity["size"]), str(identity["last_modified"])
                ),
                fingerprint=str(data["fingerprint"]),
                created_at=float(data["created_at"]),
                parts=int(data.get("parts", 0)),
                done={int(index): str(md5) for index, md5 in data["done"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def part_done(self, index: int, md5: str) -> None:
        """A part's bytes are written (not yet flushed): commit it with the next batch."""
        with self._lock:
            self._pending[index] = md5

    def commit(self, flush: Callable[[], None], *, every_s: float = 0.0) -> None:
        """Flush the partial file, then record the pending parts; at most once per
        ``every_s`` seconds (0: now)."""
        with self._lock:
            if not self._pending or time.monotonic() - self._last_commit < every_s:
                return
            pending = dict(self._pending)
        flush()
        with self._lock:
            self.done.update(pending)
            for index in pending:
                self._pending.pop(index, None)
            self._save()
            self._last_commit = time.monotonic()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _save(self) -> None:
        """Rewrite the journal; callers hold the lock."""
        data = {
            "format": JOURNAL_FORMAT,
            "target": self.target,
            "output": self.output,
            "identity": {
                "etag": self.identity.etag,
                "size": self.identity.size,
                "last_modified": self.identity.last_modified,
            },
            "fingerprint": self.fingerprint,
            "created_at": self.created_at,
            "parts": self.parts,
            "done": {str(index): md5 for index, md5 in sorted(self.done.items())},
        }
        try:
            paths.write_private_file(self.path, json.dumps(data))
        except OSError as error:
            raise DownloadJournalError(
                f"cannot save the download journal {self.path}: {error.strerror or error} "
                "(XDG_STATE_HOME chooses another place)"
            ) from None
