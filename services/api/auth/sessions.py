"""Refresh (rotating, reuse detection) and logout, for applicants and staff alike."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import select

from services.api.auth import tokens
from services.api.auth.schemas import RefreshRequest, TokenPair
from services.api.auth.tokens import record_sign_in
from services.api.models import Applicant
from services.kit.auth import Principal
from services.kit.db import SessionDep

router = APIRouter(tags=["auth"])


@router.post(
    "/v1/auth/refresh",
    response_model=TokenPair,
    summary="A new access + refresh token for an unused refresh token (reuse kills the session)",
)
async def refresh(body: RefreshRequest, request: Request) -> JSONResponse:
    maker = request.app.state.sessionmaker
    # One transaction holding the token's row lock; a reused token's family is revoked
    # and committed before the refusal.
    async with maker() as session:
        found = await tokens.find(session, body.refresh_token)
        if found is None or found.expires_at <= datetime.now(UTC):
            raise tokens.invalid_grant()
        if found.status != "active" or not await _still_allowed(session, found.sub, found.role):
            await tokens.revoke_family(session, request, found.family_id)
            await session.commit()
            await record_sign_in(
                maker,
                request,
                method="refresh",
                subject=found.sub,
                outcome="failure",
                reason={"used": "reused_token_family_revoked", "active": "account_disabled"}.get(
                    found.status, "revoked"
                ),
            )
            raise tokens.invalid_grant()
        principal = Principal(
            sub=found.sub, role=found.role, org_id=str(found.org_id) if found.org_id else None
        )
        pair = await tokens.rotate(session, request, found, principal=principal)
        await session.commit()
    return JSONResponse(pair.model_dump(exclude_none=True), headers={"Cache-Control": "no-store"})


async def _still_allowed(session, sub: str, role: str) -> bool:
    """An applicant account disabled since sign-in ends its sessions (staff changes revoke
    them when they are made)."""
    if role != "applicant":
        return True
    query = select(Applicant.status).where(Applicant.sub == sub)
    status = (await session.exec(query)).one_or_none()
    return status in (None, "active")


@router.post(
    "/v1/auth/logout",
    status_code=204,
    summary="End the session: its refresh and access tokens stop working",
)
async def logout(body: RefreshRequest, request: Request, session: SessionDep) -> Response:
    found = await tokens.find(session, body.refresh_token)
    if found is not None:
        await tokens.revoke_family(session, request, found.family_id)
    return Response(status_code=204)
