"""The ``swiftui`` command: the TUI by default, headless subcommands for scripts and cron.

Every subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` (a function of the parsed arguments returning an exit code). Errors meant for
the user (:class:`~swiftui.errors.SwiftuiError`) become one line on stderr and their exit
code; Ctrl-C becomes exit code 130 with no traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from swiftui import __version__
from swiftui.cli import delete, download, inspect, job, regions, sandbox, upload
from swiftui.cli.common import add_auth_options, check_auth_options
from swiftui.cli.wording import error_event, error_line, error_message
from swiftui.errors import SwiftuiError

COMMANDS = (sandbox, regions, upload, download, inspect, delete, job)


class _Refused(SystemExit):
    """argparse refused the command line: exit 2, with the message for a JSON event."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse, but with our exit code for bad options (2) and a one-line message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self._print_message(f"{self.prog}: error: {message}\n", sys.stderr)
        raise _Refused(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="swiftui",
        description="Segmented, resumable uploads of large files to OpenStack Swift "
        "(OVHcloud Object Storage, Cloud Archive). With no command: the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"swiftui {__version__}")
    add_auth_options(parser)
    parser.set_defaults(handler=_run_tui)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _run_tui(args: argparse.Namespace) -> int:
    from swiftui.tui.app import run_tui

    return run_tui(args)


def _configure_logging(for_tui: bool) -> None:
    """Our warnings as one line on stderr; library chatter (keystoneauth's version
    discovery, openstacksdk) stays out of the user's terminal and of cron mails."""
    for noisy in ("keystoneauth", "keystoneauth1", "openstack", "stevedore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    if not for_tui:
        logging.basicConfig(level=logging.WARNING, format="swiftui: warning: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. With ``--json``, a failure also ends the output with an ``error``
    event (the command's own, or this one for what fails before or around it)."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except _Refused as refused:
        if "--json" in words:
            print(error_event(refused.message, 2), flush=True)
        raise
    _configure_logging(for_tui=args.handler is _run_tui)
    as_json = bool(getattr(args, "json", False))
    try:
        check_auth_options(args)
        return int(args.handler(args) or 0)
    except SwiftuiError as error:
        print(error_line(error), file=sys.stderr)
        if as_json:
            print(error_event(error_message(error), error.exit_code), flush=True)
        return error.exit_code
    except KeyboardInterrupt:
        print("swiftui: interrupted", file=sys.stderr)
        if as_json:
            print(error_event("interrupted", 130), flush=True)
        return 130
