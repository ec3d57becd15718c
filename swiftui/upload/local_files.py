"""The local files an upload of several paths (files and directories) means, and their names.

How names are formed, like ``swift upload``: a file given by itself is named after its
base name; the files under a directory keep their path relative to it, under the
directory's own name (``/srv/backups/2026-11`` gives ``2026-11/db.sql`` and
``2026-11/www/site.tar``). ``object_name`` replaces that name for a single directory (or
names a single file). Regular files only: symbolic links to files are followed, links to
directories are not (no loops), and other special files (pipes, sockets, devices) are
skipped and named. Empty directories are not stored (Swift has no directories). Files
that cannot be read are collected, so the caller can refuse before anything is sent.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from swiftui.errors import UsageError
from swiftui.upload.source import file_kind


@dataclass(frozen=True)
class LocalFiles:
    files: tuple[tuple[Path, str], ...]
    """(local path, object name), sorted by object name."""
    unreadable: tuple[str, ...]
    """``path: why``, for files and directories that cannot be read."""
    skipped: tuple[str, ...]
    """``path: what it is``, for what is never uploaded (special files, linked dirs)."""


def collect_files(paths: Sequence[Path], *, object_name: str | None = None) -> LocalFiles:
    """The files ``paths`` stand for, with their object names; refuses names that clash."""
    if object_name is not None and len(paths) > 1:
        raise UsageError(
            lambda names: (
                f"{names('object_name')} names one object (or a directory's prefix): give one path"
            ),
            field="object_name",
        )
    found: list[tuple[Path, str]] = []
    unreadable: list[str] = []
    skipped: list[str] = []
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            unreadable.append(f"{path}: {error.strerror or error}")
            continue
        if stat.S_ISDIR(info.st_mode):
            prefix = object_name if object_name is not None else _directory_name(path)
            _walk(path, prefix, found, unreadable, skipped)
        elif stat.S_ISREG(info.st_mode):
            found.append((path, object_name if object_name is not None else path.name))
        else:
            skipped.append(f"{path}: {file_kind(info.st_mode)}")
    for local_path, _name in found:
        if not os.access(local_path, os.R_OK):
            unreadable.append(f"{local_path}: permission denied")
    _refuse_clashes(found)
    return LocalFiles(
        files=tuple(sorted(set(found), key=lambda item: item[1])),
        unreadable=tuple(unreadable),
        skipped=tuple(skipped),
    )


def _directory_name(path: Path) -> str:
    name = path.resolve().name
    if not name:
        raise UsageError(
            lambda names: (
                f"{path} has no name to store its files under: give {names('object_name')}"
            ),
            field="object_name",
        )
    return name


def _walk(
    top: Path,
    prefix: str,
    found: list[tuple[Path, str]],
    unreadable: list[str],
    skipped: list[str],
) -> None:
    def refused(error: OSError) -> None:
        unreadable.append(f"{error.filename}: {error.strerror or error}")

    for directory, dirnames, filenames in os.walk(top, onerror=refused):
        here = Path(directory)
        for name in dirnames:
            if (here / name).is_symlink():
                skipped.append(f"{here / name}: a link to a directory, not followed")
        for name in filenames:
            local = here / name
            try:
                mode = local.stat().st_mode
            except OSError as error:
                unreadable.append(f"{local}: {error.strerror or error}")
                continue
            if not stat.S_ISREG(mode):
                skipped.append(f"{local}: {file_kind(mode)}")
                continue
            relative = local.relative_to(top).as_posix()
            found.append((local, f"{prefix}/{relative}" if prefix else relative))


def _refuse_clashes(found: list[tuple[Path, str]]) -> None:
    by_name: dict[str, Path] = {}
    for local, name in found:
        if name in by_name and by_name[name] != local:
            raise UsageError(
                f"{by_name[name]} and {local} would both be stored as {name!r}: upload them "
                "separately"
            )
        by_name[name] = local
