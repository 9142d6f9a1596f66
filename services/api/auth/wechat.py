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
from pydantic import BaseModel

from services.api.access import PrincipalDep, allow
from services.api.auth import wechat_signin
from services.api.auth.answers import no_store
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


def _signin_step(path: str, answer: type[BaseModel], problems: tuple, summary: str):
    """A step of the mini-program sign-in: a public POST, rate-guarded (503 when Valkey is
    out), refusing what `problems` name and a disabled account."""
    route = router.post(
        path,
        response_model=answer,
        responses=documented(*problems, AccountDisabled, keep=DESCRIBED),
        summary=summary,
    )
    return lambda handler: route(guarded(handler))


@_signin_step(
    "/v1/auth/wechat-logins",
    WechatAnswer,
    WECHAT_LOGIN_PROBLEMS,
    "Mini-program sign-in: tokens, or a ticket to bind a phone first",
)
async def wechat_login(body: WechatLogin, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await wechat_signin.sign_in(session, request, body=body))


@_signin_step(
    "/v1/auth/wechat-bindings",
    TokenPair,
    WECHAT_BINDING_PROBLEMS,
    "Bind the mini-program's openid to the applicant of a verified phone, sign in",
)
async def wechat_bind(body: WechatBinding, request: Request, session: SessionDep) -> JSONResponse:
    return no_store(await wechat_signin.bind(session, request, body=body))


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
