"""Auth options shared by every command, and turning them into a connected cloud."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from swiftui.cloud import Cloud, RegionNotInCatalog, connect
from swiftui.credentials import Credentials, load_credentials, terminal_password_prompt
from swiftui.errors import NotConfirmedError, UsageError


def add_auth_options(parser: argparse.ArgumentParser) -> None:
    """The same auth options on the main parser and on every subcommand."""
    group = parser.add_argument_group("authentication")
    group.add_argument(
        "--openrc",
        metavar="FILE",
        type=Path,
        default=argparse.SUPPRESS,
        help="openrc.sh from your provider (read, never executed)",
    )
    group.add_argument(
        "--os-cloud",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="cloud from clouds.yaml (default: $OS_CLOUD)",
    )
    group.add_argument(
        "--region",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="object-store region (default: OS_REGION_NAME, else the catalog's first)",
    )
    group.add_argument(
        "--insecure",
        action="store_true",
        default=argparse.SUPPRESS,
        help="do not verify TLS certificates (only on a network you trust)",
    )


def auth_option(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    return getattr(args, name, default)


def check_auth_options(args: argparse.Namespace) -> None:
    """Refuse two named sources of credentials rather than silently prefer one."""
    if auth_option(args, "openrc") is not None and auth_option(args, "os_cloud"):
        raise UsageError(
            "--openrc and --os-cloud both name credentials: pass one of them, not both"
        )


def load_args_credentials(args: argparse.Namespace) -> Credentials:
    """Credentials from --openrc / --os-cloud / OS_* variables; warnings go to stderr."""
    credentials = load_credentials(
        openrc=auth_option(args, "openrc"),
        cloud=auth_option(args, "os_cloud"),
        environ=os.environ,
        ask_password=terminal_password_prompt,
    )
    for warning in credentials.warnings:
        print(f"swiftui: warning: {warning}", file=sys.stderr)
    return credentials


def connect_args(args: argparse.Namespace) -> tuple[Cloud, str]:
    """Authenticate and pick the region (``--region`` beats the credentials' own, and a
    compute region such as GRA7 from the credentials stands for GRA, with a warning)."""
    cloud = connect(load_args_credentials(args), insecure=bool(auth_option(args, "insecure")))
    region_option = auth_option(args, "region")
    try:
        choice = cloud.choose_region(str(region_option) if region_option else None)
    except RegionNotInCatalog as error:
        cloud.close()
        if error.origin:
            raise UsageError(f"{error}; pass --region NAME") from None
        raise
    if choice.notice:
        print(f"swiftui: warning: {choice.notice}", file=sys.stderr)
    return cloud, choice.name


@contextlib.contextmanager
def stop_on_signals(cancel: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask the engine to stop cleanly; a second Ctrl-C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if cancel.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        cancel.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def confirm(
    question: str, *, yes: bool, nothing_done: str = "nothing deleted", action: str = "delete"
) -> None:
    """Go on with ``--yes`` or a "y" typed on a terminal; otherwise ``nothing_done`` (exit 6)."""
    if yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise NotConfirmedError(
            f"{nothing_done}: no terminal to confirm on; pass --yes to {action} without asking"
        )
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise NotConfirmedError(f"{nothing_done}: not confirmed")
