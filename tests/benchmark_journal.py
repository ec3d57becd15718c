"""Benchmark: recording segments in an upload's journal, as a 1000-segment upload does.

Each finished segment is written to the journal at once (so a crash loses none): this
measures what one record costs on this disk. Goal: under 10 ms per record.

By hand:  python tests/benchmark_journal.py
With pytest: python -m pytest tests/benchmark_journal.py -m benchmark -s
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

from swiftui.units import GIB
from swiftui.upload.journal import Journal

GOAL_S = 0.010
SEGMENTS = 1000


def measure(work: Path) -> list[float]:
    """Seconds each of 1000 records took, in a journal under ``work``."""
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    local = work / "big.tar"
    local.write_bytes(b"x")
    journal = Journal.create(
        target="GRA/AUTH_x/backups/big.tar",
        local_path=local,
        file_size=SEGMENTS * GIB,
        file_mtime=1700000000.123456,
        container="backups",
        segment_container="backups_segments",
        object_name="big.tar",
        region="GRA",
        segment_size=GIB,
        segment_prefix=f"big.tar/slo/1700000000.123456/{SEGMENTS * GIB}/{GIB}/",
        delete_at=None,
        delete_after=None,
    )
    times = []
    for index in range(SEGMENTS):
        started = time.perf_counter()
        journal.record_segment(index, "d41d8cd98f00b204e9800998ecf8427e", GIB)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="swiftui-journal-bench-") as work:
        times = measure(Path(work))
    print(
        f"journal: {SEGMENTS} records, median {statistics.median(times) * 1000:.2f} ms, "
        f"worst {max(times) * 1000:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms "
        f"(goal under {GOAL_S * 1000:.0f} ms each)"
    )
    return 0


@pytest.mark.benchmark
def test_journal_benchmark() -> None:
    assert main() == 0


if __name__ == "__main__":
    sys.exit(main())
