"""HTTP for declarations: drafts, imports, submissions, withdrawals, progress, audit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, require_role
from services.api.audit import service as audit
from services.api.declarations import service, submission
from services.api.declarations.schemas import (
    DeclarationCreate,
    DeclarationImport,
    DeclarationPage,
    DeclarationRead,
    DeclarationUpdate,
    EventRead,
    ProgressRead,
    ReturnRead,
    StepRead,
    WithdrawalCreate,
)
from services.api.http import (
    IdempotencyDep,
    IfMatch,
    RelayAfterCommit,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag,
)
from services.api.journals import flags
from services.api.models import Declaration
from services.api.registries import risk
from services.kit.db import SessionDep

router = APIRouter(
    prefix="/v1/declarations", tags=["declarations"], dependencies=[RelayAfterCommit]
)


def read(declaration: Declaration) -> DeclarationRead:
    return DeclarationRead.model_validate(declaration, from_attributes=True)


def headers(declaration: Declaration) -> dict[str, str]:
    return {"ETag": etag(declaration.version)}


@router.post("", status_code=201, response_model=DeclarationRead, summary="Start a draft")
async def create(
    body: DeclarationCreate, session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep
) -> JSONResponse:
    source = None
    if body.copy_from_declaration_id is not None:
        source = await service.load(session, principal, body.copy_from_declaration_id)
    declaration = await service.create(session, principal, body=body)
    if source is not None:
        declaration = await service.import_from(session, principal, declaration, source=source)
    return await idem.respond(
        read(declaration),
        status_code=201,
        headers={**headers(declaration), "Location": f"/v1/declarations/{declaration.id}"},
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


@router.get("/{declaration_id}", response_model=DeclarationRead)
async def get(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> DeclarationRead:
    declaration = await service.load(session, principal, declaration_id)
    response.headers["ETag"] = etag(declaration.version)
    return read(declaration)


@router.patch(
    "/{declaration_id}",
    response_model=DeclarationRead,
    summary="Edit a draft or a returned declaration (If-Match required)",
)
async def update(
    declaration_id: uuid.UUID,
    body: DeclarationUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    declaration = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, declaration.version, required=True)
    declaration = await service.update(session, principal, declaration, body=body)
    return JSONResponse(jsonable_encoder(read(declaration)), headers=headers(declaration))


@router.post(
    "/{declaration_id}/imports",
    response_model=DeclarationRead,
    summary="写入数据: copy an earlier declaration into this draft",
)
async def import_data(
    declaration_id: uuid.UUID,
    body: DeclarationImport,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    target = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, target.version, required=False)
    source = await service.load(session, principal, body.source_declaration_id)
    target = await service.import_from(session, principal, target, source=source)
    return await idem.respond(read(target), headers=headers(target))


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
