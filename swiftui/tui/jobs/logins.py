"""Logging in as a job does, from the TUI: its openrc or clouds.yaml cloud, its secrets
file, its region; never a prompt, as under cron.

The form's preview and "run now" need the object store of the job's account, which need
not be the one the app browses. A login is kept for the app's life, per credentials
source, so that editing a job plans again without logging in again, and the archive a run
uploaded can be opened (and verified) once the run is over.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, cast

from swiftui.jobs import CredentialsSource, Job, connect_job, read_secrets

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from swiftui.cloud import Cloud
    from swiftui.swift import SwiftService

Login = tuple["Cloud", str, tuple[str, ...]]


class JobLogins:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self._lock = threading.Lock()
        self._logins: dict[CredentialsSource, Login] = {}

    def service(self, job: Job) -> tuple[SwiftService, tuple[str, ...]]:
        """The object store the job uploads to, and its login's warnings (a region taken
        for another); logs in the first time, so call it from a worker."""
        source = job.credentials
        with self._lock:
            login = self._logins.get(source)
        if login is None:
            secrets = read_secrets(source.secrets) if source.secrets is not None else {}
            made = connect_job(job, self.environ, secrets)
            with self._lock:
                login = self._logins.setdefault(source, made)
            if login is not made:
                made[0].close()  # another worker logged in meanwhile
        cloud, region, notes = login
        return cloud.service(region), notes


class JobsHost(Protocol):
    """The app as the jobs screens see it: it keeps the jobs' logins."""

    job_logins: JobLogins


def job_logins_of(node: DOMNode) -> JobLogins:
    return cast("JobsHost", node.app).job_logins
