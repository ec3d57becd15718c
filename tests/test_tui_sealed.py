"""Cloud Archive in the TUI, against the sandbox's emulation with OVHcloud's hours (an
unsealing delay of an hour): the seal column, the details of a sealed archive and its
unsealing (``U``), verify without reading, and what the orphans view and the deletion
dialog keep. The server is checked with plain HTTP HEADs and python-swiftclient.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from support.cloud_archive_support import ArchiveContainers, sealed_objects_read
from support.deletion_support import make_slo, names, random_bytes
from support.tui_support import (
    Clock,
    drawn_lines,
    open_container,
    screen_text,
    settle,
    text_of,
    wait_for,
)
from textual.pilot import Pilot
from textual.widgets import Static

from swiftui.cloud import Cloud
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.deletion.orphans import OrphansScreen
from swiftui.tui.deletion.screen import DeleteConfirmScreen, DeleteScreen, Stage
from swiftui.tui.details import object as details_module
from swiftui.tui.details.object import ObjectDetailsScreen
from swiftui.tui.widgets.dialogs import ConfirmScreen, HelpScreen
from swiftui.tui.widgets.table import ListingTable


async def open_details(pilot: Pilot, container: str, name: str) -> ObjectDetailsScreen:
    screen = await open_container(pilot, pilot.app, container)
    await settle(pilot)
    screen.view.table.move_cursor_to_key(f"o:{name}")
    await pilot.press("i")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ObjectDetailsScreen), "the details")
    details = app.screen
    assert isinstance(details, ObjectDetailsScreen)
    await wait_for(pilot, lambda: details.details is not None, "the details loaded")
    await settle(pilot)
    return details


def names_of(entries: list[dict[str, object]]) -> list[str]:
    """The segments' names of manifest entries."""
    return [str(entry["path"]).split("/", 2)[2] for entry in entries]


def archive_missing_a_segment(archive: ArchiveContainers, missing: int) -> list[str]:
    """``half.tar``, sealed, of 3 segments of which ``missing`` was deleted since (nothing
    proves the other two are its own); all 3 segments' names."""
    entries = make_slo(
        archive.checker, archive.name, "half.tar", random_bytes(3000), segment_size=1000
    )
    segments = names_of(entries)
    archive.checker.delete_object(archive.segments, segments[missing])
    return segments


def line_with(pilot: Pilot, name: str) -> str:
    """The line of the screen that shows ``name`` (a table's row)."""
    return next(line for line in drawn_lines(pilot) if f"{name} " in line)


async def test_a_cloud_archive_listing_shows_each_objects_seal_state_in_80_columns(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    pca, checker, http = archive.name, archive.checker, archive.http
    plain = f"{pca}-standard"
    checker.put_container(plain)
    checker.put_object(plain, "notes.txt", b"not archived")
    for name in ("sealed.bin", "asked.bin", "opened.bin"):
        checker.put_object(pca, name, random_bytes(2000))
    with archive.sandbox.unseal_timing(delay_s=1):
        http.unseal(pca, ["opened.bin"])
    http.request("GET", f"{pca}/asked.bin").close()  # unsealing: an hour to go

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, pca)
        await settle(pilot)

        header = next(line for line in drawn_lines(pilot) if " Name " in line)
        assert re.search(r"Name +Size +Modified +Kind +Seal", header)
        assert "Expires" not in header
        assert line_with(pilot, "sealed.bin").rstrip(" │").endswith("plain    sealed")
        assert re.search(
            r"plain +unsealing (1h 00m|59m)$", line_with(pilot, "asked.bin").rstrip(" │")
        )
        assert line_with(pilot, "opened.bin").rstrip(" │").endswith("plain    unsealed")
        await pilot.press("escape")
        await settle(pilot)

        await open_container(pilot, app, plain)
        await settle(pilot)

        header = next(line for line in drawn_lines(pilot) if " Name " in line)
        assert re.search(r"Name +Size +Modified +Kind +Expires", header)
        assert "Seal" not in header


