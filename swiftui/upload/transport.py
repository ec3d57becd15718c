"""Swift requests that survive hours of upload: retries, backoff, ``Retry-After``, re-auth.

Every request goes through the region's openstacksdk proxy, so all threads share one
keystoneauth session and one token; keystoneauth renews the token before it expires. A
401 (token revoked, or expired early) invalidates that token once for every thread and
the request is sent again with a new one.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keystoneauth1 import exceptions as ks_exceptions

from swiftui.errors import AuthError, SwiftError
from swiftui.swift import describe_failure
from swiftui.upload.source import Aborted

if TYPE_CHECKING:
    import requests

    from swiftui.swift import SwiftService

# (connect, read) seconds. A segment's reply can wait for the object servers to fsync
# it; a manifest with heartbeat=on gets whitespace every few seconds.
DATA_TIMEOUT = (15.0, 300.0)
REQUEST_TIMEOUT = (15.0, 120.0)

OK_STATUSES = (200, 201, 202, 204)

RetryCallback = Callable[[int, str, float], None]
"""Called with (next attempt, reason, delay in seconds) before each retry."""

ResponseCheck = Callable[["requests.Response"], "str | None"]
"""Looks at a response with an ``ok`` status; a string is a reason to send the request
again; raising :class:`TokenRefused` treats it like a 401."""


class TokenRefused(Exception):
    """A response that is not a 401 but says the token was refused (an SLO manifest's
    segment checks answer 401 inside a 400)."""


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
        delay = min(self.max_delay_s, self.first_delay_s * 2 ** (failed_attempts - 1))
        return delay * random.uniform(0.8, 1.2)


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


class Transport:
    """Retrying requests relative to the account URL of one :class:`SwiftService`."""

    def __init__(self, service: SwiftService, policy: RetryPolicy, abort: threading.Event):
        self.service = service
        self.policy = policy
        self.abort = abort
        self._auth_lock = threading.Lock()
        self._auth_generation = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        on_retry: RetryCallback,
        ok: tuple[int, ...] = OK_STATUSES,
        check: ResponseCheck | None = None,
        timeout: tuple[float, float] = REQUEST_TIMEOUT,
        **kwargs: Any,
    ) -> requests.Response:
        """Send until a status in ``ok`` passes ``check``; raise SwiftError / AuthError if not.

        Raises :class:`Aborted` as soon as the abort event is set (between attempts, and
        between body blocks for a streamed body).
        """
        attempt = 1
        reauthenticated = False
        while True:
            if self.abort.is_set():
                raise Aborted
            generation = self._auth_generation
            try:
                response = self.service.proxy.request(
                    path,
                    method,
                    raise_exc=False,
                    allow_reauth=False,
                    timeout=timeout,
                    **kwargs,
                )
            except ks_exceptions.SSLError as error:
                raise SwiftError(f"{what}: {method} failed: {error}") from None
            except ks_exceptions.ConnectionError as error:
                reason = f"connection failed: {_first_line(error)}"
                delay = self.policy.backoff(attempt)
            except ks_exceptions.HttpError as error:
                # Renewing the token: Keystone (or the load balancer in front of it) may
                # answer 503 for a while; only a final answer (401, 403...) stops us.
                if not is_retryable_status(error.http_status or 0):
                    raise AuthError(f"{what}: cannot authenticate: {_first_line(error)}") from None
                reason = f"authentication answered {error.http_status}: {_first_line(error)}"
                delay = self.policy.backoff(attempt)
            except ks_exceptions.ClientException as error:
                raise AuthError(f"{what}: cannot authenticate: {_first_line(error)}") from None
            else:
                status = response.status_code
                try:
                    problem = check(response) if check and status in ok else None
                except TokenRefused:
                    status = 401
                if status == 401 and not reauthenticated:
                    self._invalidate_token(generation)
                    reauthenticated = True
                    reason, delay = "token refused (401): authenticating again", 0.0
                elif status == 401:
                    raise AuthError(
                        describe_failure(response, what, method) + ", even with a new token"
                    )
                elif status in ok:
                    if problem is None:
                        return response
                    reason, delay = problem, self.policy.backoff(attempt)
                elif is_retryable_status(status):
                    reason = f"{status} {response.reason or ''}".strip()
                    waited = retry_after_seconds(response)
                    if waited is None:
                        delay = self.policy.backoff(attempt)
                    else:
                        delay = min(waited, self.policy.max_retry_after_s)
                        reason += f", Retry-After {waited:.0f} s"
                else:
                    raise SwiftError(describe_failure(response, what, method))
            if attempt >= self.policy.attempts:
                raise SwiftError(f"{what}: {method} failed {attempt} times; last: {reason}")
            attempt += 1
            on_retry(attempt, reason, delay)
            if self.abort.wait(delay):
                raise Aborted

    def _invalidate_token(self, generation: int) -> None:
        """Drop the shared token once, however many threads saw it refused at the same time."""
        with self._auth_lock:
            if generation == self._auth_generation:
                self.service.proxy.invalidate()
                self._auth_generation += 1


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
