"""Deleting archives with their segments against the real sandbox Swift."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import threading

import pytest
import swiftclient
from support.deletion_support import (
    faulty_proxy,
    make_dlo,
    make_slo,
    md5_of,
    names,
    random_bytes,
)

from swiftui.cli import main
from swiftui.cloud import Cloud
from swiftui.deletion import (
    DeletionProgress,
    deleted_words,
    describe_plan,
    execute_deletion,
    plan_deletion,
)
from swiftui.errors import UsageError
from swiftui.sandbox import Sandbox


@pytest.fixture
def service(cloud: Cloud):
    return cloud.service("GRA")


def md5_of_bytes(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _segment_names(entries: list[dict[str, object]]) -> list[str]:
    return [str(entry["path"]).split("/", 2)[2] for entry in entries]


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-object"])
def test_deleting_an_slo_removes_its_manifest_and_all_its_segments_and_nothing_else(
    service, checker: swiftclient.Connection, container_name: str, bulk: bool
) -> None:
    doomed = make_slo(checker, container_name, "old.tar", random_bytes(5000), mtime=1.0)
    live_data = random_bytes(3000)
    live = make_slo(checker, container_name, "new.tar", live_data, mtime=2.0)
    checker.put_object(container_name, "notes.txt", b"keep me")

    plan = plan_deletion(service, container_name, ["old.tar"])
    assert [item.label for item in plan.items] == [f"{container_name}/old.tar"]
    assert plan.segment_count == 5 and not plan.kept
    assert plan.containers == [container_name, f"{container_name}_segments"]

    events: list[DeletionProgress] = []
    summary = execute_deletion(service, plan, on_event=events.append, bulk=bulk)

    assert summary.complete
    assert (summary.objects_deleted, summary.segments_deleted) == (1, 5)
    assert summary.bytes_freed == plan.bytes_total > 5000
    assert sorted(names(checker, container_name)) == ["new.tar", "notes.txt"]
    assert names(checker, f"{container_name}_segments") == _segment_names(live)
    assert md5_of(checker, container_name, "new.tar") == md5_of_bytes(live_data)
    assert events[-1].item_finished and events[-1].done == events[-1].total == 6
    assert not set(_segment_names(doomed)) & set(names(checker, f"{container_name}_segments"))


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-object"])
def test_a_segment_shared_with_another_manifest_survives_and_that_archive_stays_intact(
    service, checker: swiftclient.Connection, container_name: str, bulk: bool
) -> None:
    first = make_slo(checker, container_name, "first", random_bytes(3000), mtime=1.0)
    shared = first[1]
    # The second archive ends with the first one's middle segment (as a copy or an
    # overwrite that reused a segment would).
    second_data = random_bytes(2000)
    make_slo(checker, container_name, "second", second_data, mtime=2.0, extra_entries=[shared])
    shared_name = _segment_names([shared])[0]
    _headers, shared_body = checker.get_object(f"{container_name}_segments", shared_name)

    plan = plan_deletion(service, container_name, ["first"])
    assert [kept.object.name for kept in plan.kept] == [shared_name]
    assert plan.kept[0].used_by == (f"{container_name}/second",)
    assert any("used by" in line and shared_name in line for line in describe_plan(plan))

    summary = execute_deletion(service, plan, bulk=bulk)

    assert summary.complete and summary.segments_deleted == 2
    assert names(checker, container_name) == ["second"]
    segments_left = names(checker, f"{container_name}_segments")
    assert shared_name in segments_left and len(segments_left) == 3
    assert md5_of(checker, container_name, "second") == md5_of_bytes(second_data + shared_body)


def test_two_archives_deleted_together_take_their_common_segment_with_them(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    first = make_slo(checker, container_name, "a", random_bytes(2000), mtime=1.0)
    make_slo(checker, container_name, "b", random_bytes(1000), mtime=2.0, extra_entries=first)

    plan = plan_deletion(service, container_name, ["a", "b"])
    assert not plan.kept and plan.segment_count == 3

    summary = execute_deletion(service, plan)
    assert summary.complete and summary.segments_deleted == 3
    assert names(checker, container_name) == []
    assert names(checker, f"{container_name}_segments") == []


def test_a_dlo_goes_with_its_prefix_segments_and_a_plain_object_alone(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    make_dlo(checker, container_name, "legacy.img", random_bytes(2500), 1000)
    checker.put_object(container_name, "small.txt", b"x" * 10)
    checker.put_object(container_name, "other.txt", b"y")

    plan = plan_deletion(service, container_name, ["legacy.img", "small.txt"])
    kinds = {item.name: item.kind for item in plan.items}
    assert kinds == {"legacy.img": "dlo", "small.txt": "plain"}
    assert plan.segment_count == 3 and plan.bytes_total == 2500 + 10

    summary = execute_deletion(service, plan)
    assert summary.complete and summary.objects_deleted == 2
    assert names(checker, container_name) == ["other.txt"]
    assert names(checker, f"{container_name}_segments") == []


def test_a_segment_used_by_an_archive_is_refused_when_named_directly(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    entries = make_slo(checker, container_name, "archive", random_bytes(2000))
    segment = _segment_names(entries)[0]

    plan = plan_deletion(service, f"{container_name}_segments", [segment])

    assert plan.is_empty
    assert plan.refused[0].used_by == (f"{container_name}/archive",)


def test_a_missing_object_is_a_one_line_error_naming_it(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    checker.put_container(container_name)
    checker.put_object(container_name, "there", b"1")
    with pytest.raises(UsageError, match=r"no such object in container .*: 'not-there'$"):
        plan_deletion(service, container_name, ["there", "not-there"])
    with pytest.raises(UsageError, match="container 'no-such-container' does not exist"):
        plan_deletion(service, "no-such-container", ["x"])
    assert names(checker, container_name) == ["there"]


def test_a_refused_manifest_delete_leaves_the_archive_whole_and_a_refused_segment_is_reported(
    cloud: Cloud, sandbox: Sandbox, checker: swiftclient.Connection, container_name: str
) -> None:
    """A failure in the middle never leaves a manifest pointing at deleted segments."""
    data_a, data_b = random_bytes(2000), random_bytes(2000)
    make_slo(checker, container_name, "a", data_a, mtime=1.0)
    b_entries = make_slo(checker, container_name, "b", data_b, mtime=2.0)
    stuck_segment = _segment_names(b_entries)[1]

    def fail(method: str, path: str) -> int | None:
        if method != "DELETE":
            return None
        if path.endswith(f"/{container_name}/a") or path.endswith(stuck_segment):
            return 403
        return None

    with faulty_proxy(sandbox.proxy_url("GRA"), fail) as proxy:
        storage = f"{proxy}/v1/AUTH_{sandbox.project_id}"
        service = cloud.service("GRA", endpoint_override=storage)
        plan = plan_deletion(service, container_name, ["a", "b"])
        summary = execute_deletion(service, plan, bulk=False)

    assert not summary.complete
    assert summary.objects_left == (f"{container_name}/a",)
    assert summary.orphans_left == (f"{container_name}_segments/{stuck_segment}",)
    assert {failure.label for failure in summary.failures} == {
        f"{container_name}/a",
        f"{container_name}_segments/{stuck_segment}",
    }
    assert "403" in summary.failures[0].reason
    assert names(checker, container_name) == ["a"]
    assert md5_of(checker, container_name, "a") == md5_of_bytes(data_a)
    left = names(checker, f"{container_name}_segments")
    assert stuck_segment in left and len(left) == 3


def test_a_failed_bulk_request_falls_back_to_one_delete_per_object(
    cloud: Cloud, sandbox: Sandbox, checker: swiftclient.Connection, container_name: str
) -> None:
    make_slo(checker, container_name, "a", random_bytes(3000))
    bulk_requests = []

    def fail(method: str, path: str) -> int | None:
        if method == "POST" and "bulk-delete" in path:
            bulk_requests.append(path)
            return 503
        return None

    with faulty_proxy(sandbox.proxy_url("GRA"), fail) as proxy:
        service = cloud.service("GRA", endpoint_override=f"{proxy}/v1/AUTH_{sandbox.project_id}")
        summary = execute_deletion(service, plan_deletion(service, container_name, ["a"]))

    assert bulk_requests and summary.complete and summary.segments_deleted == 3
    assert names(checker, container_name) == []
    assert names(checker, f"{container_name}_segments") == []


def test_cancel_stops_between_archives_and_what_is_left_is_whole(
    service, checker: swiftclient.Connection, container_name: str
) -> None:
    data = random_bytes(2000)
    make_slo(checker, container_name, "a", random_bytes(2000), mtime=1.0)
    make_slo(checker, container_name, "b", data, mtime=2.0)
    plan = plan_deletion(service, container_name, ["a", "b"])
    cancel = threading.Event()

    def on_event(event: DeletionProgress) -> None:
        if event.item_finished:
            cancel.set()

    summary = execute_deletion(service, plan, on_event=on_event, cancel=cancel)

    assert summary.cancelled and summary.objects_left == (f"{container_name}/b",)
    assert not summary.orphans_left and not summary.failures
    assert names(checker, container_name) == ["b"]
    assert md5_of(checker, container_name, "b") == md5_of_bytes(data)
    assert len(names(checker, f"{container_name}_segments")) == 2


# -- the CLI --------------------------------------------------------------------------------


def test_rm_without_a_terminal_and_without_yes_deletes_nothing_and_exits_6(
    sandbox_env: dict[str, str], checker: swiftclient.Connection, container_name: str
) -> None:
    make_slo(checker, container_name, "archive", random_bytes(2000))
    before = names(checker, f"{container_name}_segments")

    result = subprocess.run(
        [sys.executable, "-m", "swiftui", "rm", container_name, "archive"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 6, result.stderr
    assert f"{container_name}/archive  SLO" in result.stdout
    assert "Total: 1 object, 2 segments" in result.stdout
    assert "nothing deleted" in result.stderr and "--yes" in result.stderr
    assert names(checker, container_name) == ["archive"]
    assert names(checker, f"{container_name}_segments") == before


def test_rm_dry_run_shows_the_plan_and_deletes_nothing(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_slo(checker, container_name, "archive", random_bytes(3000))

    assert main(["rm", container_name, "archive", "--dry-run", "--yes"]) == 0

    out = capsys.readouterr().out
    assert "manifest and 3 segments" in out and "Dry run: nothing deleted." in out
    assert names(checker, container_name) == ["archive"]
    assert len(names(checker, f"{container_name}_segments")) == 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 6)])
def test_rm_asks_on_a_terminal(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    make_slo(checker, container_name, "archive", random_bytes(2000))
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))

    assert main(["rm", container_name, "archive"]) == code

    captured = capsys.readouterr()
    assert "Delete 1 object and 2 segments" in captured.out
    if code == 0:
        assert "Deleted 1 object and its 2 segments, " in captured.out
        assert names(checker, container_name) == []
        assert names(checker, f"{container_name}_segments") == []
    else:
        assert "nothing deleted: not confirmed" in captured.err
        assert names(checker, container_name) == ["archive"]


def test_rm_yes_deletes_and_prints_a_summary_line(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_slo(checker, container_name, "a", random_bytes(2000), mtime=1.0)
    checker.put_object(container_name, "b", b"plain")

    assert main(["rm", container_name, "a", "b", "--yes"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("Deleted 2 objects and their 2 segments, ")
    assert names(checker, container_name) == []


def test_rm_of_a_missing_object_names_it(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    checker.put_container(container_name)

    assert main(["rm", container_name, "nope.tar", "--yes"]) == 2

    err = capsys.readouterr().err.strip()
    assert err == f"swiftui: no such object in container {container_name!r}: 'nope.tar'"


def test_rm_refuses_a_segment_an_archive_needs(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries = make_slo(checker, container_name, "archive", random_bytes(2000))
    segment = _segment_names(entries)[0]

    assert main(["rm", f"{container_name}_segments", segment, "--yes"]) == 2

    assert "is a segment another manifest needs" in capsys.readouterr().err
    assert len(names(checker, f"{container_name}_segments")) == 2


def test_rm_exits_5_and_says_what_is_left_when_a_delete_fails(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = random_bytes(2000)
    make_slo(checker, container_name, "archive", data)

    def fail(method: str, path: str) -> int | None:
        return 403 if method in ("DELETE", "POST") and "bulk-delete" not in path else None

    with faulty_proxy(sandbox.proxy_url("GRA"), fail) as proxy:
        storage = f"{proxy}/v1/AUTH_{sandbox.project_id}"
        original = Cloud.service

        def through_proxy(self: Cloud, region: str, *, endpoint_override: str | None = None):
            return original(self, region, endpoint_override=storage)

        monkeypatch.setattr(Cloud, "service", through_proxy)
        assert main(["rm", container_name, "archive", "--yes"]) == 5

    captured = capsys.readouterr()
    assert "1 failed" in captured.out
    assert captured.err.strip() == (
        f"swiftui: deletion incomplete: 1 failed; left: {container_name}/archive"
    )
    assert names(checker, container_name) == ["archive"]
    assert md5_of(checker, container_name, "archive") == md5_of_bytes(data)


@pytest.mark.parametrize(
    ("objects", "segments", "words"),
    [
        (2, 4, "Deleted 2 objects and their 4 segments"),
        (1, 2, "Deleted 1 object and its 2 segments"),
        (0, 6, "Deleted 6 orphaned segments"),
        (3, 0, "Deleted 3 objects"),
        (0, 0, "Deleted nothing"),
    ],
)
def test_the_summary_says_what_was_deleted_without_zero_counts(
    objects: int, segments: int, words: str
) -> None:
    assert deleted_words(objects, segments) == words
