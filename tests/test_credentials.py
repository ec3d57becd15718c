"""Credentials from openrc files (every shape in openrc-shapes.txt), clouds.yaml and OS_*.

No network, no shell, no real ``~/.config``: files are written into ``tmp_path`` and every
``environ`` is a dict built here.
"""

from __future__ import annotations

import io
import os
import pwd
from pathlib import Path

import pytest

from swiftui.credentials import (
    Credentials,
    load_credentials,
    parse_openrc,
    terminal_password_prompt,
)
from swiftui.errors import CredentialsError

OVH_V3 = """\
#!/bin/bash
export OS_AUTH_URL=https://auth.cloud.ovh.net/v3
export OS_IDENTITY_API_VERSION=3
export OS_USER_DOMAIN_NAME=${OS_USER_DOMAIN_NAME:-"Default"}
export OS_PROJECT_DOMAIN_NAME=${OS_PROJECT_DOMAIN_NAME:-"Default"}
export OS_TENANT_ID=0123456789abcdef0123456789abcdef
export OS_TENANT_NAME="1234567890123456"
export OS_USERNAME="user-AbCdEf123456"
echo "Please enter your OpenStack Password: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="GRA"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
"""

OVH_V2 = """\
#!/bin/bash
export OS_AUTH_URL=https://auth.cloud.ovh.net/v2.0/
export OS_IDENTITY_API_VERSION=2
export OS_TENANT_ID=0123456789abcdef0123456789abcdef
export OS_TENANT_NAME=1234567890123456
export OS_USERNAME="user-AbCdEf123456"
echo "Please enter your OpenStack Password: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="SBG5"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
"""

HORIZON = """\
#!/usr/bin/env bash
export OS_AUTH_URL="https://keystone.example.org:5000/v3"
export OS_PROJECT_ID="7d6c1a2b3c4d4e5f8a9b0c1d2e3f4a5b"
export OS_PROJECT_NAME="media-archive"
export OS_USER_DOMAIN_NAME="Default"
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID="default"
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
unset OS_TENANT_ID
unset OS_TENANT_NAME
export OS_USERNAME="alice"
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD="$OS_PASSWORD_INPUT"
export OS_REGION_NAME="RegionOne"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE="public"
export OS_IDENTITY_API_VERSION="3"
"""

HORIZON_BEFORE_2026 = """\
#!/usr/bin/env bash
export OS_AUTH_URL=https://keystone.example.org:5000/v3
export OS_PROJECT_ID=7d6c1a2b3c4d4e5f8a9b0c1d2e3f4a5b
export OS_PROJECT_NAME="media-archive"
export OS_USER_DOMAIN_NAME="Default"
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID="default"
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
unset OS_TENANT_ID
unset OS_TENANT_NAME
export OS_USERNAME="alice"
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="RegionOne"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
"""

HORIZON_V2 = """\
#!/usr/bin/env bash
export OS_AUTH_URL=http://controller.example.org:5000/v2.0
export OS_TENANT_ID=7d6c1a2b3c4d4e5f8a9b0c1d2e3f4a5b
export OS_TENANT_NAME="media-archive"
unset OS_PROJECT_ID
unset OS_PROJECT_NAME
unset OS_USER_DOMAIN_NAME
unset OS_INTERFACE
export OS_USERNAME="alice"
echo "Please enter your OpenStack Password for project $OS_TENANT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="RegionOne"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_ENDPOINT_TYPE=publicURL
export OS_IDENTITY_API_VERSION=2
"""

APPLICATION_CREDENTIAL = """\
#!/usr/bin/env bash

export OS_AUTH_TYPE=v3applicationcredential
export OS_AUTH_URL="https://keystone.example.org:5000/v3"
export OS_IDENTITY_API_VERSION=3
export OS_REGION_NAME="RegionOne"
export OS_INTERFACE="public"
export OS_APPLICATION_CREDENTIAL_ID="4a6f0e1c2b3d4e5f"
export OS_APPLICATION_CREDENTIAL_SECRET="app-secret-XYZ"
"""

HORIZON_AUTH = {
    "auth_url": "https://keystone.example.org:5000/v3",
    "project_id": "7d6c1a2b3c4d4e5f8a9b0c1d2e3f4a5b",
    "project_name": "media-archive",
    "user_domain_name": "Default",
    "project_domain_id": "default",
    "username": "alice",
    "password": "typed",
}


def write(tmp_path: Path, text: str, name: str = "openrc.sh") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class answer:
    """A password prompt that records what it was asked."""

    def __init__(self, value: str | None) -> None:
        self.value = value
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        return self.value


