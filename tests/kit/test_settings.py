from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from services.api.config import ApiSettings
from services.kit.settings import KitSettings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db.internal:5432/z")
    monkeypatch.setenv("RULES_URL", "http://rules:8001")
    settings = ApiSettings()
    assert settings.database_url == "postgresql+asyncpg://u@db.internal:5432/z"
    assert settings.rules_url == "http://rules:8001"


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError) as err:
        KitSettings(environment="production")
    assert "s3_secret_key" in str(err.value) and "jwt_secret" in str(err.value)


def test_production_accepts_real_secrets() -> None:
    settings = KitSettings(
        environment="production",
        s3_secret_key="x" * 40,
        jwt_secret="y" * 48,
        pii_keys="k1:" + base64.b64encode(b"k" * 32).decode(),
        pii_key_id="k1",
        pii_index_key=base64.b64encode(b"i" * 32).decode(),
    )
    assert settings.environment == "production"
