"""``preview``: what an upload would do, against the real sandbox Swift, without doing it.

It must make the decision the engine makes (same plan, same notes), create nothing, and
say it in words a form can show; a request it refuses names the field at fault.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
import swiftclient
from support.upload_support import (
    FAST_RETRY,
    Recorder,
    journal_segments,
    object_names,
    upload,
    write_random,
)

from swiftui.cli.wording import flag
from swiftui.cloud import Cloud
from swiftui.errors import OperationCancelled, UsageError
from swiftui.swift import SwiftService
from swiftui.units import MIB
from swiftui.upload import LineKind, PlanReady, SegmentDone, UploadRequest, preview


@pytest.fixture
def service(cloud: Cloud) -> SwiftService:
    return cloud.service("GRA")


def containers(checker: swiftclient.Connection) -> set[str]:
    _headers, listing = checker.get_account(full_listing=True)
    return {item["name"] for item in listing}


def test_a_fresh_upload_is_planned_and_described_and_nothing_is_created(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "dump.tar"
    write_random(path, 5 * MIB)
    request = UploadRequest(path, container_name, segment_size=MIB, threads=2, delete_after=86400)

    shown = preview(service, request, now=1_800_000_000.0, zone=UTC)

    assert shown.decision.plan.segment_count == 5
    assert shown.decision.resume is None and not shown.decision.notes
    assert shown.delete_at == 1_800_086_400
    assert [(line.kind, line.text) for line in shown.lines] == [
        (LineKind.PLAN, "5.0 MiB = 5 segments of 1.0 MiB (asked)"),
        (LineKind.TARGET, f"→ GRA › {container_name} (new), segments in {container_name}_segments"),
        (LineKind.SETTINGS, "2 threads · expires 2027-01-16 (1 day)"),
    ]
    assert not containers(checker) & {container_name, f"{container_name}_segments"}


def test_an_interrupted_upload_is_shown_resuming_as_the_engine_then_resumes_it(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "dump.tar"
    write_random(path, 5 * MIB)
    cancel = threading.Event()

    def stop_after_two(event: object) -> None:
        if isinstance(event, SegmentDone) and event.index == 1:
            cancel.set()

    first = UploadRequest(path, container_name, segment_size=MIB, threads=1, retry=FAST_RETRY)
    with pytest.raises(OperationCancelled):
        upload(service, first, recorder=Recorder(then=stop_after_two), cancel=cancel)
    sent = object_names(checker, f"{container_name}_segments")
    recorded = journal_segments()

    again = UploadRequest(path, container_name, threads=1, retry=FAST_RETRY)
    shown = preview(service, again)

    plan = shown.decision.plan
    assert plan.explanation == "5.0 MiB = 5 segments of 1.0 MiB (as the interrupted upload)"
    assert shown.decision.resume is not None
    [resume_line] = [line for line in shown.lines if line.kind is LineKind.RESUME]
    assert f"{recorded} of 5 segments" in resume_line.text
    assert object_names(checker, f"{container_name}_segments") == sent

    _result, events = upload(service, again)
    [ready] = events.of(PlanReady)
    assert (ready.explanation, ready.notes) == (plan.explanation, shown.decision.all_notes)
    assert sum(1 for done in events.of(SegmentDone) if done.reused) == len(sent)


def test_an_object_being_replaced_is_named_with_its_kind_and_size(
    service: SwiftService, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "dump.tar"
    write_random(path, 3 * MIB)
    upload(service, UploadRequest(path, container_name, segment_size=MIB, retry=FAST_RETRY))

    shown = preview(service, UploadRequest(path, container_name, object_name="dump.tar"))

    [target] = [line.text for line in shown.lines if line.kind is LineKind.TARGET]
    assert "(new)" not in target
    [replaces] = [line.text for line in shown.lines if line.kind is LineKind.REPLACES]
    assert replaces.startswith("replaces the SLO of 3.0 MiB stored ")


@pytest.mark.parametrize(
    ("changes", "field", "cli_words", "plain_words"),
    [
        ({"threads": 0}, "threads", "--threads must be between 1 and 32, not 0", "threads must"),
        (
            {"container": "a/b"},
            "container",
            "CONTAINER: 'a/b' is not a container name",
            "container: 'a/b' is not",
        ),
        (
            {"segment_size": 1},
            "segment_size",
            "--segment-size 1 makes 5242880 segments",
            "segment size 1 makes",
        ),
    ],
    ids=["threads", "container", "segment-size"],
)
def test_a_refused_request_names_its_field_for_each_front_end_to_word(
    service: SwiftService,
    container_name: str,
    tmp_path: Path,
    changes: dict[str, object],
    field: str,
    cli_words: str,
    plain_words: str,
) -> None:
    path = tmp_path / "dump.tar"
    write_random(path, 5 * MIB)
    request = replace(UploadRequest(path, container_name), **changes)

    with pytest.raises(UsageError) as refused:
        preview(service, request)

    assert refused.value.field == field
    assert refused.value.worded(flag).startswith(cli_words)
    assert str(refused.value).startswith(plain_words)
