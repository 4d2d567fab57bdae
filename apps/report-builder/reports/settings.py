"""The report builder's settings, read once from the environment.

- ``REPORT_GROUPS``: comma-separated groups (names or GUIDs) that may open the
  app. Default: every group with a scope below. Set but empty: nobody.
- ``REPORT_SCOPES``: ``group=REGION[,REGION]; ...`` (``*`` = every region).
- ``REPORT_JOB_SECONDS``: how long the largest report (20,000 paths) takes,
  default 60 (0.1 to 600); smaller ones take their share (5,000 paths: a
  quarter). The forecast is paced to it, standing in for a slow source or model.
- ``REPORT_LOST_AFTER_S``: a job with no progress for this long is reported
  lost (its worker stopped, or none is running); default 30.
- ``REDIS_URL``: unset, jobs run in a child of the web process
  (``DiskcacheManager``, results under ``cache/``): one process only. Set,
  jobs go to Celery workers through this Redis (``redis://`` or ``rediss://``).
- ``REPORT_WORKER_CONCURRENCY``: jobs one Celery worker runs at once (default 6).
- ``REPORT_CACHE_DIR``: the embedded manager's folder (default ``cache/`` in
  the app folder; processes that share it share the jobs).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from connectkit import access_from_environ, read_number, read_whole_number

from reports.history import REGIONS

GROUPS_SETTING = "REPORT_GROUPS"
SCOPES_SETTING = "REPORT_SCOPES"
JOB_SECONDS_SETTING = "REPORT_JOB_SECONDS"
LOST_AFTER_SETTING = "REPORT_LOST_AFTER_S"
REDIS_URL_SETTING = "REDIS_URL"
CONCURRENCY_SETTING = "REPORT_WORKER_CONCURRENCY"
CACHE_DIR_SETTING = "REPORT_CACHE_DIR"
DEFAULT_SCOPES = "sales-emea=EMEA; sales-amer=AMER; sales-apac=APAC; admins=*"
REDIS_SCHEMES = ("redis", "rediss", "unix")
APP_DIR = Path(__file__).resolve().parent.parent
# Inside the app folder, as on Connect (the bundle folder is the working
# directory there); `cache/` is kept out of bundles and git.
CACHE_DIR = APP_DIR / "cache"


@dataclass(frozen=True)
class ReportSettings:
    allowed_groups: tuple[str, ...]
    scope_grants: dict[str, set[str]] = field(default_factory=dict)
    job_seconds: float = 60.0
    lost_after_s: float = 30.0
    redis_url: str | None = None
    worker_concurrency: int = 6
    cache_dir: Path = CACHE_DIR

    @property
    def manager(self) -> str:
        return "celery" if self.redis_url else "diskcache"


def redis_url(raw: str) -> str:
    """The URL as given, once it looks like Redis; the error never shows a password."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in REDIS_SCHEMES or not (parts.hostname or parts.path):
        shown = raw.split("@")[-1] if "@" in raw else raw
        raise ValueError(
            f"{REDIS_URL_SETTING} is {shown!r}; expected redis://[:PASSWORD@]HOST:6379/0 "
            f"(rediss:// for TLS), or unset it to run jobs in the web process"
        )
    return raw.strip()


def load_settings(environ: Mapping[str, str] = os.environ) -> ReportSettings:
    """Read the settings; an unusable value is a ValueError that names it."""
    allowed, grants = access_from_environ(
        environ,
        groups_setting=GROUPS_SETTING,
        scopes_setting=SCOPES_SETTING,
        default_scopes=DEFAULT_SCOPES,
        known=REGIONS,
    )
    raw_redis = environ.get(REDIS_URL_SETTING, "").strip()
    return ReportSettings(
        allowed_groups=allowed,
        scope_grants=grants,
        job_seconds=read_number(
            environ, JOB_SECONDS_SETTING, default=60.0, low=0.1, high=600.0, unit="seconds"
        ),
        lost_after_s=read_number(
            environ, LOST_AFTER_SETTING, default=30.0, low=1.0, high=3600.0, unit="seconds"
        ),
        redis_url=redis_url(raw_redis) if raw_redis else None,
        worker_concurrency=read_whole_number(
            environ, CONCURRENCY_SETTING, default=6, low=1, high=64, unit="jobs"
        ),
        cache_dir=Path(environ.get(CACHE_DIR_SETTING, "").strip() or CACHE_DIR),
    )
