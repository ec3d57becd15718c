"""An emulation of OVHcloud Cloud Archive's retrieval protocol, as Swift proxy middleware.

No real Cloud Archive can be reached from the test machines, so the sandbox's own Swift
proxy runs this filter, which behaves as OVHcloud documents its archive policy
("Unfreezing your data stored in the Public Cloud Archive" and the PCA developer guide).
It only changes what Swift answers for objects in containers of the archive policy
(``archive_policy``, ``PCA`` in the sandbox); every other container is untouched.

- Every object starts sealed. ``HEAD`` carries ``X-Ovh-Retrieval-State: sealed``.
- A ``GET`` of a sealed object (any GET, ``?multipart-manifest=get`` and ranges included)
  starts its unsealing and answers ``429 Too Many Requests`` with ``Retry-After: <s>``.
- While unsealing, ``HEAD`` says ``unsealing`` with ``X-Ovh-Retrieval-Delay: <s left>``,
  and a ``GET`` still answers 429 with ``Retry-After``.
- Once the delay has passed the object is ``unsealed`` and readable for the window, then
  sealed again. ``PUT``, ``POST``, ``DELETE`` and ``HEAD`` never need unsealing (Cloud
  Archive only blocks reading data); a ``PUT`` makes a new object, sealed again.
- A container listing with ``?policy_extra=true`` (JSON) gives each object
  ``policy_retrieval_state`` and ``policy_retrieval_delay`` (seconds while unsealing,
  else null).

A large object's segments are objects too. The filter sits right of ``slo`` and ``dlo``
in the pipeline, so their sub-requests for segments pass through it, and each such GET
starts that segment's unsealing, as any GET does. Swift's slo turns a segment
sub-request that fails with a 4xx (here the 429) into a ``SegmentError``:

- while it checks the first segment, before any header is sent, the SLO GET answers
  ``409 Conflict``;
- for a later segment, the ``200`` and the data before that segment are already sent:
  slo logs the error and stops, and the client reads fewer bytes than
  ``Content-Length`` before the connection closes (an object smaller than the proxy's
  first write, 4 KiB, gets a ``500`` instead, nothing having been sent yet).

Likewise ``DELETE ?multipart-manifest=delete`` of a sealed manifest deletes nothing (its
reply, a 200, says ``Response Status: 400 Bad Request``): slo reads the manifest with a
GET first. What OVHcloud does there is not documented. Not emulated: unsealing delays
that grow with access frequency and age.

Configuration (``[filter:cloud_archive]`` in ``proxy-server.conf``):

- ``archive_policy``: the storage policy name that behaves as Cloud Archive (``PCA``);
- ``unseal_delay``: seconds from the first GET to readable (OVHcloud: about 4 h);
- ``unseal_window``: seconds an unsealed object stays readable (OVHcloud: 24 h);
- ``state_db``: the SQLite file of seal states (see :mod:`swiftui.sandbox.retrievals`),
  which may also hold a delay and window set while the proxy runs; they win over the two
  options above.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import astuple
from pathlib import Path
from typing import Any

from swift.common.storage_policy import POLICIES
from swift.common.swob import Request, Response, wsgi_to_str
from swift.common.utils import close_if_possible, config_true_value, get_logger
from swift.proxy.controllers.base import get_container_info

from swiftui.sandbox.retrievals import SEALED, UNSEALED, UNSEALING, Retrieval, RetrievalStore

STATE_HEADER = "X-Ovh-Retrieval-State"
DELAY_HEADER = "X-Ovh-Retrieval-Delay"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CloudArchive:
    """The WSGI filter: see the module's documentation."""

    def __init__(self, app: WsgiApp, conf: dict[str, str]) -> None:
        self.app = app
        self.policy_name = conf.get("archive_policy", "PCA")
        self.store = RetrievalStore(
            Path(conf["state_db"]),
            delay_s=int(conf.get("unseal_delay", 4 * 3600)),
            window_s=int(conf.get("unseal_window", 24 * 3600)),
        )
        self.logger = get_logger(conf, log_route="cloud_archive")

    def __call__(self, env: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(env)
        try:
            _version, account, container, name = request.split_path(3, 4, True)
        except ValueError:
            return self.app(env, start_response)
        handler: Callable[..., Response] | None
        if name is None:
            wanted = request.method == "GET" and config_true_value(
                request.params.get("policy_extra")
            )
            handler = self._listing if wanted else None
        else:
            handler = {
                "GET": self._get,
                "HEAD": self._head,
                "PUT": self._replace,
                "DELETE": self._replace,
            }.get(request.method)
        if handler is None or not self._is_archive(env):
            return self.app(env, start_response)
        names = [wsgi_to_str(part) for part in (account, container, name) if part is not None]
        response: Iterable[bytes] = handler(request, *names)(env, start_response)
        return response

    def _is_archive(self, env: dict[str, Any]) -> bool:
        """Whether the container is on the archive policy (its info is cached per request)."""
        info = get_container_info(env, self.app, swift_source="PCA")
        policy = POLICIES.get_by_index(info.get("storage_policy"))
        return policy is not None and policy.name == self.policy_name

    def _get(self, request: Request, account: str, container: str, name: str) -> Response:
        response = request.get_response(self.app)
        if not response.is_success:
            return response  # missing, unauthorized...: the object's data is not at stake
        retrieval = self.store.request_unseal(account, container, name, time.time())
        if retrieval.state == UNSEALED:
            response.headers[STATE_HEADER] = UNSEALED
            return response
        close_if_possible(response.app_iter)
        self.logger.info("%s/%s/%s: %s, %s s left", account, container, name, *astuple(retrieval))
        return Response(
            status="429 Too Many Requests",
            body=b"The object is sealed: the unsealing operation is in progress.\n",
            content_type="text/plain",
            headers={"Retry-After": str(retrieval.seconds_left)},
            request=request,
        )

    def _head(self, request: Request, account: str, container: str, name: str) -> Response:
        response = request.get_response(self.app)
        if response.is_success:
            retrieval = self.store.state(account, container, name, time.time())
            response.headers[STATE_HEADER] = retrieval.state
            if retrieval.state == UNSEALING:
                response.headers[DELAY_HEADER] = str(retrieval.seconds_left)
        return response

    def _replace(self, request: Request, account: str, container: str, name: str) -> Response:
        """PUT writes a new, sealed object; DELETE leaves none: forget the old one's state."""
        response = request.get_response(self.app)
        if response.is_success or response.status_int == 404:
            self.store.reseal(account, container, name)
        return response

    def _listing(self, request: Request, account: str, container: str) -> Response:
        response = request.get_response(self.app)
        if not response.is_success or response.content_type != "application/json":
            return response
        listing = json.loads(response.body)
        known = self.store.states(account, container, time.time())
        for entry in listing:
            if "name" in entry:  # not a pseudo-folder ("subdir")
                retrieval = known.get(entry["name"], Retrieval(SEALED))
                entry["policy_retrieval_state"] = retrieval.state
                entry["policy_retrieval_delay"] = retrieval.seconds_left
        response.body = json.dumps(listing).encode()
        return response


def filter_factory(global_conf: dict[str, str], **local_conf: str) -> Callable[[WsgiApp], Any]:
    """paste.deploy's entry point: ``paste.filter_factory = ...cloud_archive:filter_factory``."""
    conf = {**global_conf, **local_conf}
    return lambda app: CloudArchive(app, conf)
