from __future__ import annotations

from functools import lru_cache

from services.kit.settings import KitSettings


class DocumentsSettings(KitSettings):
    """Scan intake: metadata in Postgres, objects on S3-compatible storage."""


@lru_cache
def get_settings() -> DocumentsSettings:
    return DocumentsSettings()
