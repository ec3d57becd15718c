"""The whole file's SHA-256, computed while its segments go up, never in a pass after.

Segments are read in parallel and out of order; a SHA-256 needs the bytes in order. So
one more thread reads the file from its first byte, never past the bytes the segment
senders have already read (the *frontier*): those bytes were read moments ago, so its
reads come from the page cache, not the disk, and it holds one block in memory. Segments
that no sender reads (already in Swift and recorded in the journal) are open to it at
once: a resumed upload still reads them from the local file, so the checksum always
covers the whole file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from swiftui.errors import Aborted
from swiftui.upload.source import BLOCK_SIZE

if TYPE_CHECKING:
    from swiftui.upload.plan import SegmentSpec
    from swiftui.upload.source import SourceFile

# How often a waiting hasher looks at the abort event.
_WAIT_SLICE_S = 0.2


class ReadFrontier:
    """How far the file has been read without a gap: every byte before :attr:`position`
    was read by a sender (or is open to the hasher because no sender will read it)."""

    def __init__(self, segments: Sequence[SegmentSpec]) -> None:
        self._offsets = [spec.offset for spec in segments]
        self._lengths = [spec.length for spec in segments]
        self._read = [0] * len(segments)
        self._next = 0
        self._end = sum(self._lengths)
        self._changed = threading.Condition()
        self.position = 0

    def reached(self, index: int, count: int) -> None:
        """The sender of segment ``index`` has read its first ``count`` bytes."""
        with self._changed:
            if count <= self._read[index]:
                return
            self._read[index] = count
            while self._next < len(self._lengths) and (
                self._read[self._next] >= self._lengths[self._next]
            ):
                self._next += 1
            if self._next < len(self._lengths):
                position = self._offsets[self._next] + self._read[self._next]
            else:
                position = self._end
            if position > self.position:
                self.position = position
                self._changed.notify_all()

    def complete(self, index: int) -> None:
        """Segment ``index`` is all read (or no sender will read it)."""
        self.reached(index, self._lengths[index])

    def wait_past(self, offset: int, abort: threading.Event) -> int:
        """Wait until the frontier is past ``offset``; return it. :class:`Aborted` on abort."""
        with self._changed:
            while self.position <= offset:
                if abort.is_set():
                    raise Aborted
                self._changed.wait(_WAIT_SLICE_S)
            return self.position


class OrderedHasher:
    """A thread hashing ``source`` in order behind a :class:`ReadFrontier`."""

    def __init__(self, source: SourceFile, frontier: ReadFrontier, abort: threading.Event) -> None:
        self.source = source
        self.frontier = frontier
        self.abort = abort
        self.hashed = 0
        """Bytes hashed so far (read by other threads for progress)."""
        self.error: BaseException | None = None
        self._digest = hashlib.sha256()
        self._thread = threading.Thread(target=self._run, name="swiftui-sha256", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True once the hasher has stopped."""
        self._thread.join(timeout)
        return self.done

    def hexdigest(self) -> str:
        """The SHA-256 once the whole file is hashed; the hasher's own error otherwise."""
        if self.error is not None:
            raise self.error
        if not self.done or self.hashed != self.source.size:
            raise Aborted
        return self._digest.hexdigest()

    def _run(self) -> None:
        view = memoryview(bytearray(BLOCK_SIZE))
        try:
            while self.hashed < self.source.size:
                limit = self.frontier.wait_past(self.hashed, self.abort)
                while self.hashed < limit:
                    if self.abort.is_set():
                        raise Aborted
                    block = view[: min(BLOCK_SIZE, limit - self.hashed)]
                    self.source.read_into(block, self.hashed)
                    self._digest.update(block)
                    self.hashed += len(block)
        except Aborted:
            return
        except BaseException as error:
            self.error = error
            self.abort.set()
