"""Settings from each source of credentials, before the checks common to all of them.

``OS_*`` variables (of an openrc file or of the environment) are mapped the way the
openstack and swift CLIs read them; a clouds.yaml cloud is read by openstacksdk's own
loader (profiles, secure.yaml), imported only on that path because it is slow to import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swiftui.credentials.model import (
    APPLICATION_CREDENTIAL_AUTH,
    PASSWORD_AUTH,
    PASSWORD_AUTH_TYPES,
    SECRET_VARIABLES,
)
from swiftui.errors import CredentialsError

ENVIRONMENT = "environment"
_INTERFACES = ("public", "internal", "admin")


@dataclass
class Draft:
    """Settings read from one source, before the checks and the secret common to all."""

    source: str
    label: str  # how messages name the source: a file, "environment", a cloud
    auth_type: str
    auth: dict[str, str]
    region_name: str | None
    region_origin: str  # where region_name was set, for messages
    interface: str
    verify: bool | str
    identity_version: str | None
    os_variables: bool  # settings are OS_* variables (else clouds.yaml keys)
    setting_names: dict[str, str] = field(default_factory=dict)  # option -> name used
    lines: Mapping[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def setting(self, option: str) -> str:
        """How the user spells ``option``: ``OS_TENANT_NAME``, ``auth.username`` ..."""
        if option in self.setting_names:
            return self.setting_names[option]
        if self.os_variables:
            return f"OS_{option.upper()}"
        return option if option == "cacert" else f"auth.{option}"

    def at(self, option: str) -> str:
        line = self.lines.get(self.setting(option))
        return f"{self.label}:{line}" if line else self.label


class Variables:
    """``OS_*`` values of an openrc file or the environment, with where each was set."""

    def __init__(
        self,
        label: str,
        values: Mapping[str, str],
        unknown: set[str] | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.label = label
        self.values = values
        self.unknown = unknown or set()
        self.lines = lines or {}

    def get(self, name: str) -> str | None:
        """The value, None when unset or empty; a secret only a shell knows is left to ask."""
        if name in self.unknown and name not in SECRET_VARIABLES.values():
            raise CredentialsError(
                f"{self.at(name)}: {name} needs a shell to compute (a command, `read` or a "
                "variable the file does not set); write its value in the file"
            )
        return self.values.get(name) or None

    def at(self, name: str) -> str:
        line = self.lines.get(name)
        return f"{self.label}:{line}" if line else self.label

    def origin(self, name: str) -> str:
        """Where ``name`` was set, as a message says it: ``OS_REGION_NAME in ~/openrc.sh``."""
        place = "the environment" if self.label == ENVIRONMENT else self.label
        return f"{name} in {place}"


def from_variables(variables: Variables, *, source: str, warnings: list[str]) -> Draft:
    """Map ``OS_*`` variables the way the openstack and swift CLIs read them."""
    auth_type = variables.get("OS_AUTH_TYPE") or PASSWORD_AUTH
    if auth_type in PASSWORD_AUTH_TYPES:
        auth_type = PASSWORD_AUTH
    elif auth_type != APPLICATION_CREDENTIAL_AUTH:
        raise CredentialsError(
            f"{variables.at('OS_AUTH_TYPE')}: OS_AUTH_TYPE {auth_type!r} is not supported here; "
            "use password or v3applicationcredential, or a clouds.yaml cloud (--os-cloud)"
        )
    auth: dict[str, str] = {}
    setting_names: dict[str, str] = {}

    def pick(option: str, *names: str) -> None:
        found = [(name, value) for name in names if (value := variables.get(name)) is not None]
        if found:
            setting_names[option], auth[option] = found[0]
        if len({value for _, value in found}) > 1:
            warnings.append(f"{variables.label}: {found[1][0]} ignored, {found[0][0]} wins")

    options = ["auth_url", "username", "user_id", "user_domain_name", "user_domain_id"]
    if auth_type == PASSWORD_AUTH:
        options += ["password", "project_domain_name", "project_domain_id"]
        pick("project_name", "OS_PROJECT_NAME", "OS_TENANT_NAME")
        pick("project_id", "OS_PROJECT_ID", "OS_TENANT_ID")
    else:
        options += ["application_credential_id", "application_credential_name"]
        options += ["application_credential_secret"]
    for option in options:
        pick(option, f"OS_{option.upper()}")

    interface_name = "OS_INTERFACE" if variables.get("OS_INTERFACE") else "OS_ENDPOINT_TYPE"
    interface = variables.get(interface_name) or "public"
    cacert = variables.get("OS_CACERT")
    return Draft(
        source=source,
        label=variables.label,
        auth_type=auth_type,
        auth=auth,
        region_name=variables.get("OS_REGION_NAME"),
        region_origin=variables.origin("OS_REGION_NAME"),
        interface=_interface(interface, where=variables.at(interface_name)),
        verify=cacert or True,
        identity_version=variables.get("OS_IDENTITY_API_VERSION"),
        os_variables=True,
        setting_names=setting_names,
        lines=variables.lines,
        warnings=warnings,
    )


def _interface(value: str, *, where: str) -> str:
    """``public``/``internal``/``admin``; the legacy ``publicURL`` spelling is accepted."""
    interface = value.strip().lower().removesuffix("url")
    if interface not in _INTERFACES:
        raise CredentialsError(f"{where}: interface {value!r} is not public, internal or admin")
    return interface


def from_cloud(name: str, environ: Mapping[str, str]) -> Draft:
    """One cloud of clouds.yaml, read by openstacksdk's own loader (profiles, secure.yaml)."""
    # Imported here: openstacksdk takes a while to import and only this path needs it.
    from keystoneauth1 import exceptions as keystoneauth_exceptions
    from openstack import exceptions as sdk_exceptions
    from openstack.config import loader

    config_file = environ.get("OS_CLIENT_CONFIG_FILE")
    secure_file = environ.get("OS_CLIENT_SECURE_FILE")
    files: dict[str, Any] = {}
    if config_file:
        if not Path(config_file).is_file():
            raise CredentialsError(f"OS_CLIENT_CONFIG_FILE {config_file}: no such file")
        # The named file is the only one read, so a stray secure.yaml cannot mix in.
        files = {
            "config_files": [config_file],
            "secure_files": [secure_file] if secure_file else [],
        }
    elif secure_file:
        files = {"secure_files": [secure_file, *loader.SECURE_FILES]}
    try:
        config = loader.OpenStackConfig(load_envvars=False, **files)
        found_in = config.config_filename
        if found_in is None:
            if config_file:
                raise CredentialsError(f"{config_file}: cannot be read as a clouds.yaml")
            folders = ", ".join(dict.fromkeys(os.path.dirname(f) for f in loader.CONFIG_FILES))
            raise CredentialsError(
                f"cloud {name!r} not found: no clouds.yaml (.yml, .json) in {folders}"
            )
        names = config.get_cloud_names()
        if name not in names:
            raise CredentialsError(
                f"cloud {name!r} not found in {found_in}; clouds there: "
                + (", ".join(sorted(names)) or "none")
            )
        region = config.get_one(cloud=name)
    except (sdk_exceptions.SDKException, keystoneauth_exceptions.ClientException) as error:
        raise CredentialsError(f"cloud {name!r}: {error}") from None
    settings = region.config
    label = f"cloud {name!r} in {found_in}"
    verify, _client_cert = region.get_requests_verify_args()
    identity_version = settings.get("identity_api_version")
    return Draft(
        source=f"cloud {name!r} ({found_in})",
        label=label,
        auth_type=settings.get("auth_type") or PASSWORD_AUTH,
        auth={
            key: str(value)
            for key, value in (settings.get("auth") or {}).items()
            if value is not None and value != ""
        },
        region_name=region.region_name or None,
        region_origin=label,
        interface=_interface(settings.get("interface") or "public", where=label),
        verify=True if verify is None else verify,
        identity_version=str(identity_version) if identity_version else None,
        os_variables=False,
    )
