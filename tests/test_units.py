from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from swiftui.errors import UsageError
from swiftui.units import (
    MIB,
    format_bytes,
    format_eta,
    format_rate,
    parse_delete_at,
    parse_duration,
    parse_rate,
    parse_size,
)


@pytest.fixture
def paris_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Paris, so naive dates read the same on every machine."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1073741824", 1073741824),
        ("1GiB", 1024**3),
        ("1 gib", 1024**3),
        ("5G", 5 * 1024**3),
        ("5g", 5 * 1024**3),
        ("500MB", 500_000_000),
        ("500 mb", 500_000_000),
        ("256MiB", 256 * 1024**2),
        ("100M", 100 * 1024**2),
        ("1.5GiB", 1610612736),
        ("2TB", 2 * 10**12),
        ("1TiB", 1024**4),
        ("4k", 4096),
        ("4KB", 4000),
        ("12B", 12),
        (" 7 ", 7),
    ],
)
def test_parse_size_accepts_common_forms(text: str, expected: int) -> None:
    assert parse_size(text, option="--segment-size") == expected


@pytest.mark.parametrize("text", ["12 parsecs", "", "GiB", "-1GiB", "1,5GiB", "1e9", "5 G B"])
def test_parse_size_refuses_unreadable_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_size(text, option="--segment-size")
    assert str(caught.value) == (
        f"--segment-size: cannot read {text!r} as a size (examples: 1GiB, 500MB, 5G, 1073741824)"
    )


@pytest.mark.parametrize("text", ["0", "0GiB", "0.1B"])
def test_parse_size_refuses_zero(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_size(text, option="--segment-size")
    assert str(caught.value) == f"--segment-size: a size must be at least 1 byte, got {text!r}"


def test_size_error_is_one_line_with_exit_code_2() -> None:
    with pytest.raises(UsageError) as caught:
        parse_size("12 parsecs", option="--segment-size")
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3600s", 3600),
        ("45s", 45),
        ("30m", 1800),
        ("12h", 43200),
        ("90d", 90 * 86400),
        ("2w", 14 * 86400),
        ("1d12h", 86400 + 12 * 3600),
        ("1d 12h 30m", 86400 + 12 * 3600 + 1800),
        ("1H30M", 5400),
    ],
)
def test_parse_duration_accepts_common_forms(text: str, expected: int) -> None:
    assert parse_duration(text, option="--delete-after") == expected


@pytest.mark.parametrize("text", ["3 months", "", "d", "1.5h", "-5s", "1y"])
def test_parse_duration_refuses_unreadable_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_duration(text, option="--delete-after")
    assert str(caught.value) == (
        f"--delete-after: cannot read {text!r} as a duration "
        "(examples: 90d, 12h, 30m, 2w, 1d12h, 3600s)"
    )


@pytest.mark.parametrize("text", ["90", " 90 ", "3600", "1"])
def test_parse_duration_refuses_a_number_without_a_unit(text: str) -> None:
    """A bare 90 meant seconds on the CLI and days in the TUI: it is refused everywhere."""
    with pytest.raises(UsageError) as caught:
        parse_duration(text, option="--older-than")
    number = text.strip()
    assert str(caught.value) == (
        f"--older-than: {number}: add a unit: {number}d, 12h, 30m or 3600s"
    )


@pytest.mark.parametrize("text", ["0", "0s", "0d0h"])
def test_parse_duration_accepts_zero_only_where_asked(text: str) -> None:
    assert parse_duration(text, option="--min-age", allow_zero=True) == 0


