"""Portals' token endpoint: OAuth2 client credentials (RFC 6749 §4.4).

A portal authenticates with `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1) or
`private_key_jwt` (RFC 7523: a JWT signed ES256/RS256 with a key registered for it,
iss = sub = client_id, aud = this token endpoint or the issuer, exp, single-use jti).
It gets an access token (≤ 15 min) carrying its scopes, jurisdiction and rate limit.
Registration by ops is in portals.py.

Errors answer problem+json that also carry RFC 6749 §5.2 `error`/`error_description`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time
from urllib.parse import parse_qs, unquote_plus

import jwt
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import SCOPES, TOKEN_URL
from services.api.auth.answers import NO_STORE_OAUTH, no_store
from services.api.auth.schemas import TokenPair
from services.api.auth.tokens import access_token, digest, record_sign_in
from services.api.models import OAuthClient
from services.api.ratelimit import THROTTLED, guarded, hit, limiter_unavailable, too_many
from services.kit.auth import ISSUER, LEEWAY_SECONDS, Principal
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, merged
from services.kit.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, ProblemError

router = APIRouter(tags=["auth"])
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("ES256", "RS256")


# --- the token endpoint ----------------------------------------------------------------


def oauth_error(
    status: int, error: str, description: str, *, headers: dict[str, str] | None = None
) -> ProblemError:
    """RFC 6749 §5.2 error members inside a problem+json body."""
    return ProblemError(
        status,
        "oauth-" + error.replace("_", "-"),
        description,
        title=error,
        headers={**NO_STORE_OAUTH, **(headers or {})},
        error=error,
        error_description=description,
    )


def _listed(*types: tuple[str, str]) -> dict:
    """A response of the token endpoint: the problem types it carries (the contract adds
    the problem+json schema, services/kit/openapi.py)."""
    lines = [f"`{TYPE_PREFIX}{code}`: {text}" for code, text in types]
    return {"description": "\n".join(lines), "content": {PROBLEM_MEDIA_TYPE: {}}}


# What the token endpoint answers besides a token: RFC 6749 §5.2 errors (`error`,
# `error_description` beside the problem members) and the rate limit.
TOKEN_ERRORS = {
    400: _listed(
        ("oauth-invalid-request", "请求不合规范（参数重复、表单无法解析、多种认证方式）。"),
        ("oauth-unsupported-grant-type", "只支持 grant_type=client_credentials。"),
        ("oauth-invalid-scope", "申请的授权范围超出该客户端已开通的范围。"),
    ),
    401: _listed(("oauth-invalid-client", "客户端认证失败或客户端已被吊销。")),
    429: _listed(("rate-limited", "令牌申请过于频繁，请按 Retry-After 稍后重试。")),
}


def invalid_client(basic: bool) -> ProblemError:
    headers = {"WWW-Authenticate": 'Basic realm="zhicheng"'} if basic else None
    return oauth_error(
        401,
        "invalid_client",
        "客户端认证失败：client_id、密钥或签名断言无效，或客户端已被吊销。",
        headers=headers,
    )


async def _form(request: Request) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise oauth_error(
            400,
            "invalid_request",
            "令牌请求须为 application/x-www-form-urlencoded 表单（RFC 6749 §4.4.2）。",
        )
    try:
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise oauth_error(400, "invalid_request", "表单不是有效的 UTF-8。") from exc
    repeated = [name for name, values in fields.items() if len(values) > 1]
    if repeated:
        raise oauth_error(
            400, "invalid_request", f"参数不得重复出现（RFC 6749 §3.2）：{', '.join(repeated)}"
        )
    return {name: values[0] for name, values in fields.items()}


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = raw.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid_client(True) from exc
    return unquote_plus(client_id), unquote_plus(secret)


async def _by_assertion(
    session: AsyncSession, request: Request, form: dict[str, str]
) -> OAuthClient:
    assertion = form.get("client_assertion", "")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise invalid_client(False) from exc
    client_id = unverified.get("iss")
    if header.get("alg") not in ALGORITHMS or not isinstance(client_id, str):
        raise invalid_client(False)
    client = await session.get(OAuthClient, client_id)
    if client is None or client.status != "active":
        raise invalid_client(False)
    keys = [k for k in client.public_keys if not header.get("kid") or k["kid"] == header["kid"]]
    audiences = [ISSUER, str(request.url.replace(query=None))]
    for key in keys:
        try:
            claims = jwt.decode(
                assertion,
                key["pem"],
                algorithms=list(ALGORITHMS),
                audience=audiences,
                issuer=client_id,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "sub", "aud", "jti"]},
            )
        except jwt.PyJWTError:
            continue
        if claims["sub"] != client_id or claims["exp"] > time.time() + 600:
            raise invalid_client(False)
        # Single use: the jti is remembered until the assertion expires.
        ttl = max(int(claims["exp"] - time.time()) + LEEWAY_SECONDS, 1)
        fresh = await request.app.state.redis.set(
            f"oauth:jti:{client_id}:{claims['jti']}", "1", ex=ttl, nx=True
        )
        if not fresh:
            raise invalid_client(False)
        return client
    raise invalid_client(False)


async def _by_secret(session: AsyncSession, client_id: str, secret: str) -> OAuthClient:
    client = await session.get(OAuthClient, client_id)
    expected = client.secret_hash if client is not None else digest("no-such-client")
    ok = hmac.compare_digest(digest(secret), expected or "")
    if client is None or client.status != "active" or not ok:
        raise invalid_client(True)
    return client


@router.post(
    TOKEN_URL,
    response_model=TokenPair,
    responses=merged(TOKEN_ERRORS, documented(THROTTLED, limiter_unavailable())),
    summary="OAuth2 客户端凭据模式：对接平台的访问令牌（RFC 6749 §4.4）",
    description=(
        "表单字段：grant_type=client_credentials，"
        "可选 scope（以空格分隔）。客户端认证："
        "HTTP Basic（client_secret_basic），"
        "或"
        " client_assertion_type=urn:ietf:params:oauth:client-assertio"
        "n-type:jwt-bearer 加 client_assertion（private_key_jwt，"
        "用登记的公钥验签）。答复的访问令牌带客户端的授权范围和辖区。"
        "凭客户端自己的凭据调用，不需要用户令牌。"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string"},
                            "client_assertion_type": {"type": "string"},
                            "client_assertion": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
@guarded
async def token(request: Request, session: SessionDep) -> JSONResponse:
    try:
        return await _token(request, session)
    except ProblemError as problem:
        if problem.status in (401, 400):
            await record_sign_in(
                request,
                method="client_credentials",
                subject=(await _claimed_client(request))[:128],
                outcome="failure",
                reason=problem.extra.get("error"),
            )
        raise


async def _claimed_client(request: Request) -> str:
    """Who the caller says it is, for the audit row only (never trusted)."""
    try:
        basic = _basic(request)
    except ProblemError:
        basic = None
    if basic:
        return basic[0]
    try:
        form = parse_qs((await request.body()).decode("utf-8"))
        claims = jwt.decode(form["client_assertion"][0], options={"verify_signature": False})
        return str(claims.get("iss") or "unknown")
    except (KeyError, IndexError, UnicodeDecodeError, jwt.PyJWTError):
        return "unknown"


async def _token(request: Request, session: SessionDep) -> JSONResponse:
    form = await _form(request)
    basic = _basic(request)
    if basic and form.get("client_assertion"):
        raise oauth_error(400, "invalid_request", "只能使用一种客户端认证方式。")
    if basic:
        client = await _by_secret(session, *basic)
    elif form.get("client_assertion_type") == ASSERTION_TYPE and form.get("client_assertion"):
        client = await _by_assertion(session, request, form)
    else:
        raise invalid_client(False)
    # The token endpoint counts against the same per-client limit as the API.
    count, ttl = await hit(
        request.app.state.redis, f"ratelimit:portal:{client.client_id}", window=60
    )
    if count > client.rate_limit_per_minute:
        raise too_many(ttl, "令牌申请过于频繁，请按 Retry-After 稍后重试。")
    if form.get("grant_type") != "client_credentials":
        raise oauth_error(
            400, "unsupported_grant_type", "只支持 grant_type=client_credentials（RFC 6749 §4.4）。"
        )
    # A scope withdrawn since the client was registered is no longer handed out.
    held = [scope for scope in client.scopes if scope in SCOPES]
    asked = form.get("scope", "").split()
    if asked and not set(asked) <= set(held):
        raise oauth_error(
            400,
            "invalid_scope",
            f"申请的授权范围超出该客户端已开通的范围（{' '.join(held)}）。",
        )
    scopes = sorted(set(asked)) if asked else held
    principal = Principal(
        sub=f"client:{client.client_id}",
        role="portal",
        client_id=client.client_id,
        scopes=scopes,
        jurisdiction=list(client.jurisdiction),
        rate_limit=client.rate_limit_per_minute,
    )
    access, ttl = access_token(request, principal)
    await record_sign_in(
        request,
        method="client_credentials",
        subject=client.client_id,
        outcome="success",
    )
    pair = TokenPair(access_token=access, expires_in=ttl, scope=" ".join(scopes))
    return no_store(pair, headers=NO_STORE_OAUTH)
