"""Read sizes, rates, durations and dates the way people type them; format them for people.

Parsers raise :class:`UsageError` with one line that names the option, repeats the text
and shows accepted forms, so the CLI and the TUI can show it as is.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal

import humanize

from swiftui.errors import UsageError

KIB = 1024
MIB = 1024**2
GIB = 1024**3
TIB = 1024**4

# Single letters are binary (like rclone and `dd`): whoever types 5G for a segment means
# 5 GiB, the Swift object limit. Two-letter SI units are decimal, IEC units are binary.
_SIZE_MULTIPLIERS = {
    "": 1,
    "b": 1,
    "k": KIB,
    "m": MIB,
    "g": GIB,
    "t": TIB,
    "kib": KIB,
    "mib": MIB,
    "gib": GIB,
    "tib": TIB,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
}
_SIZE_PATTERN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)
_SIZE_EXAMPLES = "examples: 1GiB, 500MB, 5G, 1073741824"

_DURATION_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_PATTERN = re.compile(r"\s*(?:\d+\s*[wdhms]\s*)+", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_DURATION_EXAMPLES = "examples: 90d, 12h, 30m, 2w, 1d12h, 3600s"

_DELETE_AT_EXAMPLES = "examples: 2027-01-31, 2027-01-31T18:00, 2027-01-31T18:00+01:00, 1800000000"


def parse_size(text: str, *, option: str) -> int:
    """Bytes from ``1GiB``, ``500MB``, ``5G``, ``1.5 GiB`` or plain ``1073741824``."""
    match = _SIZE_PATTERN.fullmatch(text)
    multiplier = _SIZE_MULTIPLIERS.get(match.group(2).lower()) if match else None
    if match is None or multiplier is None:
        raise UsageError(f"{option}: cannot read {text!r} as a size ({_SIZE_EXAMPLES})")
    size = int(Decimal(match.group(1)) * multiplier)
    if size <= 0:
        raise UsageError(f"{option}: a size must be at least 1 byte, got {text!r}")
    return size


_RATE_PATTERN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*(?:/\s*s)?\s*", re.IGNORECASE)
_BIT_UNITS = {"bit": 1, "kbit": 1000, "mbit": 1000**2, "gbit": 1000**3}
_RATE_EXAMPLES = "examples: 20MiB, 20MiB/s, 2.5MB/s, 160Mbit"


def parse_rate(text: str, *, option: str) -> int:
    """Bytes per second from a size with its unit (``20MiB``, ``500KB``), with or without
    ``/s``, or bits (``160Mbit``, ``1Gbit/s``: decimal, as networks count them).

    A number without a unit is refused (bytes or bits? per second?), and so is 0: to send
    without a cap, give no cap.
    """
    match = _RATE_PATTERN.fullmatch(text)
    stripped = text.strip()
    if match is None and stripped.isdigit() and int(stripped):
        raise UsageError(f"{option}: {stripped}: add a unit: {stripped}MiB, 2MB/s or 160Mbit")
    rate = 0
    if match is not None:
        amount, unit = Decimal(match.group(1)), match.group(2).lower()
        if unit in _BIT_UNITS:
            rate = int(amount * _BIT_UNITS[unit] / 8)
        elif unit in _SIZE_MULTIPLIERS:
            rate = int(amount * _SIZE_MULTIPLIERS[unit])
        else:
            match = None
    if match is None and not stripped.isdigit():
        raise UsageError(f"{option}: cannot read {text!r} as a rate ({_RATE_EXAMPLES})")
    if rate <= 0:
        raise UsageError(
            f"{option}: a rate must be at least 1 byte per second, got {text!r} "
            "(for no cap, leave it out)"
        )
    return rate


def parse_duration(text: str, *, option: str, allow_zero: bool = False) -> int:
    """Seconds from ``90d``, ``12h``, ``30m`` (minutes), ``45s``, ``2w`` or ``1d12h``.

    A number without a unit is refused: ``90`` meant days in one place and seconds in
    another, and in a cron line with ``--yes`` that difference deletes archives. Only
    ``0`` reads the same in every unit, so it is accepted where zero makes sense.
    """
    stripped = text.strip()
    if stripped.isdigit():
        if allow_zero and int(stripped) == 0:
            return 0
        raise UsageError(f"{option}: {stripped}: add a unit: {stripped}d, 12h, 30m or 3600s")
    if not _DURATION_PATTERN.fullmatch(text):
        raise UsageError(f"{option}: cannot read {text!r} as a duration ({_DURATION_EXAMPLES})")
    seconds = sum(
        int(amount) * _DURATION_UNITS[unit.lower()] for amount, unit in _DURATION_PART.findall(text)
    )
    if seconds <= 0 and not allow_zero:
        raise UsageError(f"{option}: a duration must be at least 1 second, got {text!r}")
    return seconds


def parse_delete_at(text: str, *, option: str, now: datetime | None = None) -> int:
    """Unix time from an ISO date (local midnight), an ISO date-time or a unix timestamp.

    A date-time without a zone is local time, as the user reads it on their clock. Digits
    alone are a unix timestamp. A time that is not in the future is refused: Swift would
    delete the object at once.
    """
    stripped = text.strip()
    if stripped.isdigit():
        delete_at = int(stripped)
    else:
        try:
            when = datetime.fromisoformat(stripped)
        except ValueError:
            raise UsageError(
                f"{option}: cannot read {text!r} as a date ({_DELETE_AT_EXAMPLES})"
            ) from None
        delete_at = math.floor(when.timestamp())
    now_timestamp = (now or datetime.now()).timestamp()
    if delete_at <= now_timestamp:
        local = datetime.fromtimestamp(delete_at).astimezone().isoformat(timespec="seconds")
        raise UsageError(f"{option}: {text!r} is {local}, which is not in the future")
    return delete_at


def format_bytes(size: float) -> str:
    """``1.0 GiB``: binary units, like the sizes people choose for segments."""
    return humanize.naturalsize(size, binary=True)


def format_rate(bytes_per_second: float) -> str:
    """``123.4 MiB/s``."""
    return f"{format_bytes(bytes_per_second)}/s"


def format_eta(seconds: float | None) -> str:
    """``2d 03h``, ``1h 02m``, ``4m 05s``, ``45s``; ``--`` when not known yet."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "--"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def plural(count: int, word: str) -> str:
    """``1 segment``, ``2 segments``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