def load_openrc(path: Path, environ: dict[str, str] | None = None) -> Credentials:
    return load_credentials(openrc=path, environ=environ or {}, ask_password=answer("typed"))


# --- the shapes of openrc-shapes.txt -------------------------------------------------------


def test_ovh_v3_openrc(tmp_path: Path) -> None:
    path = write(tmp_path, OVH_V3)
    ask = answer("typed")
    credentials = load_credentials(openrc=path, environ={}, ask_password=ask)
    assert credentials == Credentials(
        source=f"openrc {path}",
        auth_type="password",
        auth={
            "auth_url": "https://auth.cloud.ovh.net/v3",
            "username": "user-AbCdEf123456",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "project_id": "0123456789abcdef0123456789abcdef",
            "project_name": "1234567890123456",
            "password": "typed",
        },
        region_name="GRA",
        region_origin=f"OS_REGION_NAME in {path}",
        interface="public",
        verify=True,
        warnings=(),
    )
    assert ask.prompts == ["Password for user user-AbCdEf123456 (project 1234567890123456): "]


def test_ovh_v3_parsed_values(tmp_path: Path) -> None:
    parsed = parse_openrc(write(tmp_path, OVH_V3))
    assert parsed.values == {
        "OS_AUTH_URL": "https://auth.cloud.ovh.net/v3",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_TENANT_ID": "0123456789abcdef0123456789abcdef",
        "OS_TENANT_NAME": "1234567890123456",
        "OS_USERNAME": "user-AbCdEf123456",
        "OS_REGION_NAME": "GRA",
    }
    assert parsed.unknown == {"OS_PASSWORD_INPUT", "OS_PASSWORD"}
    assert parsed.password_prompt is True
    assert parsed.lines["OS_AUTH_URL"] == 2
    assert parsed.lines["OS_PASSWORD_INPUT"] == 10
    assert parsed.lines["OS_PASSWORD"] == 11
    assert parsed.warnings == []


def test_ovh_trailing_slash_unquoted_tenant_and_compute_region(tmp_path: Path) -> None:
    text = (
        OVH_V3.replace("/v3\n", "/v3/          # the control panel adds a slash\n")
        .replace('"1234567890123456"', "1234567890123456")
        .replace('"GRA"', '"GRA7"')
    )
    credentials = load_openrc(write(tmp_path, text))
    assert credentials.auth["auth_url"] == "https://auth.cloud.ovh.net/v3/"
    assert credentials.auth["project_name"] == "1234567890123456"
    assert credentials.region_name == "GRA7"


def test_ovh_legacy_v2_is_tried_on_v3(tmp_path: Path) -> None:
    path = write(tmp_path, OVH_V2)
    credentials = load_openrc(path)
    assert credentials.auth == {
        "auth_url": "https://auth.cloud.ovh.net/v3",
        "username": "user-AbCdEf123456",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
        "project_id": "0123456789abcdef0123456789abcdef",
        "project_name": "1234567890123456",
        "password": "typed",
    }
    assert credentials.region_name == "SBG5"
    assert credentials.warnings == (
        f"{path}: Keystone v2.0 is retired (OVH switched it off in 2020); "
        "trying v3 at https://auth.cloud.ovh.net/v3 with domain Default",
    )


def test_horizon_template(tmp_path: Path) -> None:
    path = write(tmp_path, HORIZON)
    assert load_openrc(path) == Credentials(
        source=f"openrc {path}",
        auth_type="password",
        auth=HORIZON_AUTH,
        region_name="RegionOne",
        region_origin=f"OS_REGION_NAME in {path}",
        interface="public",
        verify=True,
    )


def test_horizon_template_before_2026(tmp_path: Path) -> None:
    path = write(tmp_path, HORIZON_BEFORE_2026)
    assert load_openrc(path) == Credentials(
        source=f"openrc {path}",
        auth_type="password",
        auth=HORIZON_AUTH,
        region_name="RegionOne",
        region_origin=f"OS_REGION_NAME in {path}",
        interface="public",
        verify=True,
    )


def test_horizon_template_with_empty_values_unsets_them(tmp_path: Path) -> None:
    text = (
        HORIZON.replace('OS_USER_DOMAIN_NAME="Default"', 'OS_USER_DOMAIN_NAME=""')
        .replace('OS_PROJECT_DOMAIN_ID="default"', 'OS_PROJECT_DOMAIN_ID=""')
        .replace('OS_REGION_NAME="RegionOne"', 'OS_REGION_NAME=""')
    )
    path = write(tmp_path, text)
    parsed = parse_openrc(path)
    assert "OS_REGION_NAME" not in parsed.values
    assert "OS_USER_DOMAIN_NAME" not in parsed.values
    assert "OS_PROJECT_DOMAIN_ID" not in parsed.values
    credentials = load_openrc(path)
    assert credentials.region_name is None
    assert credentials.auth["user_domain_name"] == "Default"
    assert credentials.auth["project_domain_name"] == "Default"
    assert "project_domain_id" not in credentials.auth


