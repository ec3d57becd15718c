"""Bad input as users type it: each gets one ``swiftui: ...`` line naming what is wrong, a
non-zero exit code and no traceback; names Swift accepts go up and come back exact.

Most cases run ``swiftui.cli.main`` in this process (fast); a named pipe runs as a
subprocess with a timeout, since a regression there would hang. Without ``OS_*``
variables a case that reached authentication would fail with exit 3, so an exit 2 also
proves the refusal came before any network use. The parsers' own unit cases are in
``test_units.py`` and ``test_credentials.py``; the 0-byte file in ``test_upload.py``; a
file root cannot read (setpriv) in ``test_upload_cli.py``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import names
from support.fault_support import one_line_error
from support.upload_support import download_md5, write_random

from swiftui.cli import main
from swiftui.sandbox import Sandbox
from swiftui.units import KIB, MIB


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exited:  # argparse refuses what it parses itself
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys: pytest.CaptureFixture[str], code: int, *argv: str) -> str:
    """Run, expect exit ``code`` and a single error line; return that line."""
    got, _out, err = run(capsys, *argv)
    assert got == code, err
    # argparse's own refusals read "swiftui upload: error: argument --threads: ..."
    return one_line_error(re.sub(r"^swiftui \w+: error: ", "swiftui: ", err))


def containers(checker: swiftclient.Connection) -> set[str]:
    return {entry["name"] for entry in checker.get_account(full_listing=True)[1]}


# -- openrc files ------------------------------------------------------------------------------

V3_OPENRC = """\
export OS_AUTH_URL={auth_url}
export OS_IDENTITY_API_VERSION=3
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_PROJECT_NAME={project}
export OS_USERNAME={user}
export OS_REGION_NAME=GRA
"""


def openrc_text(sandbox: Sandbox, **changes: str | None) -> str:
    """The sandbox user's v3 openrc with variables changed (None drops the line)."""
    lines = V3_OPENRC.format(
        auth_url=sandbox.auth_url, project=sandbox.project_name, user=sandbox.username
    ).splitlines()
    for name, value in changes.items():
        lines = [line for line in lines if not line.startswith(f"export {name}=")]
        if value is not None:
            lines.append(f"export {name}={value}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", 3, "{path}: empty file, not an openrc file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "{path}:3: binary data (NUL byte)"),
        (b"export OS_X=" + b"y" * (2 * MIB) + b"\n", 3, "{path}: larger than 1 MiB"),
        ("OS_AUTH_URL", 3, "{path}: OS_AUTH_URL is not set"),
        ("OS_USERNAME", 3, "{path}: OS_USERNAME"),
        ("ftp", 3, "{path}:7: OS_AUTH_URL 'ftp://"),
        ("https", 4, "127.0.0.1:{port} does not speak TLS: it answers plain HTTP"),
        (
            "unknown region",
            2,
            "region 'XYZ1' (from OS_REGION_NAME in {path}) is not in the catalog "
            "(valid: GRA, SBG); pass --region NAME",
        ),
    ],
    ids=["empty", "binary", "huge", "no auth url", "no user", "ftp url", "https to http", "region"],
)
def test_a_bad_openrc_is_one_line_naming_it(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: bytes | str,
    code: int,
    message: str,
) -> None:
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    port = sandbox.auth_url.split(":")[2].split("/")[0]
    if isinstance(content, bytes):
        data = content
    elif content in ("OS_AUTH_URL", "OS_USERNAME"):
        data = openrc_text(sandbox, **{content: None}).encode()
    elif content == "ftp":
        data = openrc_text(sandbox, OS_AUTH_URL=f"ftp://127.0.0.1:{port}/v3").encode()
    elif content == "https":
        data = openrc_text(sandbox, OS_AUTH_URL=f"https://127.0.0.1:{port}/v3").encode()
    else:
        data = openrc_text(sandbox, OS_REGION_NAME="XYZ1").encode()
    path = tmp_path / "openrc.sh"
    path.write_bytes(data)
    archive = tmp_path / "archive.bin"
    archive.write_bytes(b"data")
    line = refused(capsys, code, "upload", "--openrc", str(path), container_name, str(archive))
    assert line.startswith("swiftui: " + message.format(path=path, port=port)), line
    assert sandbox.password not in line
    assert container_name not in containers(checker)


