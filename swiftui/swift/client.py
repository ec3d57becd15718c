"""The one Swift client: every request of every feature goes through :meth:`SwiftService.request`.

Requests go through the region's object-store proxy of openstacksdk (a keystoneauth
adapter: catalog endpoint, token, renewal), so every thread shares one session and one
token; keystoneauth renews the token before it expires. On top of it, one request path:

- retries on 5xx, 408, 429 and connection failures, with backoff and jitter, honouring
  ``Retry-After`` (:mod:`swiftui.swift.retry`), reported to an ``on_retry`` callback;
- a 401 (token revoked, or expired early) drops the token once for every thread of the
  region, and the request is sent again with a new one;
- a ``cancel`` event, checked before each attempt and while waiting to retry (a streamed
  body checks it between blocks), raises :class:`~swiftui.errors.Aborted`;
- timeouts on every request.

We build the Swift URLs ourselves where openstacksdk's resources hide what we need
(``multipart-manifest`` queries, listing pages, raw headers). :meth:`SwiftService.configured`
gives a view of the same region with another retry policy, cancel event or retry callback.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from keystoneauth1 import exceptions as ks_exceptions
from requests.structures import CaseInsensitiveDict

from swiftui.errors import Aborted, AuthError, SwiftError
from swiftui.swift.limits import SwiftLimits
from swiftui.swift.listing import LISTING_PAGE, ContainerInfo, ObjectEntry
from swiftui.swift.retry import (
    INTERACTIVE_RETRY,
    RetryCallback,
    RetryNotice,
    RetryPolicy,
    connection_failure,
    is_retryable_status,
    retry_after_seconds,
)
from swiftui.swift.seal import ObjectSealed, Retrieval, SealState, retrieval_from_headers
from swiftui.swift.slo import StoredManifest, is_slo, parse_manifest

if TYPE_CHECKING:
    import requests
    from openstack.connection import Connection

# (connect, read) seconds. A segment's reply can wait for the object servers to fsync
# it; a manifest with heartbeat=on gets whitespace every few seconds.
DATA_TIMEOUT = (15.0, 300.0)
REQUEST_TIMEOUT = (15.0, 120.0)

OK_STATUSES = (200, 201, 202, 204)

ResponseCheck = Callable[["requests.Response"], "str | None"]
"""Looks at a response with an ``ok`` status; a string is a reason to send the request
again; raising :class:`TokenRefused` treats it like a 401."""


class TokenRefused(Exception):
    """A response that is not a 401 but says the token was refused (an SLO manifest's
    segment checks answer 401 inside a 400)."""


def object_path(container: str, name: str = "") -> str:
    """URL path (relative to the account) of a container or object, percent-encoded."""
    path = quote(container, safe="")
    if name:
        path += "/" + quote(name, safe="/")
    return path


class _Region:
    """What every view of one region's service shares: the adapter, ``/info``, the token."""

    def __init__(self, connection: Connection) -> None:
        self.proxy = connection.object_store
        self.info: dict[str, Any] | None = None
        self.info_lock = threading.Lock()
        self.auth_lock = threading.Lock()
        self.auth_generation = 0

    def invalidate_token(self, generation: int) -> None:
        """Drop the shared token once, however many threads saw it refused at the same time."""
        with self.auth_lock:
            if generation == self.auth_generation:
                self.proxy.invalidate()
                self.auth_generation += 1