@pytest.mark.parametrize("text", ["0s", "0d0h"])
def test_parse_duration_refuses_zero(text: str) -> None:
    with pytest.raises(UsageError, match=r"a duration must be at least 1 second"):
        parse_duration(text, option="--delete-after")


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20MiB", 20 * MIB),
        ("20MiB/s", 20 * MIB),
        ("20 MiB / s", 20 * MIB),
        ("2.5MB/s", 2_500_000),
        ("500k", 500 * 1024),
        ("160Mbit", 20_000_000),
        ("1Gbit/s", 125_000_000),
        ("8kbit", 1000),
    ],
)
def test_parse_rate_accepts_sizes_per_second_and_bits(text: str, expected: int) -> None:
    assert parse_rate(text, option="--limit-rate") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20", "--limit-rate: 20: add a unit: 20MiB, 2MB/s or 160Mbit"),
        ("0", "--limit-rate: a rate must be at least 1 byte per second, got '0'"),
        ("0MiB/s", "--limit-rate: a rate must be at least 1 byte per second, got '0MiB/s'"),
        ("fast", "--limit-rate: cannot read 'fast' as a rate (examples: 20MiB, 20MiB/s"),
        ("20MiB/h", "--limit-rate: cannot read '20MiB/h' as a rate"),
        ("-5MiB", "--limit-rate: cannot read '-5MiB' as a rate"),
    ],
)
def test_parse_rate_refuses_a_bare_number_zero_and_unreadable_text(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_rate(text, option="--limit-rate")
    assert str(refused.value).startswith(message)
    assert refused.value.exit_code == 2


@pytest.mark.usefixtures("paris_time")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Local midnight in Paris in winter is 23:00 UTC the day before.
        ("2027-01-31", 1801350000),
        ("2027-01-31T18:00", 1801414800),
        ("2027-01-31 18:00:30", 1801414830),
        ("2027-01-31T18:00+00:00", 1801418400),
        ("2027-01-31T18:00Z", 1801418400),
        ("2027-01-31T18:00:00.9Z", 1801418400),
        ("1801418400", 1801418400),
    ],
)
def test_parse_delete_at_accepts_dates_and_timestamps(text: str, expected: int) -> None:
    assert parse_delete_at(text, option="--delete-at", now=NOW) == expected


@pytest.mark.usefixtures("paris_time")
def test_parse_delete_at_refuses_the_past_and_shows_how_it_read_the_text() -> None:
    with pytest.raises(UsageError) as caught:
        parse_delete_at("20270131", option="--delete-at", now=NOW)
    assert str(caught.value) == (
        "--delete-at: '20270131' is 1970-08-23T15:35:31+01:00, which is not in the future"
    )


def test_parse_delete_at_refuses_now_itself() -> None:
    with pytest.raises(UsageError, match="not in the future"):
        parse_delete_at(str(int(NOW.timestamp())), option="--delete-at", now=NOW)


def test_parse_delete_at_defaults_to_the_real_clock() -> None:
    with pytest.raises(UsageError, match="not in the future"):
        parse_delete_at("2001-01-01", option="--delete-at")
    assert parse_delete_at("2999-01-01T00:00Z", option="--delete-at") == 32472144000


@pytest.mark.parametrize("text", ["next tuesday", "2027-13-01", "", "31/01/2027"])
def test_parse_delete_at_refuses_unreadable_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_delete_at(text, option="--delete-at", now=NOW)
    assert str(caught.value) == (
        f"--delete-at: cannot read {text!r} as a date (examples: 2027-01-31, "
        "2027-01-31T18:00, 2027-01-31T18:00+01:00, 1800000000)"
    )


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0 Bytes"),
        (1, "1 Byte"),
        (1023, "1023 Bytes"),
        (1024**3, "1.0 GiB"),
        (250 * 10**9, "232.8 GiB"),
        (5368709122, "5.0 GiB"),
    ],
)
def test_format_bytes_uses_binary_units(size: int, expected: str) -> None:
    assert format_bytes(size) == expected


def test_format_rate() -> None:
    assert format_rate(123.4 * 1024**2) == "123.4 MiB/s"
    assert format_rate(0) == "0 Bytes/s"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "--"),
        (float("inf"), "--"),
        (float("nan"), "--"),
        (-1.0, "--"),
        (0.0, "0s"),
        (45.4, "45s"),
        (245.0, "4m 05s"),
        (3720.0, "1h 02m"),
        (3599.6, "1h 00m"),
        (2 * 86400 + 3 * 3600 + 59.0, "2d 03h"),
    ],
)
def test_format_eta(seconds: float | None, expected: str) -> None:
    assert format_eta(seconds) == expected
