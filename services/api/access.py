"""Who is calling: the Bearer token's principal, and the role checks the routers share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.kit.auth import Principal, read_token, verifying_key
from services.kit.problems import ProblemError

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

_bearer = HTTPBearer(auto_error=False, description="JWT with sub, role and org_id")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ProblemError(
            401,
            "unauthenticated",
            "未登录或登录已失效，请携带有效的登录凭证（Authorization: Bearer）。",
            title="Authentication required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    settings = request.app.state.settings
    principal = read_token(
        credentials.credentials,
        secret=verifying_key(settings),
        algorithm=settings.jwt_algorithm,
    )
    if principal.role != "applicant" and principal.role != "service" and not principal.org_id:
        raise ProblemError(401, "invalid-token", "登录凭证缺少所属机构，请重新登录。")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def forbidden() -> ProblemError:
    return ProblemError(403, "forbidden", "您的角色无权执行此操作。", title="Forbidden")


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise forbidden()


def allow(*roles: str):
    """A route dependency: only these roles, checked before the body is even read."""

    async def _check(principal: PrincipalDep) -> None:
        require_role(principal, *roles)

    return Depends(_check)
