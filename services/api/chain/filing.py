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
    ReturnAnswerInvalid,
    ReturnItemsUntouched,
)
from services.api.declarations.deps import (
    ACT_PROBLEMS,
    EDIT_PROBLEMS,
    READ_RESPONSES,
    ApplicantsAct,
    ApplicantsSubmission,
    VisibleDeclaration,
)
from services.api.declarations.schemas import (
    DeclarationPage,
    DeclarationRead,
    EventRead,
    ProgressRead,
    SubmissionCreate,
    WithdrawalCreate,
)
from services.api.declarations.shapes import declarations_router
from services.api.models.declaration import DeclarationStatus
from services.api.orgs.problems import ChainIncomplete
from services.api.statistics.problems import UnitRecommendationsSuspended
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = declarations_router()


@router.get(
    "",
    response_model=DeclarationPage,
    summary="Declarations I may see, oldest first",
    description="For reviewers and ops each item carries `risk`: papers flagged by the "
    "journal register (recorded at submission, and new ones) and social-insurance "
    "consistency warnings, counted.",
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
    summary="Submit (or resubmit after a return): eligibility and completeness checked",
    responses=documented(
        WindowNotOpen,
        DeadlinePassed,
        ChainIncomplete,
        UnitRecommendationsSuspended,
        DeclarationAbandoned,
        ReturnItemsUntouched,
        ReturnAnswerInvalid,
        *EDIT_PROBLEMS,
    ),
    description="The body is optional. On a resubmission after a return, `addressed` answers "
    "the return's items: an item tied to a section or a material (`target`) that did not "
    "change since the return needs a `note` saying why, or the resubmission is refused "
    "(`return-items-untouched`, naming the items); the answers are kept on the return.",
)
async def submit(
    act: ApplicantsSubmission, request: Request, body: SubmissionCreate | None = None
) -> JSONResponse:
    state = request.app.state
    filed = await submission.submit(
        act.session,
        act.principal,
        act.declaration,
        rules=state.rules,
        cipher=state.pii,
        addressed=body.addressed if body else (),
    )
    return await act.respond(filed)


@router.post(
    "/{declaration_id}/withdrawals",
    response_model=DeclarationRead,
    responses=documented(*ACT_PROBLEMS),
)
async def withdraw(act: ApplicantsAct, body: WithdrawalCreate) -> JSONResponse:
    return await act.apply(submission.withdraw, reason=body.reason)


@router.get(
    "/{declaration_id}/progress",
    response_model=ProgressRead,
    summary="Steps, who acted and when, and the open return if any",
    responses=READ_RESPONSES,
)
async def progress(declaration: VisibleDeclaration, session: SessionDep) -> ProgressRead:
    return await reads.progress(session, declaration)


@router.get("/{declaration_id}/audit", response_model=list[EventRead], responses=READ_RESPONSES)
async def audit_trail(declaration: VisibleDeclaration, session: SessionDep) -> list[EventRead]:
    return await reads.audit_trail(session, declaration)
