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
from services.api.chain.routes import REVIEWER_ACTS, D, Read, declaration_reads, reviewers_act
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
    ReviewersAct,
    ReviewersRecord,
    ReviewersUnlocked,
)
from services.api.documents.problems import DocumentNotFound
from services.api.documents.schemas import DocumentRead
from services.api.http import DeferredIdempotencyDep, RelayAfterCommit
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])


@reviewers_act(
    router,
    "PUT",
    "/original-checks/{document_id}",
    OriginalCheckRead,
    "原件核实: the unit saw the original of one applicant document (or why not)",
    also=(DocumentNotFound, OriginalNoteRequired),
)
async def put_original_check(
    act: ReviewersRecord, document_id: uuid.UUID, body: OriginalCheckWrite
) -> JSONResponse:
    return await act.record(unit.record_original_check, document_id=document_id, body=body)


@reviewers_act(
    router,
    "POST",
    "/unit-pledge",
    UnitPledgeRead,
    "The unit's reviewer signs the unit's 承诺书 for this declaration",
    also=(PledgeTextOutdated,),
)
async def sign_unit_pledge(act: ReviewersAct, body: UnitPledgeWrite) -> JSONResponse:
    return await act.record(unit.sign_pledge, text_version=body.text_version)


@reviewers_act(
    router,
    "POST",
    "/posting-objections",
    ObjectionRead,
    "Record an objection received during the unit's public posting (open until resolved)",
    status_code=201,
)
async def record_objection(act: ReviewersAct, body: ObjectionCreate) -> JSONResponse:
    return await act.record(unit.record_objection, status_code=201, body=body)


@reviewers_act(
    router,
    "POST",
    "/posting-objections/{objection_id}/resolution",
    ObjectionRead,
    "Resolve a posting objection with a note on how it was checked",
    also=(ObjectionNotFound, ObjectionAlreadyResolved),
)
async def resolve_objection(
    act: ReviewersAct, objection_id: uuid.UUID, body: ObjectionResolve
) -> JSONResponse:
    return await act.record(
        unit.resolve_objection, objection_id=objection_id, resolution=body.resolution
    )


# What the unit recorded at its step, each a plain read for whoever sees the declaration.
declaration_reads(
    router,
    Read(
        "list_original_checks",
        "/original-checks",
        list[OriginalCheckRead],
        unit.original_checks,
        "Every applicant document with its 原件核实, checked or not yet",
    ),
    Read(
        "get_unit_pledge",
        "/unit-pledge",
        UnitPledgeRead,
        unit.pledge,
        "The unit's 承诺书: the current text, and whether and by whom it was signed",
    ),
    Read("list_objections", "/posting-objections", list[ObjectionRead], unit.objections),
)


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
