"""Security headers on every answer, and the CORS allow-list for browser clients.

The API answers JSON only, so the policy is strict: nothing may be framed, sniffed or
loaded from an answer. The interactive docs (/docs, /redoc) load their Swagger/ReDoc
assets from this origin only (kit/docs.py): their policy allows `'self'` and nothing else
(inline script and style, which both pages use, and ReDoc's blob workers).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS = ("/docs", "/redoc")
DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'",
)

# What a browser client may send and read across origins.
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",  # the public policy reads answer 304 to a cached copy
    "X-Request-ID",
)
# Deprecation, Sunset and Link: a deprecated route says when it goes (kit/deprecation.py).
CORS_EXPOSED_HEADERS = (
    "ETag", "Location", "Retry-After", "X-Request-ID", "Deprecation", "Sunset", "Link",
)  # fmt: skip


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        extra.append(DOCS_CSP if scope.get("path", "").startswith(DOCS) else CSP)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def cors_options(origins: Sequence[str]) -> dict:
    return {
        "allow_origins": list(origins),
        "allow_methods": list(CORS_METHODS),
        "allow_headers": list(CORS_REQUEST_HEADERS),
        "expose_headers": list(CORS_EXPOSED_HEADERS),
        "allow_credentials": False,  # Bearer tokens, no cookies
        "max_age": 600,
    }


__all__ = ["CORSMiddleware", "SecurityHeadersMiddleware", "cors_options"]
