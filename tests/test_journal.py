from __future__ import annotations

import errno
import json
import logging
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swiftui import paths
from swiftui.errors import SwiftuiError
from swiftui.upload.journal import (
    Journal,
    JournalError,
    SegmentRecord,
    find_journal,
    journal_path,
    list_journals,
)

TARGET = "https://storage.gra.example/v1/AUTH_abc|GRA|backups|db/big.tar"
ETAG = "d41d8cd98f00b204e9800998ecf8427e"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def local_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.tar"
    path.write_bytes(b"x" * 100)
    return path


def new_journal(local_file: Path, target: str = TARGET, **changes: object) -> Journal:
    fields: dict[str, Any] = {
        "target": target,
        "local_path": local_file,
        "file_size": 100,
        "file_mtime": 1700000000.123456,
        "container": "backups",
        "segment_container": "backups_segments",
        "object_name": "db/big.tar",
        "region": "GRA",
        "segment_size": 10,
        "segment_prefix": "db/big.tar/slo/1700000000.123456/100/10/",
        "delete_at": 1800000000,
        "delete_after": None,
    }
    fields.update(changes)
    return Journal.create(**fields)


def test_journal_lives_in_the_state_dir_owner_only(local_file: Path, state_home: Path) -> None:
    journal = new_journal(local_file)
    assert journal.path.parent == state_home / "swiftui" / "journals"
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    assert journal.path == journal_path(TARGET, local_file)


def test_record_and_reload_roundtrip(local_file: Path) -> None:
    journal = new_journal(local_file)
    journal.record_segment(0, ETAG, 10)
    journal.record_segment(3, "0" * 32, 10)

    loaded = Journal.load(journal.path)
    assert loaded.segments == {0: SegmentRecord(ETAG, 10), 3: SegmentRecord("0" * 32, 10)}
    assert loaded.local_path == str(local_file.resolve())
    assert (loaded.file_size, loaded.file_mtime) == (100, 1700000000.123456)
    assert (loaded.container, loaded.segment_container) == ("backups", "backups_segments")
    assert (loaded.object_name, loaded.region, loaded.target) == ("db/big.tar", "GRA", TARGET)
    assert loaded.segment_size == 10
    assert loaded.segment_prefix == "db/big.tar/slo/1700000000.123456/100/10/"
    assert (loaded.delete_at, loaded.delete_after) == (1800000000, None)
    assert loaded.created_at == journal.created_at
    assert (loaded.bytes_done, loaded.bytes_left) == (20, 80)


def test_journal_holds_only_upload_facts(local_file: Path) -> None:
    journal = new_journal(local_file)
    journal.record_segment(0, ETAG, 10)
    data = json.loads(journal.path.read_text())
    assert set(data) == {
        "format",
        "target",
        "local_path",
        "file_size",
        "file_mtime",
        "container",
        "segment_container",
        "object_name",
        "region",
        "segment_size",
        "segment_prefix",
        "delete_at",
        "delete_after",
        "created_at",
        "segments",
    }
    assert data["format"] == 1
    assert data["segments"] == {"0": {"etag": ETAG, "size": 10}}


def test_find_journal_by_target_and_local_path(local_file: Path, tmp_path: Path) -> None:
    journal = new_journal(local_file)
    journal.record_segment(1, ETAG, 10)
    found = find_journal(TARGET, str(tmp_path / "." / "big.tar"))
    assert found is not None
    assert found.segments == {1: SegmentRecord(ETAG, 10)}
    assert find_journal(TARGET + "-other", local_file) is None
    assert find_journal(TARGET, tmp_path / "other.tar") is None


def test_create_replaces_an_older_journal_of_the_same_upload(local_file: Path) -> None:
    new_journal(local_file).record_segment(0, ETAG, 10)
    new_journal(local_file)
    found = find_journal(TARGET, local_file)
    assert found is not None
    assert found.segments == {}
    assert len(list_journals()) == 1


