"""The applicant's own real-name record (实名信息): only the owner reads it in full."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.api.access import APPLICANTS_ONLY, PrincipalDep
from services.api.applicants import identity
from services.api.applicants.problems import RECORD_PROBLEMS, IdentityNotFound
from services.api.applicants.schemas import IdentityRead, IdentityWrite
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(prefix="/v1/me", tags=["applicants"])


@router.get(
    "/identity",
    response_model=IdentityRead,
    dependencies=APPLICANTS_ONLY,
    responses=documented(Forbidden, IdentityNotFound),
)
async def get_identity(request: Request, session: SessionDep, principal: PrincipalDep):
    return await identity.own_identity(session, request.app.state.pii, principal.sub)


@router.put(
    "/identity",
    response_model=IdentityRead,
    dependencies=APPLICANTS_ONLY,
    responses=validated(*RECORD_PROBLEMS),
)
async def put_identity(
    body: IdentityWrite, request: Request, session: SessionDep, principal: PrincipalDep
):
    return await identity.record_identity(session, request.app.state.pii, principal, body=body)
