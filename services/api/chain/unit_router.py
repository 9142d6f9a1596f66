"""HTTP for the unit's own records at its step: 原件核实, the unit's 承诺书, posting
objections, and the materials the gateway generates for the unit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep
from services.api.chain import unit, unit_documents
from services.api.chain.problems import (
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    OriginalNoteRequired,
    PledgeTextOutdated,
    PostingObjectionOpen,
    UnitReviewMissing,
)
from services.api.chain.router import REVIEWER_ACTS
from services.api.chain.schemas import (
    ObjectionCreate,
    ObjectionRead,
    ObjectionResolve,
    OriginalCheckRead,
    OriginalCheckWrite,
    UnitPledgeRead,
    UnitPledgeWrite,
)
from services.api.clients.documents import DocumentsUnavailable
from services.api.declarations.deps import (
    READ_PROBLEMS,
    ReviewersAct,
    ReviewersRecord,
    ReviewersUnlocked,
    VisibleDeclaration,
)
from services.api.documents.problems import DocumentNotFound
from services.api.documents.schemas import DocumentRead
from services.api.http import DeferredIdempotencyDep, RelayAfterCommit
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])
D = "/v1/declarations/{declaration_id}"


@router.put(
    D + "/original-checks/{document_id}",
    response_model=OriginalCheckRead,
    summary="原件核实: the unit saw the original of one applicant document (or why not)",
    responses=documented(*REVIEWER_ACTS, DocumentNotFound, OriginalNoteRequired),
)
async def put_original_check(
    act: ReviewersRecord, document_id: uuid.UUID, body: OriginalCheckWrite
) -> JSONResponse:
    check = await unit.record_original_check(
        act.session, act.principal, act.declaration, document_id=document_id, body=body
    )
    return await act.respond(check)


@router.get(
    D + "/original-checks",
    response_model=list[OriginalCheckRead],
    summary="Every applicant document with its 原件核实, checked or not yet",
    responses=documented(*READ_PROBLEMS),
)
async def list_original_checks(
    declaration: VisibleDeclaration, session: SessionDep
) -> list[OriginalCheckRead]:
    return await unit.original_checks(session, declaration)


@router.post(
    D + "/unit-pledge",
    response_model=UnitPledgeRead,
    summary="The unit's reviewer signs the unit's 承诺书 for this declaration",
    responses=documented(*REVIEWER_ACTS, PledgeTextOutdated),
)
async def sign_unit_pledge(act: ReviewersAct, body: UnitPledgeWrite) -> JSONResponse:
    signed = await unit.sign_pledge(
        act.session, act.principal, act.declaration, text_version=body.text_version
    )
    return await act.respond(signed)


@router.get(
    D + "/unit-pledge",
    response_model=UnitPledgeRead,
    summary="The unit's 承诺书: the current text, and whether and by whom it was signed",
    responses=documented(*READ_PROBLEMS),
)
async def get_unit_pledge(declaration: VisibleDeclaration, session: SessionDep) -> UnitPledgeRead:
    return await unit.pledge(session, declaration)


@router.post(
    D + "/posting-objections",
    status_code=201,
    response_model=ObjectionRead,
    summary="Record an objection received during the unit's public posting (open until resolved)",
    responses=documented(*REVIEWER_ACTS),
)
async def record_objection(act: ReviewersAct, body: ObjectionCreate) -> JSONResponse:
    row = await unit.record_objection(act.session, act.principal, act.declaration, body=body)
    return await act.respond(row, status_code=201)


@router.post(
    D + "/posting-objections/{objection_id}/resolution",
    response_model=ObjectionRead,
    summary="Resolve a posting objection with a note on how it was checked",
    responses=documented(*REVIEWER_ACTS, ObjectionNotFound, ObjectionAlreadyResolved),
)
async def resolve_objection(
    act: ReviewersAct, objection_id: uuid.UUID, body: ObjectionResolve
) -> JSONResponse:
    row = await unit.resolve_objection(
        act.session,
        act.principal,
        act.declaration,
        objection_id=objection_id,
        resolution=body.resolution,
    )
    return await act.respond(row)


@router.get(
    D + "/posting-objections",
    response_model=list[ObjectionRead],
    responses=documented(*READ_PROBLEMS),
)
async def list_objections(
    declaration: VisibleDeclaration, session: SessionDep
) -> list[ObjectionRead]:
    return await unit.objections(session, declaration)


@router.post(
    D + "/unit-materials/{material}",
    status_code=201,
    response_model=DocumentRead,
    summary="Generate a unit material from what the unit recorded and file it (text PDF)",
    description="public_posting: 公示情况 — the posting period with its working days, the "
    "unit's posting list (名册) and the objections with how each was resolved. "
    "unit_recommendation: 单位推荐意见 — the five-aspect appraisal and the conclusion. "
    "Stored by the document service and attached as the unit's material, so the unit "
    "need not upload a scan of it.",
    responses=documented(
        *REVIEWER_ACTS, UnitReviewMissing, PostingObjectionOpen, DocumentsUnavailable
    ),
)
async def generate_unit_material(
    declaration: ReviewersUnlocked,
    material: Annotated[unit_documents.Generated, Path()],
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
) -> Response:
    return await unit_documents.generate(
        session,
        principal,
        declaration,
        material=material,
        http=request.app.state.documents,
        idem=idem,
    )
