"""WeChat mini-program sign-in via `code2session` (GET {wechat_api_base}/sns/jscode2session).

The mini-program sends its `wx.login()` code; the gateway exchanges it for the openid
(and a `session_key`, which never leaves this process and is not stored). A known openid
signs in at once. An unknown one answers `phone_check_required` with a short-lived
binding ticket; the applicant then proves a phone with an SMS code and the openid is
bound to the applicant holding that phone (created if none), who is signed in.
A signed-in applicant may unbind (`DELETE /v1/me/wechat`); every session that came in
through WeChat ends (refresh and access tokens), and that WeChat user has to pass the
phone check again. Binding and unbinding are both on record in sign_in_event.

A deployment without a mini-program (no `WECHAT_APPID`/`WECHAT_SECRET`) answers 501
`wechat-login-not-offered`; 503 with Retry-After means WeChat's server did not answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.auth import wechat_signin
from services.api.auth.problems import (
    WECHAT_BINDING_PROBLEMS,
    WECHAT_LOGIN_PROBLEMS,
    AccountDisabled,
    WechatNotBound,
)
from services.api.auth.schemas import TokenPair, WechatAnswer, WechatBinding, WechatLogin
from services.api.problems import Forbidden
from services.api.ratelimit import guarded
from services.kit.db import SessionDep
from services.kit.problem_kinds import VALIDATION_ERROR, documented

router = APIRouter(tags=["auth"])
# 501 and 422 keep the descriptions they were published with.
DESCRIBED = {501: "WeChat login is not offered by this deployment", 422: VALIDATION_ERROR}
NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/v1/auth/wechat-logins",
    response_model=WechatAnswer,
    responses=documented(*WECHAT_LOGIN_PROBLEMS, AccountDisabled, keep=DESCRIBED),
    summary="Mini-program sign-in: tokens, or a ticket to bind a phone first",
)
@guarded
async def wechat_login(body: WechatLogin, request: Request, session: SessionDep) -> JSONResponse:
    answer = await wechat_signin.sign_in(session, request, body=body)
    return JSONResponse(answer.model_dump(mode="json", exclude_none=True), headers=NO_STORE)


@router.post(
    "/v1/auth/wechat-bindings",
    response_model=TokenPair,
    responses=documented(*WECHAT_BINDING_PROBLEMS, AccountDisabled, keep=DESCRIBED),
    summary="Bind the mini-program's openid to the applicant of a verified phone, sign in",
)
@guarded
async def wechat_bind(body: WechatBinding, request: Request, session: SessionDep) -> JSONResponse:
    pair = await wechat_signin.bind(session, request, body=body)
    return JSONResponse(pair.model_dump(exclude_none=True), headers=NO_STORE)


@router.delete(
    "/v1/me/wechat",
    status_code=204,
    dependencies=[allow("applicant")],
    summary="Unbind WeChat from the signed-in applicant; that WeChat must pass a phone check again",
    responses=documented(Forbidden, WechatNotBound),
)
async def wechat_unbind(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    await wechat_signin.unbind(session, request, principal)
    return Response(status_code=204)
