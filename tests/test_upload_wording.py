"""The words of upload events, shared by the CLI and the TUI (no server needed)."""

from __future__ import annotations

from swiftui.upload import (
    ManifestWriting,
    Notice,
    OldSegmentsDeleted,
    PlanReady,
    Progress,
    RequestRetrying,
    SegmentDone,
    SegmentFailed,
    SegmentQueued,
    SegmentRetrying,
    UploadCancelled,
    UploadFinished,
    UploadResult,
    describe,
    status_line,
)

ETAG = "d41d8cd98f00b204e9800998ecf8427e"


def test_a_segment_is_named_by_its_index_from_zero_as_in_its_object_name() -> None:
    assert describe(SegmentDone(33, 1024, ETAG, reused=False)) == (
        f"segment #33 sent (1.0 KiB, etag {ETAG})"
    )
    assert describe(SegmentDone(0, 1024, ETAG, reused=True)) == (
        f"segment #0 already in Swift, md5 matches (1.0 KiB, etag {ETAG})"
    )
    assert describe(SegmentRetrying(7, 2, "503 Service Unavailable", 1.5)) == (
        "segment #7: 503 Service Unavailable; attempt 2 in 1.5 s"
    )
    assert describe(SegmentFailed(7, "checksum mismatch")) == "segment #7 failed: checksum mismatch"


def test_the_plan_comes_with_its_notes_one_per_line() -> None:
    ready = PlanReady(
        local_path="/srv/dump.tar",
        container="backups",
        object_name="dump.tar",
        segment_container="backups_segments",
        file_size=3 * 1024**2,
        segment_size=1024**2,
        segment_count=3,
        explanation="3.0 MiB = 3 segments of 1.0 MiB (asked)",
        notes=("starting over: the local file changed",),
        delete_at=None,
    )
    assert describe(ready) == (
        "uploading /srv/dump.tar to backups/dump.tar: 3.0 MiB = 3 segments of 1.0 MiB "
        "(asked), segments in backups_segments\n"
        "  starting over: the local file changed"
    )


def test_other_events_worth_a_line_and_those_only_a_live_view_shows() -> None:
    assert describe(RequestRetrying("container 'b'", 2, "502 Bad Gateway", 0.5)) == (
        "container 'b': 502 Bad Gateway; attempt 2 in 0.5 s"
    )
    assert describe(Notice("the old segments stay")) == "the old segments stay"
    assert describe(ManifestWriting(3)) == "writing the manifest of 3 segments"
    assert describe(OldSegmentsDeleted(count=2, failed=0)) == (
        "deleted 2 segments of the replaced object"
    )
    result = UploadResult(
        container="backups",
        object_name="dump.tar",
        size=3 * 1024**2,
        etag=ETAG,
        is_slo=True,
        segment_container="backups_segments",
        segment_count=3,
        reused_segments=1,
        bytes_sent=2 * 1024**2,
        elapsed_s=2.0,
        delete_at=None,
        old_segments_deleted=0,
    )
    assert describe(UploadFinished(result)) == (
        "done: backups/dump.tar is 3.0 MiB, sent 2.0 MiB in 2.0 s (1.0 MiB/s), 3 segments in "
        f"backups_segments (1 reused), etag {ETAG}"
    )
    progress = Progress(
        bytes_done=1024**2,
        bytes_total=4 * 1024**2,
        rate_bps=512 * 1024,
        eta_s=6.0,
        segments_done=1,
        segments_total=4,
        active=(),
    )
    assert describe(progress) is None
    assert describe(SegmentQueued(0, 0, 1024)) is None
    assert status_line(progress) == ("1.0 MiB / 4.0 MiB   25%  512.0 KiB/s  ETA 6s  segments 1/4")


def test_a_cancel_says_what_is_really_kept_and_what_will_be_sent_again() -> None:
    nothing_kept = UploadCancelled(
        segments_done=0,
        segments_total=54,
        bytes_done=0,
        bytes_total=250 * 1024**3,
        segments_in_flight=4,
        bytes_in_flight=int(5.1 * 1024**3),
    )
    assert describe(nothing_kept) == (
        "upload cancelled: nothing is kept in Swift yet; the 5.1 GiB sent of 4 unfinished "
        "segments will be sent again; run the same upload again to resume"
    )
    some_kept = UploadCancelled(3, 8, 3 * 1024**2, 8 * 1024**2, 0, 0, resumable=True)
    assert describe(some_kept) == (
        "upload cancelled: 3 of 8 segments (3.0 MiB of 8.0 MiB) are kept in Swift; "
        "run the same upload again to resume"
    )
