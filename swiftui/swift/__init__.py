"""The one Swift client, below every feature: requests, listings, SLO rules, limits.

Features import from here; the modules of this package import each other, never this one.
"""

from __future__ import annotations

from swiftui.swift.client import (
    DATA_TIMEOUT,
    REQUEST_TIMEOUT,
    ResponseCheck,
    SwiftService,
    TokenRefused,
    describe_failure,
    object_path,
)
from swiftui.swift.deleting import (
    BULK_CHUNK,
    DeleteOutcome,
    DeleteReport,
    DeleteResult,
    ObjectKey,
    delete_objects,
)
from swiftui.swift.limits import SwiftLimits
from swiftui.swift.listing import LISTING_PAGE, ContainerInfo, ObjectEntry, parse_listing_time
from swiftui.swift.ratelimit import RateLimiter
from swiftui.swift.retry import (
    INTERACTIVE_RETRY,
    RetryCallback,
    RetryNotice,
    RetryPolicy,
    is_retryable_status,
    retry_after_seconds,
)
from swiftui.swift.seal import (
    NOT_ARCHIVED,
    ObjectSealed,
    Retrieval,
    SealState,
    retrieval_from_headers,
    retrieval_from_listing,
)
from swiftui.swift.sealed import FoundSegments, SegmentListing, find_segments_by_name
from swiftui.swift.segments import ArchiveSegments, seal_words, segments_of
from swiftui.swift.slo import (
    MTIME_HEADER,
    SEGMENT_CONTENT_TYPE,
    SEGMENTS_SUFFIX,
    SHA256_HEADER,
    SHA256_META,
    SUBMANIFEST_MARK,
    ManifestSegment,
    SegmentName,
    StoredManifest,
    archive_containers,
    expected_slo_etag,
    is_slo,
    manifest_etag,
    parse_manifest,
    parse_segment_name,
    parse_submanifest_name,
    segment_name,
    segment_prefix,
    segments_container_of,
    segments_parent,
    submanifest_name,
    upload_prefix,
)
from swiftui.swift.streaming import BodyInterrupted, read_blocks

__all__ = [
    "BULK_CHUNK",
    "DATA_TIMEOUT",
    "INTERACTIVE_RETRY",
    "LISTING_PAGE",
    "MTIME_HEADER",
    "NOT_ARCHIVED",
    "REQUEST_TIMEOUT",
    "SEGMENTS_SUFFIX",
    "SEGMENT_CONTENT_TYPE",
    "SHA256_HEADER",
    "SHA256_META",
    "SUBMANIFEST_MARK",
    "ArchiveSegments",
    "BodyInterrupted",
    "ContainerInfo",
    "DeleteOutcome",
    "DeleteReport",
    "DeleteResult",
    "FoundSegments",
    "ManifestSegment",
    "ObjectEntry",
    "ObjectKey",
    "ObjectSealed",
    "RateLimiter",
    "ResponseCheck",
    "Retrieval",
    "RetryCallback",
    "RetryNotice",
    "RetryPolicy",
    "SealState",
    "SegmentListing",
    "SegmentName",
    "StoredManifest",
    "SwiftLimits",
    "SwiftService",
    "TokenRefused",
    "archive_containers",
    "delete_objects",
    "describe_failure",
    "expected_slo_etag",
    "find_segments_by_name",
    "is_retryable_status",
    "is_slo",
    "manifest_etag",
    "object_path",
    "parse_listing_time",
    "parse_manifest",
    "parse_segment_name",
    "parse_submanifest_name",
    "read_blocks",
    "retrieval_from_headers",
    "retrieval_from_listing",
    "retry_after_seconds",
    "seal_words",
    "segment_name",
    "segment_prefix",
    "segments_container_of",
    "segments_of",
    "segments_parent",
    "submanifest_name",
    "upload_prefix",
]
