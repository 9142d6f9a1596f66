"""Who is calling: the Bearer token's principal, and the role checks the routers share.

Portals (system-to-system clients, role "portal") get only what `PORTAL_SCOPES` lists:
each route they may call names the scope it needs, every other route is 403 for them.
Which declarations a portal sees is its jurisdiction: the region codes its unit's org
falls under (`portal_jurisdiction`), drafts never.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import and_, false, or_
from sqlalchemy import select as sa_select

from services.api.models import Declaration, Org
from services.api.problems import Forbidden, Unauthenticated
from services.api.ratelimit import THROTTLED, check_portal, limiter_unavailable
from services.api.revocation import session_ended
from services.kit.auth import Principal, read_token, verifying_key
from services.kit.auth import invalid_token as token_invalid
from services.kit.openapi import answers
from services.kit.problem_kinds import documented
from services.kit.problems import PROBLEM_MEDIA_TYPE, ProblemError

REVIEWER_ROLES = (
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
)
OFFICE_ROLES = ("county_office", "series_office", "committee_office")
# The org kind each reviewer role acts for, in chain order.
ROLE_ORG_KIND = {
    "unit_reviewer": "unit",
    "supervisor": "supervisor",
    "county_office": "county_office",
    "series_office": "series_office",
    "committee_office": "committee_office",
}

# Every scope a portal client may be granted, and what it is for. A scope is offered
# only once some route in PORTAL_SCOPES needs it: one that grants nothing is refused.
SCOPES = {
    "eligibility:evaluate": "资格评估",
    "declarations:read": "读取辖区内已提交的申报及其进度",
}
# (method, route template) → the scope a portal needs; routes not listed are closed to it.
PORTAL_SCOPES: dict[tuple[str, str], str] = {
    ("POST", "/v1/eligibility/evaluate"): "eligibility:evaluate",
    ("GET", "/v1/campaigns"): "declarations:read",
    ("GET", "/v1/campaigns/{campaign_id}"): "declarations:read",
    ("GET", "/v1/declarations"): "declarations:read",
    ("GET", "/v1/declarations/{declaration_id}"): "declarations:read",
    ("GET", "/v1/declarations/{declaration_id}/progress"): "declarations:read",
}


# Where a portal gets its access token (auth/client_token.py serves it).
TOKEN_URL = "/v1/oauth/token"  # noqa: S105 (an address, not a secret)
# How the document names the ways in (securitySchemes), for a client generator.
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "申报人、审核人员、运维与内部服务的登录令牌（JWT，含 sub、role、org_id）："
            "由短信验证码登录、小程序登录或工作人员密码登录取得。"
        ),
    },
    "portal": {
        "type": "oauth2",
        "description": (
            "其他政务门户系统对系统调用：OAuth2 客户端凭证（RFC 6749 §4.4），"
            "令牌以 Bearer 方式携带；每个接口所需的授权范围（scope）见该接口的 security。"
        ),
        "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": SCOPES}},
    },
    "portalClient": {
        "type": "http",
        "scheme": "basic",
        "description": (
            "门户客户端在令牌端点的身份认证：client_secret_basic（客户端编号与密钥），"
            "或在表单中以 client_assertion 提交签名断言（private_key_jwt，RFC 7523）。"
        ),
    },
}


def unauthenticated() -> ProblemError:
    return Unauthenticated(headers={"WWW-Authenticate": "Bearer"})


def principal_from(request: Request, token: str) -> Principal:
    settings = request.app.state.settings
    principal = read_token(token, secret=verifying_key(settings), algorithm=settings.jwt_algorithm)
    if principal.role == "portal":
        if not principal.client_id:
            raise ProblemError(401, "invalid-token", "接入凭证缺少客户端标识，请重新申请令牌。")
    elif principal.role not in ("applicant", "service") and not principal.org_id:
        raise ProblemError(401, "invalid-token", "登录凭证缺少所属机构，请重新登录。")
    return principal


def check_portal_scope(request: Request, principal: Principal) -> None:
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    need = PORTAL_SCOPES.get((request.method, template))
    if need is None:
        raise portal_not_allowed()
    if not principal.has_scope(need):
        raise insufficient_scope(need)


def insufficient_scope(need: str) -> ProblemError:
    return ProblemError(
        403,
        "insufficient-scope",
        f"接入系统的授权范围不含 {need}，请联系运维为该客户端开通后重新申请令牌。",
        title="Insufficient scope",
        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{need}"'},
    )


def portal_not_allowed() -> ProblemError:
    return ProblemError(
        403,
        "forbidden",
        "接入系统（门户客户端）无权调用此接口。",
        title="Forbidden",
    )


class _BearerPrincipal(HTTPBearer):
    """The signed-in caller, as a dependency that is also the bearer scheme the OpenAPI
    document names: the token read from `Authorization` and verified, the portal's rate
    limit and scope or the sign-in session's revocation checked. One dependency, where
    HTTPBearer's credentials under it were a second for FastAPI to solve on every call."""

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        # HTTPBearer's reading of the header (its own helper), without its credentials
        # model: the scheme, one space, the token; anything else is no token.
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if not (scheme and token) or scheme.lower() != "bearer":
            raise unauthenticated()
        principal = principal_from(request, token)
        if principal.role == "portal":
            # Every call counts against the client's per-minute limit (carried in its
            # token); a revoked client's tokens stop here.
            limit = principal.rate_limit or request.app.state.settings.portal_rate_limit_per_minute
            await check_portal(request, principal.client_id, limit)
            check_portal_scope(request, principal)
        elif principal.sid and await session_ended(request, principal):
            raise ended()
        return principal


