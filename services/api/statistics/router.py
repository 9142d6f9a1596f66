"""HTTP for the office statistics, the unit problem-rate follow-up and the XLSX exports.
All behind the caller's jurisdiction: an office sees its tree (and its chain), ops all;
the unit's reviewer only its own follow-up; experts and applicants none of this."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import OFFICE_ROLES, PrincipalDep, allow
from services.api.campaigns.problems import CampaignNotFound
from services.api.clients.documents import DocumentsUnavailable
from services.api.http import WriteDep
from services.api.problems import Forbidden
from services.api.statistics import exports, followups, service, streams
from services.api.statistics.problems import (
    FollowUpAlreadyRequested,
    FollowUpDocumentKind,
    FollowUpDocumentNotAsked,
    FollowUpNotFound,
    ProblemRateBelowThreshold,
    SuspensionNeedsRectification,
    UnitAlreadySuspended,
    UnitOutsideJurisdiction,
)
from services.api.statistics.schemas import (
    CampaignStatistics,
    FollowUpCreate,
    FollowUpDocumentLink,
    FollowUpRead,
    SuspensionCreate,
    UnitProblemRate,
)
from services.kit.db import SessionDep
from services.kit.openapi import scan_upload
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["statistics"])
OFFICES_OR_OPS = [allow(*OFFICE_ROLES, "ops")]
CLAUSE_NOTE = (
    "2023年度广西工艺美术系列通知 三（一）：问题比例达到或超过10%的由推荐单位作出说明；"
    "达到或超过20%的作出说明并报送书面整改方案，评委会组建单位可暂停其次年推荐申报权限。"
)


@router.get(
    "/v1/campaigns/{campaign_id}/statistics",
    dependencies=OFFICES_OR_OPS,
    response_model=CampaignStatistics,
    summary="批次统计：按状态、级别、单位、专业、申报途径计数，评审结果与通过率（本机构辖区内）",
    responses=documented(Forbidden, CampaignNotFound),
    description=(
        "统计本批次中调用者辖区内的申报书：总数，按状态、级别、"
        "推荐单位、专业、申报途径的分布，已评审、通过、"
        "未通过数和通过率（通过 ÷（通过 + 未通过），"
        "尚无结果时为 null）。县区、系列、"
        "评委会的职改办和运维人员可调用。"
    ),
)
async def statistics(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> CampaignStatistics:
    return await service.campaign_statistics(session, principal, campaign_id=campaign_id)


@router.get(
    "/v1/campaigns/{campaign_id}/problem-rates",
    dependencies=OFFICES_OR_OPS,
    response_model=list[UnitProblemRate],
    summary="各推荐单位申报材料经审核发现问题的比例，及应作出说明或报送整改方案的单位",
    description=(
        "2023年度广西工艺美术系列通知 三（一）："
        "问题比例达到或超过10%的由推荐单位作出说明；"
        "达到或超过20%的作出说明并报送书面整改方案，"
        "评委会组建单位可暂停其次年推荐申报权限。"
        "按推荐单位列出本批次推荐上报的申报书数、"
        "其中被上级退回补正的数目和比例，以及应作出说明（≥10%）"
        "或作出说明并报送整改方案（≥20%）的要求。县区、系列、"
        "评委会的职改办和运维人员可调用。"
    ),
    responses=documented(Forbidden, CampaignNotFound),
)
async def problem_rates(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[UnitProblemRate]:
    return await service.problem_rates(session, principal, campaign_id=campaign_id)


@router.post(
    "/v1/campaigns/{campaign_id}/unit-follow-ups",
    status_code=201,
    dependencies=[allow(*OFFICE_ROLES)],
    response_model=FollowUpRead,
    summary="要求推荐单位作出说明（≥10%）或作出说明并报送书面整改方案（≥20%）（审计）",
    description=(
        "2023年度广西工艺美术系列通知 三（一）："
        "问题比例达到或超过10%的由推荐单位作出说明；"
        "达到或超过20%的作出说明并报送书面整改方案，"
        "评委会组建单位可暂停其次年推荐申报权限。"
        "职改办按该单位的问题比例提出要求（比例不足10%的不能提出），"
        "并记入审计；单位收到站内消息。县区、系列、"
        "评委会的职改办可调用。"
    ),
    responses=validated(
        Forbidden,
        CampaignNotFound,
        UnitOutsideJurisdiction,
        ProblemRateBelowThreshold,
        FollowUpAlreadyRequested,
    ),
)
async def request_follow_up(
    campaign_id: uuid.UUID, body: FollowUpCreate, write: WriteDep
) -> JSONResponse:
    return await write.apply(followups.request, status_code=201, campaign_id=campaign_id, body=body)


@router.get(
    "/v1/campaigns/{campaign_id}/unit-follow-ups",
    dependencies=[allow(*OFFICE_ROLES, "unit_reviewer", "ops")],
    response_model=list[FollowUpRead],
    summary="本批次向推荐单位提出的说明、整改要求及暂停情况（单位只看本单位）",
    responses=documented(Forbidden, CampaignNotFound),
    description=(
        "列出本批次向推荐单位提出的要求、"
        "单位已报送的情况说明和整改方案、暂停推荐申报权限的情况。"
        "用人单位只看到本单位的；职改办和运维人员看到辖区内的。"
    ),
)
async def follow_ups(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[FollowUpRead]:
    return await followups.listing(session, principal, campaign_id=campaign_id)


@router.post(
    "/v1/unit-follow-ups/{follow_up_id}/documents/{material}",
    status_code=201,
    dependencies=[allow("unit_reviewer")],
    response_model=FollowUpRead,
    summary="推荐单位上传情况说明（explanation）或书面整改方案（plan）",
    description=(
        "2023年度广西工艺美术系列通知 三（一）："
        "问题比例达到或超过10%的由推荐单位作出说明；"
        "达到或超过20%的作出说明并报送书面整改方案，"
        "评委会组建单位可暂停其次年推荐申报权限。"
        "推荐单位以 multipart/form-data 上传（file、kind："
        "unit_explanation 或 rectification_plan、note），"
        "由材料服务像其他材料一样检查并保存。"
        "仅被要求的用人单位的审核人员可调用。"
    ),
    openapi_extra=scan_upload(
        "unit_explanation（情况说明）或 rectification_plan（书面整改方案）",
        kind="unit_explanation",
    ),
    responses=documented(
        Forbidden,
        FollowUpNotFound,
        FollowUpDocumentNotAsked,
        FollowUpDocumentKind,
        DocumentsUnavailable,
    ),
)
async def file_document(
    follow_up_id: uuid.UUID,
    material: Annotated[Literal["explanation", "plan"], Path()],
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    return await followups.file_document(
        session,
        principal,
        follow_up_id,
        request.stream(),
        material=material,
        headers=dict(request.headers),
        http=request.app.state.documents,
    )


@router.get(
    "/v1/unit-follow-ups/{follow_up_id}/documents/{document_id}/download",
    dependencies=[allow(*OFFICE_ROLES, "unit_reviewer", "ops")],
    response_model=FollowUpDocumentLink,
    summary="推荐单位报送的情况说明或整改方案的限时下载链接（单位本身及其上级职改办）",
    responses=documented(Forbidden, FollowUpNotFound, DocumentsUnavailable),
    description=(
        "答复推荐单位报送的情况说明或整改方案的限时下载链接（不超"
        "过15分钟）。该单位本身、其上级职改办和运维人员可调用。"
    ),
)
async def follow_up_document(
    follow_up_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    expires_in: Annotated[int, Query(ge=1, le=900)] = 900,
) -> Response:
    return await followups.download_link(
        session,
        principal,
        follow_up_id,
        document_id,
        http=request.app.state.documents,
        expires_in=expires_in,
    )


@router.post(
    "/v1/unit-follow-ups/{follow_up_id}/suspension",
    dependencies=[allow("committee_office")],
    response_model=FollowUpRead,
    summary="评委会组建单位暂停推荐单位次年推荐申报权限（问题比例≥20%；审计）",
    description=(
        "2023年度广西工艺美术系列通知 三（一）："
        "问题比例达到或超过10%的由推荐单位作出说明；"
        "达到或超过20%的作出说明并报送书面整改方案，"
        "评委会组建单位可暂停其次年推荐申报权限。"
        "只有问题比例达到20%、已被要求报送整改方案的单位可被暂停；"
        "须写明理由，记入审计。仅评委会办公室可调用。"
    ),
    responses=validated(
        Forbidden, FollowUpNotFound, SuspensionNeedsRectification, UnitAlreadySuspended
    ),
)
async def suspend(follow_up_id: uuid.UUID, body: SuspensionCreate, write: WriteDep) -> JSONResponse:
    return await write.apply(followups.suspend, follow_up_id=follow_up_id, body=body)


@router.get(
    "/v1/campaigns/{campaign_id}/exports/{sheet}",
    dependencies=OFFICES_OR_OPS,
    response_class=Response,
    summary="导出推荐名册（recommendation-roster）或材料汇总表（material-summary），XLSX",
    description=(
        "把调用者可见的、已由单位推荐的申报书导出为 XLSX："
        "推荐名册或材料汇总表。文本单元格一律按文本写入，以 = + - @、"
        "制表符或回车开头的值不会成为公式。县区、系列、"
        "评委会的职改办和运维人员可调用。"
    ),
    responses={
        200: {"content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}}},
        **documented(Forbidden, CampaignNotFound),
    },
)
async def export(
    campaign_id: uuid.UUID,
    sheet: Annotated[Literal["recommendation-roster", "material-summary"], Path()],
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
) -> Response:
    plan = await exports.export(session, principal, campaign_id=campaign_id, kind=sheet)
    return streams.response(
        request.app.state.sessionmaker, request.app.state.export_pool, plan, "xlsx"
    )