async def test_details_of_a_sealed_slo_unseal_it_and_count_down(
    archive: ArchiveContainers, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(details_module, "SEAL_TICK_S", 0.05)
    pca, segments, checker, http = archive.name, archive.segments, archive.checker, archive.http
    entries = make_slo(checker, pca, "a.tar", random_bytes(3000))
    segment_names = names_of(entries)
    clock = Clock(datetime.now(UTC))

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={}, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, pca, "a.tar")
        summary = text_of(details.query_one("#summary", Static))
        assert "Archive sealed (Cloud Archive)" in summary
        assert "SLO: 3 segments in " + segments in summary
        assert text_of(details.query_one("#verdict", Static)) == (
            f"sealed (Cloud Archive): 3 segments found by name in {segments}; their sizes and "
            "md5s add up to the archive's size and Etag; data not read. v checks them from "
            "the listing."
        )
        assert any("U Unseal" in line for line in drawn_lines(pilot))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        help_text = text_of(app.screen.query_one("#help-body Static", Static))
        assert "U Unseal: Ask Cloud Archive to make it readable: an SLO's manifest and" in help_text
        await pilot.press("escape")
        archive.never_read()

        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = text_of(app.screen.query_one("#question", Static))
        assert question.startswith(
            f"Unseal {pca}/a.tar? Cloud Archive will unseal its manifest and its 3 segments "
            f"in {segments} (2.9 KiB). "
        )
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is details, "the details again")
        await wait_for(
            pilot,
            lambda: "unsealing asked for 4" in text_of(details.query_one("#verdict", Static)),
            "the unsealing asked for",
        )
        await settle(pilot)

        assert http.state(pca, "a.tar") == "unsealing"
        assert {http.state(segments, name) for name in segment_names} == {"unsealing"}
        verdict = text_of(details.query_one("#verdict", Static))
        assert re.match(
            r"Cloud Archive: 4 of 4 objects not readable yet \(unsealing asked for 4\); all "
            r"ready in (1h 00m|59m \d\ds), at ",
            verdict,
        ), verdict
        summary = text_of(details.query_one("#summary", Static))
        assert re.search(
            r"Archive unsealing \(Cloud Archive, readable in (1h 00m|59m \d\ds)\)", summary
        )

        clock.now += timedelta(minutes=10)
        await wait_for(
            pilot,
            lambda: re.search(
                r"readable in (50m|49m) \d\ds", text_of(details.query_one("#summary", Static))
            ),
            "ten minutes less to wait",
        )
        assert re.search(
            r"all ready in (50m|49m) \d\ds", text_of(details.query_one("#verdict", Static))
        )
        # Asking for it is one GET each, the manifest's and every segment's; no data read.
        assert sorted(sealed_objects_read(archive.sandbox, pca, segments)) == sorted(
            [f"{pca}/a.tar", *(f"{segments}/{name}" for name in segment_names)]
        )


async def test_the_state_is_asked_again_of_the_server_now_and_then(
    archive: ArchiveContainers, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(details_module, "SEAL_REFRESH_S", 0.2)
    pca, checker, http = archive.name, archive.checker, archive.http
    checker.put_object(pca, "x.bin", random_bytes(5000))

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, pca, "x.bin")
        assert "Archive sealed (Cloud Archive)" in text_of(details.query_one("#summary", Static))
        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert text_of(app.screen.query_one("#question", Static)).startswith(
            f"Unseal {pca}/x.bin? Cloud Archive will unseal it (4.9 KiB). "
        )
        await pilot.press("n")

        http.request("GET", f"{pca}/x.bin").close()  # another program asks for it

        await wait_for(
            pilot,
            lambda: (
                "Archive unsealing (Cloud Archive, readable in"
                in text_of(details.query_one("#summary", Static))
            ),
            "the state the server now tells",
        )


