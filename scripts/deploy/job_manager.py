"""An app with background jobs on the embedded manager runs in one process only.

Dash's ``DiskcacheManager`` runs each job as a child of the web process that
started it and finds it again by process id, with its results in a disk cache
beside the app. With ``max_processes`` above 1, Connect may send the progress
poll, the cancel or the result read to another process, and off-host (on
Kubernetes) to another machine, which can see neither the process nor the
cache. So an app that declares jobs (``[tool.monorepo.jobs]``) and does not
give its content ``REDIS_URL`` (through ``deploy.environment``) must pin
``max_processes = 1``: unset means the server's default, often 3.
"""

from __future__ import annotations

from scripts.catalog import AppInfo, celery_app_of
from scripts.deploy.settings import DeploySettings, SettingsError

REDIS_URL = "REDIS_URL"


def check_job_manager(app: AppInfo, settings: DeploySettings) -> None:
    """SettingsError, with the reason and both fixes, for jobs that several processes would lose."""
    if celery_app_of(app) is None or REDIS_URL in settings.environment:
        return
    processes = settings.process.get("max_processes")
    if processes == 1:
        return
    said = "unset (Connect's default applies, often 3)" if processes is None else f"{processes}"
    raise SettingsError(
        f"{app.name} runs background jobs on the embedded DiskcacheManager (no {REDIS_URL} "
        f"in deploy.environment) but deploy.max_processes is {said}: a progress poll or a "
        f"cancel reaching another process would not find the job. Fix: set max_processes = 1 "
        f"in [tool.monorepo.deploy], or add {REDIS_URL!r} to deploy.environment (its value "
        f"from the deployer's environment, never committed) and run a Celery worker against "
        f"the same Redis (make worker APP={app.name})"
    )
