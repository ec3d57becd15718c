"""What credentials are once read, whatever their source; secrets never shown in text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

PASSWORD_AUTH = "password"
APPLICATION_CREDENTIAL_AUTH = "v3applicationcredential"
DEFAULT_DOMAIN = "Default"
PASSWORD_AUTH_TYPES = {PASSWORD_AUTH, "v3password"}
SECRET_VARIABLES = {
    "password": "OS_PASSWORD",
    "application_credential_secret": "OS_APPLICATION_CREDENTIAL_SECRET",
}

_SECRET_IN_TEXT = re.compile(
    r"""(\w*(?:PASSWORD|SECRET|TOKEN|PASSCODE)\w*=)("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""",
    re.IGNORECASE,
)


def _is_secret(key: str) -> bool:
    return any(word in key.lower() for word in ("password", "secret", "token", "passcode"))


def hide_secrets(values: Mapping[str, str]) -> dict[str, str]:
    return {key: "***" if _is_secret(key) else value for key, value in values.items()}


def redact(text: str) -> str:
    """A source line fit for a message: secret assignments masked, at most 80 characters."""
    text = _SECRET_IN_TEXT.sub(r"\1***", text.strip())
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True, repr=False)
class Credentials:
    """Everything keystoneauth needs to log in; its text form never shows a secret."""

    source: str
    auth_type: str
    auth: dict[str, str]
    region_name: str | None = None
    region_origin: str = ""  # where region_name was set: "OS_REGION_NAME in ~/openrc.sh"
    interface: str = "public"
    verify: bool | str = True
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Credentials(source={self.source!r}, auth_type={self.auth_type!r}, "
            f"auth={hide_secrets(self.auth)!r}, region_name={self.region_name!r}, "
            f"region_origin={self.region_origin!r}, interface={self.interface!r}, "
            f"verify={self.verify!r}, warnings={self.warnings!r})"
        )

    def with_password(self, password: str) -> Credentials:
        """The same credentials with another secret, e.g. after Keystone refused one."""
        option = (
            "application_credential_secret"
            if self.auth_type == APPLICATION_CREDENTIAL_AUTH
            else "password"
        )
        return replace(self, auth={**self.auth, option: password})