async def test_once_unsealed_the_details_read_the_manifest_as_any_other(
    archive: ArchiveContainers, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(details_module, "SEAL_REFRESH_S", 0.2)
    pca, checker = archive.name, archive.checker
    make_slo(checker, pca, "a.tar", random_bytes(3000))

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, pca, "a.tar")
        with archive.sandbox.unseal_timing(delay_s=2):
            await pilot.press("U", "y")
            verdict = details.query_one("#verdict", Static)
            await wait_for(
                pilot, lambda: "unsealing asked for 4" in text_of(verdict), "the unsealing"
            )
            await wait_for(
                pilot,
                lambda: (
                    "Archive unsealed (Cloud Archive, readable now)"
                    in text_of(details.query_one("#summary", Static))
                ),
                "the manifest readable",
            )
        await wait_for(
            pilot, lambda: text_of(verdict).endswith("Press v to verify them."), "the manifest"
        )
        assert text_of(verdict) == "3 segments, 2.9 KiB in all. Press v to verify them."
        assert details.details is not None and not details.details.slo.by_name


async def test_verify_of_a_sealed_slo_checks_the_listing_and_reads_nothing(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    make_slo(checker, pca, "a.tar", random_bytes(3000))

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, pca, "a.tar")
        await pilot.press("v")
        verdict = details.query_one("#verdict", Static)
        await wait_for(pilot, lambda: text_of(verdict).startswith("✓"), "the verdict")

        assert text_of(verdict) == (
            f"✓ {pca}/a.tar: sealed (Cloud Archive): 3 segments found by name in {segments}; "
            "their sizes and md5s add up to the archive's size and Etag; data not read"
        )
        checks = [row.cells[4] for row in details.query_one("#manifest", ListingTable).rows]
        assert [str(check) for check in checks] == ["ok", "ok", "ok"]
    archive.never_read()


async def test_orphans_show_groups_a_sealed_manifest_may_use_as_kept(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    archive_missing_a_segment(archive, 2)
    left = names(checker, segments)

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_container(pilot, app, pca)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OrphansScreen), "the orphans")
        orphans = app.screen
        assert isinstance(orphans, OrphansScreen)
        await wait_for(pilot, lambda: orphans.report is not None, "the scan")
        await settle(pilot)

        text = screen_text(app)
        assert (
            "1 sealed manifest (Cloud Archive) not read, their segments found by name: 0 "
            "proven (sizes and md5s add up to the manifest's size and Etag), 1 not (what they "
            "may use is kept); data not read"
        ) in text
        assert (
            f"kept: named after sealed {pca}/half.tar, whose segments could not be proven" in text
        )
        assert line_with(pilot, "half.tar").rstrip(" │").endswith("kept")
        await pilot.press("space")
        await settle(pilot)
        assert orphans.selected == set()
        assert "0 selected" in str(
            orphans.query_one("#orphan-groups", ListingTable).border_subtitle
        )
    assert names(checker, segments) == left
    archive.never_read()


async def test_the_delete_dialog_of_a_sealed_archive_says_what_is_kept_unproven(
    archive: ArchiveContainers, cloud: Cloud
) -> None:
    pca, segments, checker = archive.name, archive.segments, archive.checker
    half = archive_missing_a_segment(archive, 1)

    app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_container(pilot, app, pca)
        screen.view.table.move_cursor_to_key("o:half.tar")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteConfirmScreen), "the dialog")
        await settle(pilot)
        text = screen_text(app)
        assert (
            f"sealed (Cloud Archive): 2 segments named after it in {segments} (segment "
            "00000001 missing) do not add up to its size and Etag; data not read"
        ) in text
        assert (
            "Kept, named after a sealed archive but not proven to be its segments (once its "
            f"manifest is gone, swiftui orphans {segments} lists them): "
            f"{segments}/{half[0]} (1000 Bytes) {segments}/{half[2]} (1000 Bytes)"
        ) in text
        await pilot.press("y")

        def done() -> bool:
            return isinstance(app.screen, DeleteScreen) and app.screen.stage is Stage.DONE

        await wait_for(pilot, done, "the deletion")
        assert "Kept on purpose:" in screen_text(app)
    assert names(checker, pca) == []
    assert sorted(names(checker, segments)) == sorted([half[0], half[2]])
    archive.never_read()