def test_a_keystone_v2_openrc_is_tried_on_v3_with_a_warning(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Users keep v2 openrc files (OVH switched v2 off in 2020): same host, v3, a warning."""
    monkeypatch.setenv("OS_PASSWORD", sandbox.password)
    v2_url = sandbox.auth_url.removesuffix("/v3") + "/v2.0"
    path = tmp_path / "openrc-v2.sh"
    path.write_text(
        f"export OS_AUTH_URL={v2_url}\n"
        f"export OS_TENANT_NAME={sandbox.project_name}\n"
        f"export OS_USERNAME={sandbox.username}\n"
        "export OS_REGION_NAME=SBG\n"
    )
    code, out, err = run(capsys, "regions", "--openrc", str(path))
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["GRA", "SBG"]
    [warning] = err.splitlines()
    assert warning.startswith("swiftui: warning: ") and "v2" in warning
    assert "Traceback" not in err


@pytest.mark.parametrize("what", ["directory", "missing"])
def test_an_openrc_that_is_a_directory_or_missing_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, what: str
) -> None:
    path = tmp_path if what == "directory" else tmp_path / "nope.sh"
    line = refused(capsys, 3, "regions", "--openrc", str(path))
    assert line.startswith(f"swiftui: {path}: ")


# -- names ---------------------------------------------------------------------------------------

ODD_NAMES = [
    "résumé 2024/日本語 ü.tar",
    "100% done.tar",
    "%2F.tar",
    "what?.tar",
    "a?b=c&d=e#f",
    "/leading/slash.tar",
    "  spaces around  ",
    "x" * 1024,
]


@pytest.mark.parametrize(
    "name",
    ODD_NAMES,
    ids=["unicode", "percent", "encoded-slash", "question", "query", "lead", "spaces", "1024"],
)
def test_odd_object_names_round_trip_exactly(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    capsys: pytest.CaptureFixture[str],
    container_name: str,
    tmp_path: Path,
    name: str,
) -> None:
    path = tmp_path / "small.bin"
    md5 = write_random(path, 10 * KIB)
    code, _out, err = run(capsys, "upload", container_name, str(path), "--object-name", name)
    assert code == 0, err
    assert names(checker, container_name) == [name]
    assert download_md5(checker, container_name, name) == md5


def test_an_odd_name_works_for_a_segmented_upload_too(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Segment names and manifest paths carry the name: all of it must survive quoting."""
    container = f"conteneur-été {os.urandom(3).hex()}"
    name = "/dir ü/100% sure?#1.tar"
    path = tmp_path / "big.bin"
    md5 = write_random(path, 2 * MIB + 10)
    code, _out, err = run(
        capsys, "upload", container, str(path), "--object-name", name, "--segment-size", "1MiB"
    )
    assert code == 0, err
    assert names(checker, container) == [name]
    assert checker.head_object(container, name)["x-static-large-object"] == "True"
    segments = names(checker, f"{container}_segments")
    assert len(segments) == 3 and all(segment.startswith(f"{name}/slo/") for segment in segments)
    assert download_md5(checker, container, name) == md5


def test_names_that_differ_only_in_case_are_two_objects(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    capsys: pytest.CaptureFixture[str],
    container_name: str,
    tmp_path: Path,
) -> None:
    upper, lower = tmp_path / "upper.bin", tmp_path / "lower.bin"
    md5s = {
        "Backup.tar": write_random(upper, 10 * KIB),
        "backup.tar": write_random(lower, 10 * KIB),
    }
    for name, path in (("Backup.tar", upper), ("backup.tar", lower)):
        code, _out, err = run(capsys, "upload", container_name, str(path), "--object-name", name)
        assert code == 0, err
    assert names(checker, container_name) == ["Backup.tar", "backup.tar"]
    for name, md5 in md5s.items():
        assert download_md5(checker, container_name, name) == md5


@pytest.mark.parametrize(
    ("container", "object_name", "size", "message"),
    [
        ("has/slash", None, KIB, "CONTAINER: 'has/slash' is not a container name"),
        ("", None, KIB, "CONTAINER: '' is not a container name"),
        ("c" * 257, None, KIB, "is longer than this cluster's 256 bytes"),
        (None, "", KIB, "--object-name must not be empty"),
        (None, "x" * 1025, KIB, "object name is 1025 bytes long; this cluster allows 1024"),
        (None, "x" * 1000, 2 * MIB, "object name is too long for its segment names"),
    ],
    ids=["slash", "empty", "257", "empty-name", "1025", "segments-too-long"],
)
def test_names_swift_would_refuse_are_refused_before_anything_is_created(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    capsys: pytest.CaptureFixture[str],
    container_name: str,
    tmp_path: Path,
    container: str | None,
    object_name: str | None,
    size: int,
    message: str,
) -> None:
    path = tmp_path / "file.bin"
    write_random(path, size)
    argv = ["upload", container_name if container is None else container, str(path)]
    if object_name is not None:
        argv += ["--object-name", object_name]
    line = refused(capsys, 2, *argv, "--segment-size", "1MiB")
    assert message in line
    assert not containers(checker) & {container_name, f"{container_name}_segments", container}


# -- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "segments"),
    [(MIB, []), (MIB + 1, [MIB, 1]), (2 * MIB, [MIB, MIB])],
    ids=["one-segment", "one-byte-more", "two-exactly"],
)
def test_sizes_at_the_segment_boundary_land_as_planned(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    capsys: pytest.CaptureFixture[str],
    container_name: str,
    tmp_path: Path,
    size: int,
    segments: list[int],
) -> None:
    path = tmp_path / "edge.bin"
    md5 = write_random(path, size)
    code, _out, err = run(capsys, "upload", container_name, str(path), "--segment-size", "1MiB")
    assert code == 0, err
    head = checker.head_object(container_name, "edge.bin")
    assert int(head["content-length"]) == size
    if not segments:
        assert "x-static-large-object" not in head
        assert head["etag"] == md5
        assert f"{container_name}_segments" not in containers(checker)
    else:
        _headers, manifest = checker.get_object(
            container_name, "edge.bin", query_string="multipart-manifest=get"
        )
        assert [entry["bytes"] for entry in json.loads(manifest)] == segments
    assert download_md5(checker, container_name, "edge.bin") == md5


