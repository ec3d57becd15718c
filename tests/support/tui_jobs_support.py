"""Fixed jobs for the pictures of the Jobs screens: a jobs file, histories, an account.

The jobs file sits in ``~/.config/swiftui`` of a temporary home, its runs are written with
the core's own history writer, dated from ``tui_data.NOW``, and the job's account is the
fixed one of ``tui_data`` plus a container of monthly Plesk archives; so a picture changes
only when the UI does. Behaviour (a run, a save) is tested against the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from support.tui_data import NOW, FixedContainer, FixedObject
from support.tui_upload_support import FixedUploadService, make_file, upload_cloud
from swiftui.jobs import Action, ItemRecord, Job, NotificationRecord, Result, RunRecord
from swiftui.jobs.history import append_record
from swiftui.swift import ObjectEntry
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.jobs.logins import JobLogins
from swiftui.units import MIB

PLESK = """\
# Monthly jobs of this server (swiftui job list checks this file).
[jobs.plesk]
openrc = "/root/openrc.sh"          # the file OVHcloud's Control Panel gives
secrets = "/root/.config/swiftui/secrets.toml"
region = "GRA"
container = "plesk-backups"

[jobs.plesk.source]
glob = "~/dumps/plesk-*.tar"        # the newest dump

[jobs.plesk.upload]
segment_size = "1GiB"
delete_after = "400d"

[jobs.plesk.retention]
keep_last = 3

[jobs.plesk.notify]
webhook = "https://hc-ping.com/5e1fa025"
"""
OTHERS = """
[jobs.shop-db]
cloud = "ovh-gra"
container = "shop"

[jobs.shop-db.source]
file = "/srv/backups/shop.dump"

[jobs.shop-db.retention]
older_than = "90d"

[jobs.www]
cloud = "ovh-gra"
region = "SBG"
container = "www-archive"

[jobs.www.source]
directory = "/var/www/exports"
"""


def at(days_ago: float, hour: int = 4, minute: int = 30) -> str:
    moment = (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0)
    return moment.isoformat(timespec="seconds")


def jobs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``HOME`` and the config directory in ``tmp_path``; the jobs file there, written."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    jobs = tmp_path / ".config" / "swiftui" / "jobs.toml"
    jobs.parent.mkdir(parents=True)
    jobs.write_text(PLESK + OTHERS)
    return jobs


def record_runs() -> None:
    """Plesk: two good months; shop-db: a failed login last night; www: never run."""
    for days, month in ((55, "10"), (24, "11")):
        name = f"plesk-2026-{month}.tar"
        append_record(
            RunRecord(
                job="plesk",
                started=at(days),
                result=Result.OK,
                ended=at(days, 5, 12),
                exit_code=0,
                bytes_sent=250 * 10**9,
                items=(ItemRecord(name, Action.UPLOADED, 250 * 10**9, 250 * 10**9),),
                pruned=(f"plesk-2026-0{int(month) - 3}.tar",),
                notifications=(NotificationRecord("webhook", "success", True),),
            )
        )
    append_record(
        RunRecord(
            job="shop-db",
            started=at(1, 2, 0),
            result=Result.FAILED,
            ended=at(1, 2, 0),
            exit_code=4,
            error="authentication failed: Keystone refused the password (HTTP 401)",
            notifications=(NotificationRecord("mail", "failure", True),),
        )
    )


def plesk_dumps(home: Path) -> None:
    """``~/dumps``: October's dump and November's, 250 GB (sparse), written last."""
    make_file(home / "dumps" / "plesk-2026-10.tar", 3 * MIB, mtime=NOW.timestamp() - 55 * 86400)
    make_file(
        home / "dumps" / "plesk-2026-11.tar",
        250 * 10**9,
        mtime=NOW.timestamp() - 24 * 86400,
        sparse=True,
    )


class FixedJobService(FixedUploadService):
    """The fixed account as a job's plan reads it: listings by prefix too."""

    def iter_objects(
        self, container: str, *, prefix: str = "", missing_ok: bool = False
    ) -> Iterator[ObjectEntry]:
        if missing_ok and container not in self.containers:
            return iter(())
        return iter(self.list_objects(container, prefix=prefix, limit=10**6))


class FixedLogins(JobLogins):
    """Every job logs in to the fixed GRA account."""

    def __init__(self, service: FixedJobService) -> None:
        super().__init__({})
        self.fixed = service

    def service(self, job: Job) -> tuple[FixedJobService, tuple[str, ...]]:  # type: ignore[override]
        return self.fixed, ()


def plesk_account() -> FixedJobService:
    """GRA with ``plesk-backups``: three monthly archives, 250 GB each, with file dates."""
    cloud = upload_cloud()
    gra = cloud.service("GRA")
    archives = {}
    for month, days in (("07", 146), ("08", 116), ("09", 85)):
        modified = NOW - timedelta(days=days)
        archives[f"plesk-2026-{month}.tar"] = FixedObject(
            250 * 10**9,
            modified,
            etag=f"{int(month):032x}",
            metadata={"Mtime": f"{modified.timestamp():f}"},
        )
    containers = {**gra.containers, "plesk-backups": FixedContainer("Standard", archives)}
    return FixedJobService("GRA", containers)


def jobs_app(service: FixedJobService | None = None) -> SwiftuiApp:
    """The app on the fixed account, a frozen clock, its jobs logging in to ``service``."""
    app = SwiftuiApp(
        cloud=upload_cloud(),  # type: ignore[arg-type]
        region="GRA",
        environ={},
        clock=lambda: NOW,
        zone=UTC,
    )
    app.job_logins = FixedLogins(service or plesk_account())
    return app
