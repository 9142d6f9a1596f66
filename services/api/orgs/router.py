"""HTTP for the organisation tree: maintained by ops; units found by name or credit
code; a unit registers itself and its parent office decides."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.api.access import (
    APPLICANTS_ONLY,
    OPS_ONLY,
    REVIEWERS_ONLY,
    SIGNED_IN,
    PrincipalDep,
)
from services.api.http import WriteDep
from services.api.orgs import service
from services.api.orgs.problems import (
    DECIDE_PROBLEMS,
    REGISTER_PROBLEMS,
    OrgExists,
    OrgFieldNotApplicable,
    OrgNotFound,
)
from services.api.orgs.schemas import (
    OrgChange,
    OrgCreate,
    OrgRead,
    RegistrationCreate,
    RegistrationDecision,
    RegistrationRead,
    UnitHit,
)
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

# Every route is for a signed-in caller; the writes say which role besides.
router = APIRouter(prefix="/v1/orgs", tags=["orgs"], dependencies=SIGNED_IN)


@router.post(
    "",
    status_code=201,
    response_model=OrgRead,
    dependencies=OPS_ONLY,
    responses=documented(Forbidden, OrgExists, OrgNotFound),
)
async def create(body: OrgCreate, write: WriteDep) -> JSONResponse:
    return await write.apply(service.register, status_code=201, body=body)


@router.get(
    "",
    response_model=list[UnitHit],
    summary="Find approved units by name fragment or exact 统一社会信用代码, with their chain",
)
async def search(
    session: SessionDep,
    q: str = Query(min_length=2, max_length=200, description="name fragment or credit code"),
) -> list[UnitHit]:
    return await service.search_units(session, q=q)


@router.post(
    "/registrations",
    status_code=201,
    response_model=RegistrationRead,
    dependencies=APPLICANTS_ONLY,
    summary="A unit's contact registers it; pending until its parent office decides",
    responses=validated(Forbidden, *REGISTER_PROBLEMS),
)
async def register(body: RegistrationCreate, write: WriteDep) -> JSONResponse:
    return await write.apply(service.register_unit, status_code=201, body=body)


@router.get(
    "/registrations",
    response_model=list[RegistrationRead],
    dependencies=REVIEWERS_ONLY,
    summary="The unit registrations waiting for the caller's office",
    responses=documented(Forbidden),
)
async def pending(session: SessionDep, principal: PrincipalDep) -> list[RegistrationRead]:
    return await service.pending_for(session, principal)


@router.post(
    "/registrations/{org_id}/decisions",
    response_model=RegistrationRead,
    dependencies=REVIEWERS_ONLY,
    summary="The parent office approves a unit's registration or rejects it with a reason",
    responses=validated(Forbidden, *DECIDE_PROBLEMS),
)
async def decide(
    org_id: uuid.UUID, body: RegistrationDecision, session: SessionDep, principal: PrincipalDep
) -> RegistrationRead:
    return await service.decide(session, principal, org_id, body=body)


@router.get("/{org_id}", response_model=OrgRead, responses=documented(OrgNotFound))
async def get(org_id: uuid.UUID, session: SessionDep) -> OrgRead:
    return OrgRead.model_validate(await service.get(session, org_id), from_attributes=True)


@patch_or_post(
    router,
    "/{org_id}",
    dependencies=OPS_ONLY,
    response_model=OrgRead,
    summary="Move an org in the tree, or set an office's duty or a unit's affiliation; "
    "chains already fixed are not rewritten",
    responses=validated(Forbidden, OrgNotFound, OrgFieldNotApplicable),
)
async def change(
    org_id: uuid.UUID, body: OrgChange, session: SessionDep, principal: PrincipalDep
) -> OrgRead:
    return await service.change(session, principal, org_id, body=body)