def test_horizon_v2_template(tmp_path: Path) -> None:
    path = write(tmp_path, HORIZON_V2)
    assert load_openrc(path) == Credentials(
        source=f"openrc {path}",
        auth_type="password",
        auth={
            "auth_url": "http://controller.example.org:5000/v3",
            "username": "alice",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "project_id": "7d6c1a2b3c4d4e5f8a9b0c1d2e3f4a5b",
            "project_name": "media-archive",
            "password": "typed",
        },
        region_name="RegionOne",
        region_origin=f"OS_REGION_NAME in {path}",
        interface="public",
        verify=True,
        warnings=(
            f"{path}: Keystone v2.0 is retired (OVH switched it off in 2020); "
            "trying v3 at http://controller.example.org:5000/v3 with domain Default",
        ),
    )


def test_horizon_application_credential(tmp_path: Path) -> None:
    path = write(tmp_path, APPLICATION_CREDENTIAL)
    ask = answer("never asked")
    credentials = load_credentials(openrc=path, environ={}, ask_password=ask)
    assert credentials == Credentials(
        source=f"openrc {path}",
        auth_type="v3applicationcredential",
        auth={
            "auth_url": "https://keystone.example.org:5000/v3",
            "application_credential_id": "4a6f0e1c2b3d4e5f",
            "application_credential_secret": "app-secret-XYZ",
        },
        region_name="RegionOne",
        region_origin=f"OS_REGION_NAME in {path}",
        interface="public",
        verify=True,
    )
    assert ask.prompts == []


# --- syntax ---------------------------------------------------------------------------


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "openrc.sh"
    path.write_bytes(b"\xef\xbb\xbf" + HORIZON.replace("\n", "\r\n").encode())
    credentials = load_openrc(path)
    assert credentials.auth == HORIZON_AUTH
    assert credentials.region_name == "RegionOne"


def test_trailing_comments_and_hash_inside_values(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            "export OS_AUTH_URL=https://k.example.org/v3   # keystone\n"
            "export OS_USERNAME=bob\t# tab before the comment\n"
            "export OS_PROJECT_NAME=a#b  # a '#' inside a word is not a comment\n"
            'export OS_REGION_NAME="GRA # quoted"  # comment\n',
        )
    )
    assert parsed.values == {
        "OS_AUTH_URL": "https://k.example.org/v3",
        "OS_USERNAME": "bob",
        "OS_PROJECT_NAME": "a#b",
        "OS_REGION_NAME": "GRA # quoted",
    }


def test_horizon_shellfilter_escapes(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            'export OS_PROJECT_NAME="o\\\'brien \\"lab\\" \\$HOME \\\\ \\`x\\` \\!"\n'
            'export OS_USERNAME="keep\\nbackslash"\n',
        )
    )
    assert parsed.values == {
        "OS_PROJECT_NAME": 'o\'brien "lab" $HOME \\ `x` !',
        "OS_USERNAME": "keep\\nbackslash",
    }


def test_single_quotes_and_unquoted_escapes(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            "export OS_PROJECT_NAME='it'\\''s $HOME'\n"
            "export OS_USERNAME=a\\ b\n"
            "OS_REGION_NAME='GRA'\"9\"\n",
        )
    )
    assert parsed.values == {
        "OS_PROJECT_NAME": "it's $HOME",
        "OS_USERNAME": "a b",
        "OS_REGION_NAME": "GRA9",
    }


def test_default_expansion_with_and_without_earlier_value(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            'export OS_USER_DOMAIN_NAME=${OS_USER_DOMAIN_NAME:-"Default"}\n'
            "OS_PROJECT_DOMAIN_NAME=corp\n"
            "export OS_PROJECT_DOMAIN_NAME=${OS_PROJECT_DOMAIN_NAME:-Default}\n"
            'EMPTY=""\n'
            "export OS_A=${EMPTY:-colon-default}\n"
            "export OS_B=${EMPTY-plain-default}\n"
            "export OS_C=${NEVER_SET-plain-default}\n"
            "export OS_D=${NEVER_SET:-$OS_PROJECT_DOMAIN_NAME}/x\n",
        )
    )
    assert parsed.values == {
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "corp",
        "OS_A": "colon-default",
        "OS_B": "",
        "OS_C": "plain-default",
        "OS_D": "corp/x",
    }
    assert parsed.unknown == set()


