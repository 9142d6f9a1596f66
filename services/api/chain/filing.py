"""HTTP for the filed declaration: the lists that carry risk, submission, withdrawal,
progress and the audit trail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, require_role
from services.api.audit import service as audit
from services.api.chain import submission
from services.api.declarations import service
from services.api.declarations.schemas import (
    DeclarationPage,
    DeclarationRead,
    EventRead,
    ProgressRead,
    ReturnRead,
    StepRead,
    WithdrawalCreate,
)
from services.api.declarations.shapes import headers, read
from services.api.http import (
    IdempotencyDep,
    IfMatch,
    RelayAfterCommit,
    check_if_match,
    decode_cursor,
    encode_cursor,
)
from services.api.journals import flags
from services.api.registries import risk
from services.kit.db import SessionDep

router = APIRouter(
    prefix="/v1/declarations", tags=["declarations"], dependencies=[RelayAfterCommit]
)


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
    status: str | None = None,
    campaign_id: uuid.UUID | None = None,
) -> DeclarationPage:
    after = decode_cursor(cursor) if cursor else None
    rows = await service.page(
        session, principal, after=after, limit=limit + 1, status=status, campaign_id=campaign_id
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    items = [read(r) for r in rows]
    summaries = await risk.summaries(session, principal, rows)
    for item in items:
        item.risk = summaries.get(item.id)
    return DeclarationPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{declaration_id}/submissions",
    response_model=DeclarationRead,
    summary="Submit (or resubmit after a return): eligibility and completeness checked",
)
async def submit(
    declaration_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    declaration = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, declaration.version, required=False)
    declaration = await submission.submit(
        session, principal, declaration, rules=request.app.state.rules
    )
    body = read(declaration)
    checks = await flags.papers(session, declaration)
    body.academic_risk = [c.model_dump(mode="json") for c in checks if c.flagged]
    return await idem.respond(body, headers=headers(declaration))


@router.post("/{declaration_id}/withdrawals", response_model=DeclarationRead)
async def withdraw(
    declaration_id: uuid.UUID,
    body: WithdrawalCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    declaration = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, declaration.version, required=False)
    declaration = await submission.withdraw(session, principal, declaration, reason=body.reason)
    return await idem.respond(read(declaration), headers=headers(declaration))


@router.get(
    "/{declaration_id}/progress",
    response_model=ProgressRead,
    summary="Steps, who acted and when, and the open return if any",
)
async def progress(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ProgressRead:
    declaration = await service.load(session, principal, declaration_id)
    steps = await service.steps(session, declaration.id)
    events = await audit.for_declaration(session, declaration.id)
    open_return = await service.current_return(session, declaration.id)
    return ProgressRead(
        declaration_id=declaration.id,
        status=declaration.status,
        current_position=declaration.current_position,
        steps=[StepRead.model_validate(s, from_attributes=True) for s in steps],
        events=[EventRead.model_validate(e, from_attributes=True) for e in events],
        open_return=ReturnRead.model_validate(open_return, from_attributes=True)
        if open_return
        else None,
    )


@router.get("/{declaration_id}/audit", response_model=list[EventRead])
async def audit_trail(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[EventRead]:
    declaration = await service.load(session, principal, declaration_id)
    events = await audit.for_declaration(session, declaration.id)
    return [EventRead.model_validate(e, from_attributes=True) for e in events]
