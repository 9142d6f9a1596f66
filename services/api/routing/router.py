"""HTTP for a declaration's route, shown to the applicant before drafting."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.api.access import PrincipalDep
from services.api.campaigns.problems import CampaignNotFound, LevelNotInCampaign
from services.api.clients.rules import RouteRequestInvalid, RulesUnavailable
from services.api.orgs.problems import ChainIncomplete, UnitNotApproved, UnitNotFound
from services.api.routing import service
from services.api.routing.problems import (
    RouteCommitteeMismatch,
    RouteOfficeMissing,
)
from services.api.routing.schemas import RouteRead
from services.api.specialties.problems import SpecialtyUnknown
from services.kit.db import SessionDep
from services.kit.problem_kinds import validated
from services.kit.vocabulary import EmployerType, Industry, Level, PathId

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


@router.get(
    "/{campaign_id}/route",
    response_model=RouteRead,
    summary=(
        "为什么是这个评委会、这条上报链路：各级审核机构、所依据的条款及所需函件（起草前查看）"
    ),
    description=(
        "起草申报书之前，按申报单位、级别、申报途径、行业、"
        "专业和单位类型，答复在本批次中将受理的评委会和逐级上报的审核"
        "机构：每一级是哪个机构、在这一级做什么（审核推荐、审核、"
        "备案、受理）、所依据的种子文件原句，"
        "以及这条链路要求申报人提供的材料（如授权或委托函）。"
        "提交申报书时按同样的方法建立审核链。已登录的申报人、"
        "审核机构、专家和运维人员可调用。"
    ),
    responses=validated(
        LevelNotInCampaign,
        UnitNotFound,
        CampaignNotFound,
        UnitNotApproved,
        SpecialtyUnknown,
        ChainIncomplete,
        RouteCommitteeMismatch,
        RouteOfficeMissing,
        RouteRequestInvalid,
        RulesUnavailable,
    ),
)
async def route(
    request: Request,
    campaign_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID, Query(description="the declaring unit (用人单位)")],
    level: Annotated[Level, Query()],
    path: Annotated[PathId, Query()] = "normal",
    industry: Annotated[Industry | None, Query()] = None,
    specialty: Annotated[
        str | None, Query(max_length=40, description="专业代码（职称评审专业目录）")
    ] = None,
    employer_type: Annotated[EmployerType | None, Query()] = None,
) -> RouteRead:
    return await service.preview(
        session,
        request.app.state.rules,
        campaign_id,
        unit_id=unit_id,
        level=level,
        path=path,
        industry=industry,
        specialty=specialty,
        employer_type=employer_type,
    )
