"""Bearer tokens: short-lived JWTs carrying subject, role and organisation.

Login flows come later; `python -m scripts.devtoken` mints development tokens.
"""

from __future__ import annotations

import time
from typing import Literal

import jwt
from pydantic import BaseModel

from services.kit.problems import ProblemError
from services.kit.settings import KitSettings

Role = Literal[
    "applicant",
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
    "ops",
    "service",
]


def verifying_key(settings: KitSettings) -> str:
    return settings.jwt_public_key if settings.jwt_algorithm == "ES256" else settings.jwt_secret


def signing_key(settings: KitSettings) -> str:
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret
    if not settings.jwt_private_key:
        raise RuntimeError("this process has no JWT_PRIVATE_KEY to sign ES256 tokens")
    return settings.jwt_private_key


class Principal(BaseModel):
    sub: str
    role: Role
    org_id: str | None = None


def issue_token(
    principal: Principal, *, secret: str, algorithm: str = "HS256", ttl_seconds: int = 900
) -> str:
    now = int(time.time())
    claims = {**principal.model_dump(exclude_none=True), "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=algorithm)


def read_token(token: str, *, secret: str, algorithm: str = "HS256") -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[algorithm], options={"require": ["exp"]})
        return Principal.model_validate(claims)
    except (jwt.PyJWTError, ValueError) as exc:
        raise ProblemError(
            401,
            "invalid-token",
            "登录凭证无效或已过期，请重新登录。",
            title="Invalid token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc
