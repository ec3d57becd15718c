"""Errors that reach the user as one clear line and a documented exit code.

Every layer raises a subclass of :class:`SwiftuiError`; the CLI prints ``str(error)`` and
exits with ``error.exit_code``; the TUI shows the same text. Messages never contain a
password or a token.
"""

from __future__ import annotations

from collections.abc import Callable

FieldNames = Callable[[str], str]
"""Names a form field (``segment_size``) the way its reader knows it: a CLI flag, a label."""


def plain_field_name(field: str) -> str:
    """``segment size`` for ``segment_size``: the wording when no front end chose one."""
    return field.replace("_", " ")


class SwiftuiError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1


class UsageError(SwiftuiError):
    """Bad input: an option, a size, a duration, a local file, a name.

    The core names the field it refuses, not a CLI option: ``message`` may be a function of
    a :data:`FieldNames`, and each front end words it with :meth:`worded` (the CLI with its
    flags, the TUI with its labels). ``str()`` uses :func:`plain_field_name`.
    """

    exit_code = 2

    def __init__(
        self, message: str | Callable[[FieldNames], str], *, field: str | None = None
    ) -> None:
        self._message = message
        self.field = field
        """The field at fault (``segment_size``, ``threads``...), when it is one."""
        super().__init__(self.worded(plain_field_name))

    def worded(self, names: FieldNames) -> str:
        """The message with each field called what ``names`` calls it."""
        return self._message(names) if callable(self._message) else self._message


class CredentialsError(SwiftuiError):
    """Credentials could not be read: openrc, clouds.yaml or environment."""

    exit_code = 3


class AuthError(SwiftuiError):
    """Keystone refused us or could not be reached (password, URL, TLS, region)."""

    exit_code = 4


class SwiftError(SwiftuiError):
    """Swift refused or failed an operation after retries."""

    exit_code = 5


class NotConfirmedError(SwiftuiError):
    """A deletion needed a confirmation that was not given (no terminal, no --yes)."""

    exit_code = 6


class NotReadyError(SwiftuiError):
    """Cloud Archive objects are unsealing: the message says when they will be readable."""

    exit_code = 8


class IntegrityError(SwiftuiError):
    """Data that does not match its checksums: a segment's md5, an SLO's etag, a SHA-256."""

    exit_code = 9


class AlreadyRunning(SwiftuiError):
    """Another process holds the lock of this upload, download or job."""

    exit_code = 10


class CommandFailed(SwiftuiError):
    """A job's command could not start, or exited with a non-zero status: its output is
    not kept as an archive."""

    exit_code = 11


class OperationCancelled(SwiftuiError):
    """The user stopped an operation; what was done is kept and can be resumed."""

    exit_code = 130


class Aborted(OperationCancelled):
    """A request gave up because its cancel event was set (the user cancelled, or a sibling
    worker failed); the caller that owns the event decides what to tell."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