def test_references_use_the_file_not_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_REGION", "from-the-process")
    path = write(
        tmp_path,
        "export OS_AUTH_URL=https://k.example.org/v3\n"
        "REGION=DE1\n"
        "export OS_REGION_NAME=${REGION}\n"
        "export OS_INTERFACE=$MY_REGION\n",
    )
    parsed = parse_openrc(path)
    assert parsed.values["OS_REGION_NAME"] == "DE1"
    assert "REGION" not in parsed.values  # not exported, not OS_
    assert parsed.unknown == {"OS_INTERFACE"}
    assert parsed.warnings == [
        f"{path}:4: OS_INTERFACE uses $MY_REGION, which the file does not set; its value is unknown"
    ]


def test_command_substitution_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(
        tmp_path,
        "export OS_AUTH_URL=https://k.example.org/v3\n"
        "export OS_USERNAME=bob\n"
        "export OS_PROJECT_NAME=demo\n"
        f"export OS_PASSWORD=$(touch {marker}; echo pw)\n"
        f"export OS_REGION_NAME=`touch {marker}`\n",
    )
    parsed = parse_openrc(path)
    assert not marker.exists()
    assert parsed.unknown == {"OS_PASSWORD", "OS_REGION_NAME"}
    assert parsed.password_prompt is False
    assert parsed.warnings == [
        f"{path}:4: OS_PASSWORD comes from a command ($(...) or backticks), which swiftui "
        "never runs; its value is unknown",
        f"{path}:5: OS_REGION_NAME comes from a command ($(...) or backticks), which swiftui "
        "never runs; its value is unknown",
    ]
    with pytest.raises(CredentialsError) as error:
        load_openrc(path)
    assert str(error.value).startswith(f"{path}:5: OS_REGION_NAME needs a shell to compute")
    assert not marker.exists()


def test_password_from_a_command_is_asked_instead(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export OS_AUTH_URL=https://k.example.org/v3\n"
        "export OS_USERNAME=bob OS_PROJECT_NAME=demo\n"
        "export OS_PASSWORD=$(pass show openstack)\n",
    )
    credentials = load_openrc(path)
    assert credentials.auth["password"] == "typed"
    assert credentials.warnings == (
        f"{path}:3: OS_PASSWORD comes from a command ($(...) or backticks), which swiftui "
        "never runs; its value is unknown",
    )


def test_unset_and_if_unset(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            "export OS_TENANT_ID=abc\n"
            "unset OS_TENANT_ID\n"
            "export OS_A=${OS_TENANT_ID-gone}\n"
            'export OS_REGION_NAME=""\n'
            'if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi\n'
            'export OS_INTERFACE="public"\n'
            'if [ -z "$OS_INTERFACE" ]; then unset OS_INTERFACE; fi\n'
            'if [ -n "$OS_INTERFACE" ]\n'
            "then\n"
            "    export OS_B=non-empty\n"
            "else\n"
            "    export OS_B=empty\n"
            "fi\n"
            'if [ "$OS_INTERFACE" != public ]; then export OS_C=1; else export OS_C=2; fi\n',
        )
    )
    assert parsed.values == {
        "OS_A": "gone",
        "OS_INTERFACE": "public",
        "OS_B": "non-empty",
        "OS_C": "2",
    }
    assert set(parsed.lines) == set(parsed.values)


def test_read_variants_mean_ask_for_the_password(tmp_path: Path) -> None:
    for read in ("read -s OS_PASSWORD", "read -rs OS_PASSWORD", 'read -s -p "pw: " OS_PASSWORD'):
        parsed = parse_openrc(
            write(tmp_path, f"export OS_USERNAME=bob\n{read}\nexport OS_PASSWORD\n")
        )
        assert parsed.password_prompt is True, read
        assert parsed.unknown == {"OS_PASSWORD"}


def test_literal_password_and_bare_assignments(tmp_path: Path) -> None:
    parsed = parse_openrc(
        write(
            tmp_path,
            "OS_AUTH_URL=https://k.example.org/v3\n"
            "PROJECT=demo; export PROJECT\n"
            "export OS_PASSWORD='s3cr3t'\n",
        )
    )
    assert parsed.values == {
        "OS_AUTH_URL": "https://k.example.org/v3",
        "PROJECT": "demo",
        "OS_PASSWORD": "s3cr3t",
    }
    assert parsed.password_prompt is False


