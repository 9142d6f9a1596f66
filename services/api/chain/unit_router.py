"""HTTP for the unit's own records at its step: 原件核实, the unit's 承诺书, posting
objections, and the materials the gateway generates for the unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from services.api.access import PrincipalDep
from services.api.chain import unit, unit_documents
from services.api.chain.problems import (
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    OriginalAlreadyChecked,
    OriginalNoteRequired,
    PledgeTextOutdated,
    PostingObjectionOpen,
    UnitReviewMissing,
)
from services.api.chain.routes import (
    REVIEWER_ACTS,
    D,
    Read,
    Record,
    declaration_reads,
    reviewers_records,
)
from services.api.chain.schemas import (
    ObjectionRead,
    OriginalCheckRead,
    UnitPledgeRead,
)
from services.api.clients.documents import DocumentsUnavailable
from services.api.declarations.deps import (
    ReviewersRecord,
    ReviewersUnlocked,
)
from services.api.documents.problems import DocumentNotFound
from services.api.documents.schemas import DocumentRead
from services.api.http import DeferredIdempotencyDep, RelayAfterCommit, sends
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["reviews"], dependencies=[RelayAfterCommit])


# The unit's records at its step, each from the request's body.
reviewers_records(
    router,
    Record(
        "put_original_check",
        "PUT",
        "/original-checks/{document_id}",
        OriginalCheckRead,
        unit.record_original_check,
        "原件核实: the unit saw the original of one applicant document (or why not); a "
        "higher level that returned the declaration checks what came back after its return",
        also=(DocumentNotFound, OriginalNoteRequired, OriginalAlreadyChecked),
        act=ReviewersRecord,
    ),
    Record(
        "sign_unit_pledge",
        "POST",
        "/unit-pledge",
        UnitPledgeRead,
        unit.sign_pledge,
        "The unit's reviewer signs the unit's 承诺书 for this declaration",
        also=(PledgeTextOutdated,),
    ),
    Record(
        "record_objection",
        "POST",
        "/posting-objections",
        ObjectionRead,
        unit.record_objection,
        "Record an objection received during the unit's public posting (open until resolved)",
        status_code=201,
    ),
    Record(
        "resolve_objection",
        "POST",
        "/posting-objections/{objection_id}/resolution",
        ObjectionRead,
        unit.resolve_objection,
        "Resolve a posting objection with a note on how it was checked",
        also=(ObjectionNotFound, ObjectionAlreadyResolved),
    ),
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
    )
    | sends("ETag", "Location", status=201),
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
