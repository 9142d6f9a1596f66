"""HTTP for the organisation tree: maintained by ops; units found by name or credit
code; a unit registers itself and its parent office decides."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.api.access import (
    APPLICANTS_ONLY,
    OPS_ONLY,
    REVIEWERS_ONLY,
    SIGNED_IN,
    PrincipalDep,
)
from services.api.http import WriteDep
from services.api.orgs import service
from services.api.orgs.problems import (
    DECIDE_PROBLEMS,
    REGISTER_PROBLEMS,
    OrgExists,
    OrgFieldNotApplicable,
    OrgInvalidParent,
    OrgNotFound,
)
from services.api.orgs.schemas import (
    OrgChange,
    OrgCreate,
    OrgRead,
    RegistrationCreate,
    RegistrationDecision,
    RegistrationRead,
    UnitHit,
)
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

# Every route is for a signed-in caller; the writes say which role besides.
router = APIRouter(prefix="/v1/orgs", tags=["orgs"], dependencies=SIGNED_IN)


@router.post(
    "",
    status_code=201,
    response_model=OrgRead,
    dependencies=OPS_ONLY,
    responses=validated(Forbidden, OrgExists, OrgNotFound, OrgInvalidParent),
    summary="新建机构（运维）",
    description=(
        "运维人员在机构树中新建一个机构：用人单位、主管部门、"
        "县区或系列职改办、评委会办公室等，写明上级机构、"
        "行政区划代码，用人单位写统一社会信用代码和归属，"
        "职改办写职责。仅运维人员可调用。"
    ),
)
async def create(body: OrgCreate, write: WriteDep) -> JSONResponse:
    return await write.apply(service.register, status_code=201, body=body)


@router.get(
    "",
    response_model=list[UnitHit],
    summary="按名称片段或统一社会信用代码查找已核准的用人单位及其上级机构",
    description=(
        "按名称片段或完整的统一社会信用代码查找已核准的用人单位，"
        "并答复其上级机构（由近及远），供申报人选择申报单位。申报人、"
        "审核机构、专家、运维人员和服务账号可调用；对接平台不可调用。"
    ),
)
async def search(
    session: SessionDep,
    q: str = Query(min_length=2, max_length=200, description="单位名称的一部分或统一社会信用代码"),
) -> list[UnitHit]:
    return await service.search_units(session, q=q)


@router.post(
    "/registrations",
    status_code=201,
    response_model=RegistrationRead,
    dependencies=APPLICANTS_ONLY,
    summary="用人单位自行注册，待上级机构核准",
    responses=validated(Forbidden, *REGISTER_PROBLEMS),
    description=(
        "用人单位的联系人（以申报人账号登录）注册本单位：名称、"
        "统一社会信用代码、行政区划代码、上级机构，"
        "以及是否具有独立法人资格。不具有独立法人资格的分支机构不能作"
        "为申报单位（桂工信职办〔2023〕6号 二："
        "“申报人不得选择不具有独立法人资格的分支机构作为申报单位参评"
        "”），法律规定独立承担责任的分支机构（如银行、"
        "保险公司的分支机构）除外。注册后待上级机构核准。"
        "仅申报人账号可调用。"
    ),
)
async def register(body: RegistrationCreate, write: WriteDep) -> JSONResponse:
    return await write.apply(service.register_unit, status_code=201, body=body)


@router.get(
    "/registrations",
    response_model=list[RegistrationRead],
    dependencies=REVIEWERS_ONLY,
    summary="待本机构核准的用人单位注册",
    responses=documented(Forbidden),
    description=(
        "列出以调用者所在机构为上级、等待核准的用人单位注册。"
        "用人单位、主管部门、各级职改办和评委会办公室的工作人员可调用"
        "。"
    ),
)
async def pending(session: SessionDep, principal: PrincipalDep) -> list[RegistrationRead]:
    return await service.pending_for(session, principal)


@router.post(
    "/registrations/{org_id}/decisions",
    response_model=RegistrationRead,
    dependencies=REVIEWERS_ONLY,
    summary="上级机构核准或驳回用人单位注册（驳回须写理由）",
    responses=validated(Forbidden, *DECIDE_PROBLEMS),
    description=(
        "注册所填上级机构的工作人员核准该用人单位，或写明理由驳回。"
        "核准后该单位可被申报人选为申报单位。用人单位、主管部门、"
        "各级职改办和评委会办公室的工作人员可调用，"
        "且只能处理以本机构为上级的注册。"
    ),
)
async def decide(
    org_id: uuid.UUID, body: RegistrationDecision, session: SessionDep, principal: PrincipalDep
) -> RegistrationRead:
    return await service.decide(session, principal, org_id, body=body)


@router.get(
    "/{org_id}",
    response_model=OrgRead,
    responses=documented(OrgNotFound),
    summary="查看一个机构",
    description=(
        "读取一个机构的名称、类别、上级、行政区划代码、"
        "统一社会信用代码、归属和职责。已登录的申报人、审核机构、"
        "专家、运维人员和服务账号可调用。"
    ),
)
async def get(org_id: uuid.UUID, session: SessionDep) -> OrgRead:
    return OrgRead.model_validate(await service.get(session, org_id), from_attributes=True)


@patch_or_post(
    router,
    "/{org_id}",
    dependencies=OPS_ONLY,
    response_model=OrgRead,
    summary=("调整机构在树中的位置、职改办的职责或用人单位的归属（运维）；已建立的审核链不改写"),
    responses=validated(Forbidden, OrgNotFound, OrgFieldNotApplicable, OrgInvalidParent),
    description=(
        "运维人员调整一个机构的上级、职改办的职责或用人单位的归属。"
        "已提交的申报书的审核链已经固定，不随之改写；"
        "之后提交的按新的机构树建立。仅运维人员可调用。"
    ),
)
async def change(
    org_id: uuid.UUID, body: OrgChange, session: SessionDep, principal: PrincipalDep
) -> OrgRead:
    return await service.change(session, principal, org_id, body=body)
