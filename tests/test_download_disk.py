"""The local disk under a download: too small from the start, filling up half-way, read-only.

Real file systems, not a fault in the write path: each case mounts a small ``tmpfs`` (or a
read-only one) under the test's directory (the upload fault tests' helpers), so the kernel
itself answers ``ENOSPC`` or ``EROFS``. Mounting needs root; elsewhere these cases are
skipped with that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import swiftclient
from support.deletion_support import random_bytes
from support.download_support import archived_slo, journal_done, journals, segment_get, segment_gets
from support.fault_support import cli_env, one_line_error, run_cli, start_cli, wait_for
from support.faultproxy import Fault, FaultProxy
from test_download_cli import proxied
from test_faults_upload import fill, mounted_tmpfs

from swiftui.download import PARTIAL_SUFFIX
from swiftui.sandbox import Sandbox
from swiftui.units import KIB, MIB


def test_too_little_free_space_is_refused_before_the_first_byte(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    archived_slo(checker, container_name, "dump.tar", random_bytes(2 * MIB), segment_size=MIB)
    with mounted_tmpfs(tmp_path / "disk", "size=1m") as disk:
        done = run_cli(
            cli_env(sandbox), tmp_path, "download", container_name, "dump.tar", "-o", str(disk)
        )
        assert done.returncode == 2
        assert one_line_error(done.stderr) == (
            f"swiftui: {disk}: not enough free space: 1.0 MiB free, 2.0 MiB needed; free some "
            "space or choose another place"
        )
        assert os.listdir(disk) == []
    assert journals() == []


def test_a_disk_filling_up_half_way_stops_in_one_line_and_the_rerun_resumes(
    sandbox: Sandbox, checker: swiftclient.Connection, container_name: str, tmp_path: Path
) -> None:
    data = random_bytes(8 * 128 * KIB)
    archived_slo(checker, container_name, "dump.tar", data, segment_size=128 * KIB)
    command = ("download", container_name, "dump.tar", "--threads", "2")
    with (
        mounted_tmpfs(tmp_path / "disk", "size=3m") as disk,
        FaultProxy(sandbox.proxy_url("GRA")) as proxy,
    ):
        proxy.add(Fault(match=segment_get(2), action="hold", times=2))
        process = start_cli(proxied(sandbox, proxy), tmp_path, *command, "-o", str(disk))
        wait_for(lambda: journal_done() == 2, "2 parts in the download journal")
        filler = fill(disk)
        proxy.release()
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 2, err
        line = one_line_error(err)
        assert line.startswith(f"swiftui: {disk}: no space left on the device (cannot write at ")
        assert line.endswith(
            f"of dump.tar{PARTIAL_SUFFIX}); free some space (the same command resumes the download)"
        )
        assert sorted(os.listdir(disk)) == [f"dump.tar{PARTIAL_SUFFIX}", "filler"]

        filler.unlink()
        with FaultProxy(sandbox.proxy_url("GRA")) as counting:
            rerun = run_cli(proxied(sandbox, counting), tmp_path, *command, "-o", str(disk))
            fetched = segment_gets(counting, f"{container_name}_segments")
        assert rerun.returncode == 0, rerun.stderr
        assert (disk / "dump.tar").read_bytes() == data
        assert sorted(name.rsplit("/", 1)[-1] for name in fetched) == [
            f"{index:08d}" for index in range(2, 8)
        ]
    assert journals() == []


def test_a_read_only_target_is_refused_before_authenticating(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as read_only:
        done = run_cli(
            dict(os.environ), tmp_path, "download", "backups", "dump.tar", "-o", str(read_only)
        )
    assert done.returncode == 2
    assert one_line_error(done.stderr) == (
        f"swiftui: {read_only}: read-only file system (cannot write dump.tar there)"
    )
