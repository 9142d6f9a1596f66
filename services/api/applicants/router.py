"""The applicant's own real-name record (实名信息): only the owner reads it in full."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.api.access import APPLICANTS_ONLY, PrincipalDep
from services.api.applicants import identity
from services.api.applicants.problems import RECORD_PROBLEMS, IdentityNotFound
from services.api.applicants.schemas import IdentityRead, IdentityWrite
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(prefix="/v1/me", tags=["applicants"])


@router.get(
    "/identity",
    response_model=IdentityRead,
    dependencies=APPLICANTS_ONLY,
    responses=documented(Forbidden, IdentityNotFound),
    summary="查看本人实名信息（姓名、身份证号）",
    description=(
        "申报人读取自己登记的实名信息：姓名、"
        "完整身份证号及其脱敏形式。仅申报人本人可调用，"
        "且只能读到自己的记录；审核机构、专家和对接平台均无权调用。"
        "尚未登记时答复 404。"
    ),
)
async def get_identity(request: Request, session: SessionDep, principal: PrincipalDep):
    return await identity.own_identity(session, request.app.state.pii, principal.sub)


@router.put(
    "/identity",
    response_model=IdentityRead,
    dependencies=APPLICANTS_ONLY,
    responses=validated(*RECORD_PROBLEMS),
    summary="登记或更正本人实名信息",
    description=(
        "申报人登记或更正自己的姓名和18位居民身份证号（按"
        " GB 11643-1999 校验码核验）。身份证号加密保存，"
        "只有本人能读到全文，其他人只见脱敏号码。仅申报人本人可调用。"
    ),
)
async def put_identity(
    body: IdentityWrite, request: Request, session: SessionDep, principal: PrincipalDep
):
    return await identity.record_identity(session, request.app.state.pii, principal, body=body)
