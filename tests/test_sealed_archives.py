"""Sealed Cloud Archive archives block nothing but reading their data.

Against the sandbox's Cloud Archive emulation with OVHcloud's hours (an unsealing delay of
an hour), containers and their segments containers on policy PCA: rm, prune, orphans,
replacing an archive, details and verify finish without waiting, leave the server as
intended (python-swiftclient), and no GET reaches a sealed object (the emulation logs
every GET it answers with 429, and what is left is still sealed).
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from support.cloud_archive_support import HOUR_S, ArchiveContainers, sealed_objects_read
from support.deletion_support import (
    expire_in_two_hours,
    make_slo,
    names,
    random_bytes,
    segment_prefix,
    wait_until_gone,
)
from support.upload_support import download_md5, file_md5

from swiftui.browse import describe_object, verify_manifest
from swiftui.cli import main
from swiftui.cloud import Cloud
from swiftui.swift import SealState, segments_of
from swiftui.units import MIB
from swiftui.upload import StreamRequest, run_stream_upload


def segment_names(entries: list[dict[str, object]]) -> list[str]:
    return [str(entry["path"]).split("/", 2)[2] for entry in entries]


def test_rm_deletes_a_sealed_archive_and_the_segments_its_names_prove_without_reading_it(
    archive: ArchiveContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    make_slo(checker, pca, "a.tar", random_bytes(3000), segment_size=1000)
    kept = make_slo(checker, pca, "b.tar", random_bytes(2000), mtime=2.0)

    assert main(["rm", pca, "a.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert (
        f"    sealed (Cloud Archive): 3 segments found by name in {segments}; their sizes and "
        "md5s add up to the archive's size and Etag; data not read\n"
    ) in out
    assert "Deleted 1 object and its 3 segments" in out
    assert names(checker, pca) == ["b.tar"]
    assert names(checker, segments) == segment_names(kept)
    archive.never_read()


def test_rm_of_a_sealed_archive_uploaded_from_a_pipe_proves_and_deletes_its_segments(
    archive: ArchiveContainers, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe's segment names carry 0 for the size nobody knew yet: its archive's segments
    are proven by the listing all the same (a monthly command job on Cloud Archive)."""
    pca, segments, checker = archive.name, archive.segments, archive.checker
    run_stream_upload(
        cloud.service("GRA"),
        StreamRequest(pca, "www-2026-11.tar", segment_size=MIB),
        io.BytesIO(random_bytes(3 * MIB + 5)),
        on_event=lambda event: None,
        cancel=threading.Event(),
    )
    assert len(names(checker, segments)) == 4

    assert main(["rm", pca, "www-2026-11.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert f"sealed (Cloud Archive): 4 segments found by name in {segments}" in out
    assert "Deleted 1 object and its 4 segments" in out
    assert names(checker, pca) == []
    assert names(checker, segments) == []
    archive.never_read()


def test_a_sealed_copy_keeps_the_segments_it_shares_and_takes_them_when_deleted_last(
    archive: ArchiveContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    entries = make_slo(checker, pca, "a.tar", random_bytes(3000), segment_size=1000)
    # A manifest copied from a.tar: the same entries, named after a.tar.
    checker.put_object(pca, "copy.tar", json.dumps(entries), query_string="multipart-manifest=put")

    assert main(["rm", pca, "a.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert "Kept, still used by other manifests:" in out
    for name in segment_names(entries):
        assert f"  {segments}/{name} (1000 Bytes): used by {pca}/copy.tar" in out
    assert names(checker, pca) == ["copy.tar"]
    assert names(checker, segments) == segment_names(entries)

    assert main(["rm", pca, "copy.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert f"3 segments found by name in {segments}; their sizes and md5s add up" in out
    assert names(checker, pca) == [] and names(checker, segments) == []
    archive.never_read()


def test_rm_of_a_sealed_archive_missing_a_segment_deletes_the_manifest_and_keeps_the_rest(
    archive: ArchiveContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    half = segment_names(
        make_slo(checker, pca, "half.tar", random_bytes(3000), mtime=1.0, segment_size=1000)
    )
    checker.delete_object(segments, half[2])
    other = segment_names(make_slo(checker, pca, "other.tar", random_bytes(1500), mtime=2.0))

    assert main(["rm", pca, "half.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert (
        f"    sealed (Cloud Archive): 2 segments named after it in {segments} (segment "
        "00000002 missing) do not add up to its size and Etag; data not read\n"
    ) in out
    assert (
        "Kept, named after a sealed archive but not proven to be its segments (once its "
        f"manifest is gone, swiftui orphans {segments} lists them):\n"
        f"  {segments}/{half[0]} (1000 Bytes)\n  {segments}/{half[1]} (1000 Bytes)\n"
    ) in out
    assert "Deleted 1 object, " in out
    assert "; kept 2 not proven to be the archive's" in out
    assert f"swiftui orphans {segments} lists them" in out.splitlines()[-1]
    assert names(checker, pca) == ["other.tar"]
    assert sorted(names(checker, segments)) == sorted([half[0], half[1], *other])

    # Its manifest gone, the kept segments are what orphans now offers, for the user to decide.
    assert main(["orphans", pca, "--min-age", "0"]) == 0
    out = capsys.readouterr().out
    assert f"delete  {segments}/{segment_prefix('half.tar', 1.0, 3000, 1000)}" in out
    assert "2 of 3 segments" in out
    archive.never_read()


def test_a_sealed_manifest_with_segments_of_unknown_names_protects_every_segment(
    archive: ArchiveContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-made manifest that borrows a.tar's first segment: by name nothing proves
    what it uses, so nothing it could use is deleted, and the user is told why."""
    pca, segments, checker = archive.name, archive.segments, archive.checker
    a = make_slo(checker, pca, "a.tar", random_bytes(3000), segment_size=1000)
    make_slo(checker, pca, "mixed.tar", random_bytes(1500), mtime=2.0, extra_entries=a[:1])

    assert main(["rm", pca, "a.tar", "--yes"]) == 0

    out = capsys.readouterr().out
    assert "Kept, other manifests use them or (sealed, not proven) may use them:" in out
    assert (
        f"  {segments}/{segment_names(a)[0]} (1000 Bytes): may belong to sealed "
        f"{pca}/mixed.tar (not proven either way)"
    ) in out
    assert names(checker, pca) == ["mixed.tar"]
    assert set(segment_names(a)) <= set(names(checker, segments))

    assert main(["orphans", pca, "--delete", "--yes", "--min-age", "0"]) == 0

    out = capsys.readouterr().out
    assert f"  {pca}/mixed.tar: sealed (Cloud Archive): " in out
    assert f"kept: sealed {pca}/mixed.tar may use segments of any name" in out
    assert "; it may use segments of any name; data not read" in out
    assert "selected 0 groups" in out
    assert set(segment_names(a)) <= set(names(checker, segments))
    archive.never_read()


def test_prune_deletes_old_sealed_archives_made_by_the_swift_cli(
    archive: ArchiveContainers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    archive.swift_upload(tmp_path / "dump-1.tar", 2500, 86400)
    for day in (2, 3):
        make_slo(checker, pca, f"dump-{day}.tar", random_bytes(2500), mtime=day * 86400.0)
    newest = [name for name in names(checker, segments) if name.startswith("dump-3")]

    assert main(["prune", pca, "--keep-last", "1", "--yes"]) == 0

    out = capsys.readouterr().out
    assert out.count("sealed (Cloud Archive): 3 segments found by name") == 2
    assert names(checker, pca) == ["dump-3.tar"]
    assert names(checker, segments) == newest
    archive.never_read()


def test_orphans_in_a_sealed_container_say_what_happened_and_delete_only_what_is_proven(
    archive: ArchiveContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    overwritten = segment_prefix("live.tar", 8.0, 2000, 1000)
    make_slo(checker, pca, "live.tar", random_bytes(2000), mtime=8.0, segment_size=1000)
    live = segment_names(
        make_slo(checker, pca, "live.tar", random_bytes(2500), mtime=9.0, segment_size=1000)
    )
    crashed = segment_prefix("crashed.tar", 5.0, 3000, 1000)
    make_slo(checker, pca, "crashed.tar", random_bytes(3000), mtime=5.0, segment_size=1000)
    checker.delete_object(pca, "crashed.tar")
    checker.delete_object(segments, f"{crashed}00000002")
    half = segment_names(
        make_slo(checker, pca, "half.tar", random_bytes(3000), mtime=1.0, segment_size=1000)
    )
    checker.delete_object(segments, half[2])
    expired = segment_names(
        make_slo(checker, pca, "expired.tar", random_bytes(1500), headers={"X-Delete-After": "1"})
    )
    expire_in_two_hours(checker, segments, expired)
    deleted = segment_names(make_slo(checker, pca, "deleted.tar", random_bytes(1500)))
    expiry = expire_in_two_hours(checker, segments, deleted)
    checker.delete_object(pca, "deleted.tar")  # the manifest only, as `swift delete` in bulk
    wait_until_gone(checker, pca, "expired.tar")

    assert main(["orphans", pca, "--min-age", "0"]) == 0

    out = capsys.readouterr().out
    assert (
        "2 sealed manifests (Cloud Archive) not read, their segments found by name: 1 proven "
        "(sizes and md5s add up to the manifest's size and Etag), 1 not (what they may use is "
        "kept); data not read\n"
        f"  {pca}/half.tar: sealed (Cloud Archive): 2 segments named after it in {segments} "
        "(segment 00000002 missing) do not add up to its size and Etag; data not read\n"
    ) in out
    lines = {}
    for line in out.splitlines():
        words = line.split()
        if line.startswith("  ") and len(words) > 1 and words[1].startswith(f"{segments}/"):
            lines[words[1].removeprefix(f"{segments}/")] = line
    assert set(lines) == {
        overwritten,
        crashed,
        segment_prefix("half.tar", 1.0, 3000, 1000),
        segment_prefix("expired.tar", 1_700_000_000.0, 1500, 1024),
        segment_prefix("deleted.tar", 1_700_000_000.0, 1500, 1024),
    }
    assert f"left by an overwrite: {pca}/live.tar uses other segments now" in lines[overwritten]
    assert "no manifest: an interrupted upload" in lines[crashed]
    half_line = lines[segment_prefix("half.tar", 1.0, 3000, 1000)]
    assert half_line.startswith("  keep  ")
    assert f"kept: named after sealed {pca}/half.tar, whose segments could not be" in half_line
    assert (
        f"its manifest {pca}/expired.tar expired or was deleted (Swift lists it until its "
        "expirer removes it)"
    ) in lines[segment_prefix("expired.tar", 1_700_000_000.0, 1500, 1024)]
    deleted_line = lines[segment_prefix("deleted.tar", 1_700_000_000.0, 1500, 1024)]
    assert (
        f"no manifest {pca}/deleted.tar any more (it expired or was deleted); they expire by "
        f"themselves on {time.strftime('%Y-%m-%d %H:%M', time.localtime(expiry))}"
    ) in deleted_line

    assert main(["orphans", pca, "--delete", "--yes", "--min-age", "0"]) == 0

    capsys.readouterr()
    assert sorted(names(checker, segments)) == sorted([*live, half[0], half[1]])
    assert names(checker, pca) == ["expired.tar", "half.tar", "live.tar"]  # until the expirer
    archive.never_read()


def test_replacing_a_sealed_archive_deletes_its_old_segments_and_stores_the_new_one(
    archive: ArchiveContainers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    local = tmp_path / "backup.tar"
    archive.swift_upload(local, 3000, 86400)
    old = names(checker, segments)
    local.write_bytes(random_bytes(2500))

    assert main(["upload", pca, str(local), "--segment-size", "1000B"]) == 0

    out = capsys.readouterr().out
    assert (
        f"replacing {pca}/backup.tar: sealed (Cloud Archive): 3 segments found by name in "
        f"{segments}; their sizes and md5s add up to the archive's size and Etag; data not read"
    ) in out
    assert "deleted 3 segments of the replaced object" in out
    new = names(checker, segments)
    assert len(new) == 3 and not set(new) & set(old)
    assert names(checker, pca) == ["backup.tar"]
    archive.never_read()
    # The new archive is whole: unsealed (in a second here), it downloads as the file.
    with archive.sandbox.unseal_timing(delay_s=1):
        archive.http.unseal(pca, ["backup.tar"])
        archive.http.unseal(segments, new)
    assert download_md5(checker, pca, "backup.tar") == file_md5(local)


def test_replacing_a_sealed_archive_whose_segments_cannot_be_proven_keeps_them(
    archive: ArchiveContainers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    old = segment_names(make_slo(checker, pca, "backup.tar", random_bytes(3000), mtime=1.0))
    checker.delete_object(segments, old[1])
    local = tmp_path / "backup.tar"
    local.write_bytes(random_bytes(2500))

    assert main(["upload", pca, str(local), "--segment-size", "1000B"]) == 0

    out = capsys.readouterr().out
    assert "(segment 00000001 missing) do not add up to its size and Etag" in out
    assert (
        "kept 2 segments named after the replaced sealed archive, not proven to be its own: "
        f"swiftui orphans {segments} lists them"
    ) in out
    assert {old[0], old[2]} <= set(names(checker, segments))
    assert len(names(checker, segments)) == 5
    archive.never_read()


def test_details_and_verify_of_a_sealed_archive_come_from_its_head_and_the_listing(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    entries = make_slo(checker, pca, "a.tar", random_bytes(3000))
    half = segment_names(make_slo(checker, pca, "half.tar", random_bytes(3000), mtime=1.0))
    checker.delete_object(segments, half[2])
    swift = cloud.service("GRA")
    proven_note = (
        f"sealed (Cloud Archive): 3 segments found by name in {segments}; their sizes and md5s "
        "add up to the archive's size and Etag; data not read"
    )

    details = describe_object(swift, pca, "a.tar")
    heard = []
    check = verify_manifest(swift, pca, "a.tar", on_segment=heard.append)

    assert details is not None and details.facts.retrieval.state is SealState.SEALED
    assert details.sealed_note == proven_note
    assert [seg.path for seg in details.manifest or ()] == [e["path"] for e in entries]
    assert check.ok and check.summary == f"{pca}/a.tar: {proven_note}"
    assert [item.index for item in heard] == [0, 1, 2]

    broken = describe_object(swift, pca, "half.tar")
    broken_check = verify_manifest(swift, pca, "half.tar")

    assert broken is not None and broken.manifest is None
    assert "(segment 00000002 missing) do not add up to its size and Etag" in broken.sealed_note
    assert not broken_check.ok
    assert broken_check.summary == f"{pca}/half.tar: {broken.sealed_note}"
    archive.never_read()

    # Unsealing (asked on purpose): the details tell how long, and still read nothing else.
    swift.request_unseal(pca, "a.tar")
    unsealing = describe_object(swift, pca, "a.tar")

    assert unsealing is not None and unsealing.facts.retrieval.state is SealState.UNSEALING
    assert unsealing.facts.retrieval.delay_s is not None
    assert unsealing.facts.retrieval.delay_s > HOUR_S - 60
    assert unsealing.sealed_note.startswith("unsealing (Cloud Archive, readable in ")
    assert sealed_objects_read(archive.sandbox, pca, segments) == [f"{pca}/a.tar"]


def test_a_manifest_get_answered_429_falls_back_to_the_names(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    """A provider whose HEAD does not tell the seal state: the manifest GET answers 429
    (and starts unsealing it), and the segments are found by name without waiting."""
    pca, segments, checker = archive.name, archive.segments, archive.checker
    entries = make_slo(checker, pca, "a.tar", random_bytes(3000))
    swift = cloud.service("GRA")
    headers = swift.object_headers(pca, "a.tar")
    assert headers is not None
    del headers["X-Ovh-Retrieval-State"]

    found = segments_of(swift, pca, "a.tar", headers)

    assert found is not None and found.by_name and found.proven
    assert [seg.path for seg in found.segments] == [e["path"] for e in entries]
    assert found.retrieval.state is SealState.UNSEALING
    assert found.retrieval.delay_s is not None and found.retrieval.delay_s > HOUR_S - 60
    assert sealed_objects_read(archive.sandbox, pca, segments) == [f"{pca}/a.tar"]
    assert set(archive.http.states(segments).values()) == {"sealed"}
