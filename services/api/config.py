from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import ClassVar, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import Field, model_validator

from services.kit.settings import (
    MIN_HMAC_KEY_LENGTH,
    MIN_SECRET_LENGTH,
    PiiSettings,
    PostgresSettings,
    RedisSettings,
    S3Settings,
    ServiceTokenSigner,
    ServiceUrls,
    TokenSettings,
)

# The key the payment provider signs callbacks with (HMAC-SHA256); refused in production.
DEV_PAYMENT_CALLBACK_KEY = "zhicheng-dev-payment-callback-key-change-me"
# The key requests to the payment provider and its answers are signed with (HMAC-SHA256);
# refused in production once a provider is connected.
DEV_PAYMENT_PROVIDER_KEY = "zhicheng-dev-payment-provider-key-change-me"
# The key audit checkpoints are signed with (HMAC-SHA256); never stored in the database.
DEV_AUDIT_CHECKPOINT_KEY = "zhicheng-dev-audit-checkpoint-key-change-me"


def _dev_certificate_key() -> str:
    seed = hashlib.sha256(b"zhicheng-dev-certificate-signing").digest()
    der = ed25519.Ed25519PrivateKey.from_private_bytes(seed).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return "dev1:" + base64.b64encode(der).decode()


# The key certificates are signed with (Ed25519, PKCS#8); refused in production when the
# keyring is built (certificates/signing.py `keyring`), so settings that sign no
# certificate still load without one.
DEV_CERTIFICATE_SIGNING_KEY = _dev_certificate_key()
# What the settings answer a deployment that asks for 国密 signatures.
SM2_UNAVAILABLE = (
    "CERTIFICATE_SIGNING_ALGORITHM=SM2 (国密) is not available: the cryptography library "
    "has no SM2, and no well-kept PyPI library signs SM2 as required (constant-time, "
    "library-drawn nonce). Use Ed25519 or ES256."
)
# Where the runtime image and the development install put the certificate font:
# Debian's fonts-wqy-microhei (文泉驿微米黑, Apache-2.0; CJK, Latin and digits in
# TrueType outlines, a collection whose face 0 is the proportional one).
DEFAULT_CERTIFICATE_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


