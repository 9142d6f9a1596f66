"""HTTP for the unit's own records at its step: 原件核实, the unit's 承诺书, posting
objections, and the materials the gateway generates for the unit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.encoders import jsonable_encoder
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
from services.api.chain.router import REVIEWER_PROBLEMS
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
    ReviewersDeclaration,
    ReviewersRecord,
    ReviewersUnlocked,
    VisibleDeclaration,
)
from services.api.declarations.shapes import headers
from services.api.documents.problems import DocumentNotFound
from services.api.documents.schemas import DocumentRead
from services.api.http import DeferredIdempotencyDep, IdempotencyDep, RelayAfterCommit
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])
D = "/v1/declarations/{declaration_id}"


@router.put(
    D + "/original-checks/{document_id}",
    response_model=OriginalCheckRead,
    summary="原件核实: the unit saw the original of one applicant document (or why not)",
    responses=documented(*REVIEWER_PROBLEMS, DocumentNotFound, OriginalNoteRequired),
)
async def put_original_check(
    declaration: ReviewersRecord,
    document_id: uuid.UUID,
    body: OriginalCheckWrite,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    check = await unit.record_original_check(
        session, principal, declaration, document_id=document_id, body=body
    )
    return JSONResponse(jsonable_encoder(check), headers=headers(declaration))


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
    responses=documented(*REVIEWER_PROBLEMS, PledgeTextOutdated),
)
async def sign_unit_pledge(
    declaration: ReviewersDeclaration,
    body: UnitPledgeWrite,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    signed = await unit.sign_pledge(session, principal, declaration, text_version=body.text_version)
    return await idem.respond(signed, headers=headers(declaration))


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
    responses=documented(*REVIEWER_PROBLEMS),
)
async def record_objection(
    declaration: ReviewersDeclaration,
    body: ObjectionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    row = await unit.record_objection(session, principal, declaration, body=body)
    return await idem.respond(row, status_code=201, headers=headers(declaration))


@router.post(
    D + "/posting-objections/{objection_id}/resolution",
    response_model=ObjectionRead,
    summary="Resolve a posting objection with a note on how it was checked",
    responses=documented(*REVIEWER_PROBLEMS, ObjectionNotFound, ObjectionAlreadyResolved),
)
async def resolve_objection(
    declaration: ReviewersDeclaration,
    objection_id: uuid.UUID,
    body: ObjectionResolve,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    row = await unit.resolve_objection(
        session, principal, declaration, objection_id=objection_id, resolution=body.resolution
    )
    return await idem.respond(row, headers=headers(declaration))


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
        *REVIEWER_PROBLEMS, UnitReviewMissing, PostingObjectionOpen, DocumentsUnavailable
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
