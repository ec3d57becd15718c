"""What a job would do, asked before it runs (the Jobs screen's "run now" and its form's
preview): the uploads it would make, and the plan of the next run against the sandbox."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.upload_support import write_random

from swiftui.cloud import Cloud
from swiftui.errors import UsageError
from swiftui.jobs import Job, parse_jobs, plan_job, plan_lines, upload_requests
from swiftui.units import MIB

LATER = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)


def job(source: dict[str, str], **settings: Any) -> Job:
    table = {"cloud": "c", "region": "GRA", "container": "plesk", "source": source, **settings}
    return parse_jobs(Path("/jobs.toml"), {"jobs": {"plesk": table}}).jobs["plesk"]


def test_upload_requests_are_the_newest_match_or_each_file_with_the_jobs_settings(
    tmp_path: Path,
) -> None:
    dumps = tmp_path / "dumps"
    (dumps / "old").mkdir(parents=True)
    for age, name in ((3, "old/a.tar"), (2, "b.tar"), (1, "c.tar")):
        path = dumps / name
        path.write_bytes(b"dump")
        os.utime(path, (1_700_000_000 - age, 1_700_000_000 - age))
    upload = {"segment_size": "2MiB", "threads": 3, "delete_after": "30d"}

    (newest,) = upload_requests(
        job({"glob": f"{dumps}/*.tar", "prefix": "m/"}, upload=upload), now=LATER
    )
    assert (newest.local_path, newest.object_name, newest.container) == (
        dumps / "c.tar",
        "m/c.tar",
        "plesk",
    )
    assert (newest.segment_size, newest.threads, newest.delete_after) == (2 * MIB, 3, 30 * 86400)

    every = upload_requests(job({"directory": str(dumps)}), now=LATER)
    assert [request.object_name for request in every] == ["b.tar", "c.tar", "old/a.tar"]

    with pytest.raises(UsageError, match=r"no file matches .*\*\.dump"):
        upload_requests(job({"glob": f"{dumps}/*.dump"}), now=LATER)
    command = job({"command": "pg_dump shop", "object_name": "shop-%Y.dump"})
    with pytest.raises(UsageError, match=r"^shop-2031\.dump: a command's output is streamed"):
        upload_requests(command, now=LATER)


def test_the_plan_dates_the_expiry_from_its_own_now_and_shows_paths_as_asked(
    cloud: Cloud, container_name: str, tmp_path: Path
) -> None:
    dump = tmp_path / "plesk-2030-12.tar"
    write_random(dump, 3 * MIB)
    planned = job(
        {"file": str(dump)},
        container=container_name,
        upload={"segment_size": "1MiB", "delete_after": "400d"},
    )
    plan = plan_job(cloud.service("GRA"), planned, now=LATER)
    lines = plan_lines(plan, show_path=lambda path: f"~/{path.name}")
    assert lines[0] == f"job plesk: GRA › {container_name}"
    assert lines[1] == "  plesk-2030-12.tar (~/plesk-2030-12.tar): new"
    assert "expires 2032-02-05 (400 days)" in "\n".join(lines)
    assert str(tmp_path) not in "\n".join(lines)
