"""Benchmark: ``swiftui upload`` against ``swift upload`` (python-swiftclient) on a sandbox.

Both tools upload the same generated file as an SLO with the same segment size and the
same number of segment threads, in alternating runs (the order flips every round), each
as its own process; ``swiftui-nosha`` is swiftui with ``--no-sha256``, to show what the
whole-file SHA-256 costs, and ``swiftui-pipe`` reads the same bytes from a pipe
(``cat FILE | swiftui upload C -``), spooling its segments. Reported per tool: medians of
wall time, MB/s, client CPU seconds (user + system of the process, from ``wait4``) and
peak RSS; then swiftui / swift ratios, the SHA-256's cost and pipe / file. On a 2-core
machine the client shares the CPU with the Swift servers, so client CPU per GiB matters
as much as wall time. Last, ``--limit-rate`` is held for ``--cap-seconds`` and the rate
achieved is compared with the cap.

By hand:  python tests/benchmark_upload.py [--size 2GiB] [--segment-size 256MiB]
          [--threads 3] [--runs 3] [--only swiftui,swift] [--cap 20MiB]
          [--cap-seconds 60] [--no-cap]
With pytest: python -m pytest tests/benchmark_upload.py -m benchmark -s
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import astuple, dataclass
from pathlib import Path

import pytest
import swiftclient

from swiftui.sandbox import Sandbox
from swiftui.units import GIB, MIB, parse_rate, parse_size
from swiftui.upload import DEFAULT_THREADS

CONTAINER = "bench"
TOOLS = ("swiftui", "swiftui-nosha", "swiftui-pipe", "swift")


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_rss: int


def generate(path: Path, size: int) -> None:
    """Random bytes: Swift stores them as they are, no tool gets an easy ride."""
    with path.open("wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, 8 * MIB))
            handle.write(block)
            left -= len(block)


# Linux folds the RSS a process had before exec into its ru_maxrss, and a child forked
# from this (large) process starts with our RSS: so a bare interpreter (python -S, about
# 9 MiB) forks and execs the tool, and reports the tool's own rusage from wait4.
RUSAGE_LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss * 1024], out)
"""


