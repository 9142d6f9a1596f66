"""HTTP for campaigns (read by everyone signed in, created by ops, corrected before they
open by the office that runs them)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.access import OPS_ONLY, SIGNED_IN, PrincipalDep, allow
from services.api.campaigns import service
from services.api.campaigns.problems import CORRECT_PROBLEMS, OPEN_PROBLEMS, CampaignNotFound
from services.api.campaigns.schemas import CampaignCreate, CampaignRead, CampaignUpdate
from services.api.http import IdempotencyDep
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

# Every route is for a signed-in caller; the writes say which role besides.
router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], dependencies=SIGNED_IN)


@router.get("", response_model=list[CampaignRead])
async def list_campaigns(session: SessionDep) -> list[CampaignRead]:
    return [
        CampaignRead.model_validate(c, from_attributes=True)
        for c in await service.list_all(session)
    ]


@router.get("/{campaign_id}", response_model=CampaignRead, responses=documented(CampaignNotFound))
async def get(campaign_id: uuid.UUID, session: SessionDep) -> CampaignRead:
    return CampaignRead.model_validate(
        await service.get(session, campaign_id), from_attributes=True
    )


@router.post(
    "",
    status_code=201,
    response_model=CampaignRead,
    dependencies=OPS_ONLY,
    responses=validated(Forbidden, *OPEN_PROBLEMS),
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


@patch_or_post(
    router,
    "/{campaign_id}",
    response_model=CampaignRead,
    dependencies=[allow("county_office", "series_office", "committee_office")],
    summary="Correct a campaign's dates and fees before it opens (its office; audited)",
    description=(
        "The office named as the campaign's `office_org_id` corrects its windows, cut-off date "
        "and fees (e.g. to the notice's 评审收费 line) until the campaign opens: the earliest "
        "window start (a window with no start is open from the campaign's creation) or its "
        "first declaration. Window kinds sent replace those windows; `reason` goes to the "
        "audit row with the old and new values."
    ),
    responses=documented(Forbidden, *CORRECT_PROBLEMS),
)
async def correct(
    request: Request,
    campaign_id: uuid.UUID,
    body: CampaignUpdate,
    session: SessionDep,
    principal: PrincipalDep,
) -> CampaignRead:
    return await service.correct(
        session, principal, campaign_id, rules=request.app.state.rules, body=body
    )
