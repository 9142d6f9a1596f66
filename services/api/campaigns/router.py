"""HTTP for campaigns (read by everyone signed in, created by ops)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.campaigns import service
from services.api.campaigns.problems import CampaignExists, CampaignNotFound, NoPolicyInForce
from services.api.campaigns.schemas import CampaignCreate, CampaignRead
from services.api.http import IdempotencyDep
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import VALIDATION_ERROR, documented

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


@router.get("", response_model=list[CampaignRead])
async def list_campaigns(session: SessionDep, principal: PrincipalDep) -> list[CampaignRead]:
    return [
        CampaignRead.model_validate(c, from_attributes=True)
        for c in await service.list_all(session)
    ]


@router.get("/{campaign_id}", response_model=CampaignRead, responses=documented(CampaignNotFound))
async def get(campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> CampaignRead:
    return CampaignRead.model_validate(
        await service.get(session, campaign_id), from_attributes=True
    )


@router.post(
    "",
    status_code=201,
    response_model=CampaignRead,
    dependencies=[allow("ops")],
    responses=documented(Forbidden, CampaignExists, NoPolicyInForce, keep={422: VALIDATION_ERROR}),
)
async def create(
    request: Request,
    body: CampaignCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    campaign = await service.open_campaign(
        session, principal, rules=request.app.state.rules, body=body
    )
    return await idem.respond(campaign, status_code=201)
