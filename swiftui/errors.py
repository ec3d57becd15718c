"""Errors that reach the user as one clear line and a documented exit code.

Every layer raises a subclass of :class:`SwiftuiError`; the CLI prints ``str(error)`` and
exits with ``error.exit_code``; the TUI shows the same text. Messages never contain a
password or a token.
"""

from __future__ import annotations


class SwiftuiError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1


class UsageError(SwiftuiError):
    """Bad input: an option, a size, a duration, a local file, a name."""

    exit_code = 2


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


class OperationCancelled(SwiftuiError):
    """The user stopped an operation; what was done is kept and can be resumed."""

    exit_code = 130