# --- mapping rules ---------------------------------------------------------------------


def test_environment_variables_like_the_openstack_cli() -> None:
    environ = {
        "OS_AUTH_URL": "https://k.example.org:5000/v3",
        "OS_USERNAME": "bob",
        "OS_PASSWORD": "pw",
        "OS_TENANT_NAME": "old-name",
        "OS_PROJECT_NAME": "new-name",
        "OS_USER_DOMAIN_ID": "d1",
        "OS_ENDPOINT_TYPE": "internalURL",
        "OS_REGION_NAME": "DE",
        "HOME": "/home/bob",
    }
    credentials = load_credentials(environ=environ, ask_password=None)
    assert credentials == Credentials(
        source="environment",
        auth_type="password",
        auth={
            "auth_url": "https://k.example.org:5000/v3",
            "username": "bob",
            "user_domain_id": "d1",
            "project_domain_name": "Default",
            "project_name": "new-name",
            "password": "pw",
        },
        region_name="DE",
        region_origin="OS_REGION_NAME in the environment",
        interface="internal",
        verify=True,
        warnings=("environment: OS_TENANT_NAME ignored, OS_PROJECT_NAME wins",),
    )


def test_interface_beats_endpoint_type_and_cacert(tmp_path: Path) -> None:
    cacert = write(tmp_path, "-----BEGIN CERTIFICATE-----\n", "ca.pem")
    environ = {
        "OS_AUTH_URL": "https://k.example.org/v3",
        "OS_USER_ID": "u1",
        "OS_PROJECT_ID": "p1",
        "OS_PASSWORD": "pw",
        "OS_INTERFACE": "admin",
        "OS_ENDPOINT_TYPE": "publicURL",
        "OS_CACERT": str(cacert),
    }
    credentials = load_credentials(environ=environ, ask_password=None)
    assert credentials.interface == "admin"
    assert credentials.verify == str(cacert)
    assert credentials.auth["user_id"] == "u1"
    assert credentials.auth["project_id"] == "p1"


def test_missing_cacert_file_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export OS_AUTH_URL=https://k.example.org/v3\n"
        "export OS_USERNAME=bob OS_PROJECT_NAME=demo\n"
        f"export OS_CACERT={tmp_path}/missing.pem\n",
    )
    with pytest.raises(CredentialsError, match=rf"^{path}:3: OS_CACERT file .* not found$"):
        load_openrc(path)


def test_v2_by_identity_api_version_keeps_the_path_prefix() -> None:
    environ = {
        "OS_AUTH_URL": "https://cloud.example.org/identity",
        "OS_IDENTITY_API_VERSION": "2",
        "OS_USERNAME": "bob",
        "OS_TENANT_NAME": "demo",
        "OS_PASSWORD": "pw",
    }
    credentials = load_credentials(environ=environ, ask_password=None)
    assert credentials.auth["auth_url"] == "https://cloud.example.org/identity/v3"
    assert credentials.warnings == (
        "environment: Keystone v2.0 is retired (OVH switched it off in 2020); "
        "trying v3 at https://cloud.example.org/identity/v3 with domain Default",
    )


def test_application_credential_by_name_needs_the_user(tmp_path: Path) -> None:
    text = APPLICATION_CREDENTIAL.replace(
        "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME"
    )
    path = write(tmp_path, text)
    with pytest.raises(CredentialsError) as error:
        load_openrc(path)
    assert str(error.value) == f"{path}: OS_USERNAME or OS_USER_ID is not set"
    credentials = load_openrc(write(tmp_path, text + "export OS_USERNAME=alice\n"))
    assert credentials.auth == {
        "auth_url": "https://keystone.example.org:5000/v3",
        "application_credential_name": "4a6f0e1c2b3d4e5f",
        "application_credential_secret": "app-secret-XYZ",
        "username": "alice",
        "user_domain_name": "Default",
    }


def test_application_credential_secret_order(tmp_path: Path) -> None:
    without_secret = "\n".join(
        line for line in APPLICATION_CREDENTIAL.splitlines() if "SECRET" not in line
    )
    path = write(tmp_path, without_secret)
    environ = {"OS_APPLICATION_CREDENTIAL_SECRET": "from-env"}
    assert load_openrc(path, environ).auth["application_credential_secret"] == "from-env"
    ask = answer("asked")
    credentials = load_credentials(openrc=path, environ={}, ask_password=ask)
    assert credentials.auth["application_credential_secret"] == "asked"
    assert ask.prompts == ["Secret of application credential 4a6f0e1c2b3d4e5f: "]
    with pytest.raises(CredentialsError) as error:
        load_credentials(openrc=path, environ={}, ask_password=None)
    assert str(error.value) == (
        "no secret for application credential 4a6f0e1c2b3d4e5f: "
        "set OS_APPLICATION_CREDENTIAL_SECRET or run on a terminal"
    )


