"""HTTP for applicants' SMS sign-in (the logic and its throttles are in auth/codes.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.auth import codes
from services.api.auth.answers import no_store
from services.api.auth.problems import AccountDisabled, InvalidLoginCode
from services.api.auth.schemas import CodeRequest, CodeSent, SmsLogin, TokenPair
from services.api.http import RelayAfterCommit
from services.api.ratelimit import guarded
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["auth"], dependencies=[RelayAfterCommit])


@router.post(
    "/v1/auth/sms-codes",
    status_code=202,
    response_model=CodeSent,
    summary="Send a 6-digit login code by SMS (same answer whether the phone is known or not)",
)
@guarded
async def send_code(body: CodeRequest, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await codes.send_code(session, request, body=body), 202)


@router.post(
    "/v1/auth/sms-logins",
    response_model=TokenPair,
    summary="Sign in with the phone and its SMS code: access + refresh token",
    responses=documented(InvalidLoginCode, AccountDisabled),
)
@guarded
async def sms_login(body: SmsLogin, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await codes.sign_in(session, request, body=body))
