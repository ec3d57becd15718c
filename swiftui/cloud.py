"""One authenticated session to a Keystone v3 cloud, and its object-store regions.

Authentication, the catalog, token renewal and HTTP sessions are openstacksdk's and
keystoneauth's job; this module only turns their exceptions into one clear line each and
hands out one :class:`~swiftui.swift.SwiftService` per region, all sharing the session
(so there is one token for every thread, renewed before it expires).
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn, cast
from urllib.parse import urlsplit

import openstack
from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions

from swiftui.errors import AuthError, UsageError
from swiftui.swift import SwiftService

if TYPE_CHECKING:
    from keystoneauth1.identity.base import BaseIdentityPlugin
    from keystoneauth1.session import Session
    from openstack.connection import Connection

    from swiftui.credentials import Credentials

AUTH_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class RegionEndpoint:
    name: str
    url: str


@dataclass(frozen=True)
class RegionChoice:
    """The region to work in; ``notice`` says why it is not the one the credentials name."""

    name: str
    notice: str = ""


class RegionNotInCatalog(UsageError):
    """A region with no object store in the catalog. ``origin`` says where the name came
    from (empty: asked for on the command line or in the TUI), so each shell can say how
    to choose another."""

    def __init__(self, name: str, valid: list[str], *, origin: str = "") -> None:
        self.name = name
        self.valid = valid
        self.origin = origin
        self.nearest = _nearest(name, valid)
        source = f" (from {origin})" if origin else ""
        hint = f"; did you mean {self.nearest}?" if self.nearest else ""
        super().__init__(
            f"region {name!r}{source} is not in the catalog (valid: {', '.join(valid)}){hint}"
        )


def explain_auth_failure(error: Exception, credentials: Credentials) -> NoReturn:
    """Raise the one-line :class:`AuthError` that says what went wrong and what to do."""
    auth_url = str(credentials.auth.get("auth_url", "?"))
    host = urlsplit(auth_url).netloc or auth_url
    who = credentials.auth.get("username") or credentials.auth.get("user_id")
    project = credentials.auth.get("project_name") or credentials.auth.get("project_id")
    if isinstance(error, ks_exceptions.SSLError) and "WRONG_VERSION_NUMBER" in str(error):
        message = (
            f"{host} does not speak TLS: it answers plain HTTP "
            f"(is OS_AUTH_URL {auth_url} meant to start with http://?)"
        )
    elif isinstance(error, ks_exceptions.SSLError):
        message = (
            f"TLS verification failed for {host}: the certificate is not trusted "
            "(set OS_CACERT to its CA, or pass --insecure only on a network you trust)"
        )
    elif isinstance(error, ks_exceptions.Unauthorized) or getattr(error, "http_status", 0) == 401:
        if credentials.auth_type == "v3applicationcredential":
            message = f"Keystone at {auth_url} refused the application credential"
        else:
            message = (
                f"Keystone at {auth_url} refused user {who!r} for project {project!r}: "
                "wrong password, user, project or domain"
            )
    elif isinstance(error, ks_exceptions.ConnectTimeout):
        message = f"cannot reach {host}: no answer in {AUTH_TIMEOUT_S:.0f} s (network or firewall)"
    elif isinstance(error, ks_exceptions.ConnectFailure):
        message = f"cannot reach {host}: connection failed (is OS_AUTH_URL {auth_url} right?)"
    elif isinstance(error, ks_exceptions.DiscoveryFailure) or getattr(error, "http_status", 0) in (
        400,
        404,
        405,
    ):
        message = f"{auth_url} does not answer like a Keystone v3 identity service"
    elif isinstance(error, ks_exceptions.EndpointNotFound | ks_exceptions.EmptyCatalog):
        message = f"the catalog of {host} has no object-store (Swift) endpoint for this project"
    elif isinstance(error, ks_exceptions.ClientException | sdk_exceptions.SDKException):
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = f"authentication at {auth_url} failed: {detail}"
    else:
        raise error
    raise AuthError(message) from None


class Cloud:
    """An authenticated connection; create it with :func:`connect`."""

    def __init__(self, credentials: Credentials, connection: Connection) -> None:
        self.credentials = credentials
        self._connection = connection
        self._services: dict[str, SwiftService] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> Session:
        return self._connection.session

    def regions(self) -> list[RegionEndpoint]:
        """Object-store regions of the catalog, with their endpoint for our interface."""
        try:
            # openstacksdk always authenticates with an identity plugin (password, app cred).
            auth = cast("BaseIdentityPlugin", self.session.auth)
            access = auth.get_access(self.session)
        except Exception as error:  # keystoneauth raises many unrelated types
            explain_auth_failure(error, self.credentials)
        interface = self.credentials.interface
        endpoints = access.service_catalog.get_endpoints(
            service_type="object-store", interface=interface
        ).get("object-store", [])
        regions = {
            endpoint.get("region_id") or endpoint.get("region"): endpoint["url"]
            for endpoint in endpoints
            if endpoint is not None
        }
        return [RegionEndpoint(name, url) for name, url in sorted(regions.items()) if name]

    def check_region(self, name: str) -> str:
        """Return ``name`` if the catalog has it, else refuse with the valid names."""
        names = self._region_names()
        if name in names:
            return name
        raise RegionNotInCatalog(name, names)

    def choose_region(self, asked: str | None = None) -> RegionChoice:
        """The region to work in: ``asked`` (``--region``) exactly as given; else the
        credentials' own, where OVHcloud's compute region (``GRA7``) stands for its storage
        region (``GRA``); else the catalog's first."""
        if asked:
            return RegionChoice(self.check_region(asked))
        names = self._region_names()
        wanted = self.credentials.region_name
        if not wanted:
            return RegionChoice(names[0])
        if wanted in names:
            return RegionChoice(wanted)
        origin = self.credentials.region_origin or "the credentials"
        storage = storage_region_for(wanted, names)
        if storage is None:
            raise RegionNotInCatalog(wanted, names, origin=origin)
        return RegionChoice(
            storage, f"region {wanted} (from {origin}) has no object storage; using {storage}"
        )

    def with_region(self, name: str) -> Cloud:
        """This session working in ``name`` by default, e.g. after the user picked it."""
        credentials = replace(
            self.credentials, region_name=self.check_region(name), region_origin="your choice"
        )
        return Cloud(credentials, self._connection)

    def default_region(self) -> str:
        """The region :meth:`choose_region` picks when none is asked for."""
        return self.choose_region().name

    def _region_names(self) -> list[str]:
        names = [region.name for region in self.regions()]
        if not names:
            raise AuthError(
                f"the catalog has no object-store (Swift) endpoint for interface "
                f"{self.credentials.interface!r}"
            )
        return names

    def service(self, region: str, *, endpoint_override: str | None = None) -> SwiftService:
        """The object store of ``region``, sharing this cloud's session and token.

        ``endpoint_override`` replaces the catalog's URL (a fault-injecting proxy in tests).
        """
        key = f"{region} {endpoint_override or ''}"
        with self._lock:
            if key not in self._services:
                extra: dict[str, Any] = (
                    {"object_store_endpoint_override": endpoint_override}
                    if endpoint_override
                    else {}
                )
                connection = openstack.connection.Connection(
                    session=self.session,
                    region_name=region,
                    interface=self.credentials.interface,
                    **extra,
                )
                self._services[key] = SwiftService(connection, region)
            return self._services[key]

    def close(self) -> None:
        self._connection.close()


