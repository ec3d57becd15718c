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


def register(subparsers: argparse._SubParsersAction) -> None:
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
        type=int,
        default=3600,
        metavar="SECONDS",
        help="Keystone token lifetime (default: 3600; lower it to watch re-authentication)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from swiftui.sandbox import REGIONS, Sandbox

    directory = (args.dir or sandbox_default_dir()).expanduser()
    sandbox = Sandbox(
        directory,
        token_lifetime_s=args.token_lifetime,
        log=lambda message: print(message, flush=True),
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    started = time.monotonic()
    try:
        sandbox.start()
        elapsed = time.monotonic() - started
        openrc = shlex.quote(str(sandbox.openrc_path))
        print(
            f"sandbox ready in {elapsed:.1f} s: Keystone {sandbox.auth_url} and Swift regions "
            f"{', '.join(REGIONS)} on 127.0.0.1\n"
            f"  openrc.sh    {sandbox.openrc_path}\n"
            f"  clouds.yaml  {sandbox.clouds_yaml_path} (cloud 'sandbox')\n"
            f"  user         {sandbox.username}\n"
            f"  password     {sandbox.password}\n"
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