class SwiftService:
    """Object storage of one region. Safe to share between threads."""

    def __init__(
        self,
        connection: Connection,
        region: str,
        *,
        retry: RetryPolicy = INTERACTIVE_RETRY,
        cancel: threading.Event | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        self.region = region
        self._region = _Region(connection)
        self.retry = retry
        self.cancel = cancel
        self.on_retry = on_retry

    def configured(
        self,
        *,
        retry: RetryPolicy | None = None,
        cancel: threading.Event | None = None,
        on_retry: RetryCallback | None = None,
    ) -> SwiftService:
        """This region (same session, token and ``/info``) with other request defaults."""
        view = copy.copy(self)
        view.retry = retry or self.retry
        view.cancel = cancel or self.cancel
        view.on_retry = on_retry or self.on_retry
        return view

    @property
    def proxy(self) -> Any:
        """openstacksdk's object-store proxy (a keystoneauth adapter) of this region."""
        return self._region.proxy

    @property
    def storage_url(self) -> str:
        return str(self.proxy.get_endpoint()).rstrip("/")

    # -- the request path ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str | None = None,
        ok: tuple[int, ...] = OK_STATUSES,
        check: ResponseCheck | None = None,
        timeout: tuple[float, float] = REQUEST_TIMEOUT,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request relative to the account URL, sent until a status in ``ok`` passes
        ``check``; :class:`SwiftError` or :class:`AuthError` once it cannot succeed,
        :class:`Aborted` as soon as the cancel event is set."""
        what = what or path or "account"
        policy = retry or self.retry
        report = on_retry or self.on_retry
        attempt = 1
        reauthenticated = False
        while True:
            if self.cancel is not None and self.cancel.is_set():
                raise Aborted
            generation = self._region.auth_generation
            renew_token = False
            try:
                response: requests.Response = self.proxy.request(
                    path, method, raise_exc=False, allow_reauth=False, timeout=timeout, **kwargs
                )
            except ks_exceptions.SSLError as error:
                raise SwiftError(f"{what}: {method} failed: {error}") from None
            except ks_exceptions.ConnectionError as error:
                reason = connection_failure(error)
                delay = policy.backoff(attempt)
            except ks_exceptions.HttpError as error:
                # Renewing the token: Keystone (or the load balancer in front of it) may
                # answer 503 for a while; only a final answer (401, 403...) stops us.
                if not is_retryable_status(error.http_status or 0):
                    raise AuthError(f"{what}: cannot authenticate: {_first_line(error)}") from None
                reason = f"authentication answered {error.http_status}: {_first_line(error)}"
                delay = policy.backoff(attempt)
            except ks_exceptions.ClientException as error:
                raise AuthError(f"{what}: cannot authenticate: {_first_line(error)}") from None
            else:
                status = response.status_code
                try:
                    problem = check(response) if check and status in ok else None
                except TokenRefused:
                    status = 401
                if status == 401 and not reauthenticated:
                    self._region.invalidate_token(generation)
                    reauthenticated = renew_token = True
                    reason, delay = "token refused (401): authenticating again", 0.0
                elif status == 401:
                    raise AuthError(
                        describe_failure(response, what, method) + ", even with a new token"
                    )
                elif status in ok:
                    if problem is None:
                        return response
                    reason, delay = problem, policy.backoff(attempt)
                elif is_retryable_status(status):
                    reason = f"{status} {response.reason or ''}".strip()
                    waited = retry_after_seconds(response)
                    if waited is None:
                        delay = policy.backoff(attempt)
                    else:
                        delay = min(waited, policy.max_retry_after_s)
                        reason += f", Retry-After {waited:.0f} s"
                else:
                    raise SwiftError(describe_failure(response, what, method))
            # Renewing a refused token is not a failed attempt: it happens once at most.
            if attempt >= policy.attempts and not renew_token:
                raise SwiftError(f"{what}: {method} failed {attempt} times; last: {reason}")
            attempt += 1
            if report is not None:
                report(RetryNotice(what, attempt, reason, delay))
            self._pause(delay)

    def _pause(self, seconds: float) -> None:
        if self.cancel is None:
            time.sleep(seconds)
        elif self.cancel.wait(seconds):
            raise Aborted

    # -- the cluster -----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The cluster's ``GET /info`` (capabilities and limits), fetched once."""
        with self._region.info_lock:
            if self._region.info is None:
                parts = urlsplit(self.storage_url)
                root = urlunsplit((parts.scheme, parts.netloc, "/info", "", ""))
                response = self.request("GET", root, what="/info", authenticated=False)
                self._region.info = response.json()
            return self._region.info

    def limits(self) -> SwiftLimits:
        return SwiftLimits.from_info(self.info())

    # -- account and containers ------------------------------------------------------------

    def account_headers(self) -> CaseInsensitiveDict[str]:
        return CaseInsensitiveDict(self.request("HEAD", "", what="account").headers)

    def list_containers(
        self, *, marker: str = "", limit: int = LISTING_PAGE
    ) -> list[ContainerInfo]:
        page = self._page("", "account listing", {}, marker, limit, missing_ok=False)
        return [ContainerInfo.from_listing(item) for item in page or ()]

    def iter_containers(self) -> Iterator[ContainerInfo]:
        return _paged(lambda marker: self.list_containers(marker=marker))

    def container_headers(self, container: str) -> CaseInsensitiveDict[str] | None:
        """Headers of ``container``, or None if it does not exist."""
        return self._head(object_path(container), f"container {container!r}")

    def ensure_container(self, container: str, *, policy: str | None = None) -> str | None:
        """Create ``container`` if missing (with storage ``policy`` when given), keep it as
        it is if not; return the storage policy it has."""
        what = f"container {container!r}"
        headers = self.container_headers(container)
        if headers is None:
            asked = {"X-Storage-Policy": policy} if policy else {}
            self.request("PUT", object_path(container), headers=asked, what=what)
            headers = self._head(object_path(container), what, missing_ok=False)
        return headers.get("X-Storage-Policy") if headers is not None else None

    # -- objects ---------------------------------------------------------------------------

    def list_objects(
        self,
        container: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        marker: str = "",
        limit: int = LISTING_PAGE,
        missing_ok: bool = False,
        seal_states: bool = False,
    ) -> list[ObjectEntry]:
        """One listing page (at most ``limit`` entries after ``marker``); a missing
        container is a :class:`SwiftError`, or no entry with ``missing_ok``. With
        ``seal_states``, each entry carries Cloud Archive's seal state (``policy_extra``;
        other clusters ignore the parameter)."""
        params = {"prefix": prefix} if prefix else {}
        if delimiter:
            params["delimiter"] = delimiter
        if seal_states:
            params["policy_extra"] = "true"
        what = f"container {container!r}"
        page = self._page(object_path(container), what, params, marker, limit, missing_ok)
        return [ObjectEntry.from_listing(item) for item in page or ()]

    def iter_objects(
        self,
        container: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        missing_ok: bool = False,
        seal_states: bool = False,
    ) -> Iterator[ObjectEntry]:
        """Every entry under ``prefix``, page after page."""
        return _paged(
            lambda marker: self.list_objects(
                container,
                prefix=prefix,
                delimiter=delimiter,
                marker=marker,
                missing_ok=missing_ok,
                seal_states=seal_states,
            )
        )

    def object_headers(self, container: str, name: str) -> CaseInsensitiveDict[str] | None:
        """Headers of an object (for an SLO: of the whole), or None if it does not exist."""
        return self._head(object_path(container, name), f"{container}/{name}")

    def request_unseal(self, container: str, name: str) -> Retrieval:
        """Ask Cloud Archive to make ``container/name`` readable, without reading its data.

        A sealed or unsealing object gets the one ``GET`` that starts (or checks) its
        unsealing: its 429 is the expected answer, not a failure to retry, and its
        ``Retry-After`` is the time left. A readable object is left alone; no byte of data
        is read either way (the body of a 200 is never consumed).
        """
        what = f"{container}/{name}"
        path = object_path(container, name)
        head = self.request("HEAD", path, what=what)
        current = retrieval_from_headers(head.headers)
        if current.readable:
            return current
        response = self.request("GET", path, what=what, ok=(200, 206, 429), stream=True)
        try:
            if response.status_code != 429:
                return Retrieval(SealState.UNSEALED)
            waited = retry_after_seconds(response)
            return Retrieval(SealState.UNSEALING, current.delay_s if waited is None else waited)
        finally:
            response.close()

    def read_manifest(self, container: str, name: str) -> StoredManifest | None:
        """The stored manifest of the SLO ``container/name``; None if the object is gone,
        :class:`SwiftError` if it is not an SLO, :class:`ObjectSealed` at once (no retry) if
        the GET answers 429: Cloud Archive's answer for a sealed manifest, for hours."""
        what = f"{container}/{name}"
        response = self.request(
            "GET",
            object_path(container, name),
            params={"multipart-manifest": "get"},
            ok=(200, 404, 429),
            what=what,
        )
        if response.status_code == 404:
            return None
        if response.status_code == 429:
            waited = retry_after_seconds(response)
            raise ObjectSealed(what, Retrieval(SealState.UNSEALING, waited))
        if not is_slo(response.headers):
            raise SwiftError(f"{container}/{name} is not a static large object (SLO)")
        return StoredManifest(tuple(parse_manifest(response.content)), len(response.content))

    # -- shared steps ----------------------------------------------------------------------

    def _head(
        self, path: str, what: str, *, missing_ok: bool = True
    ) -> CaseInsensitiveDict[str] | None:
        ok = (200, 204, 404) if missing_ok else (200, 204)
        response = self.request("HEAD", path, ok=ok, what=what)
        return None if response.status_code == 404 else CaseInsensitiveDict(response.headers)

    def _page(
        self,
        path: str,
        what: str,
        params: dict[str, str],
        marker: str,
        limit: int,
        missing_ok: bool,
    ) -> list[dict[str, Any]] | None:
        """One JSON listing page; None when the container is missing and ``missing_ok``."""
        query = {"format": "json", "limit": str(limit), **params}
        if marker:
            query["marker"] = marker
        ok = (200, 204, 404) if missing_ok else (200, 204)
        response = self.request("GET", path, params=query, ok=ok, what=what)
        if response.status_code == 404:
            return None
        return response.json() if response.content.strip() else []


def _paged(fetch: Callable[[str], list[Any]]) -> Iterator[Any]:
    """Every entry of a listing, fetching the page after the last name seen until empty."""
    marker = ""
    while page := fetch(marker):
        yield from page
        marker = page[-1].name


def describe_failure(response: requests.Response, what: str, method: str) -> str:
    """A one-line account of a refused request, with Swift's own reason when short."""
    reason = " ".join(response.text.split())[:200] if response.text else response.reason
    hints = {
        401: "the token was refused",
        403: "this user may not do that (check the project's roles)",
        404: "it does not exist",
        409: "conflict (not empty, or changed meanwhile)",
        413: "too large for this cluster",
        507: "the cluster is out of space",
    }
    hint = hints.get(response.status_code)
    detail = f"{reason}; {hint}" if hint and reason else hint or reason
    return f"{what}: {method} answered {response.status_code}: {detail}"


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
