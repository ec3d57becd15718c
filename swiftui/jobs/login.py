"""Log in as a job does: its openrc or clouds.yaml cloud, its secret, its region.

Cron has no terminal, so a job never asks for a password: it comes from the job's secrets
file (which wins, since the job names it) or ``OS_PASSWORD`` of the environment.
"""

from __future__ import annotations

from collections.abc import Mapping

from swiftui.cloud import Cloud, connect
from swiftui.credentials import Credentials, load_credentials
from swiftui.errors import SwiftuiError
from swiftui.jobs.model import Job
from swiftui.jobs.secrets import OS_SECRETS


def job_credentials(
    job: Job, environ: Mapping[str, str], secrets: Mapping[str, str]
) -> Credentials:
    """The job's openrc or clouds.yaml cloud; the secret from its secrets file, else from
    ``OS_PASSWORD`` of the environment; never a prompt (cron has no terminal)."""
    overrides = {name: secrets[name] for name in OS_SECRETS if name in secrets}
    return load_credentials(
        openrc=job.credentials.openrc,
        cloud=job.credentials.cloud,
        environ={**environ, **overrides},
        ask_password=None,
    )


def connect_job(
    job: Job, environ: Mapping[str, str], secrets: Mapping[str, str]
) -> tuple[Cloud, str, tuple[str, ...]]:
    """Log in as the job does: the cloud, the region and the credentials' warnings."""
    credentials = job_credentials(job, environ, secrets)
    cloud = connect(credentials)
    try:
        choice = cloud.choose_region(job.credentials.region)
    except SwiftuiError:
        cloud.close()
        raise
    notes = (*credentials.warnings, *((choice.notice,) if choice.notice else ()))
    return cloud, choice.name, notes
