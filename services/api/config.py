from __future__ import annotations

from functools import lru_cache

from services.kit.settings import KitSettings


class ApiSettings(KitSettings):
    """The gateway: its own schema in Postgres, the queue in Redis, two services over HTTP."""

    rules_timeout: float = 10.0
    documents_timeout: float = 30.0


@lru_cache
def get_settings() -> ApiSettings:
    return ApiSettings()