def test_missing_required_variables_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "export OS_AUTH_URL=https://k.example.org/v3\nexport OS_USERNAME=bob\n")
    with pytest.raises(CredentialsError) as error:
        load_openrc(path)
    assert str(error.value) == f"{path}: OS_PROJECT_NAME or OS_PROJECT_ID is not set"
    path = write(tmp_path, "export OS_USERNAME=bob\n")
    with pytest.raises(CredentialsError) as error:
        load_openrc(path)
    assert str(error.value) == f"{path}: OS_AUTH_URL is not set"


def test_unsupported_auth_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export OS_AUTH_URL=https://k.example.org/v3\nexport OS_AUTH_TYPE=v3oidcpassword\n",
    )
    with pytest.raises(CredentialsError, match=rf"^{path}:2: OS_AUTH_TYPE 'v3oidcpassword'"):
        load_openrc(path)


# --- the password -----------------------------------------------------------------------


def test_password_order_environment_file_ask_error(tmp_path: Path) -> None:
    with_literal = write(tmp_path, HORIZON.replace('"$OS_PASSWORD_INPUT"', "'in-file'"), "a.sh")
    prompting = write(tmp_path, HORIZON, "b.sh")
    environ = {"OS_PASSWORD": "from-env"}

    credentials = load_openrc(with_literal, environ)
    assert credentials.auth["password"] == "from-env"
    assert credentials.warnings == (
        f"{with_literal}: OS_PASSWORD from the environment replaces OS_PASSWORD written there",
    )
    assert load_openrc(prompting, environ).auth["password"] == "from-env"

    ask = answer("asked")
    credentials = load_credentials(openrc=with_literal, environ={}, ask_password=ask)
    assert credentials.auth["password"] == "in-file"
    assert ask.prompts == []

    credentials = load_credentials(openrc=prompting, environ={}, ask_password=ask)
    assert credentials.auth["password"] == "asked"
    assert ask.prompts == ["Password for user alice (project media-archive): "]

    for ask_password in (None, answer(None)):
        with pytest.raises(CredentialsError) as error:
            load_credentials(openrc=prompting, environ={}, ask_password=ask_password)
        assert (
            str(error.value) == "no password for user alice: set OS_PASSWORD or run on a terminal"
        )


def test_empty_answer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match=r"^empty password for user alice$"):
        load_credentials(openrc=write(tmp_path, HORIZON), environ={}, ask_password=answer(""))


def test_no_terminal_means_no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert terminal_password_prompt("Password: ") is None
    environ = {"OS_AUTH_URL": "https://k.example.org/v3", "OS_USERNAME": "bob"}
    environ["OS_PROJECT_NAME"] = "demo"
    with pytest.raises(CredentialsError, match=r"^no password for user bob: set OS_PASSWORD"):
        load_credentials(environ=environ, ask_password=terminal_password_prompt)


def test_terminal_prompt_uses_getpass(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []
    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "secret")
    assert terminal_password_prompt("Password: ") == "secret"
    assert prompts == ["Password: "]


def test_text_forms_never_show_a_secret(tmp_path: Path) -> None:
    credentials = load_openrc(write(tmp_path, APPLICATION_CREDENTIAL))
    retyped = load_openrc(write(tmp_path, HORIZON)).with_password("new-Pa55word")
    assert retyped.auth["password"] == "new-Pa55word"
    parsed = parse_openrc(write(tmp_path, "export OS_PASSWORD=file-Pa55word\n"))
    for text in (repr(credentials), str(credentials), f"{retyped}", repr(retyped), repr(parsed)):
        assert "app-secret-XYZ" not in text
        assert "Pa55word" not in text
        assert "***" in text
    assert credentials.with_password("other").auth["application_credential_secret"] == "other"


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"export OS_USERNAME=bob\n\x00\x01", ":2: binary data (NUL byte), not an openrc file"),
        (b"export OS_USERNAME=bob\nexport OS_X=\xff\n", ":2: not UTF-8 text, not an openrc file"),
        (b"", ": empty file, not an openrc file"),
        (b"\n  \r\n", ": empty file, not an openrc file"),
        (b"# only a comment\nFOO=bar\n", ": sets no OS_ variable, not an openrc file"),
        (b"export OS_X=" + b"a" * (1024 * 1024), ": larger than 1 MiB, not an openrc file"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "openrc.sh"
    path.write_bytes(content)
    with pytest.raises(CredentialsError) as error:
        parse_openrc(path)
    assert str(error.value) == f"{path}{message}"


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match=f"^{tmp_path}: is a directory, not an openrc file$"):
        parse_openrc(tmp_path)
    missing = tmp_path / "nope.sh"
    with pytest.raises(CredentialsError, match=f"^{missing}: no such file$"):
        load_credentials(openrc=missing, environ={}, ask_password=None)


