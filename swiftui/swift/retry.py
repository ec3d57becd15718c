"""How hard a Swift request tries again: attempts, backoff with jitter, ``Retry-After``.

Uploads run for hours and ride out minutes of trouble (:class:`RetryPolicy` defaults);
browsing and deleting have someone waiting, so they give up after a few seconds
(:data:`INTERACTIVE_RETRY`). Both follow the same rules: which statuses may pass, how
long to wait, and what the server asks for.
"""

from __future__ import annotations

import email.utils
import http.client
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` in all, waits doubling from ``first_delay_s``."""

    attempts: int = 8
    first_delay_s: float = 1.0
    max_delay_s: float = 60.0
    max_retry_after_s: float = 600.0
    """A ``Retry-After`` longer than this is shortened to it."""

    def backoff(self, failed_attempts: int) -> float:
        """1, 2, 4 ... seconds, capped, with jitter so threads do not retry in step."""
        delay = min(self.max_delay_s, self.first_delay_s * 2.0 ** (failed_attempts - 1))
        return delay * random.uniform(0.8, 1.2)


INTERACTIVE_RETRY = RetryPolicy(
    attempts=4, first_delay_s=1.0, max_delay_s=4.0, max_retry_after_s=30
)
"""Browsing, planning and deleting: attempts after about 1, 2 and 4 s, then the error."""

SINGLE_ATTEMPT = RetryPolicy(attempts=1)
"""A request whose failure the caller handles better than a retry would (a bulk delete
falls back to one DELETE per object). A refused token is still renewed once."""


@dataclass(frozen=True)
class RetryNotice:
    """A request is about to be sent again: what, which attempt, why, and after how long."""

    what: str
    attempt: int
    """The attempt about to start (2 for the first retry)."""
    reason: str
    delay_s: float


RetryCallback = Callable[[RetryNotice], None]


def is_retryable_status(status: int) -> bool:
    """Timeouts, rate limits (429, Swift's 498) and server errors that may go away."""
    if status in (408, 429, 498):
        return True
    return 500 <= status < 600 and status not in (501, 505, 507)


def retry_after_seconds(response: requests.Response, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds (delta or HTTP date), or None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# The cause of a connection failure in a few words, most specific first: a retry line
# says what happened, not the ~450 characters of urllib3 text with the URL twice.
_CONNECTION_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (BrokenPipeError, "connection closed while sending"),
    (http.client.RemoteDisconnected, "connection closed by the server"),
    (socket.gaierror, "host name not found"),
    (TimeoutError, "timed out"),
)


# keystoneauth's words: "Unable to establish connection to URL: ..." / "Request to URL timed out".
_FAILED_URL = re.compile(r"(?:connection to|Request to) \w+://([^/\s:]+(?::\d+)?)")


def connection_failure(error: BaseException) -> str:
    """``connection refused (127.0.0.1:8080)``, ``connection reset``, ``timed out``...:
    what broke a connection (and to which host, when known), read from the chain of
    exceptions keystoneauth, requests and urllib3 wrap it in."""
    host = _FAILED_URL.search(str(error))
    where = f" ({host.group(1)})" if host else ""
    return _failure_kind(error) + where


def _failure_kind(error: BaseException) -> str:
    seen: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        for kind, words in _CONNECTION_FAILURES:
            if isinstance(current, kind):
                return words
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += list(current.args)
        pending += [item for item in linked if isinstance(item, BaseException)]
    if "timed out" in str(error):
        return "timed out"
    return f"connection failed ({type(error).__name__})"
