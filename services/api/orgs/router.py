"""HTTP for the organisation tree (maintained by ops)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.http import IdempotencyDep
from services.api.orgs import service
from services.api.orgs.problems import OrgExists, OrgNotFound
from services.api.orgs.schemas import OrgCreate, OrgMove, OrgRead
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(prefix="/v1/orgs", tags=["orgs"])


@router.post(
    "",
    status_code=201,
    response_model=OrgRead,
    dependencies=[allow("ops")],
    responses=documented(Forbidden, OrgExists, OrgNotFound),
)
async def create(
    body: OrgCreate, session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep
) -> JSONResponse:
    return await idem.respond(
        await service.register(session, principal, body=body), status_code=201
    )


@router.get("/{org_id}", response_model=OrgRead, responses=documented(OrgNotFound))
async def get(org_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> OrgRead:
    return OrgRead.model_validate(await service.get(session, org_id), from_attributes=True)


@router.patch(
    "/{org_id}",
    dependencies=[allow("ops")],
    response_model=OrgRead,
    summary="Move an org in the tree; chains already fixed are not rewritten",
    responses=documented(Forbidden, OrgNotFound),
)
async def move(
    org_id: uuid.UUID, body: OrgMove, session: SessionDep, principal: PrincipalDep
) -> OrgRead:
    return await service.reparent(session, principal, org_id, parent_id=body.parent_id)
