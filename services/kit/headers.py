"""Security headers on every answer, and the CORS allow-list for browser clients.

The API answers JSON only, so the policy is strict: nothing may be framed, sniffed or
loaded from an answer. The interactive docs (/docs, /redoc) load their Swagger/ReDoc
assets from this origin only (kit/docs.py): their policy allows `'self'` and nothing else
(inline script and style, which both pages use, and ReDoc's blob workers).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware

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


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer on `path` carries (services/kit/edge.py adds them)."""
    return _DOCS_HEADERS if path.startswith(DOCS) else _API_HEADERS


_DOCS_HEADERS = (*HEADERS, DOCS_CSP)
_API_HEADERS = (*HEADERS, CSP)


def cors_options(origins: Sequence[str]) -> dict:
    return {
        "allow_origins": list(origins),
        "allow_methods": list(CORS_METHODS),
        "allow_headers": list(CORS_REQUEST_HEADERS),
        "expose_headers": list(CORS_EXPOSED_HEADERS),
        "allow_credentials": False,  # Bearer tokens, no cookies
        "max_age": 600,
    }


__all__ = ["CORSMiddleware", "cors_options", "security_headers"]
