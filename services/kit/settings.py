"""Settings pieces, read from the environment (pydantic-settings).

Each process composes only the pieces it uses (its `config.py`): the eligibility service
holds no database, store, token or personal-data secret at all. Defaults point at the
local stack that `scripts/devstack.py` starts; outside development every secret a process
holds must be set explicitly (a default secret in production refuses to start).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from services.kit.pii import PiiCipher, dev_key

# Local default ports of the development stack (see scripts/devstack.py).
DEV_POSTGRES_PORT = 54329
DEV_REDIS_PORT = 63790
DEV_S3_PORT = 8333
DEV_API_PORT = 8000
DEV_RULES_PORT = 8001
DEV_DOCUMENTS_PORT = 8002
DEV_NOTIFY_PORT = 8003

DEV_S3_ACCESS_KEY = "zhicheng-dev"
DEV_S3_SECRET_KEY = "zhicheng-dev-secret-change-me"  # noqa: S105 (refused in production)
DEV_JWT_SECRET = "zhicheng-dev-jwt-secret-change-me-0123456789"  # noqa: S105 (refused in production)

DEV_PII_KEYS = f"dev1:{dev_key('pii-encryption')}"
DEV_PII_INDEX_KEY = dev_key("pii-blind-index")

_DEFAULT_SECRETS = {DEV_S3_SECRET_KEY, DEV_JWT_SECRET, DEV_PII_KEYS, DEV_PII_INDEX_KEY}


class ProcessSettings(BaseSettings):
    """What every process needs: environment, logging, probes, input limits."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
    # The secret fields a piece holds: refused in production while at their defaults.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    # Seconds a dependency probe in /readyz may take before it counts as down.
    readiness_timeout: float = 2.0

    # Input limits (services/kit/limits.py): the largest non-multipart body, read while it
    # streams in (multipart uploads have the document service's own cap), and the deepest
    # JSON nesting any route accepts.
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32

    def _secrets_in_use(self) -> list[str]:
        return [
            name
            for cls in type(self).__mro__
            for name in cls.__dict__.get("secret_fields", ())
            if getattr(self, name) in _DEFAULT_SECRETS
        ]

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ProcessSettings:
        if self.environment == "production":
            used = list(dict.fromkeys(self._secrets_in_use()))
            if used:
                raise ValueError(
                    "production settings use development default secrets: " + ", ".join(used)
                )
        return self


class PostgresSettings(ProcessSettings):
    # DATABASE_URL is what every running process connects as: in production an app role
    # that owns nothing (it may only read and append to the audit tables). Migrations
    # (`scripts/migrate`) connect as MIGRATION_DATABASE_URL, the owner of every schema and
    # table, and then grant the app role what it needs: DATABASE_APP_ROLE, or else the user
    # of DATABASE_URL. Unset, migrations use DATABASE_URL (a developer's single-user
    # database); production must set both URLs (deploy/README.md).
    database_url: str = f"postgresql+asyncpg://postgres@127.0.0.1:{DEV_POSTGRES_PORT}/zhicheng"
    migration_database_url: str | None = None
    database_app_role: str | None = None
    db_pool_size: int = 5
    db_max_overflow: int = 10
    # Bounds on every wait for the database (services/kit/db.py), so a database that stops
    # answering costs a request seconds, not minutes: seconds to wait for a pooled
    # connection (then 503 service-busy), to open a new one, and for one statement (the
    # server cancels it; the client gives up a second later, then 503).
    db_pool_timeout: float = Field(default=3.0, gt=0)
    db_connect_timeout: float = Field(default=3.0, gt=0)
    db_statement_timeout: float = Field(default=5.0, gt=0)

    @property
    def owner_database_url(self) -> str:
        """The URL migrations connect with: MIGRATION_DATABASE_URL, else DATABASE_URL."""
        return self.migration_database_url or self.database_url

    def app_role(self) -> str:
        """The role the migrations grant to: DATABASE_APP_ROLE, else DATABASE_URL's user."""
        return self.database_app_role or (make_url(self.database_url).username or "")


class RedisSettings(ProcessSettings):
    redis_url: str = f"redis://127.0.0.1:{DEV_REDIS_PORT}/0"


class S3Settings(ProcessSettings):
    secret_fields: ClassVar[tuple[str, ...]] = ("s3_secret_key",)

    s3_endpoint: str = f"http://127.0.0.1:{DEV_S3_PORT}"
    s3_access_key: str = DEV_S3_ACCESS_KEY
    s3_secret_key: str = DEV_S3_SECRET_KEY
    s3_region: str = "cn-south-1"
    s3_bucket: str = "zhicheng-documents"
    # Where the gateway anchors the audit chain's signed checkpoints (`audit-checkpoints/`
    # keys, never overwritten, in a versioned bucket): S3_BUCKET when empty. One bucket (or
    # this one) per database: two databases anchoring in one place would clash.
    audit_checkpoint_bucket: str = ""
    # Seconds an S3 request may wait for an answer. A request that times out is not
    # retried, so one upload waits at most about this long on a hung store: keep it
    # below the gateway's DOCUMENTS_TIMEOUT, so the document service answers first.
    s3_read_timeout: float = Field(default=10.0, gt=0)


class TokenSettings(ProcessSettings):
    jwt_secret: str = DEV_JWT_SECRET
    # HS256 signs and verifies with jwt_secret; ES256 verifies with jwt_public_key (PEM)
    # and, where this process issues tokens, signs with jwt_private_key (PEM).
    jwt_algorithm: Literal["HS256", "ES256"] = "HS256"
    jwt_public_key: str | None = None
    jwt_private_key: str | None = None

    def _secrets_in_use(self) -> list[str]:
        # Under ES256 the shared secret is not used at all.
        used = super()._secrets_in_use()
        if self.jwt_algorithm == "HS256" and self.jwt_secret in _DEFAULT_SECRETS:
            used.append("jwt_secret")
        return used

    @model_validator(mode="after")
    def _es256_needs_a_public_key(self) -> TokenSettings:
        if self.jwt_algorithm == "ES256" and not self.jwt_public_key:
            raise ValueError("JWT_ALGORITHM=ES256 needs JWT_PUBLIC_KEY (PEM)")
        return self


class PiiSettings(ProcessSettings):
    secret_fields: ClassVar[tuple[str, ...]] = ("pii_keys", "pii_index_key")

    # Personal data at rest (services/kit/pii.py): AES-256-GCM keys as `kid:base64[,…]`,
    # the id of the key new values are sealed with, and the HMAC key of the blind indexes.
    # Rotation: add a key, make it current, re-encrypt (old ids keep decrypting meanwhile).
    pii_keys: str = DEV_PII_KEYS
    pii_key_id: str = "dev1"
    pii_index_key: str = DEV_PII_INDEX_KEY

    def pii_cipher(self) -> PiiCipher:
        return PiiCipher.from_settings(self.pii_keys, self.pii_key_id, self.pii_index_key)

    @model_validator(mode="after")
    def _pii_keys_parse(self) -> PiiSettings:
        self.pii_cipher()  # raises on a malformed key list or an unknown current key id
        return self


class ServiceUrls(ProcessSettings):
    """Where the gateway finds the services it calls over HTTP."""

    rules_url: str = f"http://127.0.0.1:{DEV_RULES_PORT}"
    documents_url: str = f"http://127.0.0.1:{DEV_DOCUMENTS_PORT}"


class KitSettings(
    PostgresSettings, RedisSettings, S3Settings, TokenSettings, PiiSettings, ServiceUrls
):
    """Every piece at once: for tools that touch the whole stack (migrations, scripts)."""
