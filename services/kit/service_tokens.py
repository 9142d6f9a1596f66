"""Service tokens: the eligibility and document services answer the gateway only.

The gateway's HTTP clients sign a fresh token for every call (`ServiceAuth`): a JWT
(HS256, the project's PyJWT) under a key of that service's own (RULES_SERVICE_KEY,
DOCUMENTS_SERVICE_KEY), issued by the gateway, for that service's audience, living 60
seconds. Each service checks it on every request but its probes, metrics and published
contract (`refusal`, in the request pass before any body is read): the algorithm pinned, the
signature, issuer, audience, and a lifetime of at most 60 seconds; anything else is 401
problem+json. The token names no user: the gateway has decided who may do what before
it calls.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Generator

import httpx
import jwt
from starlette.types import Scope

from services.kit.problem_kinds import Problem

ISSUER = "zhicheng-gateway"
RULES_AUDIENCE = "zhicheng-rules"
DOCUMENTS_AUDIENCE = "zhicheng-documents"
ALGORITHM = "HS256"
TTL_SECONDS = 60
# Clock skew tolerated between the gateway's host and a service's.
LEEWAY_SECONDS = 5


class ServiceTokenRefused(Problem):
    status = 401
    code = "service-token-refused"
    title = "Service token refused"
    text = "内部服务只接受平台网关的调用：服务令牌缺失、无效、已过期或不是发给本服务的。"


def issue(key: str, audience: str, *, ttl_seconds: int = TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "gateway",
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def _refused() -> ServiceTokenRefused:
    return ServiceTokenRefused(headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def verify(token: str, key: str, audience: str) -> None:
    """Raise ServiceTokenRefused unless `token` is the gateway's, for `audience`, current."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise _refused() from exc
    lifetime = claims["exp"] - claims["iat"]
    if not isinstance(lifetime, int) or lifetime > TTL_SECONDS:
        raise _refused()  # signed with our key, yet longer-lived than the gateway issues


class ServiceAuth(httpx.Auth):
    """httpx auth of the gateway's clients: a new token on every request."""

    def __init__(self, key: str, audience: str) -> None:
        self.key = key
        self.audience = audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + issue(self.key, self.audience)
        yield request


# Open without a token: the probes (the orchestrator calls them) and the contract the
# repository publishes anyway (openapi/*.json). /metrics is not on this port at all.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"})


def refusal(scope: Scope, key: str, audience: str) -> ServiceTokenRefused | None:
    """The 401 for a request without the gateway's token for `audience`, else None (the
    probes and the contract pass; services/kit/edge.py answers it before the body is read
    or a route is looked up)."""
    if scope["path"] in OPEN_PATHS:
        return None
    authorization = ""
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
            break
    scheme, _, token = authorization.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise _refused()
        verify(token.strip(), key, audience)
    except ServiceTokenRefused as problem:
        return problem
    return None
