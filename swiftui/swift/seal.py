"""OVHcloud Cloud Archive's seal states, read without ever reading an object's data.

On Cloud Archive every object is sealed; a ``GET`` of a sealed object starts its unsealing
and answers 429 with ``Retry-After`` (minutes to hours), and an unsealed object stays
readable for a while. ``HEAD`` tells the state (``X-Ovh-Retrieval-State``, and
``X-Ovh-Retrieval-Delay`` while unsealing), so does a container listing asked with
``policy_extra=true``. Only a user who wants the data should ever send that ``GET``:
:meth:`~swiftui.swift.client.SwiftService.request_unseal` is the one place that does it on
purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from swiftui.errors import SwiftError

STATE_HEADER = "X-Ovh-Retrieval-State"
DELAY_HEADER = "X-Ovh-Retrieval-Delay"


class SealState(StrEnum):
    SEALED = "sealed"
    UNSEALING = "unsealing"
    UNSEALED = "unsealed"


@dataclass(frozen=True)
class Retrieval:
    """Where an archived object stands: ``state`` None means the object is not archived
    (an ordinary policy), which reads at once like an unsealed one."""

    state: SealState | None = None
    delay_s: float | None = None
    """Seconds until readable while unsealing (None when unknown or not unsealing)."""

    @property
    def readable(self) -> bool:
        return self.state in (None, SealState.UNSEALED)

    @property
    def archived(self) -> bool:
        return self.state is not None

    def after(self, elapsed_s: float) -> Retrieval:
        """The same state ``elapsed_s`` seconds after it was told: an unsealing object's
        time left counts down (to 0, until the provider is asked again)."""
        if self.delay_s is None or elapsed_s <= 0:
            return self
        return Retrieval(self.state, max(0.0, self.delay_s - elapsed_s))


NOT_ARCHIVED = Retrieval()


class ObjectSealed(SwiftError):
    """A ``GET`` answered 429: the object cannot be read until it is unsealed (on a
    provider whose ``HEAD`` does not tell the state, this is how we learn it)."""

    def __init__(self, what: str, retrieval: Retrieval) -> None:
        self.retrieval = retrieval
        when = f" (about {retrieval.delay_s:.0f} s)" if retrieval.delay_s is not None else ""
        super().__init__(f"{what}: sealed (Cloud Archive): not readable until unsealed{when}")


def _state(value: object) -> SealState | None:
    try:
        return SealState(str(value).strip().lower()) if value else None
    except ValueError:
        return None


def _seconds(value: object) -> float | None:
    try:
        return max(0.0, float(str(value))) if value not in (None, "") else None
    except ValueError:
        return None


def retrieval_from_headers(headers: Mapping[str, str]) -> Retrieval:
    """The state a ``HEAD`` (or any object response) tells."""
    state = _state(headers.get(STATE_HEADER))
    delay = _seconds(headers.get(DELAY_HEADER)) if state is SealState.UNSEALING else None
    return Retrieval(state, delay)


def retrieval_from_listing(item: Mapping[str, Any]) -> Retrieval:
    """The state a ``policy_extra=true`` listing line tells."""
    state = _state(item.get("policy_retrieval_state"))
    delay = _seconds(item.get("policy_retrieval_delay")) if state is SealState.UNSEALING else None
    return Retrieval(state, delay)