@pytest.fixture
def utc_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("utc_time")
def test_matches_file(local_file: Path) -> None:
    journal = new_journal(local_file)
    assert journal.matches_file(100, 1700000000.123456) is None
    assert journal.matches_file(120, 1700000000.123456) == (
        "the local file changed since the interrupted upload (size 100 → 120 bytes)"
    )
    assert journal.matches_file(100, 1700000100.0) == (
        "the local file changed since the interrupted upload "
        "(modified 2023-11-14 22:13:20 → 2023-11-14 22:15:00)"
    )
    assert journal.matches_file(100, 1700000000.5) == (
        "the local file changed since the interrupted upload "
        "(modified 2023-11-14 22:13:20.123456 → 2023-11-14 22:13:20.500000)"
    )


def test_list_journals_skips_corrupt_files_with_a_warning(
    local_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = new_journal(local_file)
    second = new_journal(local_file, target="another")
    journals_dir = first.path.parent
    (journals_dir / "garbage.json").write_text("{not json")
    (journals_dir / "old.json").write_text(json.dumps({"format": 0}))
    damaged = json.loads(first.path.read_text())
    damaged["file_size"] = "a lot"
    (journals_dir / "damaged.json").write_text(json.dumps(damaged))

    with caplog.at_level(logging.WARNING, logger="swiftui.upload.journal"):
        journals = list_journals()

    assert [journal.target for journal in journals] == [TARGET, "another"]
    assert journals[1].path == second.path
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert f"cannot read the resume journal {journals_dir / 'garbage.json'}" in messages
    assert f"resume journal {journals_dir / 'old.json'} is not in format 1" in messages
    assert f"resume journal {journals_dir / 'damaged.json'} is damaged: 'file_size' is str" in (
        messages
    )


def test_find_journal_ignores_a_corrupt_journal(
    local_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = new_journal(local_file)
    journal.path.write_text('{"format": 1, "segments": []}')
    with caplog.at_level(logging.WARNING, logger="swiftui.upload.journal"):
        assert find_journal(TARGET, local_file) is None
    assert "is damaged" in caplog.text


def test_list_journals_without_a_journal_dir() -> None:
    assert list_journals() == []


def test_remove(local_file: Path) -> None:
    journal = new_journal(local_file)
    journal.remove()
    assert not journal.path.exists()
    assert find_journal(TARGET, local_file) is None
    journal.remove()


def test_record_segment_from_many_threads(local_file: Path) -> None:
    journal = new_journal(local_file, file_size=400 * 10)

    def record_every_eighth(first: int) -> None:
        for index in range(first, 400, 8):
            journal.record_segment(index, ETAG, 10)

    workers = [threading.Thread(target=record_every_eighth, args=(first,)) for first in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    loaded = Journal.load(journal.path)
    assert sorted(loaded.segments) == list(range(400))
    assert loaded.bytes_done == 4000
    assert loaded.bytes_left == 0


def test_unwritable_state_dir_is_a_clear_error(
    local_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    with pytest.raises(JournalError) as caught:
        new_journal(local_file)
    assert isinstance(caught.value, SwiftuiError)
    assert str(caught.value).startswith(
        f"cannot save the resume journal {blocker / 'swiftui' / 'journals'}/"
    )
    assert str(caught.value).endswith(": Not a directory")


def test_full_disk_is_a_clear_error_and_keeps_the_journal_consistent(
    local_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = new_journal(local_file)
    journal.record_segment(0, ETAG, 10)

    def disk_full(path: Path, data: str | bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched, pytest.raises(JournalError) as caught:
        patched.setattr(paths, "write_private_file", disk_full)
        journal.record_segment(1, ETAG, 10)
    assert str(caught.value) == (
        f"cannot save the resume journal {journal.path}: No space left on device"
    )
    assert journal.bytes_done == 10
    assert Journal.load(journal.path).segments == {0: SegmentRecord(ETAG, 10)}
