"""What the details screen says about a Cloud Archive object: its seal state as time passes,
the question before unsealing it, and what the core said once unsealing was asked for.

The facts are the core's: the seal state a ``HEAD`` told (:class:`~swiftui.swift.Retrieval`,
counted down with :meth:`~swiftui.swift.Retrieval.after`), the segments
:func:`~swiftui.browse.describe_object` found (by name for a sealed SLO), and the
:class:`~swiftui.download.UnsealRequested` of :func:`~swiftui.download.unseal_round`, the
function ``swiftui unseal`` runs. Plain functions, no widget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text

from swiftui.browse import ObjectDetails, ObjectKind, segment_length
from swiftui.download import UnsealRequested, unseal_text
from swiftui.swift import Retrieval, SealState, seal_words
from swiftui.units import format_bytes, plural

SEAL_STYLES = {
    SealState.SEALED: "bold yellow",
    SealState.UNSEALING: "bold cyan",
    SealState.UNSEALED: "bold green",
}


@dataclass(frozen=True)
class SealTold:
    """A seal state and when (a timestamp of the app's clock) the server told it."""

    retrieval: Retrieval
    at: float

    def now(self, now: float) -> Retrieval:
        return self.retrieval.after(now - self.at)


def seal_text(retrieval: Retrieval) -> Text:
    """``unsealing (Cloud Archive, readable in 59m 58s)``, coloured by state."""
    style = SEAL_STYLES[retrieval.state] if retrieval.state is not None else ""
    return Text(seal_words(retrieval), style=style)


def sealed_verdict(details: ObjectDetails, retrieval: Retrieval) -> Text | None:
    """The core's one line on a sealed SLO found by name (its time left counting down),
    and what ``v`` checks; None for an object whose manifest was read."""
    slo = details.slo
    if slo is None or not slo.by_name:
        return None
    line = replace(slo, retrieval=retrieval).explanation()
    if not slo.proven:
        return Text(line, style="yellow")
    return Text(f"{line}. v checks them from the listing.")


def unseal_asked_text(event: UnsealRequested, now: float) -> Text:
    """The core's words on what was asked (as ``swiftui unseal`` prints them), the time
    left counting down to when everything is readable."""
    if event.ready_at is not None:
        event = replace(event, ready_in_s=max(0.0, event.ready_at - now))
    return Text(unseal_text(event), style="cyan")


def unseal_question(details: ObjectDetails) -> str:
    """The confirmation: what Cloud Archive is asked to unseal, and what that means."""
    return (
        f"Unseal {details.container}/{details.name}?\n\n"
        f"Cloud Archive will unseal {_unsealed_parts(details)}. Each becomes readable after "
        "the provider's delay (hours on OVHcloud) and stays readable for a limited time; "
        "unsealing cannot be cancelled. No data is downloaded."
    )


def _unsealed_parts(details: ObjectDetails) -> str:
    slo = details.slo
    if slo is not None and slo.found is not None and not slo.proven:
        return (
            "its manifest only: its segments cannot be found without reading it "
            f"({slo.found.explanation()}); ask again once the manifest is readable"
        )
    if details.facts.kind is ObjectKind.SLO:
        segments = details.leaf_segments
        subs = details.sub_manifests
        nested = f", its {plural(subs, 'sub-manifest')}" if subs else ""
        where = ", ".join(details.segment_containers)
        total = format_bytes(sum(segment_length(segment) for segment in segments))
        return (
            f"its manifest{nested} and its {plural(len(segments), 'segment')} in {where} ({total})"
        )
    if details.dlo is not None:
        dlo = details.dlo
        more = "" if dlo.complete else "+"
        return (
            f"its manifest and the {len(dlo.segments)}{more} objects under "
            f"{dlo.container}/{dlo.prefix} ({format_bytes(dlo.total_bytes)}{more})"
        )
    return f"it ({format_bytes(details.facts.size)})"