current_principal = _BearerPrincipal(
    auto_error=False, description="JWT with sub, role and org_id", scheme_name="HTTPBearer"
)


def ended() -> ProblemError:
    return ProblemError(
        401,
        "session-ended",
        "您已退出登录或登录已失效，请重新登录。",
        title="Session ended",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def forbidden() -> ProblemError:
    return Forbidden()


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise forbidden()


def allow(*roles: str):
    """A route dependency: only these roles, checked before the body is even read."""

    async def _check(principal: PrincipalDep) -> None:
        require_role(principal, *roles)

    return Depends(_check)


# The `dependencies=` of a router whose every route needs a signed-in caller: a route
# that reads the caller takes `PrincipalDep` too (the same dependency, run once).
SIGNED_IN = [Depends(current_principal)]

# The `dependencies=` of routes for one kind of caller.
OPS_ONLY = [allow("ops")]
APPLICANTS_ONLY = [allow("applicant")]
REVIEWERS_ONLY = [allow(*REVIEWER_ROLES)]


def region_prefix(code: str) -> str:
    """450200 (柳州市) covers 4502xx; 450000 (广西) covers 45xxxx; 450206 only itself."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def portal_jurisdiction(principal: Principal):
    """SQL condition: the declarations a portal may see (submitted, unit in its regions)."""
    prefixes = [region_prefix(code) for code in principal.jurisdiction or []]
    if not prefixes:
        return false()
    # The units of its regions once (a hashed set), not the unit's region row by row: a
    # first page then walks the (created_at, id) index and stops at the limit.
    units = sa_select(Org.id).where(or_(*[Org.region_code.like(p + "%") for p in prefixes]))
    return and_(Declaration.status != "draft", Declaration.unit_org_id.in_(units))


def document_security(schema: dict) -> None:
    """The gateway's OpenAPI hook: the schemes above, and on each operation who may call
    it. A route that reads the token (the dependency above) takes a bearer token, or a
    portal's with the scope PORTAL_SCOPES names; the token endpoint takes the portal's
    own credentials; every other route is public (`security: []`)."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.pop("HTTPBearer", None)
    schemes.update(SECURITY_SCHEMES)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if path == TOKEN_URL:
                operation["security"] = [{"portalClient": []}, {}]
            elif operation.get("security"):
                need = PORTAL_SCOPES.get((method.upper(), path))
                portal = [{"portal": [need]}] if need else []
                operation["security"] = [{"bearer": []}, *portal]
                _answers_unauthenticated(operation["responses"])
                # What reading the token answers on every such route: a token that does
                # not verify or whose session ended; a portal's token on a route it may not
                # call, or over its per-minute limit, or the counter store down.
                answers(
                    operation["responses"],
                    token_invalid(),
                    ended(),
                    Forbidden,
                    THROTTLED,
                    limiter_unavailable(),
                    describe=False,
                )
                if need:
                    answers(
                        operation["responses"],
                        insufficient_scope("本接口所需的权限（见 security）"),
                        describe=False,
                    )
            else:
                operation["security"] = []


def _answers_unauthenticated(responses: dict) -> None:
    """No token, or one that does not verify: every route that takes one answers 401."""
    listed = documented(Unauthenticated)[401]
    answer = responses.setdefault("401", listed)
    if answer is not listed:
        examples = listed["content"][PROBLEM_MEDIA_TYPE]["examples"]
        media = answer.setdefault("content", {}).setdefault(PROBLEM_MEDIA_TYPE, {})
        media["examples"] = {**examples, **media.get("examples", {})}
