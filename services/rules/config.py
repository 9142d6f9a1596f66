from __future__ import annotations

from functools import lru_cache

from services.kit.settings import KitSettings


class RulesSettings(KitSettings):
    """The eligibility service is stateless: it needs no database, queue or store."""


@lru_cache
def get_settings() -> RulesSettings:
    return RulesSettings()
