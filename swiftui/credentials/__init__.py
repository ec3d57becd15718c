"""OpenStack credentials from an openrc file, a clouds.yaml cloud or ``OS_*`` variables.

Two rooms: a reader of the shell subset real openrc files use, which never runs anything
(:mod:`~swiftui.credentials.shell_lexer`, :mod:`~swiftui.credentials.shell_parser`,
:mod:`~swiftui.credentials.openrc`), and the resolution of the sources into one
:class:`Credentials` (:mod:`~swiftui.credentials.sources` reads each source,
:mod:`~swiftui.credentials.resolve` checks them and finds the secret).
"""

from __future__ import annotations

from swiftui.credentials.model import (
    APPLICATION_CREDENTIAL_AUTH,
    PASSWORD_AUTH,
    Credentials,
)
from swiftui.credentials.openrc import OpenrcFile, parse_openrc
from swiftui.credentials.resolve import load_credentials, terminal_password_prompt

__all__ = [
    "APPLICATION_CREDENTIAL_AUTH",
    "PASSWORD_AUTH",
    "Credentials",
    "OpenrcFile",
    "load_credentials",
    "parse_openrc",
    "terminal_password_prompt",
]
