"""A bandwidth cap shared by every thread of a transfer, changeable while it runs.

An upload on a production server must not take the uplink its hosted sites use. One
:class:`RateLimiter` paces every request body of an upload (all its threads, all its
files): each slice of data waits for its share of the rate (a token bucket holding at
most a quarter of a second of data, so the rate holds over any few seconds, and a
minute's average is within a few percent). :meth:`RateLimiter.set_rate` changes the cap
at once, for the threads already waiting too: a front end can offer it while a transfer
runs. Downloads can pace what they receive with the same object.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from swiftui.errors import Aborted

# The bucket holds this much time's worth of data: a burst is never longer.
BURST_S = 0.25
# A body is cut into slices of about this much time's worth, so a slow cap never leaves a
# connection silent for long (a proxy drops a client that sends nothing for a minute).
SLICE_S = 0.125
MIN_SLICE = 4096
# A waiting thread looks again this often, so a changed rate applies at once.
RECHECK_S = 0.1

Pause = Callable[[float, "threading.Event | None"], None]


def _pause(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Aborted


class RateLimiter:
    """``rate`` bytes per second (None: no cap) over every thread that shares it."""

    def __init__(
        self,
        rate: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        pause: Pause = _pause,
    ) -> None:
        self._clock = clock
        self._pause = pause
        self._lock = threading.Lock()
        self._rate: int | None = None
        self._tokens = 0.0
        self._updated = clock()
        self.set_rate(rate)

    @property
    def rate(self) -> int | None:
        """The cap in bytes per second, or None."""
        return self._rate

    def set_rate(self, rate: int | None) -> None:
        """Change the cap (None lifts it); threads waiting for the old one see it at once."""
        if rate is not None and rate <= 0:
            raise ValueError(f"a rate must be positive, not {rate}")
        with self._lock:
            self._refill()
            self._rate = rate
            if rate is not None:
                self._tokens = min(self._tokens, self._capacity(rate))

    def take(self, count: int, cancel: threading.Event | None = None) -> None:
        """Wait until ``count`` bytes may go; :class:`Aborted` if ``cancel`` is set."""
        while True:
            with self._lock:
                rate = self._rate
                if rate is None:
                    return
                self._refill()
                # A take larger than the bucket goes once it is full, leaving a debt.
                needed = min(count, self._capacity(rate))
                if self._tokens >= needed:
                    self._tokens -= count
                    return
                wait = (needed - self._tokens) / rate
            self._pause(min(wait, RECHECK_S), cancel)

    def paced(
        self, block: memoryview, cancel: threading.Event | None = None
    ) -> Iterator[memoryview]:
        """``block`` in slices, each let through at the cap (all of it at once without one)."""
        rate = self._rate
        if rate is None:
            yield block
            return
        size = max(MIN_SLICE, int(rate * SLICE_S))
        for start in range(0, len(block), size):
            piece = block[start : start + size]
            self.take(len(piece), cancel)
            yield piece

    def _capacity(self, rate: int) -> float:
        return max(float(MIN_SLICE), rate * BURST_S)

    def _refill(self) -> None:
        """Credit the time since the last look at the current rate (the lock is held)."""
        now = self._clock()
        if self._rate is not None:
            self._tokens = min(
                self._capacity(self._rate), self._tokens + (now - self._updated) * self._rate
            )
        self._updated = now
