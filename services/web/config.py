from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field

from services.kit.settings import DEV_API_PORT, MIN_HMAC_KEY_LENGTH, ProcessSettings

DEV_WEB_SESSION_SECRET = "zhicheng-dev-web-session-secret-change-me-0123"  # noqa: S105 (refused in production)


class WebSettings(ProcessSettings):
    """The reference front end: a client of the gateway's public API and nothing else (no
    database, queue or store). Its one secret signs the session cookie that holds a
    person's gateway tokens."""

    secret_fields: ClassVar[dict[str, int]] = {"web_session_secret": MIN_HMAC_KEY_LENGTH}
    development_defaults: ClassVar[frozenset[str]] = frozenset({DEV_WEB_SESSION_SECRET})

    gateway_url: str = f"http://127.0.0.1:{DEV_API_PORT}"
    # Seconds a call to the gateway may take (an upload passes two hops behind it).
    gateway_timeout: float = Field(default=30.0, gt=0)
    web_session_secret: str = DEV_WEB_SESSION_SECRET
    # The session cookie lives this long (seconds); the refresh token inside it is what
    # actually bounds a session (the gateway ends it on logout or reuse).
    web_session_max_age: int = Field(default=8 * 3600, gt=0)
    # Send the cookie over HTTPS only (production sits behind TLS; the local stack does not).
    web_cookie_secure: bool = False


@lru_cache
def get_settings() -> WebSettings:
    return WebSettings()
