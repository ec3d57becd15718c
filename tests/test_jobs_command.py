"""A job's command as it runs, with real processes and no Swift: the line split without a
shell (and what is refused for needing one), its output read to the end, its exit status
turned into one line quoting its last error lines without a secret, its environment
without swiftui's passwords, and a command left running stopped with its whole pipeline.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from support.fault_support import wait_for
from support.jobs_support import process_alive

from swiftui.errors import Aborted, CommandFailed, UsageError
from swiftui.jobs.command import CommandOutput, Redactor, command_argv, shell_syntax


def output_of(command: str, *, shell: bool = False, **extra: str) -> CommandOutput:
    return CommandOutput(
        command,
        shell=shell,
        environ={**os.environ, **extra},
        redact=Redactor(["s3cret-value"]),
        cancel=threading.Event(),
    )


def read_all(output: CommandOutput) -> bytes:
    data = bytearray()
    buffer = bytearray(7)
    while got := output.readinto(memoryview(buffer)):
        data += buffer[:got]
    return bytes(data)


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("pg_dumpall -U postgres", ["pg_dumpall", "-U", "postgres"]),
        ("tar c '/var/www/my site' \"a|b\" x\\;y", ["tar", "c", "/var/www/my site", "a|b", "x;y"]),
        ("pg_dump --exclude-table='log_*' shop", ["pg_dump", "--exclude-table=log_*", "shop"]),
        ("backup --tag=#1 --home=a~b", ["backup", "--tag=#1", "--home=a~b"]),
    ],
)
def test_a_command_line_is_split_as_a_shell_splits_words(command: str, argv: list[str]) -> None:
    assert command_argv(command, shell=False) == argv
    assert command_argv(command, shell=True) == ["/bin/sh", "-c", command]


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("pg_dumpall | gzip", "|"),
        ("pg_dumpall > /tmp/x", ">"),
        ("tar c $HOME", "$"),
        ('tar c "$HOME"', "$"),
        ("tar c /var/www/*", "*"),
        ("tar c ~/www", "~"),
        ("dump; rm -rf /", ";"),
        ("dump # a comment", "#"),
    ],
)
def test_what_only_a_shell_understands_is_refused_without_one(command: str, found: str) -> None:
    assert shell_syntax(command) == found
    with pytest.raises(UsageError, match=r"which only a shell understands: add shell = true"):
        command_argv(command, shell=False)


def test_the_output_is_read_to_its_end_and_a_clean_exit_ends_the_stream() -> None:
    with output_of("printf 'a dump read 7 bytes at a time'") as output:
        assert read_all(output) == b"a dump read 7 bytes at a time"
    assert not output.stopped
    assert output.stderr_lines == 0


def test_a_non_zero_exit_replaces_the_end_of_the_stream_with_one_line_without_secrets(
    tmp_path: Path,
) -> None:
    script = tmp_path / "dump.sh"
    script.write_text(
        "printf 'partial data'\n"
        'for n in 1 2 3 4 5 6 7; do echo "warning $n" >&2; done\n'
        "echo 'pg_dump: error: password s3cret-value refused' >&2\n"
        "exit 3\n"
    )
    with output_of(f"sh {script}") as output:
        buffer = bytearray(64)
        assert output.readinto(memoryview(buffer)) == len(b"partial data")
        with pytest.raises(CommandFailed) as failed:
            output.readinto(memoryview(buffer))
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith(f"command 'sh {script}' exited with status 3; ")
    assert message.endswith(
        "its standard error ended with: warning 4 | warning 5 | warning 6 | warning 7 | "
        "pg_dump: error: password *** refused; nothing was stored in its name"
    )
    assert failed.value.exit_code == 11
    assert output.stderr_lines == 8


def test_a_program_that_does_not_exist_cannot_start() -> None:
    with pytest.raises(CommandFailed, match=r"^command 'pg_dumpal -U x' could not start: No such"):
        output_of("pg_dumpal -U x")


def test_the_command_does_not_get_swiftuis_passwords() -> None:
    with output_of(
        'echo "${OS_PASSWORD-none} ${SMTP_PASSWORD-none} $PGHOST"',
        shell=True,
        OS_PASSWORD="os-pass",
        SMTP_PASSWORD="smtp-pass",
        PGHOST="db.example",
    ) as output:
        assert read_all(output) == b"none none db.example\n"


def test_leaving_early_stops_the_whole_pipeline(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    with output_of(f"sleep 60 & echo $! > {pids}; wait", shell=True) as output:
        wait_for(lambda: pids.exists() and pids.read_text().endswith("\n"), "the pid file")
        sleeper = int(pids.read_text())
    assert output.stopped
    assert output.process.returncode is not None
    wait_for(lambda: not process_alive(sleeper), "the pipeline's sleep to end", timeout=10)


def test_a_cancel_stops_a_command_that_writes_nothing() -> None:
    cancel = threading.Event()
    output = CommandOutput(
        "sleep 60", shell=False, environ=os.environ, redact=Redactor([]), cancel=cancel
    )
    with output:
        cancel.set()
        with pytest.raises(Aborted, match=r"^stopped while the command 'sleep 60' ran"):
            output.readinto(memoryview(bytearray(16)))
    assert output.stopped and output.process.returncode is not None
