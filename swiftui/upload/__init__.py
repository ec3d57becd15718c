"""Segmented, resumable uploads of local files and streams: the package's public face.

``run_upload`` uploads a file (:mod:`.engine` orchestrates :mod:`.resume`, :mod:`.pool`,
:mod:`.sender`, :mod:`.hashing`, :mod:`.manifest` and :mod:`.cleanup`);
``run_stream_upload`` a stream of unknown size (:mod:`.stream`, :mod:`.stream_reader`,
:mod:`.spool`); ``plan_batch`` and ``run_batch`` several files, one after another
(:mod:`.batch`, :mod:`.local_files`); ``preview`` tells what a file upload would do;
``resumable_uploads`` and ``abandon_upload`` manage interrupted ones; ``describe`` words
its events. The modules of this package import each other, never this one.
"""

from __future__ import annotations

from swiftui.upload.batch import BatchAction, BatchEntry, BatchPlan, plan_batch, run_batch
from swiftui.upload.engine import run_upload
from swiftui.upload.events import (
    BatchFinished,
    BatchPlanReady,
    FileOutcome,
    FileSkipped,
    FileStarted,
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentProgress,
    SegmentQueued,
    SegmentRetrying,
    SegmentStarted,
    UploadCancelled,
    UploadEvent,
    UploadFailed,
    UploadFinished,
    UploadResult,
    event_name,
    event_to_dict,
)
from swiftui.upload.local_files import LocalFiles, collect_files
from swiftui.upload.plan import SegmentSpec, UploadPlan, make_plan
from swiftui.upload.preview import (
    Destination,
    LineKind,
    LocalFile,
    PreviewLine,
    UploadPreview,
    build_preview,
    inspect_destination,
    preview,
)
from swiftui.upload.request import (
    DEFAULT_THREADS,
    MAX_THREADS,
    StreamRequest,
    UploadRequest,
    check_names,
    check_request,
    check_threads,
    journal_target,
)
from swiftui.upload.resumable import ResumableUpload, abandon_upload, resumable_uploads
from swiftui.upload.resume import ResumeDecision
from swiftui.upload.source import LocalFileError, SourceFile
from swiftui.upload.spool import DEFAULT_SPOOL_MEMORY
from swiftui.upload.stream import run_stream_upload
from swiftui.upload.wording import cancel_preview, describe, segment_label, status_line, summary

__all__ = [
    "DEFAULT_SPOOL_MEMORY",
    "DEFAULT_THREADS",
    "MAX_THREADS",
    "BatchAction",
    "BatchEntry",
    "BatchFinished",
    "BatchPlan",
    "BatchPlanReady",
    "Destination",
    "FileOutcome",
    "FileSkipped",
    "FileStarted",
    "LineKind",
    "LocalFile",
    "LocalFileError",
    "LocalFiles",
    "ManifestWriting",
    "Notice",
    "OldSegmentsDeleted",
    "PlanReady",
    "PreviewLine",
    "Progress",
    "RequestRetrying",
    "ResumableUpload",
    "ResumeDecision",
    "SegmentDone",
    "SegmentFailed",
    "SegmentProgress",
    "SegmentQueued",
    "SegmentRetrying",
    "SegmentSpec",
    "SegmentStarted",
    "SourceFile",
    "StreamRequest",
    "UploadCancelled",
    "UploadEvent",
    "UploadFailed",
    "UploadFinished",
    "UploadPlan",
    "UploadPreview",
    "UploadRequest",
    "UploadResult",
    "abandon_upload",
    "build_preview",
    "cancel_preview",
    "check_names",
    "check_request",
    "check_threads",
    "collect_files",
    "describe",
    "event_name",
    "event_to_dict",
    "inspect_destination",
    "journal_target",
    "make_plan",
    "plan_batch",
    "preview",
    "resumable_uploads",
    "run_batch",
    "run_stream_upload",
    "run_upload",
    "segment_label",
    "status_line",
    "summary",
]