class ApiSettings(
    PostgresSettings,
    RedisSettings,
    TokenSettings,
    PiiSettings,
    S3Settings,
    ServiceUrls,
    ServiceTokenSigner,
):
    """The gateway: its own schema in Postgres, the queue in Redis, two services over HTTP
    (each call with a service token the gateway signs, EdDSA, for that service),
    tokens it issues and verifies, personal data it seals, and the object store where it
    anchors the audit chain's signed checkpoints."""

    # Refused in production at a development default, a placeholder or shorter (kit).
    secret_fields: ClassVar[dict[str, int]] = {
        "payment_callback_key": MIN_HMAC_KEY_LENGTH,
        "audit_checkpoint_key": MIN_HMAC_KEY_LENGTH,
        "certificate_signing_key": MIN_SECRET_LENGTH,
    }
    development_defaults: ClassVar[frozenset[str]] = frozenset(
        {
            DEV_PAYMENT_CALLBACK_KEY,
            DEV_PAYMENT_PROVIDER_KEY,
            DEV_AUDIT_CHECKPOINT_KEY,
            DEV_CERTIFICATE_SIGNING_KEY,
        }
    )
    placeholder_checked: ClassVar[tuple[str, ...]] = (
        "payment_provider_merchant_id",
        "payment_provider_app_id",
    )

    rules_timeout: float = 10.0
    documents_timeout: float = 30.0

    payment_callback_key: str = DEV_PAYMENT_CALLBACK_KEY
    # The payment provider (services/api/payments/provider.py): native/H5 pay codes, order
    # query (缴费验证) and refunds (原路退回). An empty URL means none is connected: pay
    # codes and verification answer 503, and the signed callback still settles orders.
    payment_provider_url: str = ""
    payment_provider_merchant_id: str = ""
    payment_provider_app_id: str = ""
    payment_provider_key: str = DEV_PAYMENT_PROVIDER_KEY
    payment_provider_timeout: float = Field(default=5.0, gt=0)
    # Where the provider posts its success callback (this gateway's public address).
    payment_notify_url: str = ""

    # Audit checkpoints (services/api/audit/checkpoints.py): the HMAC key (refused in
    # production at the development default, a placeholder or under 32 characters), and the
    # seconds between periodic checkpoints of the chain head (0: none; every posting list
    # export and every verification by ops still signs one).
    audit_checkpoint_key: str = DEV_AUDIT_CHECKPOINT_KEY
    audit_checkpoint_interval: float = Field(default=3600.0, ge=0)
    # Child processes each replica encodes exports in (CSV and XLSX rows to bytes, out of
    # the serving process's GIL; statistics/workers.py), started on first use, about
    # 50 MB each; an export waits for a free one. 0: a worker thread, as before.
    export_processes: int = Field(default=2, ge=0, le=16)
    # Seconds between expiry sweeps in each replica (0: none; POST /v1/payments/expirations
    # still runs one), and how long after a deadline an unpaid order is expired (room for
    # a provider callback in flight; the provider's paid_at decides in any case).
    payment_sweep_interval: float = 60.0
    payment_expiry_grace_seconds: float = 120.0
    # Seconds between sweeps of returns left unanswered past their deadline (视为放弃;
    # 0: none; POST /v1/returns/expirations still runs one).
    return_sweep_interval: float = 60.0
    # Seconds between sweeps of the deadline reminders (services/api/deadlines/reminders.py;
    # 0: none; POST /v1/deadline-reminders/sweeps still runs one). A reminder due at night
    # goes out with the first sweep from 08:00, so keep it well under an hour.
    reminder_sweep_interval: float = 300.0
    # Seconds between sweeps of the eligibility radar (资格提醒; 0: none;
    # POST /v1/eligibility-radar/sweeps still runs one). It sends only 08:00–21:00 Beijing time.
    radar_sweep_interval: float = 300.0

    # Data-sharing registries (services/api/registries/): 学信网-style education, title
    # certificates, continuing-education hours, social insurance. An empty URL means the
    # registry is not connected: lookups answer `unavailable` and the upload stays required.
    registry_education_url: str = ""
    registry_education_key: str = ""
    registry_titles_url: str = ""
    registry_titles_key: str = ""
    registry_continuing_education_url: str = ""
    registry_continuing_education_key: str = ""
    registry_social_insurance_url: str = ""
    registry_social_insurance_key: str = ""
    registry_timeout: float = 5.0
    # Seconds a registry answer is reused (a "not found" for less: records get registered).
    registry_cache_ttl: int = 86400
    registry_not_found_ttl: int = 3600

    # Access for real clients (services/api/auth/): token lifetimes, portal rate limit,
    # SMS login throttles, staff lockout, the WeChat code2session API, CORS allow-list.
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_seconds: int = 30 * 86400
    portal_rate_limit_per_minute: int = 600
    # Whole minutes: the SMS tells the applicant how many ("5分钟内有效").
    sms_code_ttl_seconds: int = Field(default=300, ge=60, multiple_of=60)
    sms_code_tries: int = 5
    sms_lock_failures: int = 10
    sms_lock_seconds: int = 900
    sms_phone_interval_seconds: int = 60
    sms_phone_per_hour: int = 5
    sms_ip_per_hour: int = 30
    sms_ip_failures_per_hour: int = 100
    staff_max_failures: int = 5
    staff_lock_seconds: int = 900
    # Seconds Valkey may answer "not revoked" for a session or portal client before
    # Postgres, which records every revocation, is asked again: the most a revocation
    # whose cache write was lost, or an account disabled in the database, goes unseen.
    revocation_live_ttl_seconds: int = Field(default=60, ge=1, le=900)
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_timeout: float = 5.0
    cors_allow_origins: list[str] = Field(default_factory=list)

    # Electronic certificates (services/api/certificates/): the algorithm the deployment
    # expects (the signing key's type must match it; SM2 is refused, see SM2_UNAVAILABLE),
    # the current signing key `<key id>:<base64 PKCS#8 DER>`, the public keys of retired
    # signing keys that still verify `<key id>:<base64 SubjectPublicKeyInfo DER>[,…]`, the
    # TrueType font the PDF embeds a subset of (and its face in a .ttc collection), and the
    # public verification address the QR code points at (empty: the QR carries
    # `ZCCERT1:<id>:<signature>` alone).
    certificate_signing_algorithm: Literal["Ed25519", "ES256", "SM2"] = "Ed25519"
    certificate_signing_key: str = DEV_CERTIFICATE_SIGNING_KEY
    certificate_retired_keys: str = ""
    certificate_font_path: str = DEFAULT_CERTIFICATE_FONT
    certificate_font_index: int = Field(default=0, ge=0)
    certificate_verify_url: str = ""

    # Test only: how far ahead of the database clock this gateway's `clock.db_now` runs
    # (an ISO-8601 duration such as `P16D`, or seconds; default none). A test that must
    # pass a deadline of days (the results posting's five working days) starts a second
    # gateway over the same stack with an offset, instead of patching the clock. Refused
    # in production: every deadline there is the database's own time.
    clock_offset: timedelta = timedelta(0)
    # Test only: the instant this gateway's clock stands still at (ISO-8601 with its zone,
    # e.g. `2026-09-30T17:00:00+08:00`; default none), for what must be seen exactly at a
    # deadline (a return lapsing). Refused in production, and with `clock_offset`.
    clock_frozen_at: datetime | None = None

    def _secrets_in_use(self) -> dict[str, int]:
        used = super()._secrets_in_use()
        # The provider's key signs only once a provider is connected.
        if self.payment_provider_url:
            used["payment_provider_key"] = MIN_HMAC_KEY_LENGTH
        return used

    @model_validator(mode="after")
    def _provider_callback_is_https(self) -> ApiSettings:
        if (
            self.environment == "production"
            and self.payment_provider_url
            and not self.payment_notify_url.startswith("https://")
        ):
            raise ValueError("payment_notify_url must be the gateway's https callback URL")
        return self

    @model_validator(mode="after")
    def _refuse_clock_offset(self) -> ApiSettings:
        if self.environment == "production" and self.clock_offset:
            raise ValueError("production settings set clock_offset (a test-only setting)")
        if self.environment == "production" and self.clock_frozen_at is not None:
            raise ValueError("production settings set clock_frozen_at (a test-only setting)")
        if self.clock_frozen_at is not None:
            if self.clock_frozen_at.tzinfo is None:
                raise ValueError("clock_frozen_at needs its time zone (e.g. +08:00)")
            if self.clock_offset:
                raise ValueError("clock_frozen_at and clock_offset: set one of them")
        return self

    @model_validator(mode="after")
    def _certificate_keys(self) -> ApiSettings:
        if self.certificate_signing_algorithm == "SM2":
            raise ValueError(SM2_UNAVAILABLE)
        if self.certificate_verify_url and not self.certificate_verify_url.startswith(
            ("https://", "http://")
        ):
            raise ValueError("certificate_verify_url must be an http(s) address")
        return self


@lru_cache
def get_settings() -> ApiSettings:
    return ApiSettings()
