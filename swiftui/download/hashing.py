"""Checksums of the whole file, computed in order while the parts arrive out of order.

Parts land anywhere in the partial file, but a SHA-256 (or a plain object's md5) needs
the bytes in order. :class:`Frontier` knows how far from the start every part is written;
:class:`OrderedHash` is a thread that reads the partial file up to there, block by block,
while the download goes on, so the bytes it reads are still in the page cache and, at the
end, only the last stretch is left to hash. Memory: one block.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from swiftui.units import MIB

if TYPE_CHECKING:
    from swiftui.download.layout import Part
    from swiftui.download.local import PartialFile

HASH_BLOCK = MIB
WAKE_S = 0.5


class Frontier:
    """The end of the longest run of written parts from byte 0."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self._parts = sorted(parts, key=lambda part: part.offset)
        self._written: set[int] = set()
        self._next = 0
        self.end = 0
        self._changed = threading.Condition()

    def written(self, part: Part) -> None:
        with self._changed:
            self._written.add(part.index)
            while self._next < len(self._parts) and self._parts[self._next].index in self._written:
                self.end = self._parts[self._next].end
                self._next += 1
            self._changed.notify_all()

    def wait_beyond(self, position: int, stop: threading.Event) -> int:
        """The frontier once it passes ``position`` (or after a short wait, or a stop)."""
        with self._changed:
            self._changed.wait_for(lambda: self.end > position or stop.is_set(), WAKE_S)
            return self.end


class OrderedHash(threading.Thread):
    """Hashes ``partial`` from byte 0 to ``size`` as the frontier allows."""

    def __init__(
        self,
        partial: PartialFile,
        size: int,
        frontier: Frontier,
        algorithms: Sequence[str],
        stop: threading.Event,
    ) -> None:
        super().__init__(name="swiftui-download-hash", daemon=True)
        self.partial = partial
        self.size = size
        self.frontier = frontier
        self.digests = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
        self.stop = stop
        self.position = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        buffer = bytearray(HASH_BLOCK)
        view = memoryview(buffer)
        try:
            while self.position < self.size and not self.stop.is_set():
                end = self.frontier.wait_beyond(self.position, self.stop)
                while self.position < end and not self.stop.is_set():
                    size = min(HASH_BLOCK, end - self.position)
                    got = self.partial.read_at(view[:size], self.position)
                    if got <= 0:
                        raise OSError(f"the partial file ends at byte {self.position}")
                    for digest in self.digests.values():
                        digest.update(view[:got])
                    self.position += got
        except BaseException as error:  # reported to the engine by result()
            self.error = error

    def result(self) -> dict[str, str]:
        """The hex digests once everything is hashed; raises what stopped the thread."""
        self.join()
        if self.error is not None:
            raise self.error
        return {name: digest.hexdigest() for name, digest in self.digests.items()}
