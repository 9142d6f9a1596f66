"""Settings pieces, read from the environment (pydantic-settings).

Each process composes only the pieces it uses (its `config.py`): the eligibility service
holds no database, store, token or personal-data secret at all. Defaults point at the
local stack that `scripts/devstack.py` starts; outside development every secret a process
holds must be set explicitly (a default secret in production refuses to start).
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from services.kit.pii import PiiCipher, dev_key
from services.kit.proxies import Network, parse_networks
from services.kit.service_tokens import (
    DEV_SERVICE_TOKEN_PRIVATE_KEY,
    DEV_SERVICE_TOKEN_PUBLIC_KEY,
    load_private_key,
    load_public_key,
)

# Local default ports of the development stack (see scripts/devstack.py).
DEV_POSTGRES_PORT = 54329
DEV_REDIS_PORT = 63790
DEV_S3_PORT = 8333
DEV_API_PORT = 8000
DEV_RULES_PORT = 8001
DEV_DOCUMENTS_PORT = 8002
DEV_NOTIFY_PORT = 8003
DEV_WEB_PORT = 8004

# The development stack's URLs (no password: a database and a queue on this machine),
# refused in production.
DEV_DATABASE_URL = f"postgresql+asyncpg://postgres@127.0.0.1:{DEV_POSTGRES_PORT}/zhicheng"
DEV_REDIS_URL = f"redis://127.0.0.1:{DEV_REDIS_PORT}/0"
_DEVELOPMENT_URLS = {DEV_DATABASE_URL, DEV_REDIS_URL}

DEV_S3_ACCESS_KEY = "zhicheng-dev"
DEV_S3_SECRET_KEY = "zhicheng-dev-secret-change-me"  # noqa: S105 (refused in production)
DEV_JWT_SECRET = "zhicheng-dev-jwt-secret-change-me-0123456789"  # noqa: S105 (refused in production)

DEV_PII_KEYS = f"dev1:{dev_key('pii-encryption')}"
DEV_PII_INDEX_KEY = dev_key("pii-blind-index")

_DEFAULT_SECRETS = {
    DEV_S3_SECRET_KEY,
    DEV_JWT_SECRET,
    DEV_PII_KEYS,
    DEV_PII_INDEX_KEY,
    DEV_SERVICE_TOKEN_PRIVATE_KEY,
}

# What a template ships where a secret goes (deploy/templates/k8s-secrets.yaml's `CHANGE-ME`,
# `<…>`, "changeme", "replace-me", "TODO", …): refused in production, as a value or
# as the password of a URL.
PLACEHOLDER = re.compile(
    r"change[-_ .]?me|replace[-_ .]?me|fill[-_ .]?me|placeholder|^<.*>$|^\$\{.*\}$"
    r"|^(todo|tbd|fixme|secret|password|passwd|example|test|dev|default|none|null)$",
    re.IGNORECASE,
)
# The shortest secret production accepts, and for keys of HMAC-SHA256 (JWT HS256, payment
# callbacks, audit checkpoints, blind indexes) 32 characters: RFC 7518 §3.2 asks for a key
# of at least the hash's 256 bits.
MIN_SECRET_LENGTH = 16
MIN_HMAC_KEY_LENGTH = 32


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.search(value.strip()))


def url_password(url: str | None) -> str | None:
    """The password of a URL (database, Redis), if it carries one."""
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class ProcessSettings(BaseSettings):
    """What every process needs: environment, logging, probes, input limits."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
    # The secret fields a piece holds, each with the shortest value production accepts:
    # refused in production while at a development default, a placeholder or shorter.
    secret_fields: ClassVar[dict[str, int]] = {}
    # Development defaults of a piece's own secrets (beside the kit's).
    development_defaults: ClassVar[frozenset[str]] = frozenset()
    # Settings that go with a secret (a key id, an access key id): no placeholder either.
    placeholder_checked: ClassVar[tuple[str, ...]] = ()

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    # The interactive docs, /docs and /redoc (kit/docs.py). Unset: on, except in
    # production. /openapi.json is served either way: portals generate clients from it.
    docs_enabled: bool | None = None
    # Seconds a dependency probe in /readyz may take before it counts as down.
    readiness_timeout: float = 2.0
    # Prometheus `/metrics` is served on a port of its own, never on the public one
    # (services/kit/metrics.py): 0 serves none. The host is this machine only unless set
    # (deploy/k8s/config.yaml sets 0.0.0.0 so Prometheus scrapes the pod).
    metrics_port: int = Field(default=0, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"

    # Input limits (services/kit/limits.py): the largest non-multipart body, read while it
    # streams in (multipart uploads have the document service's own cap), and the deepest
    # JSON nesting any route accepts.
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32

    # Proxies in front of this process (the ingress, a load balancer), as a comma-separated
    # list of addresses or CIDR ranges. X-Forwarded-For is read only when the direct peer
    # is one of them (services/kit/proxies.py); empty, it is ignored and the peer is the
    # client, for per-address limits and audit rows alike.
    trusted_proxies: str = ""

    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @model_validator(mode="after")
    def _trusted_proxies_parse(self) -> ProcessSettings:
        self.trusted_proxy_networks()  # raises on an entry that is not an address or CIDR
        return self

    # Traces (services/kit/tracing.py): "otlp" sends spans as OTLP/HTTP protobuf to the
    # endpoint (a collector's /v1/traces); "off", the default, configures nothing at all.
    trace_exporter: Literal["off", "otlp"] = "off"
    trace_otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    # Seconds one export may take; spans that cannot be sent are dropped, never retried
    # into the request's time (they are sent from a background thread).
    trace_export_timeout: float = Field(default=10.0, gt=0)

    @property
    def docs_on(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment != "production"

    def _secrets_in_use(self) -> dict[str, int]:
        """The secrets this process uses: setting name → shortest value accepted."""
        held: dict[str, int] = {}
        for cls in reversed(type(self).__mro__):
            held.update(cls.__dict__.get("secret_fields", {}))
        return held

    def _urls_with_passwords(self) -> list[str]:
        """Settings holding a URL whose password, if it has one, must be no placeholder and
        at least MIN_SECRET_LENGTH characters; production refuses the development URL."""
        return []

    def _urls_needing_passwords(self) -> list[str]:
        """Of those, the URLs production refuses without a password (the database's)."""
        return []

    def _development_defaults(self) -> set[str]:
        return _DEFAULT_SECRETS.union(
            *(cls.__dict__.get("development_defaults", ()) for cls in type(self).__mro__)
        )

    def weak_secrets(self) -> list[str]:
        """Why each secret in use would be refused in production ("name: reason")."""
        defaults = self._development_defaults()
        weak = []
        for name, minimum in self._secrets_in_use().items():
            value = getattr(self, name) or ""
            if value in defaults:
                weak.append(f"{name}: the development default")
            elif is_placeholder(value):
                weak.append(f"{name}: a placeholder")
            elif len(value.strip()) < minimum:
                weak.append(f"{name}: shorter than {minimum} characters")
        for name in dict.fromkeys(
            n for cls in type(self).__mro__ for n in cls.__dict__.get("placeholder_checked", ())
        ):
            if is_placeholder(getattr(self, name) or ""):
                weak.append(f"{name}: a placeholder")
        for name in self._urls_with_passwords():
            url = getattr(self, name)
            if not url:
                continue
            password = url_password(url)
            if url.strip() in _DEVELOPMENT_URLS:
                weak.append(f"{name}: the development default")
            elif password is None or password == "":
                if name in self._urls_needing_passwords():
                    weak.append(f"{name}: no password")
            elif is_placeholder(password):
                weak.append(f"{name}: a placeholder password")
            elif len(password) < MIN_SECRET_LENGTH:
                weak.append(f"{name}: a password shorter than {MIN_SECRET_LENGTH} characters")
        return weak

    def _refused_in_production(self, name: str) -> bool:
        """Whether production refuses setting `name` as weak (and names it so)."""
        return self.environment == "production" and any(
            reason.startswith(f"{name}:") for reason in self.weak_secrets()
        )

    @model_validator(mode="after")
    def _trace_endpoint_is_http(self) -> ProcessSettings:
        if self.trace_exporter == "otlp" and urlsplit(self.trace_otlp_endpoint).scheme not in (
            "http",
            "https",
        ):
            raise ValueError("TRACE_OTLP_ENDPOINT must be an http(s) URL")
        return self

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> ProcessSettings:
        if self.environment == "production" and (weak := self.weak_secrets()):
            raise ValueError("production settings refuse these secrets: " + "; ".join(weak))
        return self


class PostgresSettings(ProcessSettings):
    # DATABASE_URL is what every running process connects as: in production an app role
    # that owns nothing (it may only read and append to the audit tables). Migrations
    # (`scripts/migrate`) connect as MIGRATION_DATABASE_URL, the owner of every schema and
    # table, and then grant the app role what it needs: DATABASE_APP_ROLE, or else the user
    # of DATABASE_URL. Unset, migrations use DATABASE_URL (a developer's single-user
    # database); production must set both URLs (deploy/README.md).
    database_url: str = DEV_DATABASE_URL
    migration_database_url: str | None = None
    database_app_role: str | None = None
    # The requests one process serves at once (the load it is sized for). The pool holds
    # that many connections (DB_POOL_SIZE unset) and opens none beyond them (overflow 0):
    # an overflow connection is opened and closed for one request, a new Postgres session
    # each time; a request that finds every connection busy waits DB_POOL_TIMEOUT, then
    # answers 503 service-busy.
    concurrency: int = Field(default=16, ge=1)
    db_pool_size: int | None = Field(default=None, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    # Bounds on every wait for the database (services/kit/db.py), so a database that stops
    # answering costs a request seconds, not minutes: seconds to wait for a pooled
    # connection (then 503 service-busy), to open a new one, and for one statement (the
    # server cancels it; the client gives up a second later, then 503).
    db_pool_timeout: float = Field(default=3.0, gt=0)
    db_connect_timeout: float = Field(default=3.0, gt=0)
    db_statement_timeout: float = Field(default=5.0, gt=0)
    # A pooled connection idle longer than this many seconds is pinged before use; 0
    # pings on every checkout (a round trip each, several per request).
    db_ping_after_idle: float = Field(default=1.0, ge=0)

    @property
    def pool_size(self) -> int:
        """Connections the process's pool keeps: DB_POOL_SIZE, else CONCURRENCY."""
        return self.db_pool_size or self.concurrency

    def _urls_with_passwords(self) -> list[str]:
        return [*super()._urls_with_passwords(), "database_url", "migration_database_url"]

    def _urls_needing_passwords(self) -> list[str]:
        return [*super()._urls_needing_passwords(), "database_url", "migration_database_url"]

    @property
    def owner_database_url(self) -> str:
        """The URL migrations connect with: MIGRATION_DATABASE_URL, else DATABASE_URL."""
        return self.migration_database_url or self.database_url

    def app_role(self) -> str:
        """The role the migrations grant to: DATABASE_APP_ROLE, else DATABASE_URL's user."""
        return self.database_app_role or (make_url(self.database_url).username or "")


class RedisSettings(ProcessSettings):
    # A password is optional (a Redis reached only through the NetworkPolicy); given, it is
    # checked like any secret.
    redis_url: str = DEV_REDIS_URL

    def _urls_with_passwords(self) -> list[str]:
        return [*super()._urls_with_passwords(), "redis_url"]


class S3Settings(ProcessSettings):
    secret_fields: ClassVar[dict[str, int]] = {"s3_secret_key": MIN_SECRET_LENGTH}
    placeholder_checked: ClassVar[tuple[str, ...]] = ("s3_access_key",)

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

    def _secrets_in_use(self) -> dict[str, int]:
        # Under ES256 the shared secret is not used at all.
        used = super()._secrets_in_use()
        if self.jwt_algorithm == "HS256":
            used["jwt_secret"] = MIN_HMAC_KEY_LENGTH
        return used

    @model_validator(mode="after")
    def _es256_needs_a_public_key(self) -> TokenSettings:
        if self.jwt_algorithm == "ES256" and not self.jwt_public_key:
            raise ValueError("JWT_ALGORITHM=ES256 needs JWT_PUBLIC_KEY (PEM)")
        return self


class PiiSettings(ProcessSettings):
    # Each key of PII_KEYS is parsed (services/kit/pii.py); the index keys are HMAC's.
    secret_fields: ClassVar[dict[str, int]] = {"pii_keys": MIN_SECRET_LENGTH}
    placeholder_checked: ClassVar[tuple[str, ...]] = ("pii_key_id", "pii_index_key_id")

    # Personal data at rest (services/kit/pii.py). PII_CRYPTO chooses the algorithms of new
    # writes: `standard` (AES-256-GCM, HMAC-SHA256) or `guomi` (国密 for 密评, GB/T
    # 39786-2021: SM4-GCM, HMAC-SM3). Encryption keys as `kid:base64[,…]` (32 bytes for
    # AES-256, 16 for SM4) and the id of the key new values are sealed with (its size must
    # fit PII_CRYPTO). Blind-index keys: PII_INDEX_KEY (key id i0) and PII_INDEX_KEYS
    # (`kid:base64[,…]`, ≥ 32 bytes each), PII_INDEX_KEY_ID the one new digests use.
    # Rotation, of keys or of the suite: add a key, make it current, run the re-encryption
    # job (`python -m scripts.pii_rekey`); old ids keep reading meanwhile.
    pii_crypto: Literal["standard", "guomi"] = "standard"
    pii_keys: str = DEV_PII_KEYS
    pii_key_id: str = "dev1"
    pii_index_key: str = DEV_PII_INDEX_KEY
    pii_index_keys: str = ""
    pii_index_key_id: str = ""

    def _secrets_in_use(self) -> dict[str, int]:
        used = super()._secrets_in_use()
        # PII_INDEX_KEY may be left empty once PII_INDEX_KEYS holds every index key.
        if self.pii_index_key or not self.pii_index_keys:
            used["pii_index_key"] = MIN_HMAC_KEY_LENGTH
        if self.pii_index_keys:
            used["pii_index_keys"] = MIN_HMAC_KEY_LENGTH
        return used

    def weak_secrets(self) -> list[str]:
        weak = super().weak_secrets()
        # A development key hidden among real ones in a list is refused too.
        dev = {DEV_PII_KEYS.partition(":")[2], DEV_PII_INDEX_KEY}
        for name in ("pii_keys", "pii_index_keys"):
            if getattr(self, name) == DEV_PII_KEYS:
                continue  # already named as the development default
            listed = (p.partition(":")[2].strip() for p in getattr(self, name).split(","))
            if any(key in dev for key in listed):
                weak.append(f"{name}: holds a development key")
        return weak

    def pii_cipher(self) -> PiiCipher:
        return PiiCipher.from_settings(
            self.pii_keys,
            self.pii_key_id,
            self.pii_index_key,
            index_keys=self.pii_index_keys,
            index_current=self.pii_index_key_id,
            suite=self.pii_crypto,
        )

    @model_validator(mode="after")
    def _pii_keys_parse(self) -> PiiSettings:
        self.pii_cipher()  # raises on a malformed key list or an unknown current key id
        return self


class ServiceTokenSigner(ProcessSettings):
    """The gateway's private key for the service tokens it signs (services/kit/
    service_tokens.py, EdDSA): a secret only the gateway holds. Production refuses the
    development key, a placeholder, or a value that is not an Ed25519 key."""

    secret_fields: ClassVar[dict[str, int]] = {"service_token_private_key": MIN_SECRET_LENGTH}

    service_token_private_key: str = DEV_SERVICE_TOKEN_PRIVATE_KEY

    def service_token_key(self) -> ed25519.Ed25519PrivateKey:
        return load_private_key(self.service_token_private_key)

    @model_validator(mode="after")
    def _service_token_private_key_parses(self) -> ServiceTokenSigner:
        # A placeholder or development key in production is named by the refusal of weak
        # secrets instead.
        if not self._refused_in_production("service_token_private_key"):
            self.service_token_key()
        return self


class ServiceTokenVerifier(ProcessSettings):
    """The public half of the gateway's service-token key, with which the eligibility and
    document services check each call (services/kit/service_tokens.py). Not a secret (it
    can check a token, never make one): deployments give it as configuration. Production
    refuses the development key's public half (its private half is in this repository)
    and a placeholder, naming SERVICE_TOKEN_PUBLIC_KEY."""

    service_token_public_key: str = DEV_SERVICE_TOKEN_PUBLIC_KEY

    def service_token_verifying_key(self) -> ed25519.Ed25519PublicKey:
        return load_public_key(self.service_token_public_key)

    def weak_secrets(self) -> list[str]:
        weak = super().weak_secrets()
        if self.service_token_public_key.strip() == DEV_SERVICE_TOKEN_PUBLIC_KEY:
            weak.append("service_token_public_key: the development default")
        elif is_placeholder(self.service_token_public_key):
            weak.append("service_token_public_key: a placeholder")
        return weak

    @model_validator(mode="after")
    def _service_token_public_key_parses(self) -> ServiceTokenVerifier:
        if not self._refused_in_production("service_token_public_key"):
            self.service_token_verifying_key()
        return self


class ServiceUrls(ProcessSettings):
    """Where the gateway finds the services it calls over HTTP."""

    rules_url: str = f"http://127.0.0.1:{DEV_RULES_PORT}"
    documents_url: str = f"http://127.0.0.1:{DEV_DOCUMENTS_PORT}"


class KitSettings(
    PostgresSettings, RedisSettings, S3Settings, TokenSettings, PiiSettings, ServiceUrls
):
    """Every piece at once: for tools that touch the whole stack (migrations, scripts)."""


class MigrationSettings(PostgresSettings, S3Settings):
    """The migration job (`scripts/migrate`): the owner's URL, the app role to grant to
    (DATABASE_APP_ROLE, else DATABASE_URL's user) and the store where it makes the buckets.
    No token, personal-data or service secret: the job is given none (deploy/)."""

    def _urls_with_passwords(self) -> list[str]:
        urls = super()._urls_with_passwords()
        if self.migration_database_url and self.database_app_role:
            urls.remove("database_url")  # never connected with, nor read for the role
        return urls
