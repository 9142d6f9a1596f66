"""HTTP for the draft: start, read, edit, import (the filed declaration lives in chain/)."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep
from services.api.campaigns.problems import CampaignNotFound, DeadlinePassed, WindowNotOpen
from services.api.declarations import service
from services.api.declarations.committee_reset import reset_committee
from services.api.declarations.deps import (
    ACT_PROBLEMS,
    EDIT_PROBLEMS,
    READ_RESPONSES,
    ApplicantsAct,
    CurrentApplicant,
    DraftEdit,
    VisibleDeclaration,
)
from services.api.declarations.problems import (
    AttachmentReplaced,
    AttachmentUnknown,
    AttachmentWrongMaterial,
    CommitteeResetSame,
    DeclarationNotEditable,
    UnitMaterialLocked,
)
from services.api.declarations.schemas import (
    CommitteeReset,
    DeclarationCreate,
    DeclarationImport,
    DeclarationRead,
    DeclarationUpdate,
)
from services.api.declarations.shapes import declarations_router, headers, read
from services.api.http import IdempotencyDep, etag, sends
from services.api.orgs.problems import UnitNotApproved
from services.api.problems import Forbidden
from services.api.specialties.problems import SpecialtyUnknown
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

router = declarations_router()
D = "/{declaration_id}"


@router.post(
    "",
    status_code=201,
    response_model=DeclarationRead,
    summary="Start a draft",
    responses=validated(
        CampaignNotFound,
        WindowNotOpen,
        DeadlinePassed,
        Forbidden,
        AttachmentUnknown,
        UnitNotApproved,
        SpecialtyUnknown,
    )
    | sends("ETag", "Location", status=201),
)
async def create(
    body: DeclarationCreate, session: SessionDep, principal: CurrentApplicant, idem: IdempotencyDep
) -> JSONResponse:
    declaration = await service.start(session, principal, body=body)
    return await idem.respond(
        read(declaration),
        status_code=201,
        headers={**headers(declaration), "Location": f"/v1/declarations/{declaration.id}"},
    )


@router.get(D, response_model=DeclarationRead, responses=READ_RESPONSES)
async def get(
    declaration: VisibleDeclaration, principal: PrincipalDep, response: Response
) -> DeclarationRead:
    response.headers["ETag"] = etag(declaration.version)
    return read(declaration, principal)


@patch_or_post(
    router,
    D,
    response_model=DeclarationRead,
    summary="Edit a draft or a returned declaration (If-Match required)",
    responses=validated(
        *EDIT_PROBLEMS,
        DeclarationNotEditable,
        AttachmentUnknown,
        AttachmentReplaced,
        AttachmentWrongMaterial,
        UnitMaterialLocked,
        SpecialtyUnknown,
    ),
)
async def update(act: DraftEdit, body: DeclarationUpdate) -> JSONResponse:
    await service.update(act.session, act.declaration, body=body)
    return await act.respond(read(act.declaration))


@router.post(
    D + "/imports",
    response_model=DeclarationRead,
    summary="写入数据: copy an earlier declaration into this draft",
    responses=documented(*ACT_PROBLEMS),
)
async def import_data(act: ApplicantsAct, body: DeclarationImport) -> JSONResponse:
    return await act.apply(service.import_into, source_id=body.source_declaration_id)


@router.post(
    D + "/committee-resets",
    response_model=DeclarationRead,
    summary="重置评委会: move a draft or returned declaration to another campaign or committee, "
    "keeping its sections and documents",
    responses=validated(
        *ACT_PROBLEMS,
        DeclarationNotEditable,
        CampaignNotFound,
        WindowNotOpen,
        DeadlinePassed,
        CommitteeResetSame,
    ),
)
async def committee_reset(act: ApplicantsAct, body: CommitteeReset) -> JSONResponse:
    return await act.apply(reset_committee, campaign_id=body.campaign_id, level=body.level)
