"""Where a stream's segments wait while they are sent: memory up to a cap, then disk.

A pipe's bytes can be read only once, and a segment must be sendable again if a request
fails. So each segment is kept until Swift has it: in memory while the segments held
there stay within ``memory_cap`` bytes, otherwise in an unnamed temporary file in the
spool directory (``O_TMPFILE``: it vanishes with the process, even after ``kill -9``).
At most ``slots`` segments are held at once (those being sent, and the one being read),
so the spool never holds more than ``slots`` segments, whatever the stream's size.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from swiftui.errors import Aborted, UsageError
from swiftui.units import MIB, format_bytes

DEFAULT_SPOOL_MEMORY = 64 * MIB
# How often a reader waiting for a free slot looks at the abort event.
_WAIT_SLICE_S = 0.2


class SpooledSegment:
    """One segment's bytes, written once by the reader, then read as often as it is sent."""

    def __init__(self, spool: Spool, in_memory: bool) -> None:
        self._spool = spool
        self._chunks: list[bytes] | None = [] if in_memory else None
        self._file = None if in_memory else spool.temporary_file()
        self.length = 0

    @property
    def in_memory(self) -> bool:
        return self._chunks is not None

    def write(self, block: memoryview) -> None:
        if self._chunks is not None:
            self._chunks.append(bytes(block))
        else:
            assert self._file is not None
            left = block
            try:
                while left:
                    left = left[self._file.write(left) :]
            except OSError as error:
                raise self._spool.write_error(error) from None
        self.length += len(block)

    def blocks(self, buffer: bytearray) -> Iterator[memoryview]:
        """The bytes in order, from the first; a block is valid until the next one."""
        if self._chunks is not None:
            for chunk in self._chunks:
                yield memoryview(chunk)
            return
        assert self._file is not None
        view = memoryview(buffer)
        offset = 0
        while offset < self.length:
            size = min(len(buffer), self.length - offset)
            got = os.preadv(self._file.fileno(), [view[:size]], offset)
            if got != size:
                raise self._spool.write_error(OSError(f"read {got} of {size} bytes back"))
            yield view[:size]
            offset += size

    def release(self) -> None:
        """Swift has it (or the upload stopped): free the memory or the disk, and a slot."""
        if self._chunks is not None:
            self._chunks = None
            self._spool.released(in_memory=True)
        elif self._file is not None:
            self._file.close()
            self._file = None
            self._spool.released(in_memory=False)


class Spool:
    """Hands out :class:`SpooledSegment` slots for segments of ``segment_size`` bytes."""

    def __init__(self, directory: Path, *, memory_cap: int, slots: int, segment_size: int) -> None:
        self.directory = directory
        self.memory_cap = memory_cap
        self.slots = slots
        self.segment_size = segment_size
        self._free = threading.Semaphore(slots)
        self._lock = threading.Lock()
        self._memory_used = 0

    @property
    def disk_needed(self) -> int:
        """The most this spool puts on disk at once."""
        in_memory = min(self.slots, self.memory_cap // self.segment_size)
        return (self.slots - in_memory) * self.segment_size

    def describe(self) -> str:
        """``spooled in memory up to 64.0 MiB, then in DIR (at most 5 segments, 5.0 GiB)``."""
        held = f"at most {self.slots} segments of {format_bytes(self.segment_size)} at a time"
        if not self.disk_needed:
            return f"segments wait in memory ({held})"
        return (
            f"segments wait in memory up to {format_bytes(self.memory_cap)}, then in "
            f"{self.directory} (up to {format_bytes(self.disk_needed)} on disk; {held})"
        )

    def check(self) -> None:
        """Refuse a spool directory that cannot be written or lacks room, before reading."""
        if not self.disk_needed:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self.temporary_file():
                pass
            free = shutil.disk_usage(self.directory).free
        except OSError as error:
            raise UsageError(
                f"spool directory {self.directory}: {error.strerror or error}",
                field="spool_dir",
            ) from None
        if free < self.disk_needed:
            needed = format_bytes(self.disk_needed)
            raise UsageError(
                lambda names: (
                    f"spool directory {self.directory} has {format_bytes(free)} free and this "
                    f"upload may hold {needed} there ({self.slots} segments of "
                    f"{format_bytes(self.segment_size)}): choose another {names('spool_dir')}, "
                    f"a smaller {names('segment_size')} or fewer {names('threads')}"
                ),
                field="spool_dir",
            )

    def take(self, abort: threading.Event) -> SpooledSegment:
        """A slot for the next segment; waits while every slot holds a segment."""
        while not self._free.acquire(timeout=_WAIT_SLICE_S):
            if abort.is_set():
                raise Aborted
        with self._lock:
            in_memory = self._memory_used + self.segment_size <= self.memory_cap
            if in_memory:
                self._memory_used += self.segment_size
        try:
            return SpooledSegment(self, in_memory)
        except BaseException:
            self.released(in_memory=in_memory)
            raise

    def temporary_file(self) -> BinaryIO:
        """Unbuffered, so what is written can be read back by offset at once."""
        try:
            return tempfile.TemporaryFile(buffering=0, dir=self.directory, prefix="swiftui-spool-")
        except OSError as error:
            raise self.write_error(error) from None

    def write_error(self, error: OSError) -> UsageError:
        return UsageError(
            f"spool directory {self.directory}: {error.strerror or error}", field="spool_dir"
        )

    def released(self, *, in_memory: bool) -> None:
        if in_memory:
            with self._lock:
                self._memory_used -= self.segment_size
        self._free.release()
