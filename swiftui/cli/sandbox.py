"""``swiftui sandbox``: run a real Keystone + Swift on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time
from pathlib import Path

from swiftui.paths import sandbox_default_dir
from swiftui.units import format_eta, parse_duration


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local Keystone and two Swift regions (GRA, SBG) to try swiftui on",
        description="Build once, then run a real Keystone (SQLite) and two real Swift "
        "clusters on 127.0.0.1. Writes an OVH-shaped openrc.sh and a clouds.yaml into DIR. "
        "Runs until Ctrl-C or SIGTERM, then stops every process it started.",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"where the sandbox lives (default: {sandbox_default_dir()})",
    )
    parser.add_argument(
        "--token-lifetime",
        default="1h",
        metavar="DURATION",
        help="Keystone token lifetime (default: 1h; lower it, e.g. 2m, to watch re-authentication)",
    )
    parser.add_argument(
        "--unseal-delay",
        default="1m",
        metavar="DURATION",
        help="Cloud Archive emulation on the PCA policy: time from the first GET of a sealed "
        "object to readable (default: 1m; OVHcloud: hours)",
    )
    parser.add_argument(
        "--unseal-window",
        default="24h",
        metavar="DURATION",
        help="how long an unsealed object stays readable before it is sealed again "
        "(default: 24h, as on OVHcloud)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from swiftui.sandbox import REGIONS, Sandbox

    directory = (args.dir or sandbox_default_dir()).expanduser()
    token_lifetime_s = parse_duration(args.token_lifetime, option="--token-lifetime")
    delay_s = parse_duration(args.unseal_delay, option="--unseal-delay")
    window_s = parse_duration(args.unseal_window, option="--unseal-window")
    sandbox = Sandbox(
        directory,
        token_lifetime_s=token_lifetime_s,
        unseal_delay_s=delay_s,
        unseal_window_s=window_s,
        log=lambda message: print(message, flush=True),
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    started = time.monotonic()
    sandbox.start()  # refused (a sandbox already runs here, a port is taken): nothing to stop
    try:
        elapsed = time.monotonic() - started
        openrc = shlex.quote(str(sandbox.openrc_path))
        print(
            f"sandbox ready in {elapsed:.1f} s: Keystone {sandbox.auth_url} and Swift regions "
            f"{', '.join(REGIONS)} on 127.0.0.1\n"
            f"  openrc.sh    {sandbox.openrc_path}\n"
            f"  clouds.yaml  {sandbox.clouds_yaml_path} (cloud 'sandbox')\n"
            f"  user         {sandbox.username}\n"
            f"  password     {sandbox.password}\n"
            f"  PCA policy   emulates Cloud Archive: a GET unseals in {format_eta(delay_s)}, "
            f"readable for {format_eta(window_s)}\n"
            f"Open the TUI on it from another terminal (it asks for the password):\n"
            f"  swiftui --openrc {openrc}\n"
            f"Press Ctrl-C to stop the sandbox.",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        print("sandbox stopped", file=sys.stderr, flush=True)
    return 0
