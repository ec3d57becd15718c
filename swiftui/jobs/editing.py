"""Write jobs into the jobs file without spoiling what the user wrote there.

The file is meant for people: comments, blank lines, key order and the other jobs stay as
they are (tomlkit edits the document in place). A job is saved from the same raw table
the file holds (strings with their units), and the whole file is checked by the reader
(:func:`~swiftui.jobs.config.parse_jobs`) before it is written, so a save never leaves a
file that ``swiftui job run`` would refuse. The file is owner-only: a webhook URL is a
secret of sorts.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import Table

from swiftui.jobs.config import JobsFileError, parse_jobs
from swiftui.jobs.model import Job, JobsFile, Quantity
from swiftui.paths import write_private_file

HEADER = (
    "swiftui jobs: one [jobs.NAME] table per job; `swiftui job list` checks this file.\n"
    "Passwords never go here: OS_PASSWORD in the environment or a secrets file (chmod 600)."
)


def job_table(job: Job) -> dict[str, Any]:
    """The job as the file would hold it (the text of sizes and durations as written)."""
    credentials = job.credentials
    table: dict[str, Any] = _present(
        openrc=str(credentials.openrc) if credentials.openrc else None,
        cloud=credentials.cloud,
        secrets=str(credentials.secrets) if credentials.secrets else None,
        region=credentials.region,
        container=job.container,
    )
    table["source"] = _present(
        **{str(job.source.kind): job.source.location},
        object_name=job.source.object_name,
        shell=job.source.shell or None,
        prefix=job.source.prefix or None,
    )
    upload = job.upload
    _add(
        table,
        "upload",
        segment_size=_text(upload.segment_size),
        threads=upload.threads,
        limit_rate=_text(upload.limit_rate),
        delete_after=_text(upload.delete_after),
    )
    _add(
        table,
        "retention",
        keep_last=job.retention.keep_last,
        older_than=_text(job.retention.older_than),
    )
    notify = _present(webhook=job.notify.webhook)
    mail = job.notify.mail
    if mail is not None:
        notify["mail"] = _present(
            to=list(mail.to),
            **{"from": mail.sender},
            smtp_host=mail.smtp_host,
            smtp_port=mail.smtp_port if mail.smtp_host else None,
            starttls=mail.starttls or None,
            username=mail.username,
            sendmail=str(mail.sendmail) if mail.sendmail else None,
            when=[str(item) for item in mail.when],
        )
    if notify:
        table["notify"] = notify
    return table


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _add(table: dict[str, Any], key: str, **values: Any) -> None:
    present = _present(**values)
    if present:
        table[key] = present


def _text(quantity: Quantity | None) -> str | None:
    return None if quantity is None else quantity.text


def render_job(name: str, table: dict[str, Any]) -> str:
    """The job's table as TOML text, as ``swiftui job show`` prints it."""
    return tomlkit.dumps({"jobs": {name: table}})


def save_job(path: Path, name: str, table: dict[str, Any], *, replace: bool) -> JobsFile:
    """Add (or with ``replace``, update in place) job ``name``; return the file as saved."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as error:
        raise JobsFileError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as error:
        raise JobsFileError(f"{path}: {error}") from None
    if not text.strip():
        for line in HEADER.splitlines():
            document.add(tomlkit.comment(line))
    jobs = document.get("jobs")
    if jobs is None:
        jobs = tomlkit.table(is_super_table=True)
        document.add("jobs", jobs)
    if name in jobs and not replace:
        raise JobsFileError(f"{path}: job {name!r} exists already (replace it, or pick a name)")
    if name in jobs:
        _merge(jobs[name], table)
    else:
        jobs.add(name, table)
    saved = tomlkit.dumps(document)
    checked = parse_jobs(path, tomllib.loads(saved))
    write_private_file(path, saved)
    return checked


def _merge(target: Table | Container, values: dict[str, Any]) -> None:
    """Set ``values`` in ``target`` key by key (comments around them stay); drop the keys
    ``values`` no longer has."""
    for key in [key for key in target if key not in values]:
        del target[key]
    for key, value in values.items():
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, Table):
            _merge(current, value)
        else:
            target[key] = value
