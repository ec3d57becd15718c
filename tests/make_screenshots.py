"""Regenerate ``screenshots/*.svg``: a fresh sandbox, fixed archives, the TUI driven by keys.

    python tests/make_screenshots.py [--out screenshots]

The sandbox is built in a temporary directory that is also the platformdirs data
directory, so the connect screen finds it as a running sandbox. Names, sizes and contents
(seeded bytes, so etags too) are the same every run; dates are the day of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from support.faultproxy import Fault, FaultProxy
from support.tui_support import drawn_lines, settle, upload_slo, wait_for
from support.tui_upload_support import shown
from textual.pilot import Pilot

from swiftui.cloud import Cloud, connect
from swiftui.credentials import load_credentials
from swiftui.jobs import load_jobs, run_job
from swiftui.paths import jobs_file, journal_dir, sandbox_default_dir, write_private_file
from swiftui.sandbox import Sandbox
from swiftui.swift import SEGMENT_CONTENT_TYPE
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.regions import BrowserScreen
from swiftui.tui.downloads.destination import DestinationScreen
from swiftui.tui.downloads.live import DownloadLiveScreen
from swiftui.tui.downloads.queue import DownloadJob
from swiftui.tui.jobs.form import JobFormScreen
from swiftui.tui.uploads.form import UploadFormScreen
from swiftui.tui.uploads.live import UploadLiveScreen
from swiftui.tui.widgets.transfer_model import SegmentStatus
from swiftui.units import MIB

SEGMENT = MIB
FILE_MTIME = 1764547200  # 2025-12-01 00:00 UTC: part of every segment name


def seeded_file(directory: Path, name: str, size: int, seed: int) -> Path:
    path = directory / name
    path.write_bytes(random.Random(seed).randbytes(size))
    os.utime(path, (FILE_MTIME, FILE_MTIME))
    return path


def fill(sandbox: Sandbox, cloud: Cloud, scratch: Path) -> None:
    """Monthly dumps kept a year in GRA, a DLO from an older tool, Cloud Archive in SBG."""
    gra = cloud.service("GRA")
    for container in ("backups", "backups_segments", "website"):
        gra.ensure_container(container, policy="Standard")
    year = str(365 * 86400)
    for month in range(1, 7):
        source = seeded_file(scratch, f"pg-2026-{month:02d}.dump", (2 + month) * MIB + 4321, month)
        upload_slo(
            sandbox,
            "backups",
            f"db/pg-2026-{month:02d}.dump",
            source,
            segment_size=SEGMENT,
            headers=(f"X-Delete-After:{year}",),
        )
    gra.request("PUT", "backups/README.txt", data=b"Monthly PostgreSQL dumps, kept a year.\n")
    for index in range(3):
        gra.request(
            "PUT",
            f"backups_segments/legacy/www-2024.tar/{index:08d}",
            data=random.Random(100 + index).randbytes(MIB),
        )
    gra.request(
        "PUT",
        "backups/legacy/www-2024.tar",
        data=b"",
        headers={"X-Object-Manifest": "backups_segments/legacy/www-2024.tar/"},
    )
    # An upload of July's dump that stopped after 2 of its 4 segments: the orphans view.
    interrupted = f"db/pg-2026-07.dump/slo/{FILE_MTIME}.000000/{4 * SEGMENT}/{SEGMENT}/"
    for index in range(2):
        gra.request(
            "PUT",
            f"backups_segments/{interrupted}{index:08d}",
            data=random.Random(300 + index).randbytes(SEGMENT),
            headers={"Content-Type": SEGMENT_CONTENT_TYPE},
        )
    for day in range(1, 5):
        gra.request(
            "PUT",
            f"website/assets/site-2026-11-{day:02d}.tar.gz",
            data=random.Random(200 + day).randbytes(day * 150_000),
        )
    sbg = cloud.service("SBG")
    for container in ("archive", "archive_segments"):
        sbg.ensure_container(container, policy="PCA")
    for year_number in (2023, 2024, 2025):
        source = seeded_file(scratch, f"pg-{year_number}.dump", 5 * MIB + year_number, year_number)
        upload_slo(
            sandbox,
            "archive",
            f"yearly/pg-{year_number}.dump",
            source,
            segment_size=2 * SEGMENT,
            region="SBG",
        )


Steps = Callable[[Pilot], Awaitable[None]]


async def shoot(app: SwiftuiApp, size: tuple[int, int], steps: Steps, target: Path) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await steps(pilot)
        await settle(pilot)
        target.write_text(app.export_screenshot(title="swiftui"))
        print(f"wrote {target}")


def presses(*keys: str) -> Steps:
    async def run(pilot: Pilot) -> None:
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


async def shoot_all(sandbox: Sandbox, cloud: Cloud, out: Path, work: Path) -> None:
    def browser() -> SwiftuiApp:
        return SwiftuiApp(cloud=cloud, region="GRA", environ={})

    async def connect_screen(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.query("#choices"), "the choices")

    os.chdir(work)
    offered = SwiftuiApp(environ={"OS_CLIENT_CONFIG_FILE": str(work / "clouds.yaml")})
    await shoot(offered, (80, 24), connect_screen, out / "connect.svg")
    await shoot(browser(), (80, 24), presses(), out / "browse.svg")
    await shoot(browser(), (80, 24), presses("enter", "down", "enter"), out / "objects.svg")
    await shoot(
        browser(),
        (80, 24),
        presses("enter", "down", "enter", "end", "enter", "v"),
        out / "slo-manifest.svg",
    )

    async def segments_of_sbg(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        await presses("shift+tab", "down", "enter", "down", "enter")(pilot)

    await shoot(browser(), (120, 36), segments_of_sbg, out / "segments-120x36.svg")

    async def sealed_archive(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        await presses("shift+tab", "down", "enter", "enter", "enter", "end", "i")(pilot)

    await shoot(browser(), (80, 24), sealed_archive, out / "sealed-archive.svg")

    mark_two = ("enter", "down", "enter", "space", "space")
    await shoot(browser(), (80, 24), presses(*mark_two, "d"), out / "delete-confirm.svg")
    await shoot(browser(), (80, 24), presses("o"), out / "orphans.svg")


async def shoot_uploads(sandbox: Sandbox, cloud: Cloud, out: Path, root: Path) -> None:
    """The form on a 250 GB dump (sparse), then a real upload caught midway: a fault proxy
    answers 503 to one segment once and holds two. Not ``shoot()``: its ``settle`` waits
    for every worker, and the directory tree's loader and a held upload never end."""
    dumps = root / "dumps"
    (dumps / "older").mkdir(parents=True)
    big = dumps / "pg-2026-11.dump"
    with big.open("wb") as handle:
        handle.truncate(250 * 10**9)
    os.utime(big, (FILE_MTIME, FILE_MTIME))
    seeded_file(dumps, "pg-2026-12.dump", 22 * MIB + 4321, 12)
    os.environ["HOME"] = str(root)
    os.chdir(dumps)

    def uploader() -> SwiftuiApp:
        return SwiftuiApp(cloud=cloud, region="GRA", environ={})

    async def form_ready(pilot: Pilot) -> UploadFormScreen:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, UploadFormScreen), "the form")
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        await wait_for(pilot, lambda: form.limits is not None, "the limits")
        tree = form.query_one("#files")
        await wait_for(pilot, lambda: len(tree.root.children) == 3, "the dumps folder")
        return form

    app = uploader()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await form_ready(pilot)
        await pilot.press("down", "down", "enter", "tab", "tab", "tab", "tab", "tab", "tab")
        await pilot.press(*"20MiB/s", "tab", *"365d", "tab", "tab")
        form = app.screen
        assert isinstance(form, UploadFormScreen)
        await wait_for(pilot, lambda: form.destination_read, "the destination read")
        await pilot.pause()
        (out / "upload-form.svg").write_text(app.export_screenshot(title="swiftui"))
        print(f"wrote {out / 'upload-form.svg'}")

    def segment(index: int) -> Callable[[str, str, dict[str, str]], bool]:
        return lambda method, path, headers: method == "PUT" and path.endswith(f"/{index:08d}")

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(segment(1), "status", status=503))
        proxy.add(Fault(segment(3), "hold"))
        proxy.add(Fault(segment(4), "hold"))
        service = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        app = uploader()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await app.push_screen(UploadFormScreen(service, container="backups"))
            await form_ready(pilot)
            await pilot.press("down", "down", "down", "enter", "tab", "tab", "tab", "tab")
            await pilot.press(*"4mib", "tab", "3", "tab", *"20MiB/s", "ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, UploadLiveScreen), "live view")
            live = app.screen
            assert isinstance(live, UploadLiveScreen)
            await wait_for(
                pilot,
                lambda: (
                    live.shown is not None
                    and live.shown.model.summary().counts.get(SegmentStatus.DONE) == 4
                ),
                "four segments sent",
            )
            await wait_for(pilot, lambda: "1 retry" in shown(app, "#counters"), "the retry")
            await settle(pilot)
            (out / "upload-live.svg").write_text(app.export_screenshot(title="swiftui"))
            print(f"wrote {out / 'upload-live.svg'}")


JOBS = """\
# Jobs of this server: `swiftui job list` checks this file.
[jobs.plesk]
openrc = "~/work/ovh-openrc.sh"
secrets = "~/.config/swiftui/secrets.toml"   # OS_PASSWORD, owner-only
region = "GRA"
container = "plesk-backups"

[jobs.plesk.source]
glob = "~/plesk/dumps/plesk-*.tar"           # the newest dump

[jobs.plesk.upload]
segment_size = "4MiB"
delete_after = "400d"

[jobs.plesk.retention]
keep_last = 2

[jobs.shop-db]
openrc = "~/work/ovh-openrc.sh"
secrets = "~/shop-secrets.toml"
region = "SBG"
container = "archive"

[jobs.shop-db.source]
file = "~/dumps/pg-2026-12.dump"

[jobs.www]
openrc = "~/work/ovh-openrc.sh"
region = "GRA"
container = "website"

[jobs.www.source]
directory = "~/www/exports"
"""


async def shoot_jobs(sandbox: Sandbox, cloud: Cloud, out: Path, root: Path) -> None:
    """The Jobs screen after real runs (two months of a Plesk job, a refused secrets file),
    then the form on the Plesk job with the plan of its next run. After ``shoot_uploads``,
    whose ``HOME`` and dumps it uses, and whose interrupted upload it forgets (the app would
    offer to resume it first)."""
    shutil.rmtree(journal_dir())
    dumps = root / "plesk" / "dumps"
    dumps.mkdir(parents=True)
    config = jobs_file()
    write_private_file(config.parent / "secrets.toml", f'OS_PASSWORD = "{sandbox.password}"\n')
    loose = root / "shop-secrets.toml"
    loose.write_text(f'OS_PASSWORD = "{sandbox.password}"\n')
    loose.chmod(0o644)  # refused: others may read it
    config.write_text(JOBS)
    jobs = load_jobs(config).jobs

    def run(name: str) -> None:
        run_job(jobs[name], on_event=lambda _event: None, cancel=threading.Event(), environ={})

    for month in (10, 11, 12):
        seeded_file(dumps, f"plesk-2026-{month}.tar", (10 + month) * MIB + 4321, 400 + month)
        written = time.time() - (12 - month) * 30 * 86400  # a month apart, December now
        os.utime(dumps / f"plesk-2026-{month}.tar", (written, written))
        if month < 12:
            run("plesk")
    run("shop-db")

    def jobs_app() -> SwiftuiApp:
        return SwiftuiApp(cloud=cloud, region="GRA", environ={})

    await shoot(jobs_app(), (80, 24), presses("J"), out / "jobs.svg")

    async def edit(pilot: Pilot) -> None:
        await presses("J", "e")(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobFormScreen), "the form")
        await wait_for(
            pilot, lambda: any("retention" in line for line in drawn_lines(pilot)), "the plan"
        )
        await pilot.press("shift+tab")  # off the inputs: no blinking cursor

    await shoot(jobs_app(), (80, 24), edit, out / "job-edit.svg")


