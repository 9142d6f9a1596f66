"""Refresh (rotating, reuse detection) and logout, for applicants and staff alike; the
logic is in tokens.py."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.api.auth import tokens
from services.api.auth.answers import no_store
from services.api.auth.problems import InvalidRefreshToken
from services.api.auth.schemas import RefreshRequest, TokenPair
from services.kit.db import SessionDep
from services.kit.problem_kinds import validated

router = APIRouter(tags=["auth"])


@router.post(
    "/v1/auth/refresh",
    response_model=TokenPair,
    summary=("用未使用过的刷新令牌换取新的访问令牌和刷新令牌（重复使用会终止会话）"),
    responses=validated(InvalidRefreshToken),
    description=(
        "提交刷新令牌，答复新的访问令牌和刷新令牌；"
        "每个刷新令牌只能用一次，重复使用视为被盗用，"
        "整个会话随即失效。公开接口，无需令牌。"
    ),
)
async def refresh(body: RefreshRequest, request: Request) -> JSONResponse:
    return no_store(await tokens.refresh(request, body.refresh_token))


@router.post(
    "/v1/auth/logout",
    status_code=204,
    summary="退出登录：该会话的刷新令牌和访问令牌随即失效",
    description=(
        "提交刷新令牌，结束其所属会话：刷新令牌和已签发的访问令牌都不再有效。公开接口，无需令牌。"
    ),
)
async def logout(body: RefreshRequest, request: Request, session: SessionDep) -> Response:
    await tokens.logout(session, request, body.refresh_token)
    return Response(status_code=204)
