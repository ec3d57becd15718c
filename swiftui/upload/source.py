"""The local file, read by offset in small blocks and hashed while it is sent.

A segment never sits whole in memory: each worker owns one block buffer and hands
:class:`SegmentBody` to ``requests`` as an iterable with a length (``__iter__`` and
``__len__`` but no ``read``), so requests sends a ``Content-Length`` and http.client
writes our blocks as they are. Errors raised while iterating are not ``OSError`` on
purpose: requests would take an ``OSError`` for a network failure and we would retry a
disk error.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from swiftui.errors import Aborted, UsageError
from swiftui.swift import RateLimiter
from swiftui.units import KIB

# Measured on the 2-core sandbox: 64 KiB to 4 MiB blocks send at the same speed and cost
# about the same CPU (md5 dominates); 256 KiB was a little cheaper than 1 MiB and keeps
# memory small and cancellation quick.
BLOCK_SIZE = 256 * KIB


class LocalFileError(UsageError):
    """A local file is missing, unreadable or changing: a problem of that file alone, so
    an upload of several files goes on with the others."""


class SourceChanged(LocalFileError):
    """The local file changed while it was being uploaded."""


class SourceReadError(LocalFileError):
    """The local file could not be read."""


class SourceFile:
    """An open regular file and the size and modification time it had when opened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # O_NONBLOCK: opening a named pipe nobody writes to would wait forever.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise LocalFileError(f"{path}: no such file") from None
        except PermissionError:
            raise LocalFileError(f"{path}: permission denied (cannot read it)") from None
        except OSError as error:
            raise LocalFileError(f"{path}: cannot open it: {error.strerror or error}") from None
        self.fd = fd
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            os.close(fd)
            raise LocalFileError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise LocalFileError(
                f"{path}: not a regular file ({file_kind(info.st_mode)}); swiftui uploads "
                "files whose size is known before the first byte is sent"
            )
        os.set_blocking(fd, True)
        self.size = info.st_size
        self.mtime = info.st_mtime
        self._identity = (info.st_dev, info.st_ino)
        self._mtime_ns = info.st_mtime_ns

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def check_unchanged(self) -> None:
        """Raise :class:`SourceChanged` if the file was written to or replaced since opened."""
        info = os.fstat(self.fd)
        if info.st_size != self.size:
            self._changed(f"its size went from {self.size} to {info.st_size} bytes")
        if info.st_mtime_ns != self._mtime_ns:
            when = datetime.fromtimestamp(info.st_mtime).isoformat(sep=" ", timespec="seconds")
            self._changed(f"it was modified at {when}")
        try:
            current = os.stat(self.path)
        except OSError:
            self._changed("it was removed or renamed")
        if (current.st_dev, current.st_ino) != self._identity:
            self._changed("it was replaced by another file")

    def _changed(self, how: str) -> NoReturn:
        raise SourceChanged(
            f"{self.path} changed during the upload ({how}); nothing was written over the "
            "object: run the upload again once the file is complete"
        )

    def read_into(self, view: memoryview, offset: int) -> int:
        """Fill ``view`` from ``offset``; a short read means the file shrank."""
        try:
            got = os.preadv(self.fd, [view], offset)
        except OSError as error:
            raise SourceReadError(
                f"{self.path}: read error at byte {offset}: {error.strerror or error}"
            ) from None
        if got < len(view):
            self._changed(f"it ended at byte {offset + got}, before {offset + len(view)}")
        return got

    def blocks(
        self, offset: int, length: int, buffer: bytearray, abort: threading.Event
    ) -> Iterator[memoryview]:
        """The bytes ``[offset, offset + length)`` in blocks reusing ``buffer``.

        Each block is only valid until the next is requested; callers consume it at once
        (http.client sends it, md5 hashes it).
        """
        view = memoryview(buffer)
        done = 0
        while done < length:
            if abort.is_set():
                raise Aborted
            size = min(len(buffer), length - done)
            self.read_into(view[:size], offset + done)
            yield view[:size]
            done += size

    def md5_of(self, offset: int, length: int, buffer: bytearray, abort: threading.Event) -> str:
        """md5 of a byte range of the file, to check a segment already in Swift."""
        return self.digests_of(offset, length, buffer, abort, sha256=False)[0]

    def digests_of(
        self, offset: int, length: int, buffer: bytearray, abort: threading.Event, *, sha256: bool
    ) -> tuple[str, str | None]:
        """md5 and (when asked) SHA-256 of a byte range, in one read."""
        md5 = hashlib.md5(usedforsecurity=False)
        sha = hashlib.sha256() if sha256 else None
        for block in self.blocks(offset, length, buffer, abort):
            md5.update(block)
            if sha is not None:
                sha.update(block)
        return md5.hexdigest(), sha.hexdigest() if sha is not None else None


def file_kind(mode: int) -> str:
    """``a named pipe``, ``a socket``...: what a file that is not a regular one is."""
    kinds = (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "a special file")


class SegmentBody:
    """One segment as a request body, streamed block by block (from the file, or from a
    stream's spool), its md5 computed on the way unless it is already known, paced by the
    upload's bandwidth cap when it has one.

    Iterating again starts over from the segment's first byte (a retried request), so the
    md5 always covers exactly the bytes of the last attempt.
    """

    def __init__(
        self,
        blocks: Callable[[], Iterator[memoryview]],
        length: int,
        on_progress: Callable[[int], None],
        *,
        md5: str | None = None,
        limiter: RateLimiter | None = None,
        abort: threading.Event | None = None,
    ) -> None:
        self._blocks = blocks
        self._length = length
        self._on_progress = on_progress
        self._known_md5 = md5
        self._limiter = limiter
        self._abort = abort
        self._digest = hashlib.md5(usedforsecurity=False)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[memoryview]:
        self._digest = hashlib.md5(usedforsecurity=False)
        hashing = self._known_md5 is None
        sent = 0
        self._on_progress(0)
        for block in self._blocks():
            if hashing:
                self._digest.update(block)
            pieces = self._limiter.paced(block, self._abort) if self._limiter else (block,)
            for piece in pieces:
                yield piece
                sent += len(piece)
                self._on_progress(sent)

    @property
    def md5(self) -> str:
        return self._known_md5 or self._digest.hexdigest()