def test_unreadable_file(tmp_path: Path) -> None:
    """Read by a user the file does not let in (root reads every file: under root, as CI
    runs, a forked child becomes ``nobody`` first)."""
    folder = tmp_path / "home"
    folder.mkdir()
    folder.chmod(0o711)  # enterable, so the file itself is what refuses
    path = write(folder, "export OS_USERNAME=bob\n")
    path.chmod(0)
    assert unprivileged_error(folder, path.name) == f"{path.name}: cannot read: Permission denied"


def unprivileged_error(folder: Path, name: str) -> str:
    """The error ``parse_openrc(name)`` raises in ``folder`` for a user who is not root.

    A child process does it (forked, not a new interpreter, which ``nobody`` may not be
    allowed to start from here), with a relative name: the folders above ``folder`` (the
    temporary directory's) may be closed to ``nobody``.
    """
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        message = "no error"
        try:
            os.close(reader)
            os.chdir(folder)
            if os.geteuid() == 0:
                nobody = pwd.getpwnam("nobody")
                os.setgroups([])
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
            parse_openrc(Path(name))
        except BaseException as error:  # everything goes back to the parent
            message = str(error)
        finally:
            os.write(writer, message.encode())
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as answer:
        message = answer.read()
    os.waitpid(child, 0)
    return message


def test_auth_url_without_http_scheme(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export OS_USERNAME=bob OS_PROJECT_NAME=demo\nexport OS_AUTH_URL=auth.cloud.ovh.net/v3\n",
    )
    with pytest.raises(CredentialsError) as error:
        load_openrc(path)
    assert str(error.value) == (
        f"{path}:2: OS_AUTH_URL 'auth.cloud.ovh.net/v3' is not an http:// or https:// URL"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("source ~/secrets.sh", "swiftui runs no shell command, cannot use: source ~/secrets.sh"),
        ("curl -s https://example.org/pw", "swiftui runs no shell command, cannot use: curl"),
        ("get_password() { echo x; }", "unsupported shell syntax: get_password() { echo x; }"),
        ("export OS_PASSWORD=hunter2 && true", "unsupported shell syntax: export OS_PASSWORD=***"),
        ('export OS_REGION_NAME="GRA', 'unterminated quote: export OS_REGION_NAME="GRA'),
        ("export OS_X=${OS_Y:=z}", "unsupported parameter expansion: export OS_X=${OS_Y:=z}"),
        ("if [ -z x ]; then unset OS_X", "'if' not understood or not closed by 'fi'"),
        ("fi", "unexpected 'fi': fi"),
        ("export -n OS_X", "unsupported export: export -n OS_X"),
    ],
)
def test_unknown_commands_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, f"export OS_USERNAME=bob\n{line}\n")
    with pytest.raises(CredentialsError) as error:
        parse_openrc(path)
    assert str(error.value).startswith(f"{path}:2: {message}")
    assert "hunter2" not in str(error.value)


def test_no_credentials_at_all() -> None:
    with pytest.raises(CredentialsError, match=r"^no credentials: pass --openrc FILE"):
        load_credentials(environ={"OS_PASSWORD": "pw", "HOME": "/root"}, ask_password=None)


# --- clouds.yaml ------------------------------------------------------------------------

CLOUDS_YAML = """\
clouds:
  ovh:
    auth:
      auth_url: https://auth.cloud.ovh.net/v3
      username: user-AbCdEf123456
      password: from-yaml
      project_name: 1234567890123456
      user_domain_name: Default
      project_domain_name: Default
    region_name: GRA
    interface: public
    identity_api_version: 3
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.org:5000/v3
      application_credential_id: 4a6f0e1c2b3d4e5f
      application_credential_secret: app-secret-XYZ
    verify: false
  legacy:
    auth:
      auth_url: https://auth.cloud.ovh.net/v2.0/
      username: bob
      tenant_name: demo
    cacert: {cacert}
"""


