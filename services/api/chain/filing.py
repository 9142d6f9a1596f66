"""HTTP for the filed declaration: the lists that carry risk, submission, withdrawal,
progress and the audit trail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep
from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.chain import reads, submission
from services.api.chain.problems import (
    DeclarationAbandoned,
    DeclarationIncomplete,
    DeclarationNotSubmittable,
    DeclarationNotWithdrawable,
    ReturnAnswerInvalid,
    ReturnItemsUntouched,
)
from services.api.chain.schemas import ProgressRead
from services.api.clients.rules import RouteRequestInvalid, RulesUnavailable
from services.api.declarations.deps import (
    EDIT_PROBLEMS,
    READ_RESPONSES,
    ApplicantsAct,
    ApplicantsSubmission,
    VisibleDeclaration,
)
from services.api.declarations.problems import CorrectionDeadlinePassed, SameLevelTwice
from services.api.declarations.schemas import (
    DeclarationPage,
    DeclarationRead,
    EventRead,
    SubmissionCreate,
    WithdrawalCreate,
)
from services.api.declarations.shapes import declarations_router
from services.api.models.declaration import DeclarationStatus
from services.api.orgs.problems import ChainIncomplete
from services.api.routing.problems import RouteCommitteeMismatch, RouteOfficeMissing
from services.api.statistics.problems import UnitRecommendationsSuspended
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = declarations_router()


@router.get(
    "",
    response_model=DeclarationPage,
    summary="我可查看的申报书（按时间先后，游标分页）",
    description=(
        "列出调用者有权查看的申报书，按建立时间先后，用 cursor 翻页，"
        "可按状态和批次筛选：申报人只看到自己的；"
        "审核人员看到已到达本机构的；职改办看到辖区内的。"
        "审核人员和运维人员看到的每一项带 risk："
        "期刊名录标出的论文（提交时记录的和新出现的）"
        "和社保一致性提示的计数。任何已登录的用户均可调用；"
        "对接平台须持 declarations:read 权限，只看到其辖区内的。"
    ),
)
async def list_declarations(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: DeclarationStatus | None = None,
    campaign_id: uuid.UUID | None = None,
) -> DeclarationPage:
    return await reads.page(
        session, principal, cursor=cursor, limit=limit, status=status, campaign_id=campaign_id
    )


@router.post(
    "/{declaration_id}/submissions",
    response_model=DeclarationRead,
    summary="提交（或退回补正后重新提交）：检查资格和材料是否齐全",
    responses=documented(
        WindowNotOpen,
        DeadlinePassed,
        ChainIncomplete,
        UnitRecommendationsSuspended,
        DeclarationAbandoned,
        ReturnItemsUntouched,
        ReturnAnswerInvalid,
        DeclarationNotSubmittable,
        DeclarationIncomplete,
        SameLevelTwice,
        CorrectionDeadlinePassed,
        RouteCommitteeMismatch,
        RouteOfficeMissing,
        RouteRequestInvalid,
        RulesUnavailable,
        *EDIT_PROBLEMS,
    ),
    description=(
        "申报人提交申报书：检查申报条件（资格评估）、"
        "必填栏目和所需材料，通过后建立审核链并进入第一级审核。"
        "请求体可省略；退回补正后重新提交时，"
        "用 addressed 逐项答复退回意见：与某栏目或材料相关、"
        "但自退回后未作修改的事项须写明说明，否则不能重新提交。"
        "答复中带学术风险预警（请自行核验）。须带 If-Match。"
        "仅申报人本人可调用。"
    ),
)
async def submit(
    act: ApplicantsSubmission, request: Request, body: SubmissionCreate = SubmissionCreate()
) -> JSONResponse:
    state = request.app.state
    filed = await submission.submit(
        act.session,
        act.principal,
        act.declaration,
        rules=state.rules,
        cipher=state.pii,
        addressed=body.addressed,
    )
    return await act.respond(filed)


@router.post(
    "/{declaration_id}/withdrawals",
    response_model=DeclarationRead,
    responses=documented(*EDIT_PROBLEMS, DeclarationNotWithdrawable),
    description=(
        "申报人撤回自己的申报书，可写明理由；撤回后不再流转。须带 If-Match。仅申报人本人可调用。"
    ),
    summary="撤回申报书",
)
async def withdraw(act: ApplicantsAct, body: WithdrawalCreate) -> JSONResponse:
    return await act.apply(submission.withdraw, reason=body.reason)


@router.get(
    "/{declaration_id}/progress",
    response_model=ProgressRead,
    summary="审核进度：各级审核、办理人和时间，以及未结的退回",
    responses=READ_RESPONSES,
    description=(
        "读取申报书的审核进度：审核链上每一级的机构、"
        "到达和办理时间及办理人，流转记录，"
        "待审核人员认定的条件及认定结果，以及尚未处理完的退回补正。"
        "申报人本人、已到达的用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用；对接平台须持"
        " declarations:read 权限。"
    ),
)
async def progress(declaration: VisibleDeclaration, session: SessionDep) -> ProgressRead:
    return await reads.progress(session, declaration)


@router.get(
    "/{declaration_id}/audit",
    response_model=list[EventRead],
    responses=READ_RESPONSES,
    description=(
        "列出与该申报书有关的全部审计记录：操作、"
        "操作者及其角色和机构、状态变化、理由和时间。申报人本人、"
        "已到达的用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用。"
    ),
    summary="申报书的审计记录",
)
async def audit_trail(declaration: VisibleDeclaration, session: SessionDep) -> list[EventRead]:
    return await reads.audit_trail(session, declaration)
