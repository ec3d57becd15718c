"""The Swift client reads Cloud Archive's seal states and asks for unsealing without
reading data, against the sandbox's emulation (a filter in its real Swift proxy)."""

from __future__ import annotations

import pytest
import swiftclient
from support.cloud_archive_support import ArchiveHttp
from support.deletion_support import make_slo, put_segments, random_bytes

from swiftui.cloud import Cloud
from swiftui.sandbox import Sandbox
from swiftui.swift import NOT_ARCHIVED, Retrieval, SealState, segment_prefix
from swiftui.swift.sealed import find_segments_by_name

HOUR_S = 3600


@pytest.fixture
def archive(checker: swiftclient.Connection, container_name: str) -> str:
    checker.put_container(container_name, headers={"X-Storage-Policy": "PCA"})
    checker.put_object(container_name, "backup.tar", b"archived bytes")
    checker.put_object(container_name, "other.tar", b"other bytes")
    return container_name


def test_listing_and_head_tell_the_seal_state_and_only_an_unseal_request_starts_it(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, archive: str
) -> None:
    swift = cloud.service("GRA")
    http = ArchiveHttp(checker)
    with sandbox.unseal_timing(delay_s=HOUR_S):
        entries = {entry.name: entry for entry in swift.iter_objects(archive, seal_states=True)}
        assert entries["backup.tar"].retrieval == Retrieval(SealState.SEALED)

        asked = swift.request_unseal(archive, "backup.tar")

        assert asked.state is SealState.UNSEALING
        assert asked.delay_s is not None and HOUR_S - 60 < asked.delay_s <= HOUR_S
        again = swift.request_unseal(archive, "backup.tar")
        assert again.state is SealState.UNSEALING and again.delay_s <= asked.delay_s
        entries = {entry.name: entry for entry in swift.iter_objects(archive, seal_states=True)}
        assert entries["backup.tar"].retrieval.state is SealState.UNSEALING
        assert entries["backup.tar"].retrieval.delay_s is not None
        # Nothing else was touched: the other object is still sealed.
        assert entries["other.tar"].retrieval == Retrieval(SealState.SEALED)
        assert http.state(archive, "other.tar") == "sealed"


def test_an_unsealed_object_is_readable_and_left_alone(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, archive: str
) -> None:
    swift = cloud.service("GRA")
    with sandbox.unseal_timing(delay_s=1):
        ArchiveHttp(checker).unseal(archive, ["backup.tar"])
        state = swift.request_unseal(archive, "backup.tar")
    assert state.readable and state.state is SealState.UNSEALED


def test_objects_of_an_ordinary_policy_are_not_archived(
    cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "plain.bin", b"bytes")
    swift = cloud.service("GRA")
    [entry] = swift.list_objects(container_name, seal_states=True)
    assert entry.retrieval == NOT_ARCHIVED
    assert swift.request_unseal(container_name, "plain.bin").readable


@pytest.fixture
def sealed_archives(checker: swiftclient.Connection, container_name: str) -> dict[str, list]:
    """Archives in a Cloud Archive container and its segments container (both PCA):
    ``backup.tar`` with 3 segments, an interrupted upload of the same file with another
    segment size, and ``half.tar`` whose last segment is missing."""
    for name in (container_name, f"{container_name}_segments"):
        checker.put_container(name, headers={"X-Storage-Policy": "PCA"})
    data = random_bytes(3000)
    manifests = {"backup.tar": make_slo(checker, container_name, "backup.tar", data)}
    prefix = segment_prefix("backup.tar", 1_700_000_000.0, len(data), 512)
    put_segments(checker, f"{container_name}_segments", prefix, data[:1024], 512)
    manifests["half.tar"] = make_slo(checker, container_name, "half.tar", data, mtime=1.0)
    checker.delete_object(
        f"{container_name}_segments", manifests["half.tar"][-1]["path"].split("/", 2)[2]
    )
    return manifests


def test_a_sealed_slo_s_segments_are_found_by_name_and_proven_by_its_etag(
    sandbox: Sandbox, cloud: Cloud, container_name: str, sealed_archives: dict[str, list]
) -> None:
    swift = cloud.service("GRA")
    with sandbox.unseal_timing(delay_s=HOUR_S):
        headers = swift.object_headers(container_name, "backup.tar")
        assert headers is not None and headers["X-Ovh-Retrieval-State"] == "sealed"

        found = find_segments_by_name(swift, container_name, "backup.tar", headers)

    assert found.proven
    assert [f"/{seg.container}/{seg.name}" for seg in found.segments] == [
        entry["path"] for entry in sealed_archives["backup.tar"]
    ]
    assert [seg.etag for seg in found.segments] == [
        entry["etag"] for entry in sealed_archives["backup.tar"]
    ]
    assert found.explanation().startswith(f"3 segments found by name in {container_name}_segments")


def test_segments_that_do_not_add_up_are_kept_as_candidates_never_guessed(
    sandbox: Sandbox, cloud: Cloud, container_name: str, sealed_archives: dict[str, list]
) -> None:
    swift = cloud.service("GRA")
    with sandbox.unseal_timing(delay_s=HOUR_S):
        headers = swift.object_headers(container_name, "half.tar")
        assert headers is not None
        found = find_segments_by_name(swift, container_name, "half.tar", headers)

    assert not found.proven and found.segments == ()
    assert len(found.candidates) == 2
    assert found.explanation() == (
        f"2 segments named after it in {container_name}_segments (segment 00000002 missing) "
        "do not add up to its size and Etag"
    )


def test_of_two_uploads_of_the_same_bytes_the_one_of_the_files_mtime_is_proven_else_neither(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    """The same file uploaded twice (touched in between, the first upload's segments left):
    both sets add up to the Etag; the manifest's mtime tells which is its own, and without
    it (metadata replaced by a POST) nothing is guessed."""
    segments = f"{container_name}_segments"
    for name in (container_name, segments):
        checker.put_container(name, headers={"X-Storage-Policy": "PCA"})
    data = random_bytes(2500)
    put_segments(checker, segments, segment_prefix("b.tar", 1.0, len(data), 1000), data, 1000)
    make_slo(checker, container_name, "b.tar", data, mtime=2.0, segment_size=1000)
    swift = cloud.service("GRA")
    with sandbox.unseal_timing(delay_s=HOUR_S):
        headers = swift.object_headers(container_name, "b.tar")
        assert headers is not None
        found = find_segments_by_name(swift, container_name, "b.tar", headers)
        checker.post_object(container_name, "b.tar", headers={"X-Object-Meta-Note": "x"})
        headers = swift.object_headers(container_name, "b.tar")
        assert headers is not None and "X-Object-Meta-Mtime" not in headers
        unknown = find_segments_by_name(swift, container_name, "b.tar", headers)

    assert [seg.name for seg in found.segments] == [
        f"{segment_prefix('b.tar', 2.0, len(data), 1000)}{index:08d}" for index in range(3)
    ]
    assert not unknown.proven and unknown.ambiguous == 2 and not unknown.own_upload
    assert len(unknown.candidates) == 6
    assert unknown.explanation() == (
        "2 uploads found by name add up to its size and Etag: which one it uses cannot be told"
    )
