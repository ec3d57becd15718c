"""From a source's settings to :class:`Credentials`: the checks common to every source.

Keystone v2.0 is retired (OVH switched it off in 2020); a v2 file is tried against v3 on
the same host, with a warning. A secret comes from ``OS_PASSWORD``
(``OS_APPLICATION_CREDENTIAL_SECRET``) in the environment, then from the source, then from
``ask_password``; without any of them we fail at once rather than wait for input that
cannot come.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from swiftui.credentials.model import (
    APPLICATION_CREDENTIAL_AUTH,
    DEFAULT_DOMAIN,
    PASSWORD_AUTH_TYPES,
    SECRET_VARIABLES,
    Credentials,
)
from swiftui.credentials.openrc import parse_openrc
from swiftui.credentials.sources import ENVIRONMENT, Draft, Variables, from_cloud, from_variables
from swiftui.errors import CredentialsError


def _is_keystone_v2(url: SplitResult, identity_version: str | None) -> bool:
    return identity_version in ("2", "2.0") or url.path.rstrip("/").endswith("/v2.0")


def _v3_url(url: SplitResult) -> str:
    """Same host and path prefix, version ``v3``: where the v2 service used to live."""
    path = url.path.rstrip("/")
    for version in ("/v2.0", "/v3"):
        path = path.removesuffix(version)
    return urlunsplit((url.scheme, url.netloc, path + "/v3", "", ""))


def _finish(
    draft: Draft,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
) -> Credentials:
    """Checks common to every source, Keystone v2 upgrade, domain defaults and the secret."""
    auth = dict(draft.auth)
    warnings = list(draft.warnings)
    url_text = auth.get("auth_url")
    if not url_text:
        raise CredentialsError(f"{draft.label}: {draft.setting('auth_url')} is not set")
    url = urlsplit(url_text)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise CredentialsError(
            f"{draft.at('auth_url')}: {draft.setting('auth_url')} {url_text!r} "
            "is not an http:// or https:// URL"
        )
    password_auth = draft.auth_type in PASSWORD_AUTH_TYPES
    application_credential = draft.auth_type == APPLICATION_CREDENTIAL_AUTH
    if password_auth or (application_credential and {"username", "user_id"} & auth.keys()):
        _default_domain(auth, "user")
    if password_auth:
        _default_domain(auth, "project")
    if _is_keystone_v2(url, draft.identity_version):
        auth["auth_url"] = _v3_url(url)
        domain = auth.get("user_domain_name") or auth.get("user_domain_id")
        warnings.append(
            f"{draft.label}: Keystone v2.0 is retired (OVH switched it off in 2020); "
            f"trying v3 at {auth['auth_url']}" + (f" with domain {domain}" if domain else "")
        )
    verify = draft.verify
    if isinstance(verify, str):
        verify = str(Path(verify).expanduser())
        if not Path(verify).is_file():
            raise CredentialsError(
                f"{draft.at('cacert')}: {draft.setting('cacert')} file {verify} not found"
            )
    if password_auth:
        _require(draft, auth, "username", "user_id")
        _require(draft, auth, "project_name", "project_id")
        _resolve_secret(draft, auth, "password", environ, ask_password, warnings)
    elif application_credential:
        _require(draft, auth, "application_credential_id", "application_credential_name")
        if "application_credential_id" not in auth:
            _require(draft, auth, "username", "user_id")
        _resolve_secret(
            draft, auth, "application_credential_secret", environ, ask_password, warnings
        )
    return Credentials(
        source=draft.source,
        auth_type=draft.auth_type,
        auth=auth,
        region_name=draft.region_name,
        region_origin=draft.region_origin if draft.region_name else "",
        interface=draft.interface,
        verify=verify,
        warnings=tuple(warnings),
    )


def _default_domain(auth: dict[str, str], owner: str) -> None:
    """Keystone v3 wants a domain; ``Default`` is the one every single-domain cloud has."""
    if not {f"{owner}_domain_name", f"{owner}_domain_id"} & auth.keys():
        auth[f"{owner}_domain_name"] = DEFAULT_DOMAIN


def _require(draft: Draft, auth: Mapping[str, str], *options: str) -> None:
    if not any(option in auth for option in options):
        names = " or ".join(draft.setting(option) for option in options)
        raise CredentialsError(f"{draft.label}: {names} is not set")


def _resolve_secret(
    draft: Draft,
    auth: dict[str, str],
    option: str,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
    warnings: list[str],
) -> None:
    """Environment, then the source's own literal value, then a prompt; never wait blind."""
    variable = SECRET_VARIABLES[option]
    from_environment = environ.get(variable)
    written = auth.get(option)
    if from_environment:
        if written and written != from_environment:
            warnings.append(
                f"{draft.label}: {variable} from the environment replaces "
                f"{draft.setting(option)} written there"
            )
        auth[option] = from_environment
        return
    if written:
        return
    if option == "password":
        noun, who = "password", f"user {auth.get('username') or auth.get('user_id')}"
        project = auth.get("project_name") or auth.get("project_id")
        prompt = f"Password for {who} (project {project}): "
    else:
        credential = auth.get("application_credential_id") or auth.get(
            "application_credential_name"
        )
        noun, who = "secret", f"application credential {credential}"
        prompt = f"Secret of {who}: "
    answer = ask_password(prompt) if ask_password else None
    if answer is None:
        raise CredentialsError(f"no {noun} for {who}: set {variable} or run on a terminal")
    if not answer:
        raise CredentialsError(f"empty {noun} for {who}")
    auth[option] = answer


def load_credentials(
    *,
    openrc: Path | None = None,
    cloud: str | None = None,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
) -> Credentials:
    """Credentials from ``openrc``, else a clouds.yaml cloud, else ``OS_*`` of ``environ``.

    ``environ`` is passed in (never ``os.environ`` read here) so callers and tests decide
    what the environment is; only ``OS_PASSWORD``/``OS_APPLICATION_CREDENTIAL_SECRET`` of
    it overrides a file.
    """
    if openrc is not None:
        parsed = parse_openrc(openrc)
        variables = Variables(str(openrc), parsed.values, parsed.unknown, parsed.lines)
        draft = from_variables(variables, source=f"openrc {openrc}", warnings=parsed.warnings)
    elif cloud or environ.get("OS_CLOUD"):
        draft = from_cloud(cloud or environ["OS_CLOUD"], environ)
    elif environ.get("OS_AUTH_URL"):
        variables = Variables(
            ENVIRONMENT, {k: v for k, v in environ.items() if k.startswith("OS_")}
        )
        draft = from_variables(variables, source=ENVIRONMENT, warnings=[])
    else:
        raise CredentialsError(
            "no credentials: pass --openrc FILE or --os-cloud NAME, "
            "or set OS_AUTH_URL and the other OS_* variables"
        )
    return _finish(draft, environ, ask_password)


def terminal_password_prompt(prompt: str) -> str | None:
    """Ask on the terminal without echo; None when there is no terminal to ask on."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return None
