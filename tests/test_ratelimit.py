"""The bandwidth cap: its arithmetic on a simulated clock (exact, instant), and an upload
and a download, each capped and uncapped against the sandbox in one test, with generous
margins (the exact figures are in ``tests/benchmark_upload.py`` and
``tests/benchmark_download.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import random_bytes
from support.download_support import archived_slo, download
from support.upload_support import Recorder, download_md5, upload, write_random

from swiftui.cloud import Cloud
from swiftui.download import DownloadPlanned
from swiftui.download import describe as describe_download
from swiftui.errors import Aborted
from swiftui.swift import RateLimiter
from swiftui.swift.ratelimit import BURST_S
from swiftui.units import KIB, MIB
from swiftui.upload import PlanReady, SegmentDone, UploadRequest, describe


class SimulatedClock:
    """Time that passes only when the limiter waits; ``during_pause`` acts mid-wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.paused = 0.0
        self.during_pause: list[object] = []

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float, cancel: threading.Event | None) -> None:
        self.now += seconds
        self.paused += seconds
        if self.during_pause:
            action = self.during_pause.pop(0)
            action()  # type: ignore[operator]
        if cancel is not None and cancel.is_set():
            raise Aborted


def test_a_minute_at_the_cap_takes_a_minute() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter(2 * MIB, clock=clock, pause=clock.pause)
    sent = 0
    started = clock.now
    while sent < 120 * MIB:
        for piece in limiter.paced(memoryview(bytearray(256 * KIB))):
            sent += len(piece)
    elapsed = clock.now - started
    # The bucket starts empty and holds a quarter of a second: within 1% of 60 s.
    assert 59.4 <= elapsed <= 60.6
    assert limiter.rate == 2 * MIB


def test_a_slow_cap_cuts_blocks_so_the_connection_never_sits_silent() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter(64 * KIB, clock=clock, pause=clock.pause)
    pieces = list(limiter.paced(memoryview(bytearray(256 * KIB))))
    assert len(pieces) == 32  # slices of an eighth of a second's worth
    assert clock.paused == pytest.approx(256 / 64, abs=0.01)  # the bucket starts empty


def test_lifting_or_raising_the_cap_applies_to_a_thread_already_waiting() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter(1 * KIB, clock=clock, pause=clock.pause)
    clock.during_pause.append(lambda: limiter.set_rate(None))
    limiter.take(1 * MIB)  # would take 17 minutes at 1 KiB/s
    assert clock.paused < 1

    limiter.set_rate(1 * KIB)
    clock.paused = 0.0
    clock.during_pause.append(lambda: limiter.set_rate(1 * MIB))
    limiter.take(1 * MIB)
    assert clock.paused < 1.5


def test_a_cancel_stops_a_wait_and_no_cap_never_waits() -> None:
    clock = SimulatedClock()
    cancel = threading.Event()
    limiter = RateLimiter(1 * KIB, clock=clock, pause=clock.pause)
    clock.during_pause.append(cancel.set)
    with pytest.raises(Aborted):
        limiter.take(1 * MIB, cancel)
    free = RateLimiter(None, clock=clock, pause=clock.pause)
    clock.paused = 0.0
    assert list(free.paced(memoryview(b"x" * MIB))) == [memoryview(b"x" * MIB)]
    assert clock.paused == 0
    with pytest.raises(ValueError, match="a rate must be positive"):
        free.set_rate(0)


SIZE = 4 * MIB
Timed = Callable[..., float]
"""``timed(name, limiter, threads, recorder=None)``: seconds one transfer of SIZE took."""


def check_the_cap(timed: Timed) -> None:
    """The same transfer uncapped, capped at 1 MiB/s over four threads, and capped at
    256 KiB/s until its first segment is in, then lifted."""
    uncapped = timed("free.bin", None, 4)
    cap = 1 * MIB
    capped = timed("capped.bin", RateLimiter(cap), 4)
    # Never faster than the cap (less its quarter-second burst), over all four threads;
    # and not much slower than the cap asks, whatever the machine's load.
    assert capped >= (SIZE - cap * BURST_S) / cap * 0.9
    assert capped <= SIZE / cap * 2 + uncapped * 2

    # Lifted once the first segment is in: the rest goes at full speed.
    limiter = RateLimiter(256 * KIB)
    lift = Recorder(then=lambda event: isinstance(event, SegmentDone) and limiter.set_rate(None))
    lifted = timed("lifted.bin", limiter, 1, recorder=lift)
    assert lifted < SIZE / (256 * KIB) / 2  # 16 s at the first cap


def test_a_capped_upload_keeps_to_its_cap_and_a_lifted_cap_finishes_fast(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    service = cloud.service("GRA")

    def timed(name: str, limiter: RateLimiter | None, threads: int, **recorder: object) -> float:
        path = tmp_path / name
        md5 = write_random(path, SIZE)  # new bytes each time: nothing to reuse
        capped_at_start = limiter is not None and limiter.rate is not None
        started = time.monotonic()
        request = UploadRequest(
            path, container_name, segment_size=MIB, threads=threads, rate_limiter=limiter
        )
        _result, events = upload(service, request, **recorder)  # type: ignore[arg-type]
        took = time.monotonic() - started
        assert download_md5(checker, container_name, name) == md5
        plan_line = describe(events.of(PlanReady)[0]) or ""
        assert (", at most" in plan_line) == capped_at_start
        return took

    check_the_cap(timed)


def test_a_capped_download_keeps_to_its_cap_and_a_lifted_cap_finishes_fast(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(SIZE)
    checker.put_container(container_name)
    archived_slo(checker, container_name, "archive.bin", data, segment_size=MIB)
    service = cloud.service("GRA")

    def timed(name: str, limiter: RateLimiter | None, threads: int, **recorder: object) -> float:
        output = tmp_path / name
        capped_at_start = limiter is not None and limiter.rate is not None
        started = time.monotonic()
        _result, events = download(
            service,
            container_name,
            "archive.bin",
            output,
            threads=threads,
            rate_limiter=limiter,
            **recorder,  # type: ignore[arg-type]
        )
        took = time.monotonic() - started
        assert output.read_bytes() == data
        plan_line = describe_download(events.of(DownloadPlanned)[0]) or ""
        assert ("; at most" in plan_line) == capped_at_start
        return took

    check_the_cap(timed)
