"""WeChat mini-program sign-in, binding and unbinding (the routes are in wechat.py)."""

from __future__ import annotations

import secrets

import httpx
from fastapi import Request
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.applicants import identity
from services.api.auth.codes import applicant_by_phone, check_code, disabled
from services.api.auth.problems import (
    WechatAlreadyBound,
    WechatCodeInvalid,
    WechatLoginNotOffered,
    WechatNotBound,
    WechatTicketInvalid,
    WechatUnavailable,
)
from services.api.auth.schemas import TokenPair, WechatAnswer, WechatBinding, WechatLogin
from services.api.auth.tokens import applicant_signed_in, record_sign_in, revoke_subject
from services.api.models import Applicant
from services.kit.auth import Principal
from services.kit.clients import tls_context
from services.kit.pii import mask_phone
from services.kit.problems import ProblemError

TICKET_SECONDS = 600


def _unavailable() -> ProblemError:
    return WechatUnavailable(headers={"Retry-After": "5"})


def offered(request: Request) -> None:
    """A deployment without a mini-program answers a stable 501, not a transient 503."""
    settings = request.app.state.settings
    if not (settings.wechat_appid and settings.wechat_secret):
        raise WechatLoginNotOffered()


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
            base_url=settings.wechat_api_base, timeout=settings.wechat_timeout, verify=tls_context()
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
        raise WechatCodeInvalid()
    return str(data["openid"])


async def login(session: AsyncSession, request: Request, *, body: WechatLogin) -> WechatAnswer:
    """Tokens for a known openid; for an unknown one, a ticket to bind a phone first."""
    openid = await code2session(request, body.code)
    query = select(Applicant).where(Applicant.wechat_openid == openid)
    applicant = (await session.exec(query)).one_or_none()
    if applicant is None:
        ticket = secrets.token_urlsafe(24)
        await request.app.state.redis.set(f"wechat:ticket:{ticket}", openid, ex=TICKET_SECONDS)
        return WechatAnswer(phone_check_required=True, ticket=ticket)
    if applicant.status != "active":
        raise disabled()
    pair = await applicant_signed_in(
        session, request, applicant.sub, method="wechat", subject=applicant.sub
    )
    return WechatAnswer(phone_check_required=False, tokens=pair)


async def bind(session: AsyncSession, request: Request, *, body: WechatBinding) -> TokenPair:
    """Bind the ticket's openid to the applicant of the verified phone, and sign in."""
    offered(request)
    redis = request.app.state.redis
    openid = await redis.get(f"wechat:ticket:{body.ticket}")
    if openid is None:
        raise WechatTicketInvalid()
    openid = openid.decode() if isinstance(openid, bytes) else openid
    await check_code(request, body.phone, body.code)
    await redis.delete(f"wechat:ticket:{body.ticket}")
    applicant = await applicant_by_phone(session, request.app.state.pii, body.phone)
    if applicant.status != "active":
        raise disabled()
    if applicant.wechat_openid not in (None, openid):
        raise WechatAlreadyBound("该手机号的账号已绑定其他微信，请先用原微信或验证码登录后解绑。")
    holder = (
        await session.exec(select(Applicant).where(Applicant.wechat_openid == openid))
    ).one_or_none()
    if holder is not None and holder.sub != applicant.sub:
        raise WechatAlreadyBound("该微信已绑定其他账号。")
    applicant.wechat_openid = openid
    session.add(applicant)
    await session.flush()
    return await applicant_signed_in(
        session,
        request,
        applicant.sub,
        method="wechat",
        subject=mask_phone(body.phone),
        reason="bound",
    )


async def unbind(session: AsyncSession, request: Request, principal: Principal) -> None:
    """Unbind, and end every session that came in through this WeChat."""
    applicant = await identity.find(session, principal.sub, lock=True)
    if applicant is None or applicant.wechat_openid is None:
        raise WechatNotBound()
    applicant.wechat_openid = None
    applicant.updated_at = func.now()
    session.add(applicant)
    await session.flush()
    # Sessions that came in through this WeChat end with it (this one too, if it did):
    # an applicant unbinding a lost or shared WeChat must not leave it signed in.
    await revoke_subject(session, request, applicant.sub, method="wechat")
    await record_sign_in(
        request,
        method="wechat",
        subject=applicant.sub,
        outcome="success",
        reason="unbound",
    )
