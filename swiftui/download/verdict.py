"""The checks of the whole object, before and after its parts are fetched.

Before: the parts must add up to the size ``HEAD`` gives, and their etags to its Etag (for
an SLO, md5 of the manifest's segment etags; for a DLO, of its listing's), so the manifest
read is the object's own. After: the file's size, and the whole file's checksums computed
in order (the SHA-256 the upload stored, a sliced plain object's md5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from swiftui.errors import IntegrityError

if TYPE_CHECKING:
    from swiftui.download.layout import Layout
    from swiftui.download.resolve import Resolution


def check_identity(resolution: Resolution, layout: Layout) -> None:
    """The parts describe exactly the object ``HEAD`` saw."""
    where = f"{resolution.container}/{resolution.name}"
    facts = resolution.facts
    if layout.size != facts.size:
        raise IntegrityError(
            f"{where}: its parts add up to {layout.size} bytes, Swift reports {facts.size}"
        )
    if not layout.whole_md5 and layout.etag != facts.etag:
        raise IntegrityError(
            f"{where}: the {layout.kind} etag its parts give is {layout.etag}, Swift reports "
            f"{facts.etag} (did it change meanwhile? run the same command again)"
        )


def whole_file_problems(
    resolution: Resolution, layout: Layout, digests: Mapping[str, str], size: int
) -> list[str]:
    """What is wrong with the bytes received as a whole (empty when all is well)."""
    problems = []
    if size != layout.size:
        problems.append(f"{size} bytes received, {layout.size} expected")
    md5 = digests.get("md5")
    if md5 is not None and md5 != resolution.facts.etag:
        problems.append(f"md5 {md5}, Swift's Etag is {resolution.facts.etag}")
    sha256 = digests.get("sha256")
    if sha256 is not None and sha256 != resolution.sha256:
        problems.append(f"SHA-256 {sha256}, the upload stored {resolution.sha256}")
    return problems


def integrity_error(
    resolution: Resolution, problems: list[str], consequence: str
) -> IntegrityError:
    where = f"{resolution.container}/{resolution.name}"
    return IntegrityError(
        f"{where}: the download does not match: {'; '.join(problems)}; {consequence}"
    )
