"""A job's command, run for its standard output (``pg_dumpall``, ``tar c /var/www``).

The command line is split as a shell would split it but run without one (no expansion, no
pipes, no surprises from a file name), unless the job says ``shell = true``; a command
that needs a shell and has none is refused when the jobs file is read. The command gets
the job's environment without swiftui's own secrets, no standard input, and its own
process group, so stopping the run stops a pipeline too.

What makes a failed command safe: its output is read as a stream (see
:func:`swiftui.upload.run_stream_upload`) and, when the stream ends, :class:`CommandOutput`
waits for the command's exit status before saying so. A non-zero status raises
:class:`~swiftui.errors.CommandFailed` there, before the upload's last segment is handed
over, so the manifest (or the plain object) is never written: the upload removes the
segments it sent, and the archive that name held before, if any, stays as it was.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import IO

from swiftui.errors import Aborted, CommandFailed, UsageError
from swiftui.jobs.secrets import KNOWN as SECRET_NAMES

SHELL = "/bin/sh"
# Outside quotes, these mean something to a shell only (pipes, lists, redirections,
# expansions, globs); "~" and "#" only at the start of a word.
SHELL_SYNTAX = "|&;<>()$`*?[\n"
WORD_START_SYNTAX = "~#"
STDERR_LINES = 5
"""The last lines of the command's standard error a failure quotes."""
STDERR_LINE_CHARS = 300
LABEL_CHARS = 300
# How often a wait looks at the cancel event, and how long a stopped command may take to go.
CHECK_S = 0.1
STOP_GRACE_S = 5.0
REDACTED = "***"


def command_argv(command: str, *, shell: bool) -> list[str]:
    """The program and its arguments; :class:`UsageError` for a command that needs a
    shell and was not given one, or that cannot be split."""
    if shell:
        return [SHELL, "-c", command]
    found = shell_syntax(command)
    if found is not None:
        shown = "a newline" if found == "\n" else repr(found)
        raise UsageError(
            f"{command!r} uses {shown}, which only a shell understands: add shell = true "
            "(run by /bin/sh -c), or quote it"
        )
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"{command!r}: {error}") from None
    if not argv:
        raise UsageError("must name a program")
    return argv


def shell_syntax(command: str) -> str | None:
    """The first character outside quotes that only a shell would act on, if any."""
    quote = ""
    escaped = False
    word_start = True
    for char in command:
        if escaped:
            escaped, word_start = False, False
            continue
        if quote == "'":
            quote = "" if char == "'" else quote
            continue
        if char == "\\":
            escaped = True
            continue
        if quote == '"':
            if char == '"':
                quote = ""
            elif char in "$`":
                return char
            continue
        if char in "'\"":
            quote, word_start = char, False
            continue
        if char in SHELL_SYNTAX or (word_start and char in WORD_START_SYNTAX):
            return char
        word_start = char in " \t"
    return None


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The job's environment without the passwords swiftui itself logs in with."""
    return {name: value for name, value in environ.items() if name not in SECRET_NAMES}


class Redactor:
    """Replaces known secret values in text that leaves the process."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({value for value in secrets if value}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class CommandOutput:
    """The command started, its standard output offered as a stream (``readinto``).

    Use it as a context manager: leaving it stops a command still running (the upload
    failed or was cancelled) and :attr:`stopped` says so.
    """

    def __init__(
        self,
        command: str,
        *,
        shell: bool,
        environ: Mapping[str, str],
        redact: Redactor,
        cancel: threading.Event,
    ) -> None:
        argv = command_argv(command, shell=shell)
        self.redact = redact
        self.label = _shorten(redact(command))
        """The command as messages name it: as written, secrets masked, shortened."""
        self.cancel = cancel
        self.stopped = False
        """The command was stopped (a cancel, or the upload ended while it still ran)."""
        self.stderr_lines = 0
        self._stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
        self._over = threading.Event()
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=child_environment(environ),
                bufsize=0,
                start_new_session=True,
            )
        except OSError as error:
            raise CommandFailed(
                f"command {self.label!r} could not start: {error.strerror or error}; "
                "nothing was uploaded"
            ) from None
        self._stdout = _pipe(self.process.stdout)
        self._stderr_reader = threading.Thread(
            target=self._read_stderr,
            args=(_pipe(self.process.stderr),),
            name="swiftui-command-stderr",
            daemon=True,
        )
        self._stderr_reader.start()
        threading.Thread(
            target=self._stop_when_cancelled, name="swiftui-command-cancel", daemon=True
        ).start()

    def __enter__(self) -> CommandOutput:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._over.set()
        self._stop()
        self._stdout.close()

    def readinto(self, buffer: memoryview, /) -> int:
        """Read the command's output; at its end, its exit status decides: a non-zero one
        raises :class:`CommandFailed` instead of an end of stream."""
        got = self._stdout.readinto(buffer) or 0
        if not got:
            self._check_exit()
        return got

    @property
    def stderr_tail(self) -> str:
        """The last lines the command wrote on standard error, joined on one line."""
        return " | ".join(self._stderr_tail)

    def _check_exit(self) -> None:
        while True:
            try:
                status = self.process.wait(CHECK_S)
                break
            except subprocess.TimeoutExpired:
                if self.cancel.is_set():
                    raise self._cancelled() from None
        if self.cancel.is_set():
            raise self._cancelled()
        self._stderr_reader.join(STOP_GRACE_S)
        if status != 0:
            raise CommandFailed(self._failure(status))

    def _cancelled(self) -> Aborted:
        return Aborted(f"stopped while the command {self.label!r} ran: nothing was stored")

    def _failure(self, status: int) -> str:
        if status < 0:
            how = f"was killed by signal {_signal_name(-status)}"
        else:
            how = f"exited with status {status}"
        text = f"command {self.label!r} {how}"
        if self._stderr_tail:
            text += f"; its standard error ended with: {self.stderr_tail}"
        return text + "; nothing was stored in its name"

    def _read_stderr(self, stderr: io.FileIO) -> None:
        """Keep the last lines (each cut short), whatever the command writes."""
        with io.BufferedReader(stderr) as reader:
            cut = False
            while raw := reader.readline(STDERR_LINE_CHARS):
                whole = raw.endswith(b"\n")
                if not cut:
                    line = raw.decode("utf-8", "replace").strip()
                    if line:
                        self.stderr_lines += 1
                        self._stderr_tail.append(self.redact(line) + ("" if whole else "…"))
                cut = not whole

    def _stop_when_cancelled(self) -> None:
        while not self._over.wait(CHECK_S):
            if self.cancel.is_set():
                self._stop()
                return

    def _stop(self) -> None:
        """SIGTERM to the command's process group (a pipeline's every process), SIGKILL
        if it lingers; nothing once it has ended."""
        if self.process.poll() is not None:
            return
        self.stopped = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(STOP_GRACE_S)
                return
            except subprocess.TimeoutExpired:
                continue


def _pipe(stream: IO[bytes] | None) -> io.FileIO:
    """A pipe of the command (``bufsize=0`` makes them unbuffered files)."""
    if not isinstance(stream, io.FileIO):
        raise AssertionError(f"an unbuffered pipe was expected, not {stream!r}")
    return stream


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _shorten(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= LABEL_CHARS else one_line[: LABEL_CHARS - 1] + "…"