async def shoot_downloads(sandbox: Sandbox, cloud: Cloud, out: Path, root: Path) -> None:
    """A real download caught midway (a fault proxy answers 503 to one part once and holds
    two), then a sealed Cloud Archive archive of SBG counting down its unsealing (four
    hours, as on OVHcloud). Last: the first leaves an interrupted download, which a later
    app would offer first."""
    restore = root / "restore"
    restore.mkdir()

    def part(index: int) -> Callable[[str, str, dict[str, str]], bool]:
        return lambda method, path, headers: method == "GET" and path.endswith(f"/{index:08d}")

    async def start(app: SwiftuiApp, pilot: Pilot, picker: DestinationScreen) -> DownloadJob:
        await settle(pilot)
        await app.push_screen(picker)
        await wait_for(pilot, lambda: picker.query("#target-info"), "the picker")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DownloadLiveScreen), "live view")
        live = app.screen
        assert isinstance(live, DownloadLiveScreen)
        await wait_for(pilot, lambda: live.ready and live.shown is not None, "the download")
        assert isinstance(live.shown, DownloadJob)
        return live.shown

    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(part(2), "status", status=503))
        proxy.add(Fault(part(5), "hold"))
        proxy.add(Fault(part(6), "hold"))
        service = cloud.service("GRA", endpoint_override=proxy.url_for(sandbox.storage_url("GRA")))
        name = "db/pg-2026-06.dump"
        size = int(service.object_headers("backups", name)["Content-Length"])
        app = SwiftuiApp(cloud=cloud, region="GRA", environ={})
        async with app.run_test(size=(80, 24)) as pilot:
            picker = DestinationScreen(service, "backups", [name], size, start=restore)
            job = await start(app, pilot, picker)
            await wait_for(
                pilot,
                lambda: job.model.summary().counts.get(SegmentStatus.DONE) == 7,
                "seven parts fetched, two held",
            )
            await wait_for(pilot, lambda: "1 retry" in shown(app, "#counters"), "the retry")
            await settle(pilot)
            (out / "download-live.svg").write_text(app.export_screenshot(title="swiftui"))
            print(f"wrote {out / 'download-live.svg'}")

    with sandbox.unseal_timing(delay_s=4 * 3600):
        sbg = cloud.service("SBG")
        name = "yearly/pg-2025.dump"
        size = int(sbg.object_headers("archive", name)["Content-Length"])
        app = SwiftuiApp(cloud=cloud, region="SBG", environ={})
        async with app.run_test(size=(80, 24)) as pilot:
            picker = DestinationScreen(sbg, "archive", [name], size, start=restore)
            await start(app, pilot, picker)
            await wait_for(pilot, lambda: "ready in" in shown(app, "#phase"), "the countdown")
            await settle(pilot)
            (out / "download-sealed.svg").write_text(app.export_screenshot(title="swiftui"))
            print(f"wrote {out / 'download-sealed.svg'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "screenshots")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="swiftui-shots-") as temporary:
        root = Path(temporary)
        os.environ["XDG_DATA_HOME"] = str(root / "data")
        os.environ["XDG_STATE_HOME"] = str(root / "state")
        for name in [name for name in os.environ if name.startswith("OS_")]:
            del os.environ[name]
        work = root / "work"
        work.mkdir()
        with Sandbox(sandbox_default_dir()) as sandbox:
            shutil.copy(sandbox.openrc_path, work / "ovh-openrc.sh")
            shutil.copy(sandbox.clouds_yaml_path, work / "clouds.yaml")
            environ = {"OS_PASSWORD": sandbox.password}
            cloud = connect(
                load_credentials(openrc=sandbox.openrc_path, environ=environ, ask_password=None)
            )
            try:
                fill(sandbox, cloud, root)
                asyncio.run(shoot_all(sandbox, cloud, out, work))
                asyncio.run(shoot_uploads(sandbox, cloud, out, root))
                asyncio.run(shoot_jobs(sandbox, cloud, out, root))
                asyncio.run(shoot_downloads(sandbox, cloud, out, root))
            finally:
                cloud.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
