"""Core errors in the CLI's words: a field the core names is the option a user typed."""

from __future__ import annotations

import json

from swiftui.errors import SwiftuiError, UsageError

_POSITIONAL = {"container": "CONTAINER"}


def flag(field: str) -> str:
    """``--segment-size`` for ``segment_size``; ``CONTAINER`` for the positional argument."""
    return _POSITIONAL.get(field, "--" + field.replace("_", "-"))


def error_line(error: SwiftuiError) -> str:
    """The one line on stderr: ``swiftui: <message>``, fields worded as options."""
    return f"swiftui: {error_message(error)}"


def error_message(error: SwiftuiError) -> str:
    """The message of ``error``, fields worded as options, without the ``swiftui:`` prefix."""
    return error.worded(flag) if isinstance(error, UsageError) else str(error)


def error_event(message: str, exit_code: int) -> str:
    """The last line of a ``--json`` run that failed: ``{"event": "error", ...}``."""
    return json.dumps(
        {"event": "error", "message": message, "exit_code": exit_code}, separators=(",", ":")
    )
