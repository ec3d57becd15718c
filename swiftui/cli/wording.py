"""Core errors in the CLI's words: a field the core names is the option a user typed."""

from __future__ import annotations

from swiftui.errors import SwiftuiError, UsageError

_POSITIONAL = {"container": "CONTAINER"}


def flag(field: str) -> str:
    """``--segment-size`` for ``segment_size``; ``CONTAINER`` for the positional argument."""
    return _POSITIONAL.get(field, "--" + field.replace("_", "-"))


def error_line(error: SwiftuiError) -> str:
    """The one line on stderr: ``swiftui: <message>``, fields worded as options."""
    message = error.worded(flag) if isinstance(error, UsageError) else str(error)
    return f"swiftui: {message}"
