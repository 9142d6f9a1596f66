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
from services.api.clients.rules import CommitteeQueryInvalid, RulesUnavailable
from services.api.http import IdempotencyDep
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

# Every route is for a signed-in caller; the writes say which role besides.
router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], dependencies=SIGNED_IN)


@router.get(
    "",
    response_model=list[CampaignRead],
    summary="申报批次列表",
    description=(
        "列出全部申报批次（评审年度的一次职称评审）：地区、系列、"
        "级别、评委会、各阶段起止时间、评审费等。已登录的申报人、"
        "审核机构、专家、运维人员以及持 declarations:read 或"
        " eligibility:evaluate 权限的对接平台均可调用。"
    ),
)
async def list_campaigns(session: SessionDep) -> list[CampaignRead]:
    return [
        CampaignRead.model_validate(c, from_attributes=True)
        for c in await service.list_all(session)
    ]


@router.get(
    "/{campaign_id}",
    response_model=CampaignRead,
    responses=documented(CampaignNotFound),
    summary="查看一个申报批次",
    description=(
        "读取一个申报批次的全部设置：地区、系列、级别、评委会、"
        "各阶段起止时间及其所依据的条款、资格计算截止日、"
        "公示工作日规则和评审费。调用者范围同批次列表。"
    ),
)
async def get(campaign_id: uuid.UUID, session: SessionDep) -> CampaignRead:
    return CampaignRead.model_validate(
        await service.get(session, campaign_id), from_attributes=True
    )


@router.post(
    "",
    status_code=201,
    response_model=CampaignRead,
    dependencies=OPS_ONLY,
    responses=validated(Forbidden, *OPEN_PROBLEMS, CommitteeQueryInvalid, RulesUnavailable),
    summary="新建申报批次（运维）",
    description=(
        "按当年评审通知新建一个申报批次：地区、系列、级别、评委会、"
        "各阶段起止时间（每个时间段写明所依据的通知条款）、"
        "资格计算截止日和评审费（如长工信〔2022〕139号 八："
        "“中级专业技术职务每人300元，初级专业技术职务每人260元”）。"
        "仅运维人员可调用。"
    ),
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
    summary="批次开始前更正日期和评审费（负责的职改办；记入审计）",
    description=(
        "批次的负责职改办（office_org_id）"
        "在批次开始之前（最早的时间段开始之时，"
        "或第一份申报书建立之时）更正各阶段时间、"
        "资格计算截止日和评审费，并写明理由，记入审计。"
        "提交的时间段按类别整段替换，未提交的保持不变。"
        "只有该职改办可调用；批次开始后答复 409。"
    ),
    responses=documented(Forbidden, *CORRECT_PROBLEMS, RulesUnavailable),
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
