"""What a job uploads this time: local files with their object names, or a command.

A file is itself; a glob is its newest match (by modification time: the dump written last
night); a directory is every file under it, named by its relative path; a command is its
standard output, named by a ``strftime`` template of the run's date. :func:`archive_pattern`
tells which objects of the container a job owns, so retention never touches the others.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path

from swiftui.errors import UsageError
from swiftui.jobs.model import Source, SourceKind

COMMAND_IS_STREAMED = "a command's output is streamed by the run, not uploaded as a file"


@dataclass(frozen=True)
class LocalItem:
    """A local file to send as ``object_name``."""

    path: Path
    object_name: str


@dataclass(frozen=True)
class CommandItem:
    """A command whose standard output is sent as ``object_name`` (a stream of unknown size)."""

    command: str
    object_name: str
    shell: bool = False


Item = LocalItem | CommandItem


def resolve_source(source: Source, *, now: datetime) -> list[Item]:
    """The items of this run, in upload order; :class:`UsageError` when there is nothing."""
    if source.kind is SourceKind.COMMAND:
        name = source.prefix + now.strftime(source.object_name or "")
        return [CommandItem(source.location, name, source.shell)]
    location = Path(source.location)
    if source.kind is SourceKind.FILE:
        _check_file(location)
        return [LocalItem(location, source.prefix + location.name)]
    if source.kind is SourceKind.GLOB:
        newest = newest_match(source.location)
        return [LocalItem(newest, source.prefix + newest.name)]
    return [
        LocalItem(path, source.prefix + path.relative_to(location).as_posix())
        for path in directory_files(location)
    ]


def newest_match(pattern: str) -> Path:
    """The regular file matching ``pattern`` modified last (the name breaks a tie)."""
    found = []
    for name in glob.glob(pattern):
        try:
            info = os.stat(name)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime, name))
    if not found:
        raise UsageError(f"no file matches {pattern}")
    return Path(max(found)[1])


def directory_files(directory: Path) -> list[Path]:
    """Every regular file under ``directory``, sorted; symbolic links to folders are not
    followed (they could loop), links to files are sent as the file."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory")
    files = []
    for root, folders, names in os.walk(directory, onerror=_walk_error):
        folders.sort()
        for name in sorted(names):
            path = Path(root, name)
            if path.is_file():
                files.append(path)
    if not files:
        raise UsageError(f"{directory}: holds no file to upload")
    return files


def _walk_error(error: OSError) -> None:
    raise UsageError(f"{error.filename}: cannot read it: {error.strerror or error}")


def _check_file(path: Path) -> None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path}: not a regular file")


def archive_pattern(source: Source) -> str:
    """The names (``fnmatch``, case-sensitive) of the objects this job writes: retention
    looks at these only."""
    prefix = glob.escape(source.prefix)
    if source.kind is SourceKind.GLOB:
        return prefix + Path(source.location).name
    if source.kind is SourceKind.FILE:
        return prefix + glob.escape(Path(source.location).name)
    if source.kind is SourceKind.DIRECTORY:
        return prefix + "*"
    return prefix + "".join(
        _field_pattern(part) for part in re.split(r"(%.)", source.object_name or "")
    )


def _field_pattern(part: str) -> str:
    """``*`` for a ``strftime`` field, ``%`` for ``%%``, the text itself otherwise."""
    if part == "%%":
        return "%"
    if len(part) == 2 and part.startswith("%"):
        return "*"
    return glob.escape(part)


def listing_prefix(pattern: str) -> str:
    """The literal start of ``pattern``: what a listing can be narrowed to."""
    return re.split(r"[*?[]", pattern, maxsplit=1)[0]


def owned_by_job(name: str, pattern: str) -> bool:
    return fnmatchcase(name, pattern)