def storage_region_for(name: str, names: list[str]) -> str | None:
    """The one catalog region spelled like ``name`` without its trailing digits, any case:
    OVHcloud's openrc names a compute region (GRA7, SBG5) whose object storage is GRA, SBG."""
    letters = name.rstrip("0123456789").upper()
    matches = [candidate for candidate in names if candidate.upper() == letters]
    return matches[0] if letters and len(matches) == 1 else None


def _nearest(name: str, names: list[str]) -> str | None:
    """A catalog name that starts like ``name`` (or the other way round), else a close one."""
    upper = name.upper()
    prefix_matches = [
        n for n in names if upper.startswith(n.upper()) or n.upper().startswith(upper)
    ]
    close = prefix_matches or difflib.get_close_matches(upper, names, n=1, cutoff=0.5)
    return close[0] if close else None


def connect(credentials: Credentials, *, insecure: bool = False) -> Cloud:
    """Authenticate once and return the :class:`Cloud`; one clear :class:`AuthError` if not."""
    verify: bool | str = False if insecure else credentials.verify
    try:
        connection = openstack.connect(
            auth_type=credentials.auth_type,
            auth=dict(credentials.auth),
            region_name=credentials.region_name,
            interface=credentials.interface,
            verify=verify,
            api_timeout=AUTH_TIMEOUT_S,
            load_yaml_config=False,
            load_envvars=False,
        )
        connection.session.get_token()
    except Exception as error:  # keystoneauth and openstacksdk raise many unrelated types
        explain_auth_failure(error, credentials)
    return Cloud(credentials, connection)
