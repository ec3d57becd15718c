"""Which answers the upload retries, and how long it waits (no server needed)."""

from __future__ import annotations

import email.utils

import pytest
import requests

from swiftui.swift import RetryPolicy, is_retryable_status, retry_after_seconds
from swiftui.upload.events import SegmentDone, event_name


@pytest.mark.parametrize("status", [408, 429, 498, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422, 501, 505, 507])
def test_final_statuses_are_not_retried(status: int) -> None:
    assert not is_retryable_status(status)


def answer(retry_after: str | None) -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds(answer("120")) == 120.0
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds(answer(date), now=now) == pytest.approx(30.0)
    assert retry_after_seconds(answer(email.utils.formatdate(now - 5, usegmt=True)), now=now) == 0
    assert retry_after_seconds(answer("soon")) is None
    assert retry_after_seconds(answer(None)) is None


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(first_delay_s=1.0, max_delay_s=60.0)
    for failed, base in [(1, 1.0), (2, 2.0), (3, 4.0), (7, 60.0), (20, 60.0)]:
        assert 0.8 * base <= policy.backoff(failed) <= 1.2 * base


def test_event_names_for_json_lines() -> None:
    assert event_name(SegmentDone(0, 1, "e", reused=False)) == "segment_done"
