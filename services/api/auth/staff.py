"""HTTP for staff accounts and staff sign-in (the logic is in auth/accounts.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.access import APPLICANTS_ONLY, REVIEWER_ROLES, PrincipalDep, allow
from services.api.auth import accounts
from services.api.auth.answers import no_store
from services.api.auth.problems import (
    ACCOUNT_CREATE_PROBLEMS,
    ACCOUNT_READ_PROBLEMS,
    ACCOUNT_UPDATE_PROBLEMS,
    FIRST_ACCOUNT_PROBLEMS,
    STAFF_LOGIN_PROBLEMS,
)
from services.api.auth.schemas import (
    FirstAccount,
    StaffCreate,
    StaffLogin,
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


@router.post(
    "/v1/staff-accounts",
    status_code=201,
    response_model=StaffRead,
    dependencies=MANAGERS,
    summary="Create a staff account bound to one organisation and role "
    "(ops; a unit or office for its own org and role)",
    responses=validated(*ACCOUNT_CREATE_PROBLEMS),
)
async def create(body: StaffCreate, session: SessionDep, principal: PrincipalDep) -> StaffRead:
    return accounts.read(await accounts.create_account(session, body=body, actor=principal))


@router.post(
    "/v1/orgs/registrations/{org_id}/first-account",
    status_code=201,
    response_model=StaffRead,
    dependencies=APPLICANTS_ONLY,
    summary="The contact who registered a unit opens its first reviewer account, once approved",
    responses=validated(*FIRST_ACCOUNT_PROBLEMS),
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
)
async def get(account_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> StaffRead:
    return accounts.read(await accounts.get_account(session, account_id, actor=principal))


@patch_or_post(
    router,
    "/v1/staff-accounts/{account_id}",
    response_model=StaffRead,
    dependencies=MANAGERS,
    summary="Disable, re-enable, re-scope or reset the password of a staff account "
    "(ops; a unit or office for its own org and role)",
    responses=validated(*ACCOUNT_UPDATE_PROBLEMS),
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
    summary="Staff sign-in with username and password: access + refresh token",
    responses=documented(*STAFF_LOGIN_PROBLEMS),
)
async def login(body: StaffLogin, request: Request) -> JSONResponse:
    return no_store(await accounts.sign_in(request, body=body))
