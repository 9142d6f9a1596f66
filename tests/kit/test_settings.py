from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from pydantic import ValidationError

from services.api.certificates.signing import private_key_setting
from services.api.config import ApiSettings
from services.kit.service_tokens import DEV_SERVICE_TOKEN_PRIVATE_KEY
from services.kit.settings import (
    DEV_DATABASE_URL,
    DEV_REDIS_URL,
    KitSettings,
)
from tests.support import PRODUCTION_SERVICE_TOKEN_KEYS


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


# Production's database and Redis: the app role with a real password, the cluster's Redis.
REAL_URLS = {
    "database_url": "postgresql+asyncpg://zhicheng_app:" + "p" * 24 + "@postgres:5432/zhicheng",
    "redis_url": "redis://redis:6379/0",
}


def test_production_accepts_real_secrets() -> None:
    settings = KitSettings(
        **REAL_URLS,
        environment="production",
        s3_secret_key="x" * 40,
        jwt_secret="y" * 48,
        pii_keys="k1:" + base64.b64encode(b"k" * 32).decode(),
        pii_key_id="k1",
        pii_index_key=base64.b64encode(b"i" * 32).decode(),
    )
    assert settings.environment == "production"


def test_the_rules_service_holds_no_secret_only_the_gateways_public_key() -> None:
    from services.rules.config import RulesSettings

    held = {n for n in RulesSettings.model_fields if n.startswith(("s3_", "pii_", "jwt_"))}
    assert not held and "service_token_private_key" not in RulesSettings.model_fields
    assert not RulesSettings()._secrets_in_use()
    # The development key's public half: its private half is in this repository.
    with pytest.raises(ValidationError) as err:
        RulesSettings(environment="production")
    assert "service_token_public_key: the development default" in str(err.value)
    with pytest.raises(ValidationError) as err:
        RulesSettings(environment="production", service_token_public_key="CHANGE-ME")
    assert "service_token_public_key: a placeholder" in str(err.value)
    # An HMAC secret, or a key of another type, is not the gateway's Ed25519 public key.
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    p256_der = p256.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for wrong in ("r" * 40, base64.b64encode(p256_der).decode()):
        with pytest.raises(ValidationError, match="SERVICE_TOKEN_PUBLIC_KEY"):
            RulesSettings(environment="production", service_token_public_key=wrong)
    public = PRODUCTION_SERVICE_TOKEN_KEYS["service_token_public_key"]
    real = RulesSettings(environment="production", service_token_public_key=public)
    assert real.environment == "production"


def test_the_gateway_refuses_a_weak_service_token_private_key() -> None:
    real = {**REAL, "audit_checkpoint_key": "a" * 40, "payment_callback_key": "p" * 40}
    real["certificate_signing_key"] = private_key_setting(
        "p1", ed25519.Ed25519PrivateKey.generate()
    )
    assert ApiSettings(**real).environment == "production"
    for value, why in (
        (DEV_SERVICE_TOKEN_PRIVATE_KEY, "service_token_private_key: the development default"),
        ("CHANGE-ME", "service_token_private_key: a placeholder"),
        ("short", "service_token_private_key: shorter than 16 characters"),
        ("an-hmac-secret-of-forty-characters-0123", "SERVICE_TOKEN_PRIVATE_KEY: not a base64"),
    ):
        with pytest.raises(ValidationError) as err:
            ApiSettings(**{**real, "service_token_private_key": value})
        assert why in str(err.value), (value, str(err.value))


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
    assert NotifySettings(environment="production", **REAL_URLS).environment == "production"


# Production secrets every kit piece accepts (the values of test_production_accepts_real_secrets).
REAL = {
    "environment": "production",
    **REAL_URLS,
    "s3_secret_key": "x" * 40,
    "jwt_secret": "y" * 48,
    "pii_keys": "k1:" + base64.b64encode(b"k" * 32).decode(),
    "pii_key_id": "k1",
    "pii_index_key": base64.b64encode(b"i" * 32).decode(),
    **PRODUCTION_SERVICE_TOKEN_KEYS,
}


@pytest.mark.parametrize(
    "change,refusal",
    [
        ({"jwt_secret": "CHANGE-ME"}, "jwt_secret: a placeholder"),
        ({"jwt_secret": "<the JWT secret goes here>"}, "jwt_secret: a placeholder"),
        ({"s3_secret_key": "replace_me_with_the_minio_secret"}, "s3_secret_key: a placeholder"),
        ({"jwt_secret": "k" * 31}, "jwt_secret: shorter than 32 characters"),
        ({"s3_secret_key": "s" * 15}, "s3_secret_key: shorter than 16 characters"),
        ({"s3_access_key": "CHANGE-ME"}, "s3_access_key: a placeholder"),
        # The development stack's URLs, and credentials that are missing or short.
        ({"database_url": DEV_DATABASE_URL}, "database_url: the development default"),
        ({"redis_url": DEV_REDIS_URL}, "redis_url: the development default"),
        (
            {"database_url": "postgresql+asyncpg://postgres@127.0.0.1:54329/zhicheng"},
            "database_url: the development default",
        ),
        (
            {"database_url": "postgresql+asyncpg://zhicheng_app@postgres:5432/zhicheng"},
            "database_url: no password",
        ),
        (
            {"database_url": "postgresql+asyncpg://zhicheng_app:hunter22@postgres:5432/z"},
            "database_url: a password shorter than 16 characters",
        ),
        (
            {"migration_database_url": "postgresql+asyncpg://zhicheng@postgres:5432/z"},
            "migration_database_url: no password",
        ),
        (
            {"redis_url": "redis://:short@redis:6379/0"},
            "redis_url: a password shorter than 16 characters",
        ),
        (
            {"database_url": "postgresql+asyncpg://zhicheng_app:CHANGE-ME@postgres:5432/z"},
            "database_url: a placeholder password",
        ),
        (
            {"migration_database_url": "postgresql+asyncpg://zhicheng:changeme@pg:5432/z"},
            "migration_database_url: a placeholder password",
        ),
        ({"redis_url": "redis://:change-me@redis:6379/0"}, "redis_url: a placeholder password"),
    ],
)
def test_production_refuses_placeholders_and_short_secrets_naming_each(
    change: dict[str, str], refusal: str
) -> None:
    with pytest.raises(ValidationError) as err:
        KitSettings(**{**REAL, **change})
    assert refusal in str(err.value)
    # The same values pass outside production (development and test runs).
    assert KitSettings(**{**REAL, **change, "environment": "test"}).environment == "test"


