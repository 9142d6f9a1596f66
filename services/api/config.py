from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator

from services.kit.settings import (
    PiiSettings,
    PostgresSettings,
    RedisSettings,
    S3Settings,
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


class ApiSettings(
    PostgresSettings, RedisSettings, TokenSettings, PiiSettings, S3Settings, ServiceUrls
):
    """The gateway: its own schema in Postgres, the queue in Redis, two services over HTTP,
    tokens it issues and verifies, personal data it seals, and the object store where it
    anchors the audit chain's signed checkpoints."""

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
    # production when it is the development default; at least 32 characters), and the
    # seconds between periodic checkpoints of the chain head (0: none; every posting list
    # export and every verification by ops still signs one).
    audit_checkpoint_key: str = Field(default=DEV_AUDIT_CHECKPOINT_KEY, min_length=32)
    audit_checkpoint_interval: float = Field(default=3600.0, ge=0)
    # Seconds between expiry sweeps in each replica (0: none; POST /v1/payments/expirations
    # still runs one), and how long after a deadline an unpaid order is expired (room for
    # a provider callback in flight; the provider's paid_at decides in any case).
    payment_sweep_interval: float = 60.0
    payment_expiry_grace_seconds: float = 120.0

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

    @model_validator(mode="after")
    def _refuse_default_payment_key(self) -> ApiSettings:
        if self.environment == "production" and (
            self.payment_callback_key == DEV_PAYMENT_CALLBACK_KEY
        ):
            raise ValueError("production settings use the development payment_callback_key")
        return self

    @model_validator(mode="after")
    def _refuse_default_provider_key(self) -> ApiSettings:
        if self.environment == "production" and self.payment_provider_url:
            if self.payment_provider_key == DEV_PAYMENT_PROVIDER_KEY:
                raise ValueError("production settings use the development payment_provider_key")
            if len(self.payment_provider_key) < 32:
                raise ValueError("payment_provider_key must be at least 32 characters")
            if not self.payment_notify_url.startswith("https://"):
                raise ValueError("payment_notify_url must be the gateway's https callback URL")
        return self

    @model_validator(mode="after")
    def _refuse_default_audit_key(self) -> ApiSettings:
        if self.environment == "production" and (
            self.audit_checkpoint_key == DEV_AUDIT_CHECKPOINT_KEY
        ):
            raise ValueError("production settings use the development audit_checkpoint_key")
        return self


@lru_cache
def get_settings() -> ApiSettings:
    return ApiSettings()
