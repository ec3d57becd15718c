"""The destination side of an upload, the same for a file and for a stream: containers
(the segments one on the parent's storage policy), expiry and checksum headers, and the
segments of the object being replaced, which go only once the new object is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from swiftui.swift import SHA256_HEADER, delete_objects
from swiftui.upload.cleanup import ReplacedObject
from swiftui.upload.events import Notice, OldSegmentsDeleted, UploadEvent

if TYPE_CHECKING:
    from swiftui.swift import ObjectKey, SwiftService

# Segments expire this much after their manifest, so a manifest never outlives its data.
SEGMENT_EXPIRY_MARGIN_S = 3600


def expiry_header(delete_at: int | None) -> dict[str, str]:
    return {"X-Delete-At": str(delete_at)} if delete_at is not None else {}


def segment_expiry(delete_at: int | None) -> int | None:
    """When the segments (and sub-manifests) of an object expiring at ``delete_at`` go."""
    return delete_at + SEGMENT_EXPIRY_MARGIN_S if delete_at is not None else None


def sha256_header(sha256: str | None) -> dict[str, str]:
    return {SHA256_HEADER: sha256} if sha256 is not None else {}


def ensure_containers(
    swift: SwiftService,
    container: str,
    segment_container: str | None,
    on_event: Callable[[UploadEvent], None],
) -> None:
    """Create the container if missing; the segments container (when given) with the same
    storage policy, saying so when an existing one has another."""
    policy = swift.ensure_container(container)
    if segment_container is None:
        return
    segments_policy = swift.ensure_container(segment_container, policy=policy)
    if policy and segments_policy and segments_policy != policy:
        on_event(
            Notice(
                f"segments container {segment_container!r} uses storage policy "
                f"{segments_policy!r}, {container!r} uses {policy!r}: segments "
                "are billed at their container's policy"
            )
        )


def delete_replaced(
    swift: SwiftService,
    replaced: ReplacedObject,
    new: set[ObjectKey],
    on_event: Callable[[UploadEvent], None],
) -> int:
    """After the new object is in place: what the old one used and the new one does not; a
    sealed one's unproven candidates stay (``orphans`` lists them now)."""
    unproven = replaced.unproven - new
    if unproven:
        where = min(unproven)[0]
        on_event(
            Notice(
                f"kept {len(unproven)} segments named after the replaced sealed archive, "
                f"not proven to be its own: swiftui orphans {where} lists them"
            )
        )
    unused = sorted(replaced.segments - new)
    if not unused:
        return 0
    report = delete_objects(swift, unused)
    on_event(OldSegmentsDeleted(count=report.gone, failed=report.left))
    if report.left:
        on_event(Notice(f"{report.left} segments of the replaced object could not be deleted"))
    return report.gone
