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

import secrets

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func
from sqlmodel import select

from services.api.access import PrincipalDep, allow
from services.api.applicants import identity
from services.api.auth.codes import (
    applicant_by_phone,
    check_code,
    disabled,
)
from services.api.auth.schemas import TokenPair, WechatAnswer, WechatBinding, WechatLogin
from services.api.auth.tokens import record_sign_in, revoke_subject, start_session
from services.api.models import Applicant
from services.api.ratelimit import guarded
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.pii import mask_phone
from services.kit.problems import ProblemError

router = APIRouter(tags=["auth"])
TICKET_SECONDS = 600


def _unavailable() -> ProblemError:
    return ProblemError(
        503,
        "wechat-unavailable",
        "微信登录服务暂不可用，请稍后重试或改用手机验证码登录。",
        headers={"Retry-After": "5"},
    )


def offered(request: Request) -> None:
    """A deployment without a mini-program answers a stable 501, not a transient 503."""
    settings = request.app.state.settings
    if not (settings.wechat_appid and settings.wechat_secret):
        raise ProblemError(
            501,
            "wechat-login-not-offered",
            "本系统未开通微信小程序登录，请使用手机号和短信验证码登录。",
            title="WeChat login not offered",
        )


NOT_OFFERED = {501: {"description": "WeChat login is not offered by this deployment"}}


async def code2session(request: Request, code: str) -> str:
    """The openid for a wx.login() code; the session_key is dropped here."""
    offered(request)
    settings = request.app.state.settings
    params = {
        "appid": settings.wechat_appid,
        "secret": settings.wechat_secret,
        "js_code": code,
        "grant_type": "authorization_code",
    }
    try:
        async with httpx.AsyncClient(
            base_url=settings.wechat_api_base, timeout=settings.wechat_timeout
        ) as client:
            r = await client.get("/sns/jscode2session", params=params)
        data = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unavailable() from exc
    if r.status_code != 200 or not isinstance(data, dict):
        raise _unavailable()
    if data.get("errcode") not in (None, 0) or not data.get("openid"):
        if data.get("errcode") == -1:  # WeChat's "system busy"
            raise _unavailable()
        raise ProblemError(
            401, "wechat-code-invalid", "微信登录凭证无效或已使用，请在小程序内重新登录。"
        )
    return str(data["openid"])


def _answer(answer: WechatAnswer) -> JSONResponse:
    return JSONResponse(
        answer.model_dump(mode="json", exclude_none=True), headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/v1/auth/wechat-logins",
    response_model=WechatAnswer,
    responses=NOT_OFFERED,
    summary="Mini-program sign-in: tokens, or a ticket to bind a phone first",
)
@guarded
async def wechat_login(body: WechatLogin, request: Request, session: SessionDep) -> JSONResponse:
    openid = await code2session(request, body.code)
    query = select(Applicant).where(Applicant.wechat_openid == openid)
    applicant = (await session.exec(query)).one_or_none()
    maker = request.app.state.sessionmaker
    if applicant is None:
        ticket = secrets.token_urlsafe(24)
        await request.app.state.redis.set(f"wechat:ticket:{ticket}", openid, ex=TICKET_SECONDS)
        return _answer(WechatAnswer(phone_check_required=True, ticket=ticket))
    if applicant.status != "active":
        raise disabled()
    pair = await start_session(
        session, request, Principal(sub=applicant.sub, role="applicant"), method="wechat"
    )
    await record_sign_in(maker, request, method="wechat", subject=applicant.sub, outcome="success")
    return _answer(WechatAnswer(phone_check_required=False, tokens=pair))


@router.post(
    "/v1/auth/wechat-bindings",
    response_model=TokenPair,
    responses=NOT_OFFERED,
    summary="Bind the mini-program's openid to the applicant of a verified phone, sign in",
)
@guarded
async def wechat_bind(body: WechatBinding, request: Request, session: SessionDep) -> JSONResponse:
    offered(request)
    redis = request.app.state.redis
    openid = await redis.get(f"wechat:ticket:{body.ticket}")
    if openid is None:
        raise ProblemError(
            401, "wechat-ticket-invalid", "绑定凭证无效或已过期，请在小程序内重新登录。"
        )
    openid = openid.decode() if isinstance(openid, bytes) else openid
    await check_code(request, body.phone, body.code)
    await redis.delete(f"wechat:ticket:{body.ticket}")
    applicant = await applicant_by_phone(session, request.app.state.pii, body.phone)
    if applicant.status != "active":
        raise disabled()
    if applicant.wechat_openid not in (None, openid):
        raise ProblemError(
            409,
            "wechat-already-bound",
            "该手机号的账号已绑定其他微信，请先用原微信或验证码登录后解绑。",
        )
    holder = (
        await session.exec(select(Applicant).where(Applicant.wechat_openid == openid))
    ).one_or_none()
    if holder is not None and holder.sub != applicant.sub:
        raise ProblemError(409, "wechat-already-bound", "该微信已绑定其他账号。")
    applicant.wechat_openid = openid
    session.add(applicant)
    await session.flush()
    pair = await start_session(
        session, request, Principal(sub=applicant.sub, role="applicant"), method="wechat"
    )
    await record_sign_in(
        request.app.state.sessionmaker,
        request,
        method="wechat",
        subject=mask_phone(body.phone),
        outcome="success",
        reason="bound",
    )
    return JSONResponse(pair.model_dump(exclude_none=True), headers={"Cache-Control": "no-store"})


@router.delete(
    "/v1/me/wechat",
    status_code=204,
    dependencies=[allow("applicant")],
    summary="Unbind WeChat from the signed-in applicant; that WeChat must pass a phone check again",
)
async def wechat_unbind(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    applicant = await identity.find(session, principal.sub, lock=True)
    if applicant is None or applicant.wechat_openid is None:
        raise ProblemError(
            404, "wechat-not-bound", "当前账号未绑定微信，无需解绑。", title="WeChat not bound"
        )
    applicant.wechat_openid = None
    applicant.updated_at = func.now()
    session.add(applicant)
    await session.flush()
    # Sessions that came in through this WeChat end with it (this one too, if it did):
    # an applicant unbinding a lost or shared WeChat must not leave it signed in.
    await revoke_subject(session, request, applicant.sub, method="wechat")
    await record_sign_in(
        request.app.state.sessionmaker,
        request,
        method="wechat",
        subject=applicant.sub,
        outcome="success",
        reason="unbound",
    )
    return Response(status_code=204)
