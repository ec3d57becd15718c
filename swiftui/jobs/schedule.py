"""When a job runs unattended: a crontab line and systemd user units, ready to paste.

One :class:`Schedule` (every day, week or month, on a day, at a time) gives both the five
crontab fields and systemd's ``OnCalendar``. The command is the absolute path of this
swiftui, with the ``XDG_*`` directories of the user scheduling it, so the scheduled run
reads the same jobs file and writes the same history as ``swiftui job run`` typed now.
Cron gets no input and appends its output to the job's log; systemd's timer is
``Persistent``, so a run missed while the machine was off happens at the next boot.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

from swiftui.errors import UsageError
from swiftui.paths import ensure_private_dir, jobs_state_dir

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PASSED_ENVIRONMENT = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "OS_CLIENT_CONFIG_FILE")
"""Set now, they decide which files the run reads and writes: the scheduled run gets them."""
DEFAULT_DAY = 1
DEFAULT_TIME = "04:30"


class Every(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Schedule:
    every: Every
    day: int
    """Day of the month (1-28), or of the week (0 = Monday); unused every day."""
    hour: int
    minute: int

    @property
    def cron_fields(self) -> str:
        """``30 4 1 * *``: minute, hour, day of month, month, day of week."""
        day_of_month = str(self.day) if self.every is Every.MONTH else "*"
        # Cron counts Sunday as 0, Monday as 1.
        day_of_week = str((self.day + 1) % 7) if self.every is Every.WEEK else "*"
        return f"{self.minute} {self.hour} {day_of_month} * {day_of_week}"

    @property
    def on_calendar(self) -> str:
        """systemd's ``OnCalendar``: ``*-*-01 04:30:00``, ``Mon *-*-* 04:30:00``."""
        time = f"{self.hour:02d}:{self.minute:02d}:00"
        if self.every is Every.MONTH:
            return f"*-*-{self.day:02d} {time}"
        if self.every is Every.WEEK:
            return f"{WEEKDAYS[self.day].capitalize()} *-*-* {time}"
        return f"*-*-* {time}"

    @property
    def words(self) -> str:
        time = f"{self.hour:02d}:{self.minute:02d}"
        if self.every is Every.MONTH:
            return f"monthly, on day {self.day} at {time}"
        if self.every is Every.WEEK:
            return f"weekly, on {WEEKDAYS[self.day].capitalize()} at {time}"
        return f"daily at {time}"


def parse_schedule(every: str, day: str | None, at: str) -> Schedule:
    """``--every month --day 1 --at 04:30``; days of the month stop at 28 (every month has it)."""
    try:
        period = Every(every)
    except ValueError:
        raise UsageError(f"--every: {every!r}: choose day, week or month") from None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if match is None:
        raise UsageError(f"--at: {at!r} is not a time of day (HH:MM, e.g. 04:30)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if period is Every.DAY:
        if day is not None:
            raise UsageError("--day: a daily schedule has no day")
        return Schedule(period, 0, hour, minute)
    if period is Every.WEEK:
        name = (day or WEEKDAYS[0]).strip().lower()[:3]
        if name not in WEEKDAYS:
            raise UsageError(f"--day: {day!r}: a weekly schedule takes mon, tue ... sun")
        return Schedule(period, WEEKDAYS.index(name), hour, minute)
    text = str(DEFAULT_DAY) if day is None else day.strip()
    if not text.isdigit() or not 1 <= int(text) <= 28:
        raise UsageError(f"--day: {day!r}: a day of the month from 1 to 28 (every month has it)")
    return Schedule(period, int(text), hour, minute)


@dataclass(frozen=True)
class Invocation:
    """The command that runs a job, and the environment it needs to find its files."""

    argv: tuple[str, ...]
    environment: dict[str, str]


def invocation(job: str, jobs_file: Path | None) -> Invocation:
    """This swiftui by its absolute path (the console script, else ``python -m swiftui``)."""
    script = Path(sys.argv[0])
    if script.name == "swiftui" and script.is_file():
        program: tuple[str, ...] = (str(script.resolve()),)
    else:
        program = (sys.executable, "-m", "swiftui")
    argv = (*program, "job", "run", job)
    if jobs_file is not None:
        argv += ("--jobs-file", str(jobs_file.absolute()))
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if os.environ.get(name)}
    return Invocation(argv, environment)


def log_path(job: str) -> Path:
    """Where cron appends a job's output; its directory is made now (owner-only), because
    the shell that opens the log for cron does not create directories."""
    return ensure_private_dir(jobs_state_dir()) / f"{job}.log"


def crontab_line(schedule: Schedule, command: Invocation, log: Path) -> str:
    """One line for ``crontab -e``; ``%`` is escaped (cron would end the command there)."""
    words = [f"{name}={shlex.quote(value)}" for name, value in command.environment.items()]
    words.append(shlex.join(command.argv))
    text = f"{' '.join(words)} < /dev/null >> {shlex.quote(str(log))} 2>&1"
    return f"{schedule.cron_fields} {text.replace('%', chr(92) + '%')}"


def unit_name(job: str) -> str:
    return f"swiftui-job-{job}"


def systemd_units(job: str, schedule: Schedule, command: Invocation) -> dict[str, str]:
    """``swiftui-job-NAME.service`` (one run) and ``.timer`` (when), for ``systemctl --user``."""
    name = unit_name(job)
    environment = "".join(
        f"Environment={_systemd_word(f'{key}={value}', command=False)}\n"
        for key, value in command.environment.items()
    )
    service = (
        "[Unit]\n"
        f"Description=swiftui job {job}: upload what is new, verify, apply retention\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{environment}"
        f"ExecStart={' '.join(_systemd_word(word) for word in command.argv)}\n"
        "StandardInput=null\n"
        "Nice=10\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=Run swiftui job {job} {schedule.words}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={schedule.on_calendar}\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{name}.service": service, f"{name}.timer": timer}


def _systemd_word(word: str, *, command: bool = True) -> str:
    """One word of a unit's setting: specifiers (``%``) escaped, and variables (``$``) in a
    command line; quoted when it holds a space or a quote."""
    escaped = word.replace("%", "%%")
    if command:
        escaped = escaped.replace("$", "$$")
    if re.search(r"[\s\"'\\]", escaped):
        return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return escaped


def user_unit_dir() -> Path:
    """Where ``systemctl --user`` finds units the user wrote (``~/.config/systemd/user``)."""
    return Path(platformdirs.user_config_dir()) / "systemd" / "user"


def install_units(units: dict[str, str], directory: Path) -> list[Path]:
    """Write the units (readable by all, as unit files are); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in units.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
