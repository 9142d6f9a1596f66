"""HTTP for the review chain: unit review, approvals, returns, payment notices, reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.api.access import (
    OFFICE_ROLES,
    REVIEWER_ROLES,
    PrincipalDep,
    allow,
)
from services.api.campaigns import service as campaigns
from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.campaigns.schemas import UnitQuality
from services.api.chain import queue, reports, service
from services.api.chain.problems import (
    NotUnderReview,
    NotYourStep,
    OriginalsUnchecked,
    PostingObjectionOpen,
    UnitMaterialsMissing,
    UnitNotRecommending,
    UnitPledgeUnsigned,
    UnitReviewMissing,
    UnitReviewNotFound,
)
from services.api.chain.schemas import QueueItem, UnitReviewRead, UnitReviewWrite
from services.api.declarations.deps import (
    ACT_PROBLEMS,
    READ_PROBLEMS,
    CommitteesDeclaration,
    ReviewersDeclaration,
    ReviewersRecord,
    VisibleDeclaration,
)
from services.api.declarations.problems import DeclarationNotFound
from services.api.declarations.schemas import (
    ApprovalCreate,
    DeclarationRead,
    ReturnCreate,
    ReturnRead,
)
from services.api.declarations.shapes import headers, read
from services.api.http import IdempotencyDep, RelayAfterCommit
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented
from services.kit.problems import PROBLEM_MEDIA_TYPE

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])
D = "/v1/declarations/{declaration_id}"
# What a reviewer's action on the declaration in front of them can answer.
REVIEWER_PROBLEMS = (*ACT_PROBLEMS, NotUnderReview, NotYourStep, WindowNotOpen, DeadlinePassed)
REVIEWER_ACTS = documented(*REVIEWER_PROBLEMS)
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
    dependencies=[allow(*REVIEWER_ROLES)],
    response_model=list[QueueItem],
    summary="审核界面: the declarations waiting at my step, riskiest first",
    responses=documented(Forbidden),
    description="Declarations with papers flagged by the journal register come first (those "
    "recorded at submission and new matches against today's register), then those with "
    "social-insurance consistency warnings, then those sharing claimed papers or achievements "
    "with other applicants, then the rest as they arrived; each lists its "
    "papers flagged first. Details per declaration: GET …/warnings.",
)
async def review_queue(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[QueueItem]:
    return await queue.waiting(session, principal, campaign_id=campaign_id, limit=limit)


@router.put(
    D + "/unit-review",
    response_model=UnitReviewRead,
    summary="Record defence, deliberation, posting and recommendation (unit)",
    responses=documented(*REVIEWER_PROBLEMS, PostingObjectionOpen),
)
async def put_unit_review(
    declaration: ReviewersRecord,
    body: UnitReviewWrite,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    review = await service.record_unit_review(session, principal, declaration, body=body)
    return JSONResponse(jsonable_encoder(review), headers=headers(declaration))


@router.get(
    D + "/unit-review",
    response_model=UnitReviewRead,
    responses=documented(*READ_PROBLEMS, UnitReviewNotFound),
)
async def get_unit_review(declaration: VisibleDeclaration, session: SessionDep) -> UnitReviewRead:
    return await service.unit_review(session, declaration)


@router.post(
    D + "/approvals",
    response_model=DeclarationRead,
    summary="Pass up the chain",
    description="At the unit's step: refused while the unit review, its own materials, a "
    "原件核实 for every applicant document or its pledge is missing, or a posting objection "
    "is open, each with a named problem.",
    responses=documented(*REVIEWER_PROBLEMS, *UNIT_READY),
)
async def approve(
    declaration: ReviewersDeclaration,
    body: ApprovalCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    declaration = await service.approve(session, principal, declaration, comment=body.comment)
    return await idem.respond(read(declaration), headers=headers(declaration))


@router.post(
    D + "/returns",
    status_code=201,
    response_model=ReturnRead,
    summary="Return for correction: one complete list, one deadline (一次性告知)",
    responses=REVIEWER_ACTS,
)
async def issue_return(
    declaration: ReviewersDeclaration,
    body: ReturnCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    returned = await service.issue_return(session, principal, declaration, body=body)
    return await idem.respond(returned, status_code=201, headers=headers(declaration))


@router.get(D + "/returns", response_model=list[ReturnRead], responses=documented(*READ_PROBLEMS))
async def list_returns(declaration: VisibleDeclaration, session: SessionDep) -> list[ReturnRead]:
    return await service.returns(session, declaration)


@router.post(
    D + "/payment-notices",
    response_model=DeclarationRead,
    summary="accepted → payment_due, with the campaign's payment deadline",
    responses=documented(DeclarationNotFound, Forbidden),
)
async def payment_notice(
    declaration: CommitteesDeclaration,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    declaration = await service.issue_payment_notice(session, principal, declaration)
    return await idem.respond(read(declaration), headers=headers(declaration))


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
    export = await reports.posting_export(
        session, request, campaign_id=campaign_id, unit_id=uuid.UUID(principal.org_id), kind=format
    )
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Audit-Checkpoint": export.checkpoint,
        },
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