@pytest.fixture
def clouds_environ(tmp_path: Path) -> dict[str, str]:
    cacert = write(tmp_path, "-----BEGIN CERTIFICATE-----\n", "ca.pem")
    clouds = write(tmp_path, CLOUDS_YAML.format(cacert=cacert), "clouds.yaml")
    return {"OS_CLIENT_CONFIG_FILE": str(clouds)}


def test_clouds_yaml_cloud(tmp_path: Path, clouds_environ: dict[str, str]) -> None:
    credentials = load_credentials(cloud="ovh", environ=clouds_environ, ask_password=None)
    assert credentials == Credentials(
        source=f"cloud 'ovh' ({tmp_path / 'clouds.yaml'})",
        auth_type="password",
        auth={
            "auth_url": "https://auth.cloud.ovh.net/v3",
            "username": "user-AbCdEf123456",
            "password": "from-yaml",
            "project_name": "1234567890123456",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        region_name="GRA",
        region_origin=f"cloud 'ovh' in {tmp_path / 'clouds.yaml'}",
        interface="public",
        verify=True,
    )


def test_os_cloud_from_environ_and_password_from_environment(
    clouds_environ: dict[str, str],
) -> None:
    environ = {**clouds_environ, "OS_CLOUD": "ovh", "OS_PASSWORD": "from-env"}
    credentials = load_credentials(environ=environ, ask_password=None)
    assert credentials.auth["password"] == "from-env"
    assert len(credentials.warnings) == 1
    assert "OS_PASSWORD from the environment replaces auth.password" in credentials.warnings[0]


def test_clouds_yaml_application_credential(clouds_environ: dict[str, str]) -> None:
    credentials = load_credentials(cloud="appcred", environ=clouds_environ, ask_password=None)
    assert credentials.auth_type == "v3applicationcredential"
    assert credentials.auth == {
        "auth_url": "https://keystone.example.org:5000/v3",
        "application_credential_id": "4a6f0e1c2b3d4e5f",
        "application_credential_secret": "app-secret-XYZ",
    }
    assert credentials.verify is False
    assert credentials.region_name is None


def test_clouds_yaml_legacy_cloud(tmp_path: Path, clouds_environ: dict[str, str]) -> None:
    ask = answer("asked")
    credentials = load_credentials(cloud="legacy", environ=clouds_environ, ask_password=ask)
    assert credentials.auth == {
        "auth_url": "https://auth.cloud.ovh.net/v3",
        "username": "bob",
        "project_name": "demo",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
        "password": "asked",
    }
    assert credentials.verify == str(tmp_path / "ca.pem")
    assert ask.prompts == ["Password for user bob (project demo): "]
    assert credentials.warnings == (
        f"cloud 'legacy' in {tmp_path / 'clouds.yaml'}: Keystone v2.0 is retired (OVH switched "
        "it off in 2020); trying v3 at https://auth.cloud.ovh.net/v3 with domain Default",
    )


def test_unknown_cloud_name(tmp_path: Path, clouds_environ: dict[str, str]) -> None:
    with pytest.raises(CredentialsError) as error:
        load_credentials(cloud="ovh-gra", environ=clouds_environ, ask_password=None)
    assert str(error.value) == (
        f"cloud 'ovh-gra' not found in {tmp_path / 'clouds.yaml'}; "
        "clouds there: appcred, legacy, ovh"
    )


def test_no_clouds_yaml_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openstack.config import loader

    searched = [str(tmp_path / "a" / "clouds.yaml"), str(tmp_path / "b" / "clouds.yml")]
    monkeypatch.setattr(loader, "CONFIG_FILES", searched)
    monkeypatch.setattr(loader, "SECURE_FILES", [])
    with pytest.raises(CredentialsError) as error:
        load_credentials(cloud="ovh", environ={}, ask_password=None)
    assert str(error.value) == (
        f"cloud 'ovh' not found: no clouds.yaml (.yml, .json) in {tmp_path / 'a'}, {tmp_path / 'b'}"
    )


def test_config_file_that_does_not_exist(tmp_path: Path) -> None:
    environ = {"OS_CLIENT_CONFIG_FILE": str(tmp_path / "none.yaml")}
    with pytest.raises(CredentialsError, match=r"^OS_CLIENT_CONFIG_FILE .*: no such file$"):
        load_credentials(cloud="ovh", environ=environ, ask_password=None)


def test_openrc_wins_over_os_cloud(tmp_path: Path, clouds_environ: dict[str, str]) -> None:
    environ = {**clouds_environ, "OS_CLOUD": "ovh"}
    credentials = load_openrc(write(tmp_path, HORIZON), environ)
    assert credentials.source.startswith("openrc ")
