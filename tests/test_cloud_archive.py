"""The sandbox's Cloud Archive emulation speaks OVHcloud's documented retrieval protocol.

Checked against the running sandbox with plain HTTP (the protocol's headers and statuses)
and python-swiftclient (what the server holds).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import swiftclient
from support.cloud_archive_support import ArchiveHttp
from support.tui_support import upload_slo

from swiftui.sandbox import Sandbox

LONG_S = 3600


@pytest.fixture
def archive(checker: swiftclient.Connection, container_name: str) -> str:
    """A container on the archive policy."""
    checker.put_container(container_name, headers={"X-Storage-Policy": "PCA"})
    return container_name


@pytest.fixture
def http(checker: swiftclient.Connection) -> ArchiveHttp:
    return ArchiveHttp(checker)


@pytest.fixture
def one_second(sandbox: Sandbox) -> Iterator[None]:
    """Unsealing takes a second here (hours on OVHcloud)."""
    with sandbox.unseal_timing(delay_s=1):
        yield


def test_a_get_starts_unsealing_and_answers_429_until_the_delay_has_passed(
    sandbox: Sandbox, checker: swiftclient.Connection, http: ArchiveHttp, archive: str
) -> None:
    checker.put_object(archive, "dump.tar", b"archived bytes")
    head = http.request("HEAD", f"{archive}/dump.tar")
    assert head.status_code == 200
    assert head.headers["X-Ovh-Retrieval-State"] == "sealed"
    assert "X-Ovh-Retrieval-Delay" not in head.headers

    with sandbox.unseal_timing(delay_s=2):
        first = http.request("GET", f"{archive}/dump.tar")
        assert first.status_code == 429
        assert first.headers["Retry-After"] == "2"
        assert b"archived bytes" not in first.content
        head = http.request("HEAD", f"{archive}/dump.tar")
        assert head.headers["X-Ovh-Retrieval-State"] == "unsealing"
        assert head.headers["X-Ovh-Retrieval-Delay"] in ("1", "2")
        again = http.request("GET", f"{archive}/dump.tar", headers={"Range": "bytes=0-3"})
        assert again.status_code == 429
        assert int(again.headers["Retry-After"]) in (1, 2)

        http.wait_for_state(archive, ["dump.tar"], "unsealed")
    readable = http.request("GET", f"{archive}/dump.tar")
    assert readable.status_code == 200
    assert readable.content == b"archived bytes"
    assert readable.headers["X-Ovh-Retrieval-State"] == "unsealed"
    assert "X-Ovh-Retrieval-Delay" not in http.request("HEAD", f"{archive}/dump.tar").headers


def test_an_unsealed_object_is_sealed_again_after_its_window(
    sandbox: Sandbox, checker: swiftclient.Connection, http: ArchiveHttp, archive: str
) -> None:
    checker.put_object(archive, "dump.tar", b"x")
    with sandbox.unseal_timing(delay_s=1, window_s=2):
        http.unseal(archive, ["dump.tar"])
        assert http.request("GET", f"{archive}/dump.tar").status_code == 200
        http.wait_for_state(archive, ["dump.tar"], "sealed")
        sealed_again = http.request("GET", f"{archive}/dump.tar")
    assert sealed_again.status_code == 429
    assert sealed_again.headers["Retry-After"] == "1"


def test_listing_with_policy_extra_gives_each_objects_state_and_delay(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    http: ArchiveHttp,
    archive: str,
    one_second: None,
) -> None:
    for name in ("a-unsealed", "b-unsealing", "c-sealed", "folder/d-sealed"):
        checker.put_object(archive, name, name.encode())
    http.unseal(archive, ["a-unsealed"])
    with sandbox.unseal_timing(delay_s=LONG_S):
        assert http.request("GET", f"{archive}/b-unsealing").status_code == 429

    listing = http.request(
        "GET", archive, params={"format": "json", "policy_extra": "true", "delimiter": "/"}
    ).json()
    extras = {
        entry.get("name", entry.get("subdir")): (
            entry.get("policy_retrieval_state"),
            entry.get("policy_retrieval_delay"),
        )
        for entry in listing
    }
    assert extras.pop("b-unsealing")[0] == "unsealing"
    assert extras == {
        "a-unsealed": ("unsealed", None),
        "c-sealed": ("sealed", None),
        "folder/": (None, None),
    }
    delay = next(e for e in listing if e.get("name") == "b-unsealing")["policy_retrieval_delay"]
    assert LONG_S - 60 < delay <= LONG_S

    plain = http.request("GET", archive, params={"format": "json"}).json()
    assert all("policy_retrieval_state" not in entry for entry in plain)
    _headers, swiftclient_listing = checker.get_container(archive)
    assert [entry["name"] for entry in swiftclient_listing] == [
        "a-unsealed",
        "b-unsealing",
        "c-sealed",
        "folder/d-sealed",
    ]


def test_everything_but_reading_data_works_on_a_sealed_object(
    sandbox: Sandbox, checker: swiftclient.Connection, http: ArchiveHttp, archive: str
) -> None:
    """Cloud Archive blocks reading the bytes only: metadata, replace and delete work."""
    checker.put_object(archive, "dump.tar", b"old")
    with sandbox.unseal_timing(delay_s=LONG_S):
        posted = http.request("POST", f"{archive}/dump.tar", headers={"X-Object-Meta-Kept": "yes"})
        assert posted.status_code == 202
        head = checker.head_object(archive, "dump.tar")
        assert head["x-object-meta-kept"] == "yes"
        assert head["x-ovh-retrieval-state"] == "sealed"

        replaced = http.request("PUT", f"{archive}/dump.tar", data=b"new")
        assert replaced.status_code == 201
        assert checker.head_object(archive, "dump.tar")["etag"] == hashlib.md5(b"new").hexdigest()
        assert http.state(archive, "dump.tar") == "sealed"

        deleted = http.request("DELETE", f"{archive}/dump.tar")
        assert deleted.status_code == 204
    _headers, listing = checker.get_container(archive)
    assert listing == []


def test_a_new_object_under_an_unsealed_name_is_sealed(
    checker: swiftclient.Connection, http: ArchiveHttp, archive: str, one_second: None
) -> None:
    checker.put_object(archive, "dump.tar", b"first")
    http.unseal(archive, ["dump.tar"])
    checker.put_object(archive, "dump.tar", b"second")
    assert http.state(archive, "dump.tar") == "sealed"
    assert http.request("GET", f"{archive}/dump.tar").status_code == 429


def test_standard_policy_containers_are_unaffected(
    checker: swiftclient.Connection, http: ArchiveHttp, container_name: str
) -> None:
    checker.put_container(container_name, headers={"X-Storage-Policy": "Standard"})
    checker.put_object(container_name, "dump.tar", b"plain bytes")
    head = http.request("HEAD", f"{container_name}/dump.tar")
    assert "X-Ovh-Retrieval-State" not in head.headers
    assert http.request("GET", f"{container_name}/dump.tar").content == b"plain bytes"
    listing = http.request(
        "GET", container_name, params={"format": "json", "policy_extra": "true"}
    ).json()
    assert listing[0]["name"] == "dump.tar"
    assert "policy_retrieval_state" not in listing[0]


def _read_all(response: requests.Response) -> bytes:
    """The body as far as the server sends it (an SLO cut short by a segment error)."""
    received = b""
    try:
        for block in response.iter_content(65536):
            received += block
    except requests.exceptions.RequestException:
        pass
    return received


def test_an_slo_is_readable_only_once_its_manifest_and_every_segment_are_unsealed(
    sandbox: Sandbox,
    checker: swiftclient.Connection,
    http: ArchiveHttp,
    archive: str,
    one_second: None,
    tmp_path: Path,
) -> None:
    segments_container = f"{archive}_segments"
    checker.put_container(segments_container, headers={"X-Storage-Policy": "PCA"})
    source = tmp_path / "dump.tar"
    segment_size = 64 * 1024  # more than the proxy's first write (4 KiB): headers go out
    data = b"".join(bytes([index]) * segment_size for index in range(3))
    source.write_bytes(data)
    upload_slo(sandbox, archive, "dump.tar", source, segment_size=segment_size)
    _headers, listing = checker.get_container(segments_container)
    segments = [entry["name"] for entry in listing]
    assert len(segments) == 3

    assert http.request("GET", f"{archive}/dump.tar").status_code == 429
    manifest = http.request("GET", f"{archive}/dump.tar", params={"multipart-manifest": "get"})
    assert manifest.status_code == 429
    http.wait_for_state(archive, ["dump.tar"], "unsealed")
    assert http.state(segments_container, segments[0]) == "sealed", "manifest GETs read no data"

    # First segment sealed: slo's check of the first segment fails before any header.
    assert http.request("GET", f"{archive}/dump.tar").status_code == 409
    assert http.state(segments_container, segments[0]) == "unsealing"
    assert http.state(segments_container, segments[1]) == "sealed"
    http.wait_for_state(segments_container, segments[:1], "unsealed")

    # A later segment sealed: 200 and the full length announced, then the body stops short.
    for sealed_index in (1, 2):
        cut = http.request("GET", f"{archive}/dump.tar", stream=True)
        assert cut.status_code == 200
        assert cut.headers["Content-Length"] == str(len(data))
        assert _read_all(cut) == data[: segment_size * sealed_index]
        assert http.state(segments_container, segments[sealed_index]) == "unsealing"
        http.wait_for_state(segments_container, [segments[sealed_index]], "unsealed")

    whole = http.request("GET", f"{archive}/dump.tar")
    assert whole.status_code == 200
    assert whole.content == data
