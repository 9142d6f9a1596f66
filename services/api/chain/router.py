"""HTTP for the review chain: unit review, approvals, returns, payment notices, reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import OFFICE_ROLES, REVIEWERS_ONLY, PrincipalDep, allow
from services.api.campaigns import service as campaigns
from services.api.campaigns.schemas import UnitQuality
from services.api.chain import evaluation, judgements, lapses, queue, reports, returns, service
from services.api.chain.problems import (
    JudgementNotFound,
    JudgementNotYours,
    JudgementOpen,
    JudgementRejected,
    OriginalsUnchecked,
    PostingObjectionOpen,
    ReturnNotFound,
    ReturnNotResubmitted,
    ReturnTargetUnknown,
    UnitMaterialsMissing,
    UnitNotRecommending,
    UnitPledgeUnsigned,
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
from services.api.http import RelayAfterCommit
from services.api.integrity.problems import IntegrityRecordInForce, WaitingProofOverdue
from services.api.problems import Forbidden
from services.api.statistics import streams
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented
from services.kit.problems import PROBLEM_MEDIA_TYPE

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])
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
    summary="审核界面: the declarations waiting at my step, riskiest first",
    responses=documented(Forbidden),
    description="Declarations whose latest submission recorded papers flagged by the journal "
    "register come first (most flags first), then those sharing claimed papers or achievements "
    "with other applicants, then the rest as they reached the step; ranked and cut in the "
    "database. Each shows its full risk (new matches against today's register, social-"
    "insurance consistency warnings) and lists its papers flagged first. Details per "
    "declaration: GET …/warnings. When more wait, the `Next-Cursor` header gives the "
    "`cursor` of the next page.",
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
    "Record defence, deliberation, posting and recommendation (unit)",
    also=(PostingObjectionOpen,),
)
async def put_unit_review(act: ReviewersRecord, body: UnitReviewWrite) -> JSONResponse:
    return await act.record(service.record_unit_review, body=body)


@reviewers_act(
    router,
    "POST",
    "/approvals",
    DeclarationRead,
    "Pass up the chain",
    also=(
        IntegrityRecordInForce,
        WaitingProofOverdue,
        JudgementOpen,
        JudgementRejected,
        *UNIT_READY,
    ),
    description="Refused while a condition this step must judge is open (`judgement-open`) "
    "or was found not met (`judgement-rejected`: return the declaration instead). At the "
    "unit's step also while the unit review, its own materials, a 原件核实 for every "
    "applicant document or its pledge is missing, or a posting objection is open, each "
    "with a named problem.",
)
async def approve(act: ReviewersAct, body: ApprovalCreate) -> JSONResponse:
    return await act.apply(service.approve, comment=body.comment)


@reviewers_act(
    router,
    "POST",
    "/judgements/{judgement_id}/decisions",
    JudgementRead,
    "Record the judgement on a condition the eligibility service cannot decide",
    also=(JudgementNotFound, JudgementNotYours),
    description="Only the step the condition belongs to (the level the policy names), while "
    "the declaration is at it; approve or reject, with the reason and the clause. Audited.",
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
    "Return for correction: one complete list, one deadline (一次性告知)",
    status_code=201,
    also=(ReturnTargetUnknown,),
    description="Each item is a plain line or an object; an item with a `target` names a "
    "section the declaration has and/or a material it attaches (checked now: anything else "
    "is `return-target-unknown` with the item's field) and is tracked: at the resubmission "
    "it must have changed since this return, or carry the applicant's note.",
)
async def issue_return(act: ReviewersAct, body: ReturnCreate) -> JSONResponse:
    return await act.record(service.issue_return, status_code=201, body=body)


@router.get(
    D + "/returns/{return_id}/changes",
    response_model=ReturnChanges,
    summary="What the resubmission changed since the return: sections field by field, documents",
    description="Compares the hashed snapshot of the submission the return was issued "
    "against with the resubmission's: only the sections that changed, each field's before "
    "and after, and the documents replaced (old → new), added or removed, with their "
    "file names; and the applicant's answer to each item. For the reviewers who see the "
    "declaration.",
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
    summary="Abandon declarations whose return lapsed unanswered (视为放弃; ops or service)",
    description=(
        "桂工信职办〔2023〕6号 三（三）：逾期未补充的，视为放弃申报. Runs the sweep the gateway "
        "also runs periodically; one replica at a time (advisory lock), deadlines compared "
        "with the database clock. `abandoned` is a final status."
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
    ),
    Read(
        "list_judgements",
        "/judgements",
        list[JudgementRead],
        judgements.listed,
        "Conditions left to a reviewer's judgement, who decides each, and the decisions",
    ),
    Read("list_returns", "/returns", list[ReturnRead], service.returns),
)


@router.post(
    D + "/payment-notices",
    response_model=DeclarationRead,
    summary="accepted → payment_due, with the campaign's payment deadline",
    responses=documented(
        DeclarationNotFound, Forbidden, IntegrityRecordInForce, WaitingProofOverdue
    ),
    description="Refused, as every level's approval is, while the applicant is in the "
    "integrity register or a waiting-period item's proof is overdue (`integrity/standing.py`).",
)
async def payment_notice(act: CommitteesAct) -> JSONResponse:
    return await act.apply(service.issue_payment_notice)


@router.get(
    "/v1/campaigns/{campaign_id}/posting-list",
    dependencies=[allow("unit_reviewer")],
    summary="The unit's public posting list (名册) as CSV or XLSX",
    description=(
        "Each export carries a signed checkpoint of the audit chain (its last line in CSV, "
        "its last row in XLSX, and the `Audit-Checkpoint` header): ops can prove later "
        "that the audit trail as of this posting was not rewritten."
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
        409: {"description": "The audit anchor disagrees", "content": {PROBLEM_MEDIA_TYPE: {}}},
        503: {
            "description": "The audit anchor is unavailable",
            "content": {PROBLEM_MEDIA_TYPE: {}},
        },
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
    return streams.response(
        request.app.state.sessionmaker, plan, format, {"Audit-Checkpoint": checkpoint}
    )


@router.get(
    "/v1/campaigns/{campaign_id}/unit-quality",
    dependencies=[allow(*OFFICE_ROLES, "ops")],
    response_model=list[UnitQuality],
    summary="Per unit: share of recommended declarations later found with problems",
)
async def unit_quality(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[UnitQuality]:
    campaign = await campaigns.get(session, campaign_id)
    return await reports.unit_quality(session, campaign, principal)


@router.get(
    D + "/evaluation/replay",
    response_model=EvaluationReplay,
    summary="Re-evaluate the last submission from its snapshot and compare",
    description="Rebuilds the eligibility request from what the last submission's snapshot "
    "keeps (the sections, the facts as typed, the registries' answers and the integrity "
    "register's entries of that day), derives the facts and the seeds' date findings again, "
    "asks the eligibility service again and answers whether both match what was stored "
    "(`matches`), with the paths that differ. For reviewers and ops.",
    responses=documented(*READ_PROBLEMS, Forbidden),
)
async def replay_evaluation(declaration: EvaluationReaders, request: Request) -> EvaluationReplay:
    return EvaluationReplay.model_validate(
        await evaluation.replay(
            request.app.state.sessionmaker, declaration, rules=request.app.state.rules
        )
    )
