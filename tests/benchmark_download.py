"""Benchmark: ``swiftui download`` against ``swift download`` (python-swiftclient) on a sandbox.

One generated file is uploaded once as an SLO (``swiftui upload``, 256 MiB segments by
default) carrying its SHA-256 (``X-Object-Meta-Sha256``), then both tools download it to a
fresh file in alternating runs (the order flips every round), each as its own process.
swiftui runs as a user would: every segment's md5 checked against the manifest while it
streams, the SLO etag, the size and the whole file's SHA-256 checked, the file flushed to
disk (``fsync``) before it is renamed. ``swift download`` of an SLO reads one stream that
the proxy joins, checks no md5 (python-swiftclient skips it for large objects) and leaves
the file's writeback to the kernel: the time to flush it (``fsync`` right after it exits)
is measured too, and ``swift + flush`` is the time to the same durability. Reported
per tool: medians of wall time, MB/s, client CPU seconds and peak RSS (from ``wait4``,
through the same launcher as ``benchmark_upload.py``); then swiftui / swift ratios. Every
downloaded file is compared with the source (md5), deleted and the disk synced outside the
timed part. The machine's load average is printed: on a shared 2-core machine the servers,
the client and everything else compete for the same cores. Last, ``--limit-rate`` is held
for ``--cap-seconds``: an object of that many seconds' worth is downloaded at the cap, and
the rate the download reports is compared with it.

By hand:  python tests/benchmark_download.py [--size 4GiB] [--segment-size 256MiB]
          [--threads 4] [--runs 3] [--no-sha256] [--cap 20MiB] [--cap-seconds 60] [--no-cap]
With pytest: python -m pytest tests/benchmark_download.py -m benchmark -s
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import astuple
from pathlib import Path

import pytest
from benchmark_upload import Run, connection, generate, measure, median_run, runs_line

from swiftui.sandbox import Sandbox
from swiftui.units import GIB, MIB, parse_rate, parse_size
from swiftui.upload import DEFAULT_THREADS

CONTAINER = "bench"
OBJECT = "bench.bin"
TOOLS = ("swiftui", "swift")


def file_digests(path: Path) -> tuple[str, str]:
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(8 * MIB):
            md5.update(block)
            sha256.update(block)
    return md5.hexdigest(), sha256.hexdigest()


def flush_time(path: Path) -> float:
    """Seconds to get ``path`` onto the disk (``fsync``): nothing left for swiftui, which
    flushes before it renames; all of it for swift, which leaves it to the kernel."""
    started = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - started


def command_for(tool: str, output: Path, threads: int) -> list[str]:
    if tool == "swiftui":
        return [
            sys.executable, "-m", "swiftui", "download", CONTAINER, OBJECT,
            "-o", str(output), "--threads", str(threads),
        ]  # fmt: skip
    swift = shutil.which("swift", path=str(Path(sys.executable).parent)) or "swift"
    return [swift, "download", CONTAINER, OBJECT, "-o", str(output)]


def report(size: int, segment_size: int, threads: int, runs: dict[str, list[Run]]) -> str:
    gib = size / GIB
    lines = [
        f"SLO {gib:.1f} GiB, segments {segment_size / MIB:.0f} MiB, swiftui threads {threads}, "
        f"{len(next(iter(runs.values())))} runs per tool (medians)",
        f"{'tool':<8} {'wall s':>8} {'MB/s':>8} {'CPU s':>8} {'CPU s/GiB':>10} {'RSS MiB':>8}",
    ]
    medians = {}
    for tool, measured in runs.items():
        wall, cpu, rss = medians[tool] = astuple(median_run(measured))
        lines.append(
            f"{tool:<8} {wall:8.2f} {size / wall / 1e6:8.1f} {cpu:8.2f} {cpu / gib:10.2f} "
            f"{rss / MIB:8.1f}"
        )
        lines.append(runs_line(measured))
    if len(medians) == 2:
        (ui_wall, ui_cpu, ui_rss), (sw_wall, sw_cpu, sw_rss) = medians["swiftui"], medians["swift"]
        lines.append(
            f"swiftui / swift: wall time x{ui_wall / sw_wall:.2f} (goal <= 0.8), client CPU "
            f"x{ui_cpu / sw_cpu:.2f}, peak RSS x{ui_rss / sw_rss:.2f} (swiftui "
            f"{ui_rss / MIB:.0f} MiB, goal <= 100)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2GiB", help="generated file size (default 2GiB)")
    parser.add_argument("--segment-size", default="256MiB", help="of the SLO (default 256MiB)")
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="swiftui's parallel parts"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    parser.add_argument("--only", choices=TOOLS, help="measure one tool only")
    parser.add_argument(
        "--no-sha256", action="store_true", help="upload without X-Object-Meta-Sha256"
    )
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--cap", default="20MiB", help="the --limit-rate to check (20MiB)")
    parser.add_argument(
        "--cap-seconds", type=int, default=60, help="how long the cap is held (default 60)"
    )
    parser.add_argument("--no-cap", action="store_true", help="skip the cap's check")
    args = parser.parse_args(argv)
    size = parse_size(args.size, option="--size")
    segment_size = parse_size(args.segment_size, option="--segment-size")
    tools = (args.only,) if args.only else TOOLS

    with tempfile.TemporaryDirectory(prefix="swiftui-bench-", dir=args.dir) as work_dir:
        work = Path(work_dir)
        source = work / OBJECT
        print(f"generating {size / GIB:.1f} GiB in {source}", flush=True)
        generate(source, size)
        expected_md5, expected_sha256 = file_digests(source)
        with Sandbox(work / "sandbox") as sandbox:
            env = {
                **os.environ,
                **sandbox.environ(),
                "XDG_STATE_HOME": str(work / "state"),
                "PYTHONWARNINGS": "ignore",
            }
            subprocess.run(
                [sys.executable, "-m", "swiftui", "upload", CONTAINER, str(source),
                 "--segment-size", str(segment_size)],
                env=env, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            swift = connection(sandbox)
            if not args.no_sha256:
                headers = swift.head_object(CONTAINER, OBJECT)
                swift.post_object(
                    CONTAINER,
                    OBJECT,
                    headers={
                        "X-Object-Meta-Mtime": headers.get("x-object-meta-mtime", ""),
                        "X-Object-Meta-Sha256": expected_sha256,
                    },
                )
            source.unlink()  # the page cache keeps the downloads' writes, not the source
            os.sync()
            print(f"load average before the runs: {os.getloadavg()}", flush=True)
            runs: dict[str, list[Run]] = {tool: [] for tool in tools}
            flushes: list[float] = []
            for number in range(args.runs):
                order = tools if number % 2 == 0 else tuple(reversed(tools))
                for tool in order:
                    output = work / f"out-{tool}"
                    output.unlink(missing_ok=True)
                    run = measure(
                        command_for(tool, output, args.threads),
                        env,
                        work / f"{tool}-{number}.log",
                        None,
                    )
                    flush_s = flush_time(output)
                    if tool == "swift":
                        flushes.append(flush_s)
                    digest = file_digests(output)[0]
                    assert digest == expected_md5, f"{tool} wrote md5 {digest}"
                    output.unlink()
                    os.sync()
                    runs[tool].append(run)
                    print(
                        f"  {tool}-{number}: {run.wall_s:.2f} s, {run.cpu_s:.2f} CPU s, "
                        f"{run.peak_rss / MIB:.0f} MiB, then {flush_s:.2f} s to flush its file",
                        flush=True,
                    )
            print(report(size, segment_size, args.threads, runs), flush=True)
            if "swift" in runs and "swiftui" in runs:
                durable = statistics.median(
                    run.wall_s + flush for run, flush in zip(runs["swift"], flushes, strict=True)
                )
                ratio = median_run(runs["swiftui"]).wall_s / durable
                print(
                    f"swift + flushing its file to disk: {durable:.2f} s; swiftui / that: "
                    f"x{ratio:.2f}",
                    flush=True,
                )
            if not args.no_cap:
                cap = parse_rate(args.cap, option="--cap")
                print(measure_cap(cap, args.cap_seconds, args.threads, work, env), flush=True)
            print(f"load average at the end: {os.getloadavg()}", flush=True)
    return 0


def measure_cap(cap: int, seconds: int, threads: int, work: Path, env: dict[str, str]) -> str:
    """Download ``seconds`` worth of data at ``--limit-rate cap``; the rate the download
    itself reports (its ``done:`` line: bytes fetched over its elapsed time, start-up
    excluded) and the wall-clock one, against the cap."""
    source = work / "capped.bin"
    size = cap * seconds
    generate(source, size)
    subprocess.run(
        [sys.executable, "-m", "swiftui", "upload", CONTAINER, str(source),
         "--segment-size", str(64 * MIB)],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    output = work / "capped-out.bin"
    command = [
        sys.executable, "-m", "swiftui", "download", CONTAINER, source.name,
        "-o", str(output), "--threads", str(threads), "--limit-rate", f"{cap}B/s",
    ]  # fmt: skip
    log = work / "capped.log"
    run = measure(command, env, log, None)
    assert file_digests(output) == file_digests(source), "the capped download differs"
    elapsed = float(re.findall(r"done: .* fetched .* in ([0-9.]+) s", log.read_text())[-1])
    achieved = size / elapsed
    return (
        f"cap {cap / MIB:.1f} MiB/s over {size / GIB:.2f} GiB, {threads} threads: the download "
        f"reports {achieved / MIB:.2f} MiB/s in {elapsed:.1f} s "
        f"({100 * (achieved / cap - 1):+.1f}% of the cap); wall {run.wall_s:.1f} s with "
        f"start-up, {run.cpu_s:.1f} CPU s, {run.peak_rss / MIB:.0f} MiB"
    )


@pytest.mark.benchmark
def test_download_benchmark(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "--runs", "3"]) == 0


if __name__ == "__main__":
    raise SystemExit(main())
