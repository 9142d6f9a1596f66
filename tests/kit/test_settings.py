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


def test_the_rules_service_holds_no_secret_and_starts_without_one() -> None:
    from services.rules.config import RulesSettings

    held = {n for n in RulesSettings.model_fields if n.startswith(("s3_", "pii_", "jwt_"))}
    assert not held
    assert RulesSettings(environment="production").environment == "production"


def test_each_process_refuses_only_its_own_development_secrets() -> None:
    from services.documents.config import DocumentsSettings
    from services.notify.config import NotifySettings

    with pytest.raises(ValidationError) as err:
        DocumentsSettings(environment="production")
    assert "s3_secret_key" in str(err.value)
    assert "pii_keys" not in str(err.value) and "jwt_secret" not in str(err.value)
    with pytest.raises(ValidationError) as err:
        ApiSettings(environment="production")
    assert "pii_keys" in str(err.value) and "jwt_secret" in str(err.value)
    # The gateway anchors the audit chain's checkpoints in the object store.
    assert "s3_secret_key" in str(err.value)
    assert NotifySettings(environment="production").environment == "production"


def test_the_clock_offset_is_for_tests_only() -> None:
    """CLOCK_OFFSET runs a test gateway's clock ahead (ISO-8601 duration or seconds); a
    production gateway refuses to start with one, as with a development secret."""
    from datetime import timedelta

    assert ApiSettings().clock_offset == timedelta(0)
    assert ApiSettings(clock_offset="P16D").clock_offset == timedelta(days=16)
    assert ApiSettings(clock_offset=3600).clock_offset == timedelta(hours=1)
    real = {
        "environment": "production",
        "s3_secret_key": "x" * 40,
        "jwt_secret": "y" * 48,
        "pii_keys": "k1:" + base64.b64encode(b"k" * 32).decode(),
        "pii_key_id": "k1",
        "pii_index_key": base64.b64encode(b"i" * 32).decode(),
        "payment_callback_key": "p" * 40,
        "audit_checkpoint_key": "a" * 40,
    }
    assert ApiSettings(**real).clock_offset == timedelta(0)
    with pytest.raises(ValidationError) as err:
        ApiSettings(**real, clock_offset="P16D")
    assert "clock_offset" in str(err.value)
