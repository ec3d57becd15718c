"""The ordered SHA-256 reader on a local file: it never reads past what the segment
senders have read, and its digest is the file's whatever order the segments finish in."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.upload_support import file_sha256, write_random

from swiftui.errors import Aborted
from swiftui.units import KIB
from swiftui.upload.hashing import OrderedHasher, ReadFrontier
from swiftui.upload.plan import SegmentSpec
from swiftui.upload.source import SourceChanged, SourceFile

SEGMENT = 600 * KIB


def specs(size: int) -> list[SegmentSpec]:
    count = -(-size // SEGMENT)
    return [SegmentSpec(i, i * SEGMENT, min(SEGMENT, size - i * SEGMENT)) for i in range(count)]


def test_the_frontier_moves_only_over_bytes_read_without_a_gap() -> None:
    frontier = ReadFrontier(specs(3 * SEGMENT))
    frontier.reached(1, SEGMENT)  # segment 1 read first: nothing before it is
    assert frontier.position == 0
    frontier.reached(0, 100)
    assert frontier.position == 100
    frontier.reached(0, 50)  # a retried segment starts over: what was read stays read
    assert frontier.position == 100
    frontier.complete(0)
    assert frontier.position == 2 * SEGMENT
    frontier.reached(2, 7)
    assert frontier.position == 2 * SEGMENT + 7
    frontier.complete(2)
    assert frontier.position == 3 * SEGMENT


def test_the_hasher_trails_the_senders_and_gets_the_files_sha256(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    size = 4 * SEGMENT + 123
    write_random(path, size)
    segments = specs(size)
    frontier = ReadFrontier(segments)
    abort = threading.Event()
    with SourceFile(path) as source:
        hasher = OrderedHasher(source, frontier, abort)
        hasher.start()
        for index in (2, 0, 4, 1, 3):  # out of order, as parallel senders finish
            assert not hasher.wait(0.05)
            assert hasher.hashed <= frontier.position
            frontier.complete(index)
        assert hasher.wait(10)
        assert hasher.hexdigest() == file_sha256(path)


def test_an_aborted_hasher_stops_and_has_no_digest(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_random(path, 2 * SEGMENT)
    frontier = ReadFrontier(specs(2 * SEGMENT))
    abort = threading.Event()
    with SourceFile(path) as source:
        hasher = OrderedHasher(source, frontier, abort)
        hasher.start()
        frontier.complete(0)
        abort.set()
        assert hasher.wait(10)
        with pytest.raises(Aborted):
            hasher.hexdigest()


def test_a_file_shrinking_under_the_hasher_is_its_error_and_stops_the_upload(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.bin"
    write_random(path, 2 * SEGMENT)
    frontier = ReadFrontier(specs(2 * SEGMENT))
    abort = threading.Event()
    with SourceFile(path) as source:
        with path.open("r+b") as handle:
            handle.truncate(SEGMENT)
        hasher = OrderedHasher(source, frontier, abort)
        hasher.start()
        frontier.complete(0)
        frontier.complete(1)
        assert hasher.wait(10)
        assert abort.is_set()
        with pytest.raises(SourceChanged, match="changed during the upload"):
            hasher.hexdigest()