# -- not a regular file ------------------------------------------------------------------------


def _special_file(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """A path that is not a readable regular file, and the message part expected."""
    if kind in ("/dev/zero", "/dev/null"):
        return Path(kind), "not a regular file (a character device)"
    if kind == "socket":
        path = tmp_path / "agent.sock"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        return path, "cannot open it: No such device or address"
    if kind == "symlink loop":
        path = tmp_path / "loop"
        path.symlink_to(path)
        return path, "cannot open it: Too many levels of symbolic links"
    path = tmp_path / "gone"
    path.symlink_to(tmp_path / "nothing-there")
    return path, "no such file"


@pytest.mark.parametrize(
    "kind", ["/dev/zero", "/dev/null", "socket", "symlink loop", "dangling symlink"]
)
def test_what_is_not_a_readable_file_is_refused_before_authenticating(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path, message = _special_file(kind, tmp_path)
    line = refused(capsys, 2, "upload", "c", str(path))
    assert line == f"swiftui: {path}: {message}" or line.startswith(f"swiftui: {path}: {message}")


def test_a_named_pipe_nobody_writes_to_is_refused_at_once(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer: swiftui must not hang there."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "swiftui", "upload", "c", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 2
    assert one_line_error(done.stderr) == (
        f"swiftui: {fifo}: not a regular file (a named pipe); swiftui uploads files whose size "
        "is known before the first byte is sent"
    )


# -- sizes, durations and counts typed wrong -------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "names_option"),
    [
        (["upload", "c", "{file}", "--segment-size", "12 parsecs"], "--segment-size"),
        (["upload", "c", "{file}", "--segment-size", "0"], "--segment-size"),
        (["upload", "c", "{file}", "--segment-size", "-1GiB"], "--segment-size"),
        (["upload", "c", "{file}", "--segment-size", "1,5GiB"], "--segment-size"),
        (["upload", "c", "{file}", "--delete-after", "3 months"], "--delete-after"),
        (["upload", "c", "{file}", "--delete-after", "0"], "--delete-after"),
        (["upload", "c", "{file}", "--delete-after", "90"], "--delete-after: 90: add a unit"),
        (["prune", "c", "--older-than", "90"], "--older-than: 90: add a unit"),
        (["orphans", "c", "--min-age", "2"], "--min-age: 2: add a unit"),
        (["upload", "c", "{file}", "--delete-at", "2001-01-01"], "--delete-at"),
        (["upload", "c", "{file}", "--delete-at", "next tuesday"], "--delete-at"),
        (["upload", "c", "{file}", "--threads", "0"], "--threads"),
        (["upload", "c", "{file}", "--threads", "1000"], "--threads"),
        (["upload", "c", "{file}", "--threads", "four"], "--threads"),
        (["prune", "c", "--older-than", "1y"], "--older-than"),
        (["prune", "c", "--keep-last", "0"], "--keep-last"),
        (["prune", "c", "--keep-last", "-3"], "--keep-last"),
        (["prune", "c"], "--older-than"),
        (["orphans", "c", "--min-age", "soon"], "--min-age"),
    ],
)
def test_a_mistyped_size_duration_or_count_names_the_option_before_authenticating(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], names_option: str
) -> None:
    file = tmp_path / "f.bin"
    file.write_bytes(b"data")
    line = refused(capsys, 2, *[word.format(file=file) for word in argv])
    assert names_option in line


@pytest.mark.parametrize("threads", ["0", "33"])
def test_a_field_the_engine_refuses_is_named_as_the_option_typed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, threads: str
) -> None:
    """The engine names the field; the CLI words it as its option (no OS_* variables: an
    exit 2 also proves it was refused before any network use)."""
    path = tmp_path / "file.bin"
    path.write_bytes(b"x")
    line = refused(capsys, 2, "upload", "backups", str(path), "--threads", threads)
    assert line == f"swiftui: --threads must be between 1 and 32, not {threads}"
