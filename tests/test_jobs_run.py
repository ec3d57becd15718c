"""``swiftui job run`` as cron runs it: a subprocess with no terminal, against the sandbox.

The job logs in with the sandbox's openrc and a secrets file (no ``OS_*`` variable in
its environment); what it stored and deleted is checked with python-swiftclient; the
notifications reach a webhook receiver and an SMTP sink the test starts.
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest
import swiftclient
from support.deletion_support import make_slo, names, random_bytes
from support.fault_support import one_line_error, run_cli, start_cli, wait_for
from support.faultproxy import Fault, FaultProxy
from support.jobs_support import WebhookReceiver, process_alive, smtp_sink, write_job
from support.upload_support import (
    download_md5,
    file_md5,
    file_sha256,
    journal_segments,
    segment_put,
    write_random,
)

from swiftui.jobs.history import history_path
from swiftui.jobs.lock import JobLock
from swiftui.sandbox import Sandbox
from swiftui.units import MIB

DAY = 86400
NOW = 1_790_000_000.0  # 2026-09-21


def job_env(**extra: str) -> dict[str, str]:
    """The test's environment (its XDG dirs, no OS_* variable: the job's secrets file
    holds the password)."""
    return {**os.environ, "PYTHONWARNINGS": "ignore", **extra}


def history(job: str) -> list[dict]:
    return [json.loads(line) for line in history_path(job).read_text().splitlines()]


def dated_dumps(directory: Path) -> dict[str, Path]:
    """Three Plesk-like dumps, a month apart; the last one written is the newest."""
    directory.mkdir()
    dumps = {}
    for months_ago, month in ((2, "2026-07"), (1, "2026-08"), (0, "2026-09")):
        path = directory / f"backup_{month}.tar"
        write_random(path, 3 * MIB)
        when = NOW - months_ago * 30 * DAY
        os.utime(path, (when, when))
        dumps[month] = path
    return dumps


def test_the_newest_dump_is_uploaded_verified_and_pruned_to_keep_last_then_nothing_is_new(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    dumps = dated_dumps(tmp_path / "dumps")
    # What earlier months left in Swift: April as an SLO with segments, May and June plain;
    # a file that is not the job's (another name) must survive any retention.
    make_slo(
        checker, container_name, "backup_2026-04.tar", random_bytes(3000), mtime=NOW - 150 * DAY
    )
    for month, age in (("2026-05", 120), ("2026-06", 90)):
        checker.put_object(
            container_name,
            f"backup_{month}.tar",
            random_bytes(2000),
            headers={"X-Object-Meta-Mtime": f"{NOW - age * DAY:f}"},
        )
    checker.put_object(container_name, "notes.txt", b"not an archive of the job")
    jobs = write_job(
        tmp_path,
        sandbox,
        "plesk",
        container_name,
        f'glob = "{dumps["2026-09"].parent}/backup_*.tar"',
        extra='[jobs.plesk.upload]\nsegment_size = "1MiB"\n\n'
        "[jobs.plesk.retention]\nkeep_last = 2\n",
    )

    with WebhookReceiver() as webhook:
        with jobs.open("a") as handle:
            handle.write(f'\n[jobs.plesk.notify]\nwebhook = "{webhook.url}"\n')
        first = run_cli(job_env(), tmp_path, "job", "run", "plesk", "--jobs-file", str(jobs))
        assert first.returncode == 0, first.stderr + first.stdout
        assert webhook.paths == ["/ping/abc/start", "/ping/abc"]
        assert "ok: uploaded 1 archive (3.0 MiB)" in webhook.pings[1].body

    assert download_md5(checker, container_name, "backup_2026-09.tar") == file_md5(dumps["2026-09"])
    assert checker.head_object(container_name, "backup_2026-09.tar")["x-static-large-object"]
    # keep_last 2: September (this run) and June stay; April (with its segments) and May go.
    assert names(checker, container_name) == [
        "backup_2026-06.tar",
        "backup_2026-09.tar",
        "notes.txt",
    ]
    assert all(
        name.startswith("backup_2026-09.tar/")
        for name in names(checker, f"{container_name}_segments")
    )
    assert "verified: " in first.stdout and "all 3 segments present and intact" in first.stdout
    [record] = history("plesk")
    assert record["result"] == "ok" and record["exit_code"] == 0
    assert record["bytes_sent"] == 3 * MIB
    assert [item["action"] for item in record["items"]] == ["uploaded"]
    assert sorted(record["pruned"]) == ["backup_2026-04.tar", "backup_2026-05.tar"]
    assert [note["ok"] for note in record["notifications"]] == [True, True]
    assert oct(history_path("plesk").stat().st_mode & 0o777) == "0o600"

    stored = checker.head_object(container_name, "backup_2026-09.tar")["x-timestamp"]
    second = run_cli(job_env(), tmp_path, "job", "run", "plesk", "--jobs-file", str(jobs))
    assert second.returncode == 0, second.stderr
    assert "backup_2026-09.tar: already in Swift, whole" in second.stdout
    assert "checked then" in second.stdout  # remembered: the 3 MiB were not read again
    assert checker.head_object(container_name, "backup_2026-09.tar")["x-timestamp"] == stored
    last = history("plesk")[-1]
    assert last["result"] == "ok" and last["bytes_sent"] == 0 and last["pruned"] == []
    assert [item["action"] for item in last["items"]] == ["skipped"]

    listed = run_cli(job_env(), tmp_path, "job", "list", "--jobs-file", str(jobs))
    assert "ok: nothing new, 1 already in Swift" in listed.stdout
    shown = run_cli(job_env(), tmp_path, "job", "history", "plesk", "--jobs-file", str(jobs))
    assert shown.stdout.count("\n") == 2
    assert "ok: uploaded 1 archive (3.0 MiB), pruned 2" in shown.stdout


def test_a_stored_archive_without_a_remembered_upload_is_compared_by_its_checksum(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    """Same name and size but other bytes is replaced; the same bytes are skipped."""
    dump = tmp_path / "full.tar"
    write_random(dump, 2 * MIB + 5)
    same_size_other_bytes = random_bytes(2 * MIB + 5)
    checker.put_container(container_name)
    checker.put_object(container_name, "full.tar", same_size_other_bytes)
    jobs = write_job(
        tmp_path,
        sandbox,
        "full",
        container_name,
        f'file = "{dump}"',
        extra='[jobs.full.upload]\nlimit_rate = "64MiB/s"\n',
    )

    replaced = run_cli(job_env(), tmp_path, "job", "run", "full", "--jobs-file", str(jobs))
    assert replaced.returncode == 0, replaced.stderr
    assert "at most 64.0 MiB/s" in replaced.stdout  # the job's limit_rate, on its limiter
    assert "same size but another Etag (md5) than the file: replacing it" in replaced.stdout
    assert download_md5(checker, container_name, "full.tar") == file_md5(dump)

    history_path("full").unlink()  # forget the upload: the next run must read the file
    skipped = run_cli(job_env(), tmp_path, "job", "run", "full", "--jobs-file", str(jobs))
    assert skipped.returncode == 0, skipped.stderr
    # The upload stored the file's SHA-256: the stronger checksum is the one compared.
    assert "same size and SHA-256 as the file): skipped" in skipped.stdout


def test_a_wrong_password_is_recorded_pinged_at_fail_and_mailed(
    sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    dump = tmp_path / "db.sql"
    dump.write_bytes(b"dump")
    with WebhookReceiver() as webhook, smtp_sink() as (port, mails):
        jobs = write_job(
            tmp_path,
            sandbox,
            "db",
            container_name,
            f'file = "{dump}"',
            extra=f'[jobs.db.notify]\nwebhook = "{webhook.url}"\n\n[jobs.db.notify.mail]\n'
            f'to = "ops@example.test"\nfrom = "backup@example.test"\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\n',
            password="not-the-password",
        )
        result = run_cli(job_env(), tmp_path, "job", "run", "db", "--jobs-file", str(jobs))
        assert result.returncode == 4, result.stderr
        assert webhook.paths == ["/ping/abc/start", "/ping/abc/fail"]
        wait_for(lambda: len(mails) == 1, "the failure mail")
    assert "refused user" in one_line_error(result.stderr)
    assert "not-the-password" not in result.stdout + result.stderr
    assert "; exit 4: Keystone at" in webhook.pings[1].body
    [mail] = mails
    assert mail["Subject"] == "swiftui job db: FAILED"
    assert mail["To"] == "ops@example.test"
    assert "run it again: swiftui job run db" in mail.get_payload()
    [record] = history("db")
    assert record["result"] == "failed" and record["exit_code"] == 4
    assert "refused user" in record["error"]
    assert [(n["channel"], n["event"], n["ok"]) for n in record["notifications"]] == [
        ("webhook", "start", True),
        ("webhook", "failure", True),
        ("mail", "failure", True),
    ]
    assert "not-the-password" not in history_path("db").read_text()


def test_swift_down_past_the_retries_fails_with_exit_5_and_a_failed_webhook_is_recorded(
    sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    """The run's result is Swift's failure; the webhook answering 404 is only recorded."""
    dump = tmp_path / "db.sql"
    dump.write_bytes(b"dump")
    with WebhookReceiver() as webhook, FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        webhook.status_for["/ping/abc/fail"] = 404
        jobs = write_job(
            tmp_path,
            sandbox,
            "db",
            container_name,
            f'file = "{dump}"',
            extra=f'[jobs.db.notify]\nwebhook = "{webhook.url}"\n',
        )
        proxy.go_down()
        env = job_env(
            SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")),
            SWIFTUI_TEST_RETRY="2,0.05,0.1",
        )
        result = run_cli(env, tmp_path, "job", "run", "db", "--jobs-file", str(jobs))
    assert result.returncode == 5, result.stderr
    assert webhook.paths == ["/ping/abc/start", "/ping/abc/fail"]
    assert "webhook notification (failure) failed: webhook at 127.0.0.1" in result.stdout
    [record] = history("db")
    assert record["result"] == "failed" and record["exit_code"] == 5
    assert record["notifications"][-1]["ok"] is False
    assert "answered 404" in record["notifications"][-1]["error"]


def test_a_job_already_running_is_refused_with_exit_10(
    sandbox: Sandbox, container_name: str, tmp_path: Path
) -> None:
    dump = tmp_path / "db.sql"
    dump.write_bytes(b"dump")
    jobs = write_job(tmp_path, sandbox, "db", container_name, f'file = "{dump}"')
    with JobLock("db"):
        refused = run_cli(job_env(), tmp_path, "job", "run", "db", "--jobs-file", str(jobs))
        listed = run_cli(job_env(), tmp_path, "job", "list", "--jobs-file", str(jobs))
    assert refused.returncode == 10
    assert "job 'db' is already running" in one_line_error(refused.stderr)
    assert "running now" in listed.stdout
    assert not history_path("db").exists()


def test_a_run_killed_mid_upload_is_recorded_as_interrupted_and_the_next_run_resumes(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    dump = tmp_path / "big.tar"
    write_random(dump, 6 * MIB)
    jobs = write_job(
        tmp_path,
        sandbox,
        "big",
        container_name,
        f'file = "{dump}"',
        extra='[jobs.big.upload]\nsegment_size = "1MiB"\nthreads = 2\n',
    )
    command = ("job", "run", "big", "--jobs-file", str(jobs))
    with FaultProxy(sandbox.proxy_url("GRA")) as proxy:
        proxy.add(Fault(match=segment_put(min_index=3), action="hold", times=100))
        env = job_env(SWIFTUI_TEST_ENDPOINT=proxy.url_for(sandbox.storage_url("GRA")))
        process = start_cli(env, tmp_path, *command)
        wait_for(lambda: journal_segments() == 3, "3 segments in the journal")
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)

    rerun = run_cli(job_env(), tmp_path, *command)
    assert rerun.returncode == 0, rerun.stderr
    assert "never finished: recorded" in rerun.stdout
    assert rerun.stdout.count("already in Swift, md5 matches") == 3
    assert download_md5(checker, container_name, "big.tar") == file_md5(dump)
    interrupted, finished = history("big")
    assert interrupted["result"] == "interrupted" and interrupted["ended"] is None
    assert finished["result"] == "ok" and finished["bytes_sent"] == 3 * MIB


def www_job(
    tmp_path: Path,
    sandbox: Sandbox,
    container: str,
    command: str,
    webhook: WebhookReceiver,
    *,
    upload: str = "",
) -> Path:
    """Job ``www``: ``command`` (the [source] lines that say it) named ``www-%Y-%m.tar``,
    1 MiB segments, keep_last 1, notifying ``webhook``."""
    return write_job(
        tmp_path,
        sandbox,
        "www",
        container,
        f'{command}\nobject_name = "www-%Y-%m.tar"',
        extra=f'[jobs.www.upload]\nsegment_size = "1MiB"\n{upload}\n'
        "[jobs.www.retention]\nkeep_last = 1\n\n"
        f'[jobs.www.notify]\nwebhook = "{webhook.url}"\n',
    )


def test_a_commands_output_is_streamed_verified_and_pruned_and_not_run_again(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    """No shell: the command line is split and run as is; its output, byte for byte, is the
    archive (3 segments of 1 MiB), under the job's rate cap; retention and the history work
    as for a file; the next run finds this month's archive and does not run the command."""
    site = tmp_path / "site.tar"
    size = 2 * MIB + 12345
    write_random(site, size)
    checker.put_container(container_name)
    checker.put_object(
        container_name,
        "www-2020-01.tar",
        random_bytes(1000),
        headers={"X-Object-Meta-Mtime": f"{NOW - 365 * DAY:f}"},
    )
    checker.put_object(container_name, "notes.txt", b"not an archive of the job")
    with WebhookReceiver() as webhook:
        jobs = www_job(
            tmp_path,
            sandbox,
            container_name,
            f'command = "head -c {size} {site}"',
            webhook,
            upload='limit_rate = "64MiB/s"\n',
        )
        first = run_cli(job_env(), tmp_path, "job", "run", "www", "--jobs-file", str(jobs))
        assert first.returncode == 0, first.stderr + first.stdout
        assert webhook.paths == ["/ping/abc/start", "/ping/abc"]

    [record] = history("www")
    [item] = record["items"]
    name = item["object_name"]
    assert re.fullmatch(r"www-\d{4}-\d{2}\.tar", name)
    _headers, stored = checker.get_object(container_name, name)
    assert stored == site.read_bytes()
    headers = checker.head_object(container_name, name)
    assert headers["x-static-large-object"] == "True"
    assert headers["x-object-meta-sha256"] == file_sha256(site)
    assert len(names(checker, f"{container_name}_segments")) == 3
    assert f"the output of 'head -c {size} {site}'" in first.stdout
    assert "at most 64.0 MiB/s" in first.stdout  # the job's limit_rate, on its limiter
    assert "verified: " in first.stdout
    assert names(checker, container_name) == ["notes.txt", name]
    assert record["result"] == "ok" and record["exit_code"] == 0
    assert (item["action"], item["size"], record["bytes_sent"]) == ("uploaded", size, size)
    assert record["pruned"] == ["www-2020-01.tar"]

    second = run_cli(job_env(), tmp_path, "job", "run", "www", "--jobs-file", str(jobs))
    assert second.returncode == 0, second.stderr
    assert f"{name}: already in Swift, whole (already in Swift): skipped" in second.stdout
    last = history("www")[-1]
    assert last["bytes_sent"] == 0 and [i["action"] for i in last["items"]] == ["skipped"]


def test_a_failing_command_fails_the_run_with_exit_11_and_leaves_no_archive(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    """The command (through a shell, as the job asks) writes 2 MiB, a secret and an error
    on stderr, and exits 2: the run fails naming it, its status and its last error lines,
    the secret masked; what it sent is removed, no object bears its name, retention is
    not applied, the history and the webhook say it failed."""
    site = tmp_path / "site.tar"
    write_random(site, 2 * MIB + 5)
    secrets = tmp_path / "secrets.toml"
    command = (
        f"head -c {2 * MIB + 5} {site}; cat {secrets} >&2; "
        "echo 'tar: /var/www/private: Cannot open: Permission denied' >&2; exit 2"
    )
    checker.put_container(container_name)
    checker.put_object(container_name, "www-2020-01.tar", random_bytes(1000))
    with WebhookReceiver() as webhook:
        jobs = www_job(
            tmp_path, sandbox, container_name, f'command = "{command}"\nshell = true', webhook
        )
        result = run_cli(job_env(), tmp_path, "job", "run", "www", "--jobs-file", str(jobs))
        assert webhook.paths == ["/ping/abc/start", "/ping/abc/fail"]
    assert result.returncode == 11, result.stderr + result.stdout
    line = one_line_error(result.stderr)
    assert line.startswith(f"swiftui: job www: command {command!r} exited with status 2; ")
    assert line.endswith(
        'its standard error ended with: OS_PASSWORD = "***" | '
        "tar: /var/www/private: Cannot open: Permission denied; nothing was stored in its name"
    )
    assert sandbox.password not in result.stdout + result.stderr
    assert sandbox.password not in history_path("www").read_text()
    assert names(checker, container_name) == ["www-2020-01.tar"]
    assert names(checker, f"{container_name}_segments") == []
    [record] = history("www")
    assert record["result"] == "failed" and record["exit_code"] == 11
    assert "exited with status 2" in record["error"]
    assert record["items"] == [] and record["pruned"] == []


def test_a_command_job_stopped_by_sigterm_stops_its_command_and_is_interrupted(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    """cron's or systemd's stop while the command still works: the command (its whole
    pipeline) is stopped, nothing is stored, the run is recorded as interrupted (130)."""
    started, sleeper = tmp_path / "started", tmp_path / "sleeper.pid"
    jobs = write_job(
        tmp_path,
        sandbox,
        "www",
        container_name,
        f'command = "head -c 100000 /dev/zero; sleep 60 & echo $! > {sleeper}; '
        f'touch {started}; wait"\nshell = true\nobject_name = "www-%Y-%m.tar"',
    )
    process = start_cli(job_env(), tmp_path, "job", "run", "www", "--jobs-file", str(jobs))
    wait_for(started.exists, "the command to be running")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "stopped the command 'head -c 100000 /dev/zero; sleep 60" in stdout
    wait_for(lambda: not process_alive(int(sleeper.read_text())), "the pipeline's sleep to end")
    assert [name for name in names(checker, container_name) if name.startswith("www-")] == []
    [record] = history("www")
    assert record["result"] == "interrupted" and record["exit_code"] == 130


@pytest.mark.parametrize("mode", [0o640, 0o604])
def test_a_secrets_file_others_can_read_is_refused(
    sandbox: Sandbox, container_name: str, tmp_path: Path, mode: int
) -> None:
    dump = tmp_path / "db.sql"
    dump.write_bytes(b"dump")
    jobs = write_job(tmp_path, sandbox, "db", container_name, f'file = "{dump}"', secrets_mode=mode)
    result = run_cli(job_env(), tmp_path, "job", "run", "db", "--jobs-file", str(jobs))
    assert result.returncode == 3
    line = one_line_error(result.stderr)
    secrets = tmp_path / "secrets.toml"
    assert f"secrets file {secrets} has mode {mode:04o}, so others may read it" in line
    assert sandbox.password not in result.stdout + result.stderr
    assert history("db")[0]["exit_code"] == 3


def test_dry_run_shows_the_plan_and_changes_nothing(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    dumps = dated_dumps(tmp_path / "dumps")
    jobs = write_job(
        tmp_path,
        sandbox,
        "plesk",
        container_name,
        f'glob = "{dumps["2026-09"].parent}/*.tar"',
        extra="[jobs.plesk.retention]\nkeep_last = 1\n",
    )
    result = run_cli(
        job_env(), tmp_path, "job", "run", "plesk", "--dry-run", "--jobs-file", str(jobs)
    )
    assert result.returncode == 0, result.stderr
    assert f"backup_2026-09.tar ({dumps['2026-09']}): new" in result.stdout
    assert "3.0 MiB" in result.stdout
    assert "Dry run: nothing sent, nothing deleted." in result.stdout
    with pytest.raises(swiftclient.ClientException):
        checker.head_container(container_name)
    assert not history_path("plesk").exists()
