"""The local side of a download: the target, the partial file beside it, free space.

Bytes go into ``<target>.swiftui-partial`` in the target's directory, each part written at
its offset (``pwrite``), so parts can arrive in any order and a resume rewrites only what
is missing. Nothing at the target's name ever looks complete before it is: the partial is
renamed over it only once every check has passed and it is on disk (``fsync``), with the
object's file date. An existing file is replaced only when asked (``force``), and even
then atomically.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from pathlib import Path, PurePosixPath

from swiftui.errors import UsageError
from swiftui.units import format_bytes

PARTIAL_SUFFIX = ".swiftui-partial"


class LocalFileError(UsageError):
    """The local file or its directory cannot be used (exit 2)."""


class DiskFullError(LocalFileError):
    """The disk filled up while the download was writing; the partial file is kept."""


def destination(output: Path | None, object_name: str) -> Path:
    """Where the object goes: ``output``, or a file named like the object's last name
    component inside ``output`` (a directory) or inside the current directory."""
    base = PurePosixPath(object_name).name or "download"
    if output is None:
        return Path.cwd() / base
    path = output.expanduser().absolute()
    return path / base if path.is_dir() else path


def partial_path(target: Path) -> Path:
    return target.with_name(target.name + PARTIAL_SUFFIX)


def check_destination(target: Path, *, force: bool) -> None:
    """Refuse a target that exists (unless ``force``), is a directory, or lies in a
    directory that is missing or not writable; before any network use."""
    directory = target.parent
    if not directory.is_dir():
        raise LocalFileError(f"{directory}: no such directory (for {target.name})")
    if not os.access(directory, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(directory) else "permission denied"
        raise LocalFileError(f"{directory}: {why} (cannot write {target.name} there)")
    try:
        info = target.stat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise LocalFileError(f"{target}: is a directory")
    if not force:
        raise LocalFileError(
            lambda names: (
                f"{target} exists; pass {names('force')} to replace it, or choose another place"
            ),
            field="force",
        )


def _read_only(directory: Path) -> bool:
    return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)


def check_free_space(directory: Path, needed: int) -> None:
    """Refuse to start when ``directory``'s file system cannot hold ``needed`` more bytes."""
    info = os.statvfs(directory)
    free = info.f_bavail * info.f_frsize
    if free < needed:
        raise LocalFileError(
            f"{directory}: not enough free space: {format_bytes(free)} free, "
            f"{format_bytes(needed)} needed; free some space or choose another place"
        )


class PartialFile:
    """The file being filled; :meth:`write_at` is safe from several threads."""

    def __init__(self, path: Path, size: int, *, fresh: bool) -> None:
        self.path = path
        self.size = size
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | (os.O_TRUNC if fresh else 0)
        try:
            self.fd = os.open(path, flags, 0o666)
        except OSError as error:
            raise LocalFileError(f"{path}: cannot create it: {error.strerror or error}") from None
        try:
            if os.fstat(self.fd).st_size != size:
                os.ftruncate(self.fd, size)
        except OSError as error:
            os.close(self.fd)
            raise self._error(error, "cannot size it") from None

    @staticmethod
    def usable(path: Path, size: int) -> bool:
        """Whether ``path`` is a partial file an interrupted download of ``size`` left."""
        try:
            info = path.stat()
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and info.st_size == size

    def written_size(self) -> int:
        return os.fstat(self.fd).st_size

    def write_at(self, view: memoryview, offset: int) -> None:
        while view:
            try:
                written = os.pwrite(self.fd, view, offset)
            except OSError as error:
                raise self._error(error, f"cannot write at byte {offset}") from None
            view = view[written:]
            offset += written

    def read_at(self, buffer: bytearray | memoryview, offset: int) -> int:
        try:
            return os.preadv(self.fd, [buffer], offset)
        except OSError as error:
            raise self._error(error, f"cannot read back byte {offset}") from None

    def flush(self) -> None:
        try:
            os.fdatasync(self.fd)
        except OSError as error:
            raise self._error(error, "cannot flush it to disk") from None

    def finish(self, target: Path, *, mtime: float | None, force: bool) -> None:
        """On disk, dated, renamed over ``target`` (only if absent unless ``force``)."""
        try:
            os.fsync(self.fd)
            if mtime is not None:
                os.utime(self.fd, (time.time(), mtime))
        except OSError as error:
            raise self._error(error, "cannot flush it to disk") from None
        self.close()
        _install(self.path, target, force=force)
        with contextlib.suppress(OSError):
            directory = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def _error(self, error: OSError, doing: str) -> LocalFileError:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFullError(
                f"{self.path.parent}: no space left on the device ({doing} of "
                f"{self.path.name}); free some space"
            )
        return LocalFileError(f"{self.path}: {doing}: {error.strerror or error}")


def _install(partial: Path, target: Path, *, force: bool) -> None:
    """Rename ``partial`` to ``target``; without ``force``, never over a file that appeared
    meanwhile (a hard link fails if the name exists; then the partial goes)."""
    try:
        if force:
            os.replace(partial, target)
            return
        try:
            os.link(partial, target)
        except FileExistsError:
            raise LocalFileError(
                lambda names: (
                    f"{target} appeared during the download; the download is kept "
                    f"in {partial.name}: pass {names('force')} to replace {target.name}"
                ),
                field="force",
            ) from None
        except OSError:
            # No hard links here (some network or FAT file systems): check, then rename.
            if target.exists():
                raise
            os.rename(partial, target)
            return
        partial.unlink()
    except OSError as error:
        raise LocalFileError(
            f"{target}: cannot put the download there: {error.strerror or error}"
        ) from None
