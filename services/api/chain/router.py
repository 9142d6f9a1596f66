"""HTTP for the review chain: unit review, approvals, returns, payment notices, reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import OFFICE_ROLES, REVIEWERS_ONLY, PrincipalDep, allow
from services.api.audit.problems import AuditAnchorUnavailable, AuditCheckpointConflict
from services.api.calendar.problems import CalendarYearUnknown
from services.api.campaigns import service as campaigns
from services.api.campaigns.problems import CampaignNotFound, DeadlinePassed, WindowNotOpen
from services.api.campaigns.schemas import UnitQuality
from services.api.chain import evaluation, judgements, lapses, queue, reports, returns, service
from services.api.chain.problems import (
    DeadlineAfterCorrectionWindow,
    DeadlineInPast,
    DeadlineNeedsTimezone,
    JudgementNotFound,
    JudgementNotYours,
    JudgementOpen,
    JudgementRejected,
    NotAccepted,
    OriginalsUnchecked,
    PaymentTermsUnknown,
    PostingObjectionOpen,
    ReturnNotFound,
    ReturnNotResubmitted,
    ReturnOpen,
    ReturnTargetUnknown,
    UnitMaterialsMissing,
    UnitNotRecommending,
    UnitPledgeUnsigned,
    UnitReviewInvalid,
    UnitReviewMissing,
    UnitReviewNotFound,
)
from services.api.chain.routes import D, Read, declaration_reads, reviewers_act
from services.api.chain.schemas import (
    EvaluationReplay,
    QueueItem,
    ReturnSweep,
    UnitReviewRead,
    UnitReviewWrite,
)
from services.api.clients import documents as documents_client
from services.api.clients.rules import RulesUnavailable
from services.api.declarations.deps import (
    READ_PROBLEMS,
    CommitteesAct,
    EvaluationReaders,
    ReviewersAct,
    ReviewersLookup,
    ReviewersRecord,
)
from services.api.declarations.problems import DeclarationNotFound
from services.api.declarations.schemas import (
    ApprovalCreate,
    DeclarationRead,
    JudgementDecisionCreate,
    JudgementRead,
    ReturnChanges,
    ReturnCreate,
    ReturnRead,
)
from services.api.http import RelayAfterCommit, sends
from services.api.integrity.problems import IntegrityRecordInForce, WaitingProofOverdue
from services.api.problems import Forbidden
from services.api.statistics import streams
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, merged

router = APIRouter(tags=["reviews"], route_class=RelayAfterCommit)
# What the unit's passing up waits for (桂人社规〔2021〕11号 第二十条; 申报系统操作注意事项 二).
UNIT_READY = (
    UnitReviewMissing,
    UnitNotRecommending,
    PostingObjectionOpen,
    UnitMaterialsMissing,
    OriginalsUnchecked,
    UnitPledgeUnsigned,
)


@router.get(
    "/v1/review-queue",
    dependencies=REVIEWERS_ONLY,
    response_model=list[QueueItem],
    summary="审核界面：停在我这一级的申报书，风险高的在前",
    responses=documented(Forbidden),
    description=(
        "列出停在调用者所在一级的申报书："
        "最近一次提交记录了期刊名录标出论文的排在前（标出越多越靠前）"
        "，其次是与他人申报书重复填报论文或业绩的，其余按到达先后；"
        "排序和分页在数据库中完成。每项带完整的风险计数、"
        "论文核对结果和本级须认定的条件数。用人单位、主管部门、县区、"
        "系列的职改办和评委会办公室的工作人员可调用。"
    ),
)
async def review_queue(
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    campaign_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[QueueItem]:
    page = await queue.waiting(
        session, principal, campaign_id=campaign_id, cursor=cursor, limit=limit
    )
    if page.next_cursor:
        response.headers["Next-Cursor"] = page.next_cursor
    return page.items


@reviewers_act(
    router,
    "PUT",
    "/unit-review",
    UnitReviewRead,
    "用人单位记录答辩、审议、公示和推荐意见",
    also=(PostingObjectionOpen, UnitReviewInvalid, CalendarYearUnknown),
    description=(
        "用人单位审核人员按桂人社规〔2021〕11号第二十条规定的流程记录"
        "审核推荐：答辩（副高、正高必填；答辩时间会以短信告知申报人）"
        "、审议小组（不少于5人）、单位内部公示（柳州工程系列2022申报"
        "培训：“对拟推荐对象在单位内部进行公示。包括名册、"
        "专业技术工作经历、业绩成果及论文、著作等申报材料。”）"
        "以及对“思想品德、工作成绩、专业水平、业务能力、"
        "工作态度”五方面的推荐意见。须带 If-Match。"
        "申报书在本单位一级时，用人单位审核人员可调用；"
        "上级职改办可在其一级查看。"
    ),
)
async def put_unit_review(act: ReviewersRecord, body: UnitReviewWrite) -> JSONResponse:
    return await act.record(service.record_unit_review, body=body)


@reviewers_act(
    router,
    "POST",
    "/approvals",
    DeclarationRead,
    "审核通过，报送上一级",
    also=(
        IntegrityRecordInForce,
        WaitingProofOverdue,
        JudgementOpen,
        JudgementRejected,
        *UNIT_READY,
    ),
    description=(
        "当前一级审核通过，申报书进入审核链的下一级（最后一级通过即受"
        "理）。本级须认定的条件尚未认定（judgement-open）"
        "或认定不符合（judgement-rejected，应退回）时不能通过；"
        "用人单位一级还须已记录审核推荐、单位出具的材料、"
        "每份申报人材料的原件核实和单位承诺书。"
        "申报人在诚信档案库记录期内或等待期条目的证明逾期时，"
        "各级都不能通过。须带 If-Match。用人单位审核人员、县区、"
        "系列的职改办和评委会办公室中申报书当前所在一级的工作人员可调"
        "用。"
    ),
)
async def approve(act: ReviewersAct, body: ApprovalCreate) -> JSONResponse:
    return await act.apply(service.approve, comment=body.comment)


@reviewers_act(
    router,
    "POST",
    "/judgements/{judgement_id}/decisions",
    JudgementRead,
    "认定一项资格服务无法自动判断的条件",
    also=(JudgementNotFound, JudgementNotYours),
    description=(
        "只有该条件所属的一级（政策文件指明的层级），"
        "且申报书正在这一级时，才可认定符合或不符合，"
        "并写明理由和所依据的条款；记入审计。须带 If-Match。"
        "用人单位审核人员、县区、系列的职改办和评委会办公室中申报书当"
        "前所在一级的工作人员可调用。"
    ),
)
async def decide_judgement(
    act: ReviewersAct, judgement_id: uuid.UUID, body: JudgementDecisionCreate
) -> JSONResponse:
    return await act.record(service.decide_judgement, judgement_id=judgement_id, body=body)


@reviewers_act(
    router,
    "POST",
    "/returns",
    ReturnRead,
    "退回补正：一次性告知全部问题和补正期限",
    status_code=201,
    also=(
        ReturnTargetUnknown,
        DeadlineNeedsTimezone,
        DeadlineInPast,
        DeadlineAfterCorrectionWindow,
        ReturnOpen,
    ),
    description=(
        "当前一级把申报书退回申报人补正，"
        "一次列出全部问题（一次性告知）并给出补正截止时间。"
        "每一项可以是一行文字，也可以指明涉及的栏目或材料（target）："
        "指明的会被跟踪，重新提交时须已修改，"
        "或由申报人写明未修改的原因。逾期未补充的视为放弃申报（桂工信"
        "职办〔2023〕6号 三（三））。须带 If-Match。"
        "用人单位审核人员、县区、系列的职改办和评委会办公室中申报书当"
        "前所在一级的工作人员可调用。"
    ),
)
async def issue_return(act: ReviewersAct, body: ReturnCreate) -> JSONResponse:
    return await act.record(service.issue_return, status_code=201, body=body)


@router.get(
    D + "/returns/{return_id}/changes",
    response_model=ReturnChanges,
    summary="重新提交相对于退回时改了什么：逐栏逐项的修改和材料变化",
    description=(
        "比较退回所针对的那次提交与重新提交的两份带哈希的快照："
        "只列出有变化的栏目及每个字段修改前后的值，被替换（旧 → 新）"
        "、新增或删除的材料及其文件名，以及申报人对每一项的答复。"
        "用人单位、审核链上的职改办和评委会办公室的工作人员可调用。"
    ),
    responses=documented(*READ_PROBLEMS, Forbidden, ReturnNotFound, ReturnNotResubmitted),
)
async def return_changes(
    declaration: ReviewersLookup, return_id: uuid.UUID, request: Request
) -> Response:
    async with request.app.state.sessionmaker() as session:
        changed = await returns.changes(session, declaration, return_id)
    # The file names are the document service's, asked with no connection held.
    listed = await documents_client.list_documents(
        request.app.state.documents, str(declaration.id), include_inactive=True
    )
    if listed.status_code != 200:
        return documents_client.relay(listed)
    names = {d["id"]: d.get("original_name") for d in listed.json()}
    for ref in (
        *(r for pair in changed["replaced_documents"] for r in (pair["old"], pair["new"])),
        *changed["added_documents"],
        *changed["removed_documents"],
    ):
        ref["filename"] = names.get(str(ref["document_id"]))
    return JSONResponse(ReturnChanges.model_validate(changed).model_dump(mode="json"))


@router.post(
    "/v1/returns/expirations",
    response_model=ReturnSweep,
    dependencies=[allow("ops", "service")],
    responses=documented(Forbidden),
    summary="把补正逾期未答复的申报书视为放弃（运维或服务账号）",
    description=(
        "桂工信职办〔2023〕6号 三（三）：“逾期未补充的，"
        "视为放弃申报。”立即执行网关也会定期执行的清理："
        "同一时间只有一个副本执行，期限以数据库时钟比较；"
        "abandoned（视为放弃）是终态。运维人员或服务账号可调用。"
    ),
)
async def return_expirations(session: SessionDep, principal: PrincipalDep) -> ReturnSweep:
    return await lapses.sweep_lapsed(session, principal=principal)


# The records the chain keeps on a declaration, each a plain read for whoever sees it.
declaration_reads(
    router,
    Read(
        "get_unit_review",
        "/unit-review",
        UnitReviewRead,
        service.unit_review,
        also=(UnitReviewNotFound,),
        description=(
            "读取用人单位为该申报书记录的答辩（日期、时间、地点）、"
            "审议（日期、小组成员）、公示（起止日期、工作日数、异议）"
            "和推荐意见。申报人本人、已到达的用人单位、审核链上的职改办、"
            "评委会办公室和运维人员可调用。"
        ),
        summary="查看用人单位的审核记录：答辩、审议、公示、推荐",
    ),
    Read(
        "list_judgements",
        "/judgements",
        list[JudgementRead],
        judgements.listed,
        "待审核人员认定的条件、由谁认定及认定结果",
        description=(
            "列出资格服务无法自动判断、须由审核人员认定的条件："
            "所依据的条款、由哪一级认定（政策文件指明的或默认的）、"
            "状态和认定结果。申报人本人、已到达的用人单位、"
            "审核链上的职改办、评委会办公室和运维人员可调用。"
        ),
    ),
    Read(
        "list_returns",
        "/returns",
        list[ReturnRead],
        service.returns,
        description=(
            "列出申报书的每一次退回：退回的机构和人、时间、各项意见、"
            "补正截止时间、申报人的答复和处理时间。申报人本人、"
            "已到达的用人单位、审核链上的职改办、"
            "评委会办公室和运维人员可调用。"
        ),
        summary="申报书的全部退回补正记录",
    ),
)


@router.post(
    D + "/payment-notices",
    response_model=DeclarationRead,
    summary="已受理 → 待缴费，并给出本批次的缴费截止时间",
    responses=merged(
        documented(
            DeclarationNotFound,
            Forbidden,
            IntegrityRecordInForce,
            WaitingProofOverdue,
            NotAccepted,
            PaymentTermsUnknown,
            WindowNotOpen,
            DeadlinePassed,
        ),
        sends("ETag"),
    ),
    description=(
        "评委会办公室把已受理的申报书转为待缴费，"
        "缴费期限取自批次的缴费时间；申报人收到短信和站内消息。"
        "与各级审核通过一样，申报人在诚信档案库记录期内或等待期条目的"
        "证明逾期时不能办理。仅评委会办公室可调用。"
    ),
)
async def payment_notice(act: CommitteesAct) -> JSONResponse:
    return await act.apply(service.issue_payment_notice)


@router.get(
    "/v1/campaigns/{campaign_id}/posting-list",
    dependencies=[allow("unit_reviewer")],
    summary="用人单位的公示名册（CSV 或 XLSX）",
    description=(
        "导出本单位在该批次推荐对象的公示名册（柳州工程系列2022申报培"
        "训：“对拟推荐对象在单位内部进行公示。包括名册、"
        "专业技术工作经历、业绩成果及论文、著作等申报材料。”）。"
        "每份导出带一个签名的审计链校验点（CSV 的最后一行、"
        "XLSX 的最后一行和 Audit-Checkpoint 头），"
        "运维人员日后可据此证明公示时的审计记录没有被改写。"
        "仅用人单位审核人员可调用。"
    ),
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "headers": {
                "Audit-Checkpoint": {
                    "description": "seq=…; hash=…; at=…; signature=… of the audit chain head",
                    "schema": {"type": "string"},
                }
            },
        },
        **documented(
            CampaignNotFound,
            AuditCheckpointConflict,
            AuditAnchorUnavailable,
            # As the route was published.
            keep={409: "The audit anchor disagrees", 503: "The audit anchor is unavailable"},
        ),
    },
)
async def posting_list(
    campaign_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    plan, checkpoint = await reports.posting_export(
        session, request, campaign_id=campaign_id, unit_id=uuid.UUID(principal.org_id)
    )
    state = request.app.state
    return streams.response(
        state.sessionmaker, state.export_pool, plan, format, {"Audit-Checkpoint": checkpoint}
    )


@router.get(
    "/v1/campaigns/{campaign_id}/unit-quality",
    dependencies=[allow(*OFFICE_ROLES, "ops")],
    responses=documented(CampaignNotFound),
    response_model=list[UnitQuality],
    summary="各推荐单位推荐的申报书中后来发现问题的比例",
    description=(
        "按推荐单位统计本批次推荐上报的申报书数、"
        "其中被上级退回补正的数目和比例，以及应作出说明（≥10%）"
        "或报送整改方案（≥20%）的标记（2023年度广西工艺美术系列通知"
        " 三（一））。县区、系列、评委会的职改办和运维人员可调用。"
    ),
)
async def unit_quality(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[UnitQuality]:
    campaign = await campaigns.get(session, campaign_id)
    return await reports.unit_quality(session, campaign, principal)


@router.get(
    D + "/evaluation/replay",
    response_model=EvaluationReplay,
    summary="按快照重新评估最近一次提交并比较",
    description=(
        "按最近一次提交的快照（栏目、所填事实、"
        "登记系统的答复和当日的诚信档案记录）重建资格评估请求，"
        "重新推导事实和日期核对结果，再次请资格服务评估，"
        "并答复与保存的结果是否一致及不一致之处。用人单位、"
        "审核链上的职改办、评委会办公室和运维人员可调用。"
    ),
    responses=documented(*READ_PROBLEMS, Forbidden, RulesUnavailable),
)
async def replay_evaluation(declaration: EvaluationReaders, request: Request) -> EvaluationReplay:
    return EvaluationReplay.model_validate(
        await evaluation.replay(
            request.app.state.sessionmaker, declaration, rules=request.app.state.rules
        )
    )
