"""HTTP for the draft: start, read, edit, import (the filed declaration lives in chain/)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, current_principal
from services.api.campaigns.problems import (
    CampaignNotFound,
    DeadlinePassed,
    LevelNotInCampaign,
    WindowNotOpen,
)
from services.api.declarations import service
from services.api.declarations.committee_reset import reset_committee
from services.api.declarations.deps import (
    EDIT_PROBLEMS,
    READ_RESPONSES,
    ApplicantsAct,
    CurrentApplicant,
    DraftEdit,
)
from services.api.declarations.problems import (
    AttachmentReplaced,
    AttachmentUnknown,
    AttachmentWrongMaterial,
    CommitteeResetSame,
    CorrectionDeadlinePassed,
    DeclarationNotEditable,
    DeclarationNotFound,
    ImportRefused,
    ImportSame,
    UnitMaterialLocked,
)
from services.api.declarations.schemas import (
    CommitteeReset,
    DeclarationCreate,
    DeclarationImport,
    DeclarationRead,
    DeclarationUpdate,
)
from services.api.declarations.shapes import answer, declarations_router, headers, read, read_row
from services.api.http import IdempotencyDep, sends
from services.api.orgs.problems import UnitNotApproved, UnitNotFound
from services.api.problems import Forbidden
from services.api.specialties.problems import SpecialtyUnknown
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

router = declarations_router()
D = "/{declaration_id}"


@router.post(
    "",
    status_code=201,
    response_model=DeclarationRead,
    summary="起草申报书",
    responses=validated(
        CampaignNotFound,
        WindowNotOpen,
        DeadlinePassed,
        Forbidden,
        AttachmentUnknown,
        UnitNotApproved,
        SpecialtyUnknown,
        LevelNotInCampaign,
        UnitNotFound,
        DeclarationNotFound,
    )
    | sends("ETag", "Location", status=201),
    description=(
        "申报人在一个申报批次中起草申报书：申报单位、级别、申报途径、"
        "拟评专业（须是该系列职称评审专业目录中的代码）、"
        "资格评估所用的事实、各栏目和附件。"
        "可用 copy_from_declaration_id 从本人以前的申报书写入数据（栏"
        "目和材料）。仅申报人账号可调用。"
    ),
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


@router.get(
    D,
    response_model=DeclarationRead,
    responses=READ_RESPONSES,
    description=(
        "读取一份申报书：批次、单位、级别、途径、专业、状态、各栏目、"
        "附件、资格评估结果、评审费和版本号（修改时作为 If-Match）。"
        "申报人本人、已到达的用人单位审核人员、"
        "审核链上的职改办和评委会办公室、运维人员可调用；"
        "对接平台须持 declarations:read 权限，只能读到其辖区内的（手机号、身份证号已遮盖）。"
    ),
    summary="查看一份申报书",
)
async def get(
    declaration_id: Annotated[uuid.UUID, Path()], request: Request, principal: PrincipalDep
) -> Response:
    return await _read(request, principal, declaration_id)


async def get_lean(request: Request, declaration_id: uuid.UUID) -> Response:
    """`get` as its LeanRoute serves it (services/kit/lean.py; services/api/main.py): the
    caller read as `PrincipalDep` reads it, then the same read."""
    return await _read(request, await current_principal(request), declaration_id)


async def _read(request: Request, principal: Principal, declaration_id: uuid.UUID) -> Response:
    # The hottest read: one SELECT outside any transaction, checked as VisibleDeclaration
    # checks (404 for one the caller may not see), serialised once.
    row = await service.fetch_visible(request.app.state.engine, principal, declaration_id)
    return answer(read_row(row, principal))


@patch_or_post(
    router,
    D,
    response_model=DeclarationRead,
    summary="修改草稿或退回补正的申报书（须带 If-Match）",
    responses=validated(
        *EDIT_PROBLEMS,
        DeclarationNotEditable,
        AttachmentUnknown,
        AttachmentReplaced,
        AttachmentWrongMaterial,
        UnitMaterialLocked,
        SpecialtyUnknown,
    ),
    description=(
        "申报人修改处于草稿或退回补正状态的申报书："
        "提交的栏目整栏替换，未提交的保持不变；也可修改途径、专业、"
        "资格评估事实和附件。须带 If-Match（当前版本号），"
        "版本不符答复 412。仅申报人本人可调用。"
    ),
)
async def update(act: DraftEdit, body: DeclarationUpdate) -> JSONResponse:
    await service.update(act.session, act.declaration, body=body)
    return await act.respond(read(act.declaration))


@router.post(
    D + "/imports",
    response_model=DeclarationRead,
    summary="写入数据：把以前的一份申报书复制到本草稿",
    responses=documented(
        *EDIT_PROBLEMS, ImportRefused, ImportSame, WindowNotOpen, DeadlinePassed, CampaignNotFound
    ),
    description=(
        "申报人把本人以前的一份申报书（如上一年度的）"
        "的栏目和材料复制到当前草稿。须带 If-Match。"
        "仅申报人本人可调用。"
    ),
)
async def import_data(act: ApplicantsAct, body: DeclarationImport) -> JSONResponse:
    return await act.apply(service.import_into, source_id=body.source_declaration_id)


@router.post(
    D + "/committee-resets",
    response_model=DeclarationRead,
    summary=("重置评委会：把草稿或退回的申报书转到另一个批次或评委会，保留栏目和材料"),
    responses=validated(
        *EDIT_PROBLEMS,
        DeclarationNotEditable,
        CampaignNotFound,
        WindowNotOpen,
        DeadlinePassed,
        CommitteeResetSame,
        LevelNotInCampaign,
        CorrectionDeadlinePassed,
    ),
    description=(
        "申报人把处于草稿或退回补正状态的申报书转到另一个申报批次（从"
        "而另一个评委会），可同时改级别；栏目和材料保留。"
        "须带 If-Match。仅申报人本人可调用。"
    ),
)
async def committee_reset(act: ApplicantsAct, body: CommitteeReset) -> JSONResponse:
    return await act.apply(reset_committee, campaign_id=body.campaign_id, level=body.level)
