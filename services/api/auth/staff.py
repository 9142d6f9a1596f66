"""HTTP for staff accounts and staff sign-in (the logic is in auth/accounts.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.api.access import APPLICANTS_ONLY, REVIEWER_ROLES, PrincipalDep, allow
from services.api.auth import accounts
from services.api.auth.answers import no_store
from services.api.auth.problems import (
    ACCOUNT_CREATE_PROBLEMS,
    ACCOUNT_READ_PROBLEMS,
    ACCOUNT_UPDATE_PROBLEMS,
    FIRST_ACCOUNT_PROBLEMS,
    OWN_PHONE_PROBLEMS,
    OWN_PHONE_REMOVE_PROBLEMS,
    STAFF_LOGIN_PROBLEMS,
)
from services.api.auth.schemas import (
    FirstAccount,
    StaffCreate,
    StaffLogin,
    StaffPhoneWrite,
    StaffRead,
    StaffUpdate,
    TokenPair,
)
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["auth"])
# Ops manage every account; units and offices their own (auth/accounts.py).
MANAGERS = [allow("ops", *REVIEWER_ROLES)]
# Every staff member, for their own account.
STAFF = [allow("ops", "expert", *REVIEWER_ROLES)]


@router.post(
    "/v1/staff-accounts",
    status_code=201,
    response_model=StaffRead,
    dependencies=MANAGERS,
    summary=(
        "建立工作人员账号，绑定一个机构和角色（运维；用人单位或职改办只能为本机构、本角色建立）"
    ),
    responses=validated(*ACCOUNT_CREATE_PROBLEMS),
    description=(
        "建立一个工作人员账号（用户名、初始密码、机构、角色）。"
        "运维人员可为任何机构建立；用人单位、主管部门、"
        "各级职改办和评委会办公室的工作人员只能为本机构建立与自己相同"
        "角色的账号。"
    ),
)
async def create(
    body: StaffCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> StaffRead:
    cipher = request.app.state.pii
    account = await accounts.create_account(session, body=body, actor=principal, cipher=cipher)
    return accounts.read(account, cipher)


@router.post(
    "/v1/orgs/registrations/{org_id}/first-account",
    status_code=201,
    response_model=StaffRead,
    dependencies=APPLICANTS_ONLY,
    summary="注册用人单位的联系人在单位核准后开设其第一个审核人账号",
    responses=validated(*FIRST_ACCOUNT_PROBLEMS),
    description=(
        "自行注册的用人单位经上级机构核准后，"
        "注册它的联系人（申报人账号）为该单位开设第一个用人单位审核人"
        "账号（用户名和密码），只能开设一次。"
    ),
)
async def first_account(
    org_id: uuid.UUID, body: FirstAccount, session: SessionDep, principal: PrincipalDep
) -> StaffRead:
    return await accounts.first_account(session, principal, org_id, body=body)


@router.get(
    "/v1/staff-accounts/{account_id}",
    response_model=StaffRead,
    dependencies=MANAGERS,
    responses=documented(*ACCOUNT_READ_PROBLEMS),
    description=(
        "读取工作人员账号的用户名、机构、角色、状态和锁定截止时间。"
        "运维人员可读任何账号；审核机构的工作人员只能读本机构的账号。"
    ),
    summary="查看一个工作人员账号",
)
async def get(
    account_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep
) -> StaffRead:
    account = await accounts.get_account(session, account_id, actor=principal)
    return accounts.read(account, request.app.state.pii)


@router.put(
    "/v1/me/phone",
    response_model=StaffRead,
    dependencies=STAFF,
    summary="工作人员登记或更换本人手机号（凭该号收到的短信验证码），用于接收办理时限提醒短信",
    responses=validated(*OWN_PHONE_PROBLEMS),
    description=(
        "工作人员先以获取验证码接口向本人手机号发送验证码，"
        "再提交手机号和验证码登记或更换本人手机号；"
        "此后单位办理时限提醒等通知除站内消息外也以短信发往该号"
        "（夜间不发，遵守每个号码的发送限制）。手机号加密保存，"
        "答复和审计只显示掩码。审核机构工作人员、评审专家和运维人员本人可调用。"
    ),
)
async def set_own_phone(
    body: StaffPhoneWrite, request: Request, session: SessionDep, principal: PrincipalDep
) -> StaffRead:
    return await accounts.set_own_phone(session, request, principal, body=body)


@router.delete(
    "/v1/me/phone",
    status_code=204,
    dependencies=STAFF,
    summary="工作人员删除本人手机号：此后提醒只发站内消息",
    responses=documented(*OWN_PHONE_REMOVE_PROBLEMS),
    description=(
        "删除本人登记的手机号（已删除或未登记时同样答复 204），"
        "此后提醒只发站内消息；记入审计。"
        "审核机构工作人员、评审专家和运维人员本人可调用。"
    ),
)
async def clear_own_phone(session: SessionDep, principal: PrincipalDep) -> Response:
    await accounts.clear_own_phone(session, principal)
    return Response(status_code=204)


@patch_or_post(
    router,
    "/v1/staff-accounts/{account_id}",
    response_model=StaffRead,
    dependencies=MANAGERS,
    summary=(
        "停用、启用、调整机构和角色或重置密码（运维；用人单位或职改办只能处理本机构、本角色的账号）"
    ),
    responses=validated(*ACCOUNT_UPDATE_PROBLEMS),
    description=(
        "停用或重新启用一个工作人员账号，调整其机构和角色，"
        "或重置密码；停用后其令牌随即失效。调用者范围同建立账号。"
    ),
)
async def update(
    account_id: uuid.UUID,
    body: StaffUpdate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> StaffRead:
    return await accounts.update_account(session, request, principal, account_id, body=body)


@router.post(
    "/v1/auth/staff-logins",
    response_model=TokenPair,
    summary="工作人员用用户名和密码登录：获得访问令牌和刷新令牌",
    responses=documented(*STAFF_LOGIN_PROBLEMS, accounts.account_locked()),
    description=(
        "审核机构、评审专家和运维人员用用户名和密码登录，"
        "答复访问令牌和刷新令牌。连续输错密码会暂时锁定账号。"
        "公开接口，无需令牌。"
    ),
)
async def login(body: StaffLogin, request: Request) -> JSONResponse:
    return no_store(await accounts.sign_in(request, body=body))