def measure(command: list[str], env: dict[str, str], log: Path, pipe_from: Path | None) -> Run:
    """Run ``command`` to its end: wall time here, its CPU time and peak RSS from wait4.

    With ``pipe_from``, its standard input is a pipe that ``cat`` fills with that file
    (cat's own work is not counted)."""
    usage_path = log.with_suffix(".rusage")
    with log.open("wb") as output:
        started = time.perf_counter()
        cat = (
            subprocess.Popen(["cat", str(pipe_from)], stdout=subprocess.PIPE) if pipe_from else None
        )
        subprocess.run(
            [sys.executable, "-S", "-c", RUSAGE_LAUNCHER, str(usage_path), *command],
            env=env,
            stdin=cat.stdout if cat else subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
        wall = time.perf_counter() - started
        if cat is not None:
            assert cat.stdout is not None
            cat.stdout.close()
            cat.wait()
    code, cpu, rss = json.loads(usage_path.read_text())
    if code != 0:
        raise SystemExit(f"{command[:4]} failed ({code}): see {log}")
    return Run(wall, cpu, rss)


def median_run(measured: list[Run]) -> Run:
    """The medians of some runs' wall time, CPU time and peak RSS, each on its own."""
    return Run(
        statistics.median(run.wall_s for run in measured),
        statistics.median(run.cpu_s for run in measured),
        int(statistics.median(run.peak_rss for run in measured)),
    )


def runs_line(measured: list[Run]) -> str:
    """Every run of a tool, for the report: ``runs: 12.3 s/5.6 cpu/44 MiB, ...``."""
    return "         runs: " + ", ".join(
        f"{run.wall_s:.1f} s/{run.cpu_s:.1f} cpu/{run.peak_rss / MIB:.0f} MiB" for run in measured
    )


def command_for(
    tool: str, path: Path, name: str, segment_size: int, threads: int, *extra: str
) -> list[str]:
    if tool.startswith("swiftui"):
        return [
            sys.executable, "-m", "swiftui", "upload", CONTAINER,
            "-" if tool == "swiftui-pipe" else str(path),
            "--object-name", name, "--segment-size", str(segment_size),
            "--threads", str(threads),
            *(["--no-sha256"] if tool == "swiftui-nosha" else []),
            *(["--spool-dir", str(path.parent / "spool")] if tool == "swiftui-pipe" else []),
            *extra,
        ]  # fmt: skip
    swift = shutil.which("swift", path=str(Path(sys.executable).parent)) or "swift"
    return [
        swift, "upload", "--use-slo", "--segment-size", str(segment_size),
        "--segment-threads", str(threads), "--object-name", name, CONTAINER, str(path),
    ]  # fmt: skip


def connection(sandbox: Sandbox) -> swiftclient.Connection:
    return swiftclient.Connection(
        authurl=sandbox.auth_url,
        user=sandbox.username,
        key=sandbox.password,
        auth_version="3",
        os_options={
            "project_name": sandbox.project_name,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "GRA",
        },
    )


def report(
    size: int,
    segment_size: int,
    threads: int,
    runs: dict[str, list[Run]],
    startup: dict[str, float],
) -> str:
    """Medians per tool; ``CPU s/GiB`` is the whole run's, ``net`` leaves out the CPU the
    tool spends on a 1 MiB upload (interpreter start, imports, authentication)."""
    lines = [
        f"file {size / GIB:.1f} GiB, segments {segment_size / MIB:.0f} MiB, "
        f"threads {threads}, {len(next(iter(runs.values())))} runs per tool (medians)",
        f"{'tool':<13} {'wall s':>8} {'MB/s':>8} {'CPU s':>8} {'CPU s/GiB':>10} "
        f"{'start CPU':>10} {'net s/GiB':>10} {'RSS MiB':>8}",
    ]
    medians = {}
    gib = size / GIB
    for tool, measured in runs.items():
        wall, cpu, rss = medians[tool] = astuple(median_run(measured))
        lines.append(
            f"{tool:<13} {wall:8.2f} {size / wall / 1e6:8.1f} {cpu:8.2f} {cpu / gib:10.2f} "
            f"{startup[tool]:10.2f} {(cpu - startup[tool]) / gib:10.2f} {rss / MIB:8.1f}"
        )
        lines.append(runs_line(measured))
    if "swiftui" in medians and "swiftui-nosha" in medians:
        (ui_wall, ui_cpu, _), (no_wall, no_cpu, _) = medians["swiftui"], medians["swiftui-nosha"]
        lines.append(
            f"SHA-256 cost: {(ui_cpu - no_cpu) / gib:+.2f} CPU s/GiB, wall "
            f"x{ui_wall / no_wall:.2f} ({ui_wall - no_wall:+.2f} s)"
        )
    if "swiftui" in medians and "swiftui-pipe" in medians:
        (ui_wall, ui_cpu, ui_rss), (pipe_wall, pipe_cpu, pipe_rss) = (
            medians["swiftui"],
            medians["swiftui-pipe"],
        )
        lines.append(
            f"pipe / file: throughput x{ui_wall / pipe_wall:.2f}, client CPU "
            f"x{pipe_cpu / ui_cpu:.2f}, peak RSS {pipe_rss / MIB:.0f} MiB vs "
            f"{ui_rss / MIB:.0f} MiB"
        )
    if "swiftui" in medians and "swift" in medians:
        (ui_wall, ui_cpu, ui_rss), (sw_wall, sw_cpu, sw_rss) = medians["swiftui"], medians["swift"]
        lines.append(
            f"swiftui / swift: throughput x{sw_wall / ui_wall:.2f}, client CPU "
            f"x{ui_cpu / sw_cpu:.2f} (net of start-up x"
            f"{(ui_cpu - startup['swiftui']) / (sw_cpu - startup['swift']):.2f}), "
            f"peak RSS x{ui_rss / sw_rss:.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2GiB", help="generated file size (default 2GiB)")
    parser.add_argument("--segment-size", default="256MiB", help="both tools (default 256MiB)")
    parser.add_argument(
        "--threads",
        default=str(DEFAULT_THREADS),
        help=f"segment threads for both tools; a list like 1,2,4 runs each (default "
        f"{DEFAULT_THREADS})",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    parser.add_argument(
        "--only", help=f"comma-separated tools to measure (default: all of {', '.join(TOOLS)})"
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
    tools = tuple(args.only.split(",")) if args.only else TOOLS
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"--only: unknown tool(s) {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="swiftui-bench-", dir=args.dir) as work_dir:
        work = Path(work_dir)
        path = work / "bench.bin"
        print(f"generating {size / GIB:.1f} GiB in {path}", flush=True)
        generate(path, size)
        with Sandbox(work / "sandbox") as sandbox:
            env = {
                **os.environ,
                **sandbox.environ(),
                "XDG_STATE_HOME": str(work / "state"),
                "PYTHONWARNINGS": "ignore",
            }
            swift = connection(sandbox)
            swift.put_container(CONTAINER)
            small = work / "small.bin"
            generate(small, MIB)
            startup = {}
            for tool in tools:
                small_runs = [
                    measure(
                        command_for(tool, small, f"{tool}-small-{number}", segment_size, 1),
                        env,
                        work / f"{tool}-small-{number}.log",
                        small if tool == "swiftui-pipe" else None,
                    )
                    for number in range(3)
                ]
                startup[tool] = statistics.median(run.cpu_s for run in small_runs)
                print(f"  {tool} start-up (1 MiB upload): {startup[tool]:.2f} CPU s", flush=True)
            thread_counts = [int(value) for value in args.threads.split(",")]
            runs = {(threads, tool): [] for threads in thread_counts for tool in tools}
            # Rounds outermost, so a burst of load elsewhere on the machine hits every
            # setting alike; the tool order flips every round.
            for number in range(args.runs):
                order = tools if number % 2 == 0 else tuple(reversed(tools))
                for threads in thread_counts:
                    for tool in order:
                        name = f"{tool}-{threads}-{number}"
                        command = command_for(tool, path, name, segment_size, threads)
                        pipe_from = path if tool == "swiftui-pipe" else None
                        run = measure(command, env, work / f"{name}.log", pipe_from)
                        stored = swift.head_object(CONTAINER, name)
                        assert int(stored["content-length"]) == size, stored
                        swift.delete_object(
                            CONTAINER, name, query_string="multipart-manifest=delete"
                        )
                        runs[threads, tool].append(run)
                        print(
                            f"  {name}: {run.wall_s:.2f} s, {run.cpu_s:.2f} CPU s, "
                            f"{run.peak_rss / MIB:.0f} MiB",
                            flush=True,
                        )
            for threads in thread_counts:
                by_tool = {tool: runs[threads, tool] for tool in tools}
                print(report(size, segment_size, threads, by_tool, startup), flush=True)
            if not args.no_cap:
                cap = parse_rate(args.cap, option="--cap")
                print(measure_cap(cap, args.cap_seconds, work, env), flush=True)
    return 0


def measure_cap(cap: int, seconds: int, work: Path, env: dict[str, str]) -> str:
    """Upload ``seconds`` worth of data at ``--limit-rate cap``; the rate the upload itself
    reports (its ``done:`` line: bytes sent over its elapsed time, start-up excluded) and
    the wall-clock one, against the cap."""
    path = work / "capped.bin"
    size = cap * seconds
    generate(path, size)
    command = command_for("swiftui", path, "capped", 64 * MIB, DEFAULT_THREADS)
    command += ["--limit-rate", f"{cap}B/s"]
    log = work / "capped.log"
    run = measure(command, env, log, None)
    elapsed = float(re.findall(r"done: .* in ([0-9.]+) s", log.read_text())[-1])
    achieved = size / elapsed
    return (
        f"cap {cap / MIB:.1f} MiB/s over {size / GIB:.2f} GiB: the upload reports "
        f"{achieved / MIB:.2f} MiB/s in {elapsed:.1f} s ({100 * (achieved / cap - 1):+.1f}% "
        f"of the cap); wall {run.wall_s:.1f} s with start-up, {run.cpu_s:.1f} CPU s, "
        f"{run.peak_rss / MIB:.0f} MiB"
    )


@pytest.mark.benchmark
def test_upload_benchmark(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "--runs", "3"]) == 0


if __name__ == "__main__":
    raise SystemExit(main())
