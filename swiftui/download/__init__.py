"""Verified, resumable downloads of one object, and Cloud Archive unsealing: the package's
public face.

``run_download`` writes a file (:mod:`.engine` orchestrates :mod:`.unsealing`,
:mod:`.resolve`, :mod:`.fetch`, :mod:`.hashing`, :mod:`.journal` and :mod:`.local`);
``stream_download`` writes a stream in order; ``unseal_round`` and ``make_readable`` ask
Cloud Archive for objects and wait for them; ``describe`` words the events;
``interrupted_downloads`` lists what a rerun would resume. The modules of
this package import each other, never this one.
"""

from __future__ import annotations

from swiftui.download.engine import run_download
from swiftui.download.events import (
    DownloadCancelled,
    DownloadEvent,
    DownloadFailed,
    DownloadFinished,
    DownloadPlanned,
    DownloadResult,
    UnsealRequested,
    UnsealWaiting,
    Verifying,
    event_to_dict,
)
from swiftui.download.interrupted import (
    InterruptedDownload,
    abandon_download,
    interrupted_downloads,
)
from swiftui.download.journal import journal_dir
from swiftui.download.layout import Layout, Part
from swiftui.download.local import PARTIAL_SUFFIX, destination
from swiftui.download.request import DownloadRequest, check_request
from swiftui.download.resolve import ArchivedObject, Resolution, resolve_object
from swiftui.download.stream import stream_download
from swiftui.download.unsealing import Readiness, make_readable, ready_text, unseal_round
from swiftui.download.wording import countdown_text, describe, summary, unseal_text

__all__ = [
    "PARTIAL_SUFFIX",
    "ArchivedObject",
    "DownloadCancelled",
    "DownloadEvent",
    "DownloadFailed",
    "DownloadFinished",
    "DownloadPlanned",
    "DownloadRequest",
    "DownloadResult",
    "InterruptedDownload",
    "Layout",
    "Part",
    "Readiness",
    "Resolution",
    "UnsealRequested",
    "UnsealWaiting",
    "Verifying",
    "abandon_download",
    "check_request",
    "countdown_text",
    "describe",
    "destination",
    "event_to_dict",
    "interrupted_downloads",
    "journal_dir",
    "make_readable",
    "ready_text",
    "resolve_object",
    "run_download",
    "stream_download",
    "summary",
    "unseal_round",
    "unseal_text",
]
