"""The Swift client reads Cloud Archive's seal states and asks for unsealing without
reading data, against the sandbox's emulation (a filter in its real Swift proxy)."""

from __future__ import annotations

import pytest
import swiftclient
from cloud_archive_support import ArchiveHttp

from swiftui.cloud import Cloud
from swiftui.sandbox import Sandbox
from swiftui.swift import NOT_ARCHIVED, Retrieval, SealState

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
