"""Bearer tokens: short-lived JWTs carrying subject, role and organisation.

Login flows come later; `python -m scripts.devtoken` mints development tokens.
"""

from __future__ import annotations

import time
from typing import Literal

import jwt
from pydantic import BaseModel

from services.kit.problems import ProblemError

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
