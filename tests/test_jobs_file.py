"""The jobs file and the schedule, as a user meets them, without Swift: every bad value is
one line naming the file, the job and the key (exit 2); ``job add`` keeps what the user
wrote; ``job schedule`` prints a crontab line that runs and systemd units that verify.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from support.fault_support import one_line_error, run_cli

from swiftui.jobs.history import history_path

GOOD = """\
# Plesk's monthly dump
[jobs.plesk]
openrc = "/root/openrc.sh"   # from the OVHcloud Control Panel
container = "backups"

[jobs.plesk.source]
glob = "/var/lib/psa/dumps/*.tar"
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}


def jobs_cli(tmp_path: Path, jobs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(env(), tmp_path, "job", *args, "--jobs-file", str(jobs))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + '[jobs.plesk.upload]\nsegment_size = "1 GX"\n',
            "upload.segment_size: cannot read '1 GX' as a size",
        ),
        (
            GOOD + "[jobs.plesk.upload]\nthreads = 0\n",
            "upload.threads: must be between 1 and 32, not 0",
        ),
        (
            GOOD + '[jobs.plesk.upload]\nlimit_rate = "20"\n',
            "upload.limit_rate: 20: add a unit: 20MiB/s",
        ),
        (
            GOOD + '[jobs.plesk.upload]\ndelete_after = "400"\n',
            "upload.delete_after: 400: add a unit",
        ),
        (GOOD + "[jobs.plesk.retention]\nkeep_lats = 12\n", "retention.keep_lats: unknown key"),
        (
            GOOD + "[jobs.plesk.retention]\nkeep_last = 0\n",
            "retention.keep_last: must be between 1",
        ),
        (
            GOOD + '[jobs.plesk.retention]\nolder_than = "1 year"\n',
            "retention.older_than: cannot read",
        ),
        (
            GOOD + '[jobs.plesk.notify]\nwebhook = "hc-ping.com/x"\n',
            "notify.webhook: 'hc-ping.com/x' is not an http",
        ),
        (
            GOOD + '[jobs.plesk.notify.mail]\nto = "ops"\nfrom = "a@b"\nsmtp_host = "h"\n',
            "notify.mail.to: 'ops' is not a mail address",
        ),
        (
            GOOD
            + '[jobs.plesk.notify.mail]\nto = "o@p"\nfrom = "a@b"\nsmtp_host = "h"\n'
            + 'when = ["always"]\n',
            "notify.mail.when: 'always': choose among",
        ),
        (
            GOOD.replace('glob = "/var/lib/psa/dumps/*.tar"', 'glob = "/var/dump.tar"'),
            "source.glob: '/var/dump.tar' has no wildcard",
        ),
        (
            GOOD.replace('glob = "/var/lib/psa/dumps/*.tar"', 'command = "pg_dump db"'),
            "source.object_name: is missing",
        ),
        (
            GOOD.replace(
                'glob = "/var/lib/psa/dumps/*.tar"',
                'command = "pg_dumpall | gzip"\nobject_name = "db.gz"',
            ),
            "source.command: 'pg_dumpall | gzip' uses '|', which only a shell understands: "
            "add shell = true",
        ),
        (
            GOOD.replace(
                'glob = "/var/lib/psa/dumps/*.tar"',
                'command = "tar c \'/var/www"\nobject_name = "www.tar"',
            ),
            'source.command: "tar c \'/var/www": No closing quotation',
        ),
        (
            GOOD + "shell = true\n",
            "source.shell: only a command source takes it",
        ),
        (
            GOOD.replace('openrc = "/root/openrc.sh"', 'openrc = "openrc.sh"'),
            "openrc: 'openrc.sh' must be an absolute path",
        ),
        (
            GOOD.replace('openrc = "/root/openrc.sh"', 'cloud = "ovh"\nopenrc = "/o"'),
            "openrc: give openrc (a file) or cloud",
        ),
        (
            GOOD.replace('container = "backups"', 'container = "a/b"'),
            "container: 'a/b' is not a container name",
        ),
        (
            GOOD.replace("[jobs.plesk]", "[jobs.'plesk dump']").replace(
                "jobs.plesk.", "jobs.'plesk dump'."
            ),
            "job 'plesk dump': a job name is",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_file_the_job_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(text)
    result = jobs_cli(tmp_path, jobs, "list")
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert line.startswith(f"swiftui: {jobs}: job '")
    assert expected in line


def test_a_broken_toml_file_names_its_line(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(GOOD + "[jobs.plesk.retention]\nkeep_last = \n")
    result = jobs_cli(tmp_path, jobs, "run", "plesk")
    assert result.returncode == 2
    assert "(at line 9, column" in one_line_error(result.stderr)
    assert not history_path("plesk").exists()


def test_an_unknown_job_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(GOOD)
    result = jobs_cli(tmp_path, jobs, "run", "plesks")
    assert result.returncode == 2
    assert f"no job 'plesks' in {jobs} (jobs: plesk)" in one_line_error(result.stderr)


def test_job_add_writes_a_checked_job_and_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(GOOD)
    openrc = tmp_path / "openrc.sh"
    args = ("add", "www", "--openrc", str(openrc), "--container", "www")
    added = jobs_cli(
        tmp_path,
        jobs,
        *args,
        "--command",
        "tar c /var/www | gzip",
        "--shell",
        "--object-name",
        "www-%Y-%m.tar",
        "--keep-last",
        "6",
        "--limit-rate",
        "20MiB/s",
    )
    assert added.returncode == 0, added.stderr
    text = jobs.read_text()
    assert text.startswith(GOOD)  # comments and the other job untouched
    assert "[jobs.www.retention]\nkeep_last = 6\n" in text
    assert 'command = "tar c /var/www | gzip"\nobject_name = "www-%Y-%m.tar"\nshell = true' in text
    assert oct(jobs.stat().st_mode & 0o777) == "0o600"

    again = jobs_cli(tmp_path, jobs, *args, "--file", str(openrc))
    assert again.returncode == 2
    assert "job 'www' exists already" in one_line_error(again.stderr)
    wrong = jobs_cli(
        tmp_path,
        jobs,
        "add",
        "x",
        "--cloud",
        "c",
        "--container",
        "c",
        "--glob",
        "/a/*",
        "--older-than",
        "90",
    )
    assert wrong.returncode == 2
    assert "retention.older_than: 90: add a unit" in one_line_error(wrong.stderr)
    assert "[jobs.x]" not in jobs.read_text()

    replaced = jobs_cli(tmp_path, jobs, *args, "--file", "dump.tar", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    shown = jobs_cli(tmp_path, jobs, "show", "www")
    assert f'file = "{Path.cwd()}/dump.tar"' in shown.stdout  # made absolute
    assert "keep_last" not in shown.stdout and "command" not in shown.stdout
    assert "shell" not in shown.stdout
    assert "Never run" in shown.stdout
    assert jobs.read_text().startswith(GOOD)


def test_the_crontab_line_has_five_fields_and_runs_the_job_into_its_log(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(GOOD.replace("/root/openrc.sh", str(tmp_path / "missing-openrc.sh")))
    result = jobs_cli(tmp_path, jobs, "schedule", "plesk")
    assert result.returncode == 0, result.stderr
    heading, line = result.stdout.splitlines()[:2]
    assert (
        heading
        == "# swiftui job plesk, monthly, on day 1 at 04:30. With cron (crontab -e), one line:"
    )
    fields = line.split(" ", 5)
    assert fields[:5] == ["30", "4", "1", "*", "*"]  # monthly, on the 1st at 04:30
    command = fields[5]
    log = history_path("plesk").with_name("plesk.log")
    assert command.endswith(f" < /dev/null >> {log} 2>&1")
    words = shlex.split(command)
    assert words[words.index("job") : words.index("job") + 3] == ["job", "run", "plesk"]
    assert "XDG_STATE_HOME" in command  # the scheduled run writes the history seen now

    # As cron would: sh, an almost empty environment. The run fails (no openrc) into the log.
    done = subprocess.run(
        ["sh", "-c", command], env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, check=False
    )
    assert done.returncode == 3
    assert "missing-openrc.sh" in log.read_text()
    assert history_path("plesk").exists()

    weekly = jobs_cli(
        tmp_path, jobs, "schedule", "plesk", "--every", "week", "--day", "fri", "--at", "23:05"
    )
    assert re.search(r"^5 23 \* \* 5 ", weekly.stdout, re.MULTILINE)
    assert "OnCalendar=Fri *-*-* 23:05:00" in weekly.stdout
    for bad, message in (
        (("--at", "25:00"), "--at: '25:00' is not a time of day"),
        (("--day", "31"), "--day: '31': a day of the month from 1 to 28"),
    ):
        refused = jobs_cli(tmp_path, jobs, "schedule", "plesk", *bad)
        assert refused.returncode == 2
        assert message in one_line_error(refused.stderr)


def _systemd_analyze_works(directory: Path) -> bool:
    """``systemd-analyze verify`` needs a systemd it can start as a manager; a container
    may lack one. Probe with a unit known to be right."""
    if shutil.which("systemd-analyze") is None:
        return False
    probe = directory / "probe.service"
    probe.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\n")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(probe)], capture_output=True, check=False
    )
    probe.unlink()
    return done.returncode == 0


def test_systemd_units_are_installed_only_when_confirmed_and_verify(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(GOOD)
    units = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user"
    unconfirmed = jobs_cli(tmp_path, jobs, "schedule", "plesk", "--install")
    assert unconfirmed.returncode == 6
    assert "nothing installed: no terminal to confirm on" in unconfirmed.stderr
    assert not units.exists()

    installed = jobs_cli(tmp_path, jobs, "schedule", "plesk", "--install", "--yes")
    assert installed.returncode == 0, installed.stderr
    service, timer = units / "swiftui-job-plesk.service", units / "swiftui-job-plesk.timer"
    assert f"Wrote {service}" in installed.stdout
    assert "OnCalendar=*-*-01 04:30:00\nPersistent=true\n" in timer.read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", service.read_text(), re.MULTILINE)
    assert exec_start is not None
    assert shlex.split(exec_start.group(1))[-5:] == [
        "job",
        "run",
        "plesk",
        "--jobs-file",
        str(jobs),
    ]

    if not _systemd_analyze_works(tmp_path):
        pytest.skip("systemd-analyze verify cannot run here (no systemd-analyze, or no manager)")
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(service), str(timer)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "swiftui-job-plesk" not in verified.stderr, verified.stderr
