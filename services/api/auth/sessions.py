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
    summary="A new access + refresh token for an unused refresh token (reuse kills the session)",
    responses=validated(InvalidRefreshToken),
)
async def refresh(body: RefreshRequest, request: Request) -> JSONResponse:
    return no_store(await tokens.refresh(request, body.refresh_token))


@router.post(
    "/v1/auth/logout",
    status_code=204,
    summary="End the session: its refresh and access tokens stop working",
)
async def logout(body: RefreshRequest, request: Request, session: SessionDep) -> Response:
    await tokens.logout(session, request, body.refresh_token)
    return Response(status_code=204)
