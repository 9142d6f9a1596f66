from __future__ import annotations

from functools import lru_cache

from services.kit.settings import DEV_NOTIFY_PORT, KitSettings


class NotifySettings(KitSettings):
    """The notification worker (arq): Postgres for state, Redis for the queue."""

    # Port of the worker's own /healthz, /readyz; 0 turns the listener off.
    notify_health_port: int = DEV_NOTIFY_PORT
    notify_max_jobs: int = 50
    notify_job_timeout: int = 60


@lru_cache
def get_settings() -> NotifySettings:
    return NotifySettings()
