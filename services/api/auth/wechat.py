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

import typing
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.api.access import APPLICANTS_ONLY, PrincipalDep
from services.api.auth import wechat_signin
from services.api.auth.answers import no_store
from services.api.auth.problems import (
    WECHAT_BINDING_PROBLEMS,
    WECHAT_LOGIN_PROBLEMS,
    WECHAT_UNBIND_PROBLEMS,
    AccountDisabled,
)
from services.api.ratelimit import guarded
from services.kit.db import SessionDep
from services.kit.problem_kinds import VALIDATION_ERROR, Problem, documented

router = APIRouter(tags=["auth"])
# 501 and 422 keep the descriptions they were published with.
DESCRIBED = {501: "WeChat login is not offered by this deployment", 422: VALIDATION_ERROR}


def _signin_step(
    path: str,
    step: Callable[..., Awaitable[BaseModel]],
    problems: tuple[type[Problem], ...],
    summary: str,
    description: str,
) -> None:
    """Register a step of the mini-program sign-in (`wechat_<step>`): a public POST taking
    the step's form and answering its model (wechat_signin.py), rate-guarded (503 when
    Valkey is out), refusing what `problems` name and a disabled account, and answered so
    that no cache keeps the tokens or the ticket."""
    hints = typing.get_type_hints(step)

    async def route(body: BaseModel, request: Request, session: SessionDep) -> JSONResponse:
        return no_store(await step(session, request, body=body))

    route.__annotations__["body"] = hints["body"]  # the form FastAPI reads and documents
    router.post(
        path,
        name=f"wechat_{step.__name__}",
        response_model=hints["return"],
        responses=documented(*problems, AccountDisabled, keep=DESCRIBED),
        summary=summary,
        description=description,
    )(guarded(route))


_signin_step(
    "/v1/auth/wechat-logins",
    wechat_signin.login,
    WECHAT_LOGIN_PROBLEMS,
    "小程序登录：获得令牌，或先取得绑定手机号的凭据",
    (
        "微信小程序把 wx.login() 返回的 code 提交上来："
        "该微信已绑定申报人的，答复令牌；未绑定的，"
        "答复10分钟内有效的凭据（ticket），"
        "须先用短信验证码绑定手机号。公开接口，无需令牌。"
    ),
)
_signin_step(
    "/v1/auth/wechat-bindings",
    wechat_signin.bind,
    WECHAT_BINDING_PROBLEMS,
    "把小程序的 openid 绑定到已验证手机号的申报人并登录",
    "提交小程序登录答复的凭据、手机号及其短信验证码，把该微信绑定到该手机号的申报人账号并登录，答复令牌。公开接口，无需令牌。",
)


@router.delete(
    "/v1/me/wechat",
    status_code=204,
    dependencies=APPLICANTS_ONLY,
    summary="解除已登录申报人的微信绑定；该微信须重新验证手机号",
    responses=documented(*WECHAT_UNBIND_PROBLEMS),
    description=(
        "解除本人账号与微信的绑定；此后该微信再登录须重新验证手机号。仅申报人本人可调用。"
    ),
)
async def wechat_unbind(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    await wechat_signin.unbind(session, request, principal)
    return Response(status_code=204)
