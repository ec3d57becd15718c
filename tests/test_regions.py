"""`swiftui regions` against the sandbox: both credential sources, and each auth failure."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import swiftclient
from conftest import openrc_with_region, swift_checker

from swiftui.cli import main
from swiftui.sandbox import Sandbox


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_regions_from_ovh_shaped_openrc(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, out, err = run_cli(capsys, "regions", "--openrc", str(sandbox.openrc_path))
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["GRA", "SBG"]
    assert lines[0].split()[1] == sandbox.storage_url("GRA")
    assert lines[1].split()[1] == sandbox.storage_url("SBG")
    assert sandbox.password not in out + err


def test_regions_from_clouds_yaml(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sandbox.clouds_yaml_path))
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, out, err = run_cli(capsys, "regions", "--os-cloud", "sandbox", "--region", "SBG")
    assert code == 0, err
    assert out.split() == ["SBG", sandbox.storage_url("SBG")]


def test_regions_from_environment(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "regions")
    assert code == 0
    assert "GRA" in out and "SBG" in out


def test_wrong_password_is_one_clear_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_PASSWORD", "not-the-password")
    code, out, err = run_cli(capsys, "regions", "--openrc", str(sandbox.openrc_path))
    assert code == 4
    assert out == ""
    assert err.count("\n") == 1
    assert "refused user 'swiftui-user' for project 'swiftui-demo'" in err
    assert "not-the-password" not in err


def test_compute_region_name_suggests_storage_region(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "regions", "--region", "GRA7")
    assert code == 2
    assert err.strip() == (
        "swiftui: region 'GRA7' is not in the catalog (valid: GRA, SBG); did you mean GRA?"
    )


def test_unreachable_auth_url_fails_fast(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("OS_AUTH_URL", f"http://127.0.0.1:{closed_port}/v3")
    started = time.monotonic()
    code, _, err = run_cli(capsys, "regions")
    assert time.monotonic() - started < 15
    assert code == 4
    assert err.startswith(f"swiftui: cannot reach 127.0.0.1:{closed_port}")
    assert "Traceback" not in err


def test_swift_url_given_as_auth_url_is_not_keystone(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OS_AUTH_URL", sandbox.proxy_url("GRA") + "/v3")
    code, _, err = run_cli(capsys, "regions")
    assert code == 4
    assert "does not answer like a Keystone v3 identity service" in err


def test_no_password_and_no_terminal_is_an_error(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(capsys, "regions", "--openrc", str(sandbox.openrc_path))
    assert code == 3
    assert "no password for user 'swiftui-user'" in err or "no password" in err


def _self_signed_server(tmp_path: Path) -> tuple[object, int]:
    """An HTTPS server on 127.0.0.1 whose certificate nobody trusts."""
    import datetime
    import http.server
    import ssl
    import threading

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "server.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def test_untrusted_certificate_is_refused_by_default(
    sandbox_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server, port = _self_signed_server(tmp_path)
    try:
        monkeypatch.setenv("OS_AUTH_URL", f"https://127.0.0.1:{port}/v3")
        code, _, err = run_cli(capsys, "regions")
    finally:
        server.shutdown()
    assert code == 4
    assert err.startswith(f"swiftui: TLS verification failed for 127.0.0.1:{port}")
    assert "--insecure" in err


def test_compute_region_in_openrc_uses_its_storage_region_with_one_warning(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    container_name: str,
) -> None:
    swift_checker(sandbox, "SBG").put_container(container_name)
    openrc = openrc_with_region(sandbox, tmp_path, "SBG5")
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, out, err = run_cli(capsys, "orphans", container_name, "--openrc", str(openrc))
    assert code == 0, err
    assert err == (
        f"swiftui: warning: region SBG5 (from OS_REGION_NAME in {openrc}) has no object "
        "storage; using SBG\n"
    )
    assert out.startswith(f"No orphaned segments: nothing in '{container_name}_segments'")


def test_compute_region_in_environment_uses_its_storage_region(
    sandbox_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    checker: swiftclient.Connection,
    container_name: str,
) -> None:
    checker.put_container(container_name)
    monkeypatch.setenv("OS_REGION_NAME", "gra7")
    code, out, err = run_cli(capsys, "orphans", container_name)
    assert code == 0, err
    assert err == (
        "swiftui: warning: region gra7 (from OS_REGION_NAME in the environment) has no "
        "object storage; using GRA\n"
    )
    assert out.startswith("No orphaned segments")


def test_compute_region_in_clouds_yaml_uses_its_storage_region(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    checker: swiftclient.Connection,
    container_name: str,
) -> None:
    checker.put_container(container_name)
    clouds = tmp_path / "clouds.yaml"
    text = sandbox.clouds_yaml_path.read_text()
    assert "region_name: GRA\n" in text
    clouds.write_text(text.replace("region_name: GRA\n", "region_name: GRA7\n"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, _, err = run_cli(capsys, "orphans", container_name, "--os-cloud", "sandbox")
    assert code == 0, err
    assert err == (
        f"swiftui: warning: region GRA7 (from cloud 'sandbox' in {clouds}) has no object "
        "storage; using GRA\n"
    )


def test_region_in_openrc_without_storage_names_the_file_and_the_option(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    openrc = openrc_with_region(sandbox, tmp_path, "XYZ1")
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, out, err = run_cli(capsys, "orphans", "backups", "--openrc", str(openrc))
    assert code == 2
    assert out == ""
    assert err == (
        f"swiftui: region 'XYZ1' (from OS_REGION_NAME in {openrc}) is not in the catalog "
        "(valid: GRA, SBG); pass --region NAME\n"
    )


def test_region_option_beats_the_files_region_and_is_never_mapped(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    container_name: str,
) -> None:
    swift_checker(sandbox, "SBG").put_container(container_name)
    openrc = openrc_with_region(sandbox, tmp_path, "XYZ1")
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    code, out, err = run_cli(
        capsys, "orphans", container_name, "--openrc", str(openrc), "--region", "SBG"
    )
    assert (code, err) == (0, "")
    assert out.startswith("No orphaned segments")

    code, out, err = run_cli(
        capsys, "orphans", container_name, "--openrc", str(openrc), "--region", "GRA7"
    )
    assert code == 2
    assert err == (
        "swiftui: region 'GRA7' is not in the catalog (valid: GRA, SBG); did you mean GRA?\n"
    )


@pytest.mark.parametrize("command", [[], ["regions"], ["orphans", "backups"]])
def test_openrc_and_os_cloud_together_are_refused(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = run_cli(
        capsys, *command, "--openrc", str(sandbox.openrc_path), "--os-cloud", "sandbox"
    )
    assert code == 2
    assert out == ""
    assert err == (
        "swiftui: --openrc and --os-cloud both name credentials: pass one of them, not both\n"
    )
