"""Service tokens: the eligibility and document services answer the gateway only.

The gateway's HTTP clients sign a fresh token for every call (`ServiceAuth`): a JWT
signed with EdDSA (Ed25519, RFC 8037; the project's PyJWT over `cryptography`) under the
gateway's private key (SERVICE_TOKEN_PRIVATE_KEY, a secret only the gateway holds),
issued by the gateway, for one service's audience, living 60 seconds. Each service holds
only the public half (SERVICE_TOKEN_PUBLIC_KEY, configuration, not a secret): it can check
a token but never make one, so a service that is broken into cannot call the other. Each
checks the token on every request but its probes, metrics and published contract
(`refusal`, in the request pass before any body is read): the algorithm pinned to EdDSA
(so neither `none` nor an HS256 token "signed" with the public key as an HMAC secret
passes), the signature, issuer, audience, and a lifetime of at most 60 seconds; anything
else is 401 problem+json. The token names no user: the gateway has decided who may do
what before it calls.

Keys are written as one line each: the private key as base64 PKCS#8 DER, the public key as
base64 SubjectPublicKeyInfo DER (`python -m scripts.service_token_keys` prints a new pair).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
import uuid
from collections.abc import Generator

import httpx
import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from starlette.types import Scope

from services.kit.problem_kinds import Problem

ISSUER = "zhicheng-gateway"
RULES_AUDIENCE = "zhicheng-rules"
DOCUMENTS_AUDIENCE = "zhicheng-documents"
ALGORITHM = "EdDSA"
TTL_SECONDS = 60
# Clock skew tolerated between the gateway's host and a service's.
LEEWAY_SECONDS = 5


def private_key_setting(key: ed25519.Ed25519PrivateKey) -> str:
    """SERVICE_TOKEN_PRIVATE_KEY's form of `key`: base64 PKCS#8 DER."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode()


def public_key_setting(key: ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey) -> str:
    """SERVICE_TOKEN_PUBLIC_KEY's form of `key` (or of a private key's public half)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        key = key.public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def _der(text: str, setting: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{setting}: not base64") from exc


def load_private_key(text: str) -> ed25519.Ed25519PrivateKey:
    """The Ed25519 private key of a SERVICE_TOKEN_PRIVATE_KEY value (ValueError naming it)."""
    try:
        key = serialization.load_der_private_key(_der(text, "SERVICE_TOKEN_PRIVATE_KEY"), None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("SERVICE_TOKEN_PRIVATE_KEY: not a base64 PKCS#8 DER key") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError("SERVICE_TOKEN_PRIVATE_KEY: not an Ed25519 key")
    return key


def load_public_key(text: str) -> ed25519.Ed25519PublicKey:
    """The Ed25519 public key of a SERVICE_TOKEN_PUBLIC_KEY value (ValueError naming it)."""
    try:
        key = serialization.load_der_public_key(_der(text, "SERVICE_TOKEN_PUBLIC_KEY"))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("SERVICE_TOKEN_PUBLIC_KEY: not a base64 SubjectPublicKeyInfo key") from exc
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("SERVICE_TOKEN_PUBLIC_KEY: not an Ed25519 key")
    return key


def _dev_private_key() -> ed25519.Ed25519PrivateKey:
    seed = hashlib.sha256(b"zhicheng-dev-service-token").digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


# The development key pair (refused in production by the settings: its private half is in
# this repository, so anyone could sign with it).
DEV_SERVICE_TOKEN_PRIVATE_KEY = private_key_setting(_dev_private_key())
DEV_SERVICE_TOKEN_PUBLIC_KEY = public_key_setting(_dev_private_key())


class ServiceTokenRefused(Problem):
    status = 401
    code = "service-token-refused"
    title = "Service token refused"
    text = "内部服务只接受平台网关的调用：服务令牌缺失、无效、已过期或不是发给本服务的。"


def issue(key: ed25519.Ed25519PrivateKey, audience: str, *, ttl_seconds: int = TTL_SECONDS) -> str:
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


def verify(token: str, key: ed25519.Ed25519PublicKey, audience: str) -> None:
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
        raise _refused()  # signed with the gateway's key, yet longer-lived than it issues


class ServiceAuth(httpx.Auth):
    """httpx auth of the gateway's clients: a new token on every request."""

    def __init__(self, key: ed25519.Ed25519PrivateKey, audience: str) -> None:
        self.key = key
        self.audience = audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + issue(self.key, self.audience)
        yield request


# Open without a token: the probes (the orchestrator calls them) and the contract the
# repository publishes anyway (openapi/*.json). /metrics is not on this port at all.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"})


def refusal(
    scope: Scope, key: ed25519.Ed25519PublicKey, audience: str
) -> ServiceTokenRefused | None:
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
