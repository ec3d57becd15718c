"""The one Swift client against the real sandbox Swift: retries, cancel, paged listings,
containers with a policy, and deletions that report every object's outcome."""

from __future__ import annotations

import threading

import pytest
import swiftclient
from support.deletion_support import faulty_proxy, names
from support.faultproxy import Fault, FaultProxy
from support.tui_support import bulk_create

from swiftui.cloud import Cloud
from swiftui.errors import Aborted, SwiftError
from swiftui.sandbox import Sandbox
from swiftui.swift import (
    LISTING_PAGE,
    DeleteResult,
    RetryNotice,
    RetryPolicy,
    SwiftService,
    delete_objects,
)

QUICK = RetryPolicy(attempts=3, first_delay_s=0.05, max_delay_s=0.1)


@pytest.fixture
def service(cloud: Cloud) -> SwiftService:
    return cloud.service("GRA")


def test_a_listing_answered_503_is_retried_and_the_retry_is_reported(
    sandbox: Sandbox,
    cloud: Cloud,
    checker: swiftclient.Connection,
    container_name: str,
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "a.tar", b"a")
    notices: list[RetryNotice] = []
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(
            Fault(match=lambda m, p, h: m == "GET" and p.endswith(container_name), action="status")
        )
        through = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        swift = through.configured(retry=QUICK, on_retry=notices.append)
        entries = swift.list_objects(container_name)
    assert [entry.name for entry in entries] == ["a.tar"]
    assert proxy.outcomes("GET").count("answered 503") == 1
    [notice] = notices
    assert notice.what == f"container {container_name!r}"
    assert notice.attempt == 2 and notice.reason.startswith("503")


def test_a_cancel_while_waiting_to_retry_stops_the_request(
    sandbox: Sandbox, cloud: Cloud, container_name: str
) -> None:
    cancel = threading.Event()
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        # The server asks for a long wait; the user does not want it.
        proxy.add(
            Fault(
                match=lambda m, p, h: m == "HEAD",
                action="status",
                status=429,
                headers={"Retry-After": "3600"},
                times=5,
            )
        )
        through = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        swift = through.configured(cancel=cancel, on_retry=lambda notice: cancel.set())
        with pytest.raises(Aborted):
            swift.container_headers(container_name)
    assert proxy.outcomes("HEAD") == ["answered 429"]


@pytest.mark.slow
def test_a_listing_longer_than_a_page_is_read_page_after_page(
    service: SwiftService, checker: swiftclient.Connection, container_name: str
) -> None:
    created = [f"logs/{index:05d}.log" for index in range(LISTING_PAGE + 5)]
    bulk_create(checker, container_name, [*created, "readme.txt"])

    assert [entry.name for entry in service.iter_objects(container_name, prefix="logs/")] == created
    top = list(service.iter_objects(container_name, delimiter="/"))
    assert [(entry.name, entry.is_dir) for entry in top] == [
        ("logs/", True),
        ("readme.txt", False),
    ]


def test_pseudo_folders_and_a_missing_container_in_listings(
    service: SwiftService, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for name in ("logs/a.log", "logs/b.log", "readme.txt"):
        checker.put_object(container_name, name, b"x")

    top = list(service.iter_objects(container_name, delimiter="/"))
    assert [(entry.name, entry.is_dir) for entry in top] == [
        ("logs/", True),
        ("readme.txt", False),
    ]
    assert [entry.name for entry in service.list_objects(container_name, marker="logs/a.log")] == [
        "logs/b.log",
        "readme.txt",
    ]
    missing = f"{container_name}-missing"
    assert list(service.iter_objects(missing, missing_ok=True)) == []
    with pytest.raises(SwiftError, match=f"container '{missing}': GET answered 404"):
        list(service.iter_objects(missing))


def test_a_container_is_created_with_the_policy_asked_and_an_existing_one_kept(
    service: SwiftService, checker: swiftclient.Connection, container_name: str
) -> None:
    assert service.ensure_container(container_name, policy="PCA") == "PCA"
    assert checker.head_container(container_name)["x-storage-policy"] == "PCA"
    # Already there: left as it is, whatever policy is asked now.
    assert service.ensure_container(container_name, policy="Standard") == "PCA"
    assert checker.head_container(container_name)["x-storage-policy"] == "PCA"


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-object"])
def test_deleting_objects_reports_each_one_and_a_missing_one_counts_as_gone(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, bulk: bool
) -> None:
    checker.put_container(container_name)
    for name in ("a", "b", "keep"):
        checker.put_object(container_name, name, name.encode())
    keys = [(container_name, "a"), (container_name, "b"), (container_name, "never-there")]

    report = delete_objects(service, keys, bulk=bulk)

    assert sorted(outcome.key for outcome in report.outcomes) == sorted(keys)
    assert (report.gone, report.left) == (3, 0)
    if bulk:
        # A bulk reply counts what was not there without naming it.
        assert report.not_found == 1
    else:
        results = {outcome.key[1]: outcome.result for outcome in report.outcomes}
        assert results["never-there"] is DeleteResult.ALREADY_GONE
    assert names(checker, container_name) == ["keep"]


def test_a_refused_delete_is_a_failed_outcome_with_its_reason_and_the_rest_goes(
    sandbox: Sandbox, cloud: Cloud, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for name in ("a", "b", "c"):
        checker.put_object(container_name, name, name.encode())

    def fail(method: str, path: str) -> int | None:
        if "bulk-delete" in path:
            return 503  # the bulk request fails as a whole: every object goes alone
        return 403 if method == "DELETE" and path.endswith("/b") else None

    with faulty_proxy(sandbox.proxy_url("GRA"), fail) as proxy:
        through = cloud.service("GRA", endpoint_override=f"{proxy}/v1/AUTH_{sandbox.project_id}")
        report = delete_objects(through, [(container_name, name) for name in ("a", "b", "c")])

    results = {outcome.key[1]: outcome for outcome in report.outcomes}
    assert results["a"].result is results["c"].result is DeleteResult.DELETED
    assert results["b"].result is DeleteResult.FAILED
    assert results["b"].reason.startswith(f"{container_name}/b: DELETE answered 403")
    assert names(checker, container_name) == ["b"]


def test_a_cancelled_deletion_sends_nothing_more(
    service: SwiftService, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    for name in ("a", "b"):
        checker.put_object(container_name, name, name.encode())
    cancel = threading.Event()
    cancel.set()
    keys = [(container_name, "a"), (container_name, "b")]

    report = delete_objects(service.configured(cancel=cancel), keys)

    assert [outcome.result for outcome in report.outcomes] == [DeleteResult.NOT_TRIED] * 2
    assert report.left == 2
    assert names(checker, container_name) == ["a", "b"]