def test_production_names_every_refused_setting_at_once() -> None:
    with pytest.raises(ValidationError) as err:
        KitSettings(**{**REAL, "jwt_secret": "CHANGE-ME", "s3_secret_key": "short"})
    assert "jwt_secret: a placeholder" in str(err.value)
    assert "s3_secret_key: shorter than 16 characters" in str(err.value)


def test_under_es256_the_unused_shared_secret_is_not_checked() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = KitSettings(
        **{**REAL, "jwt_secret": "CHANGE-ME", "jwt_algorithm": "ES256", "jwt_public_key": public}
    )
    assert settings.jwt_algorithm == "ES256"


def test_the_gateway_refuses_its_own_placeholders_and_the_worker_its_sms_keys() -> None:
    from services.notify.config import NotifySettings

    with pytest.raises(ValidationError) as err:
        ApiSettings(**REAL, payment_callback_key="CHANGE-ME", audit_checkpoint_key="a" * 20)
    message = str(err.value)
    assert "payment_callback_key: a placeholder" in message
    assert "audit_checkpoint_key: shorter than 32 characters" in message
    assert "certificate_signing_key: the development default" in message
    # An SMS provider left unset is off, not weak; once set, its keys are checked.
    notify = NotifySettings(environment="production", **REAL_URLS)
    assert notify.aliyun_sms_access_key_secret == ""
    with pytest.raises(ValidationError) as err:
        NotifySettings(
            **REAL_URLS, environment="production", aliyun_sms_access_key_secret="CHANGE-ME"
        )
    assert "aliyun_sms_access_key_secret: a placeholder" in str(err.value)
    with pytest.raises(ValidationError) as err:
        NotifySettings(environment="production", tencent_sms_receipt_key="abc")
    assert "tencent_sms_receipt_key: shorter than 16 characters" in str(err.value)


def test_the_clock_offset_is_for_tests_only() -> None:
    """CLOCK_OFFSET runs a test gateway's clock ahead (ISO-8601 duration or seconds); a
    production gateway refuses to start with one, as with a development secret."""
    from datetime import timedelta

    assert ApiSettings().clock_offset == timedelta(0)
    assert ApiSettings(clock_offset="P16D").clock_offset == timedelta(days=16)
    assert ApiSettings(clock_offset=3600).clock_offset == timedelta(hours=1)
    key = private_key_setting("c1", ed25519.Ed25519PrivateKey.generate())
    real = {
        **REAL,
        "payment_callback_key": "p" * 40,
        "audit_checkpoint_key": "a" * 40,
        "certificate_signing_key": key,
    }
    assert ApiSettings(**real).clock_offset == timedelta(0)
    with pytest.raises(ValidationError) as err:
        ApiSettings(**real, clock_offset="P16D")
    assert "clock_offset" in str(err.value)


def test_the_frozen_clock_is_for_tests_only() -> None:
    """CLOCK_FROZEN_AT holds a test gateway's clock at one instant (with its zone); a
    production gateway refuses it, as the offset, and the two are never set together."""
    from datetime import UTC, datetime

    assert ApiSettings().clock_frozen_at is None
    frozen = ApiSettings(clock_frozen_at="2022-09-30T17:00:00+08:00").clock_frozen_at
    assert frozen == datetime(2022, 9, 30, 9, tzinfo=UTC)
    with pytest.raises(ValidationError) as err:
        ApiSettings(clock_frozen_at="2022-09-30T17:00:00")
    assert "time zone" in str(err.value)
    with pytest.raises(ValidationError) as err:
        ApiSettings(clock_frozen_at="2022-09-30T17:00:00+08:00", clock_offset="P1D")
    assert "set one of them" in str(err.value)
    key = private_key_setting("c1", ed25519.Ed25519PrivateKey.generate())
    real = {
        **REAL,
        "payment_callback_key": "p" * 40,
        "audit_checkpoint_key": "a" * 40,
        "certificate_signing_key": key,
    }
    assert ApiSettings(**real).clock_frozen_at is None
    with pytest.raises(ValidationError) as err:
        ApiSettings(**real, clock_frozen_at="2022-09-30T17:00:00+08:00")
    assert "clock_frozen_at" in str(err.value)


def test_the_web_front_end_holds_only_its_session_key() -> None:
    from services.web.config import WebSettings

    held = {
        n for n in WebSettings.model_fields if n.startswith(("s3_", "pii_", "jwt_", "database"))
    }
    assert not held
    with pytest.raises(ValidationError) as err:
        WebSettings(environment="production")
    assert "web_session_secret: the development default" in str(err.value)
    with pytest.raises(ValidationError) as err:
        WebSettings(environment="production", web_session_secret="s" * 20)
    assert "web_session_secret: shorter than 32 characters" in str(err.value)
    assert WebSettings(environment="production", web_session_secret="w" * 40).environment == (
        "production"
    )
