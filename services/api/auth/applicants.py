"""HTTP for applicants' SMS sign-in (the logic and its throttles are in auth/codes.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.api.auth import codes
from services.api.auth.answers import no_store
from services.api.auth.problems import AccountDisabled, InvalidLoginCode
from services.api.auth.schemas import CodeRequest, CodeSent, SmsLogin, TokenPair
from services.api.http import RelayAfterCommit
from services.api.ratelimit import THROTTLED, guarded, limiter_unavailable
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["auth"], route_class=RelayAfterCommit)


@router.post(
    "/v1/auth/sms-codes",
    status_code=202,
    response_model=CodeSent,
    summary="发送6位短信登录验证码（号码是否已注册，答复相同）",
    responses=documented(THROTTLED, codes.phone_locked(), limiter_unavailable()),
    description=(
        "向手机号发送6位登录验证码，答复验证码有效秒数和再次获取前须"
        "等待的秒数。无论该号码是否已注册，答复都相同；"
        "同一号码须间隔一定时间才能再次获取，"
        "验证码输错次数过多会暂时锁定。公开接口，无需令牌。"
    ),
)
@guarded
async def send_code(body: CodeRequest, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await codes.send_code(session, request, body=body), 202)


@router.post(
    "/v1/auth/sms-logins",
    response_model=TokenPair,
    summary="用手机号和短信验证码登录：获得访问令牌和刷新令牌",
    responses=documented(
        InvalidLoginCode, AccountDisabled, THROTTLED, codes.phone_locked(), limiter_unavailable()
    ),
    description=(
        "申报人用手机号和收到的验证码登录（首次登录即建立申报人账号）"
        "，答复访问令牌和刷新令牌。验证码只能用一次，"
        "过期或输错答复 401。公开接口，无需令牌。"
    ),
)
@guarded
async def sms_login(body: SmsLogin, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await codes.sign_in(session, request, body=body))
