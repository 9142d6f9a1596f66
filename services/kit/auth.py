"""Bearer tokens: short-lived JWTs carrying subject, role and organisation.

Every token names its issuer and audience and is valid from `nbf`/`iat` to `exp`; reading
one pins the algorithm (so `alg: none` or a switched algorithm is refused), and checks
issuer, audience and the time window. Portal tokens also carry the client id, the scopes
granted and the jurisdiction (region codes). Login flows live in services/api/auth/;
`python -m scripts.devtoken` mints development tokens.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict

from services.kit.problems import ProblemError
from services.kit.settings import TokenSettings

Role = Literal[
    "applicant",
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
    "expert",
    "ops",
    "service",
    "portal",
]

ISSUER = "zhicheng"
AUDIENCE = "zhicheng-api"
# Access tokens live at most this long (issue #8: ≤ 15 minutes for real clients).
ACCESS_TTL_SECONDS = 900
# Clock skew tolerated between issuers and verifiers.
LEEWAY_SECONDS = 30


def verifying_key(settings: TokenSettings) -> str:
    return settings.jwt_public_key if settings.jwt_algorithm == "ES256" else settings.jwt_secret


def signing_key(settings: TokenSettings) -> str:
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret
    if not settings.jwt_private_key:
        raise RuntimeError("this process has no JWT_PRIVATE_KEY to sign ES256 tokens")
    return settings.jwt_private_key


class Principal(BaseModel):
    # Frozen: one verified token's principal is handed to every request that carries it
    # (`read_token`), never changed by any of them.
    model_config = ConfigDict(frozen=True)

    sub: str
    role: Role
    org_id: str | None = None
    # Portals (system-to-system clients) only.
    client_id: str | None = None
    scopes: list[str] | None = None
    jurisdiction: list[str] | None = None
    rate_limit: int | None = None  # calls per minute
    # Sign-in session (refresh token family) of applicants and staff: logout ends it.
    sid: str | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


def issue_token(
    principal: Principal,
    *,
    secret: str,
    algorithm: str = "HS256",
    ttl_seconds: int = ACCESS_TTL_SECONDS,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
) -> str:
    now = int(time.time())
    claims = {
        **principal.model_dump(exclude_none=True),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=algorithm)


def invalid_token(detail: str = "登录凭证无效或已过期，请重新登录。") -> ProblemError:
    return ProblemError(
        401,
        "invalid-token",
        detail,
        title="Invalid token",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


# Tokens already verified, by the exact token and what it was verified against: a client
# sends the same access token on every call for up to 15 minutes, and checking its
# signature and claims again each time was a good part of a read's cost. An entry is used
# only inside the token's own window (`nbf`/`exp`, with the same leeway); outside it the
# token is decoded again, and refused as before. Revocation (`sid`) is checked per request
# by the caller (services/api/revocation.py), never cached here.
_VERIFIED: OrderedDict[tuple[str, ...], tuple[Principal, float, float]] = OrderedDict()
_VERIFIED_MOST = 4096


def read_token(
    token: str,
    *,
    secret: str,
    algorithm: str = "HS256",
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
) -> Principal:
    key = (token, secret, algorithm, issuer, audience)
    hit = _VERIFIED.get(key)
    if hit is not None:
        principal, not_before, expires = hit
        if not_before <= time.time() < expires:
            return principal
        _VERIFIED.pop(key, None)
    try:
        # One algorithm only: a token saying `alg: none` or another algorithm is refused.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        principal = Principal.model_validate(claims)
    except (jwt.PyJWTError, ValueError) as exc:
        raise invalid_token() from exc
    not_before = claims.get("nbf", claims["iat"]) - LEEWAY_SECONDS
    _VERIFIED[key] = (principal, not_before, claims["exp"] + LEEWAY_SECONDS)
    if len(_VERIFIED) > _VERIFIED_MOST:
        _VERIFIED.popitem(last=False)
    return principal
