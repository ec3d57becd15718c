"""Retention: choosing archives by age, count and prefix, and ``swiftui prune``."""

from __future__ import annotations

import hashlib
import time

import pytest
import swiftclient
from support.deletion_support import make_slo, md5_of, names, random_bytes

from swiftui.cli import main
from swiftui.errors import UsageError
from swiftui.retention import Archive, select_for_prune

DAY = 86400.0
NOW = 1_800_000_000.0


def _archive(name: str, days_old: float, *, mtime: bool = True) -> Archive:
    when = NOW - days_old * DAY
    if mtime:
        # Uploaded recently, but the file is old: the file's date counts.
        return Archive(name=name, size=1, last_modified=NOW - DAY / 24, mtime=when)
    return Archive(name=name, size=1, last_modified=when)


MONTHLY = [
    _archive(f"backup-{month:02d}", days_old=30 * (12 - month) + 1) for month in range(1, 13)
]


def _selected(selection) -> list[str]:
    return sorted(archive.name for archive in selection.selected)


def test_older_than_selects_by_file_date_not_upload_date() -> None:
    selection = select_for_prune(MONTHLY, older_than_s=200 * DAY, now=NOW)
    assert _selected(selection) == [f"backup-{month:02d}" for month in range(1, 6)]
    assert all("old (file date)" in d.reason for d in selection.decisions if d.delete)


def test_without_a_file_date_the_upload_date_counts() -> None:
    archives = [_archive("old", 400, mtime=False), _archive("new", 10, mtime=False)]
    selection = select_for_prune(archives, older_than_s=365 * DAY, now=NOW)
    assert _selected(selection) == ["old"]
    assert "upload date" in selection.decisions[1].reason


def test_keep_last_keeps_exactly_the_newest() -> None:
    selection = select_for_prune(MONTHLY, keep_last=3, now=NOW)
    assert [archive.name for archive in selection.kept] == ["backup-12", "backup-11", "backup-10"]
    assert len(selection.selected) == 9


def test_keep_last_wins_over_age() -> None:
    """Even when every archive is old enough, the N newest stay."""
    stale = [_archive(f"a{index}", days_old=500 + index) for index in range(5)]
    selection = select_for_prune(stale, older_than_s=365 * DAY, keep_last=2, now=NOW)
    assert _selected(selection) == ["a2", "a3", "a4"]
    assert [d.reason for d in selection.decisions[:2]] == ["one of the 2 newest"] * 2


def test_age_and_count_combine() -> None:
    selection = select_for_prune(MONTHLY, older_than_s=100 * DAY, keep_last=10, now=NOW)
    assert _selected(selection) == ["backup-01", "backup-02"]


def test_prefix_limits_the_candidates() -> None:
    archives = [*MONTHLY, _archive("photos-2020", 2000)]
    selection = select_for_prune(archives, prefix="photos-", older_than_s=DAY, now=NOW)
    assert _selected(selection) == ["photos-2020"]
    assert len(selection.decisions) == 1


def test_equal_dates_are_ordered_by_name() -> None:
    twins = [_archive("b", 10), _archive("a", 10), _archive("c", 10)]
    selection = select_for_prune(twins, keep_last=1, now=NOW)
    assert [archive.name for archive in selection.kept] == ["c"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "needs an age"),
        ({"keep_last": 0}, "keep at least 1"),
        ({"older_than_s": 0}, "positive duration"),
    ],
)
def test_rules_that_would_delete_everything_or_nothing_sensible_are_refused(
    options: dict[str, float], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        select_for_prune(MONTHLY, now=NOW, **options)


# -- against the sandbox --------------------------------------------------------------------


@pytest.fixture
def dated_archives(checker: swiftclient.Connection, container_name: str) -> dict[str, bytes]:
    """Five archives with file dates 400, 200, 100, 20 and 1 days ago (two plain)."""
    now = time.time()
    contents = {}
    for name, days in [("db-400", 400), ("db-200", 200), ("db-100", 100), ("db-020", 20)]:
        data = random_bytes(1500)
        make_slo(checker, container_name, name, data, mtime=now - days * DAY)
        contents[name] = data
    checker.put_object(
        container_name, "db-001", b"small", headers={"X-Object-Meta-Mtime": str(now - DAY)}
    )
    contents["db-001"] = b"small"
    checker.put_object(container_name, "keep/notes", b"not an archive of this prefix")
    return contents


def _assert_intact(checker: swiftclient.Connection, container: str, archives: dict) -> None:
    for name, data in archives.items():
        assert md5_of(checker, container, name) == hashlib.md5(data).hexdigest()


def test_prune_older_than_deletes_exactly_the_old_archives_and_their_segments(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    dated_archives: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["prune", container_name, "--prefix", "db-", "--older-than", "150d", "--yes"])

    assert code == 0
    out = capsys.readouterr().out
    assert "Deleted 2 objects and their 4 segments, " in out
    assert sorted(names(checker, container_name)) == ["db-001", "db-020", "db-100", "keep/notes"]
    segments = names(checker, f"{container_name}_segments")
    assert sorted({name.split("/")[0] for name in segments}) == ["db-020", "db-100"]
    assert len(segments) == 4
    survivors = {name: dated_archives[name] for name in ("db-001", "db-020", "db-100")}
    _assert_intact(checker, container_name, survivors)


def test_prune_keep_last_keeps_exactly_the_newest(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    dated_archives: dict[str, bytes],
) -> None:
    assert main(["prune", container_name, "--prefix", "db-", "--keep-last", "2", "--yes"]) == 0

    assert sorted(names(checker, container_name)) == ["db-001", "db-020", "keep/notes"]
    assert {name.split("/")[0] for name in names(checker, f"{container_name}_segments")} == {
        "db-020"
    }
    _assert_intact(checker, container_name, {"db-020": dated_archives["db-020"]})


def test_prune_dry_run_shows_what_would_go_and_deletes_nothing(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    dated_archives: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = (names(checker, container_name), names(checker, f"{container_name}_segments"))

    rule = ["--prefix", "db-", "--older-than", "50d", "--keep-last", "3", "--dry-run"]
    code = main(["prune", container_name, *rule])

    assert code == 0
    out = capsys.readouterr().out
    assert "delete" in out and "db-400" in out and "db-200" in out
    assert "one of the 3 newest" in out
    assert "Total: 2 objects, 4 segments" in out
    assert "Dry run: nothing deleted." in out
    after = (names(checker, container_name), names(checker, f"{container_name}_segments"))
    assert after == before


def test_prune_without_a_rule_is_a_usage_error(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prune", "anything"]) == 2
    assert "--older-than DUR or --keep-last N" in capsys.readouterr().err


def test_prune_with_nothing_old_enough_deletes_nothing(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    dated_archives: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["prune", container_name, "--older-than", "1000d"]) == 0
    assert "Nothing to prune: 6 archives kept." in capsys.readouterr().out
    assert len(names(checker, container_name)) == 6


def test_prune_older_than_a_bare_number_deletes_nothing_and_exits_2(
    sandbox_env: dict[str, str],
    checker: swiftclient.Connection,
    container_name: str,
    dated_archives: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In a cron line with --yes, '90' once meant 90 seconds: every archive was selected."""
    code = main(["prune", container_name, "--prefix", "db-", "--older-than", "90", "--yes"])

    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() == "swiftui: --older-than: 90: add a unit: 90d, 12h, 30m or 3600s"
    assert sorted(names(checker, container_name)) == sorted([*dated_archives, "keep/notes"])
    _assert_intact(checker, container_name, dated_archives)
