from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from services.kit.settings import (
    DEV_NOTIFY_PORT,
    MIN_SECRET_LENGTH,
    PostgresSettings,
    RedisSettings,
)

ProviderName = Literal["aliyun", "tencent", "log"]


class NotifySettings(PostgresSettings, RedisSettings):
    """The notification worker (arq): Postgres for state, Redis for the queue."""

    # The SMS providers' credentials, each once it is set (empty: that provider is off):
    # refused in production when a placeholder or too short (kit settings).
    optional_secrets: ClassVar[tuple[str, ...]] = (
        "aliyun_sms_access_key_secret",
        "tencent_sms_secret_key",
        "aliyun_sms_receipt_key",
        "tencent_sms_receipt_key",
    )
    placeholder_checked: ClassVar[tuple[str, ...]] = (
        "aliyun_sms_access_key_id",
        "tencent_sms_secret_id",
        "tencent_sms_sdk_app_id",
    )

    def _secrets_in_use(self) -> dict[str, int]:
        used = super()._secrets_in_use()
        used.update({n: MIN_SECRET_LENGTH for n in self.optional_secrets if getattr(self, n)})
        return used

    # Port of the worker's own HTTP listener (/healthz, /readyz, delivery receipts; its
    # /metrics is on METRICS_PORT); 0 turns the listener off. It listens on this machine
    # only unless the deployment says otherwise (compose and Kubernetes set 0.0.0.0).
    notify_health_port: int = DEV_NOTIFY_PORT
    notify_health_host: str = "127.0.0.1"
    # Development only: GET /dev/sms-inbox on that listener shows the messages sent, login
    # codes included (services/notify/inbox.py). Refused in production and on a listener
    # reachable from elsewhere.
    notify_dev_inbox: bool = False
    # arq fetches at most `max_jobs` per poll: throughput ≤ max_jobs / poll_delay.
    notify_max_jobs: int = 100
    notify_poll_delay: float = 0.05
    notify_job_timeout: int = 60
    notify_db_pool_size: int = 20

    # Providers in order of preference; the next one takes over after repeated errors.
    notify_providers: list[ProviderName] = Field(default_factory=lambda: ["log"])
    notify_sign_name: str = "职称申报"
    # Seconds one provider call may take; past it the outcome is unknown (never resent).
    notify_provider_timeout: float = 10.0
    # Provider faults within the window (refusals, 5xx, timeouts, resets) that open its
    # breaker, and how long it stays open (later claims pick the next provider).
    notify_failover_after: int = 3
    notify_breaker_seconds: float = 60.0
    # Back-off after a fail-over error: base × 2^(attempt-1), capped.
    notify_retry_base_seconds: float = 5.0
    notify_retry_max_seconds: float = 600.0
    notify_max_attempts: int = 12

    aliyun_sms_base_url: str = "https://dysmsapi.aliyuncs.com"
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: str = ""
    # Our template code → the provider's approved template code (e.g. SMS_123456789).
    aliyun_sms_templates: dict[str, str] = Field(default_factory=dict)
    tencent_sms_base_url: str = "https://sms.tencentcloudapi.com"
    tencent_sms_secret_id: str = ""
    tencent_sms_secret_key: str = ""
    tencent_sms_sdk_app_id: str = ""
    tencent_sms_region: str = "ap-guangzhou"
    tencent_sms_templates: dict[str, str] = Field(default_factory=dict)
    # Shared keys of the receipt webhooks (HMAC-SHA256 of the raw body, hex).
    aliyun_sms_receipt_key: str = ""
    tencent_sms_receipt_key: str = ""

    # Per-phone limits: (window seconds, max messages) for login codes and for notices.
    notify_code_limits: list[tuple[int, int]] = Field(
        default_factory=lambda: [(60, 1), (3600, 5), (86400, 10)]
    )
    notify_notice_limits: list[tuple[int, int]] = Field(default_factory=lambda: [(86400, 50)])

    # Sweeper (arq cron): how often, and its bounds.
    notify_sweep_every_seconds: int = 30
    notify_relay_older_than_seconds: float = 120.0
    # A row `sending` longer than this belongs to a dead worker: its outcome is unknown.
    notify_stale_sending_seconds: float = 120.0
    # Give a provider this long to index a message before a query's "not found" counts.
    notify_unknown_grace_seconds: float = 60.0
    notify_unknown_give_up_hours: float = 24.0
    notify_receipt_timeout_hours: float = 72.0

    @model_validator(mode="after")
    def _bounds(self) -> NotifySettings:
        # A live worker's call must be over before the sweeper calls its row unknown,
        # or a query could say "not found" for a message still in flight.
        if self.notify_stale_sending_seconds <= self.notify_provider_timeout:
            raise ValueError("notify_stale_sending_seconds must exceed notify_provider_timeout")
        if not self.notify_providers:
            raise ValueError("notify_providers must name at least one provider")
        if self.notify_dev_inbox and self.environment == "production":
            raise ValueError(
                "NOTIFY_DEV_INBOX shows login codes: it is for development only, never with "
                "ENVIRONMENT=production"
            )
        if self.notify_dev_inbox and self.notify_health_host not in ("127.0.0.1", "localhost"):
            raise ValueError("NOTIFY_DEV_INBOX needs NOTIFY_HEALTH_HOST=127.0.0.1 (this machine)")
        if not 0 < self.notify_sweep_every_seconds <= 60 or 60 % self.notify_sweep_every_seconds:
            raise ValueError("notify_sweep_every_seconds must divide 60")
        return self


@lru_cache
def get_settings() -> NotifySettings:
    return NotifySettings()
