"""The applicant pays: a pay code from the provider, then 缴费验证.

柳州 system notes (seed 002): “申报材料经职改办审核通过后，申报人会收到缴费短信通知……
点击“缴费”扫描缴费码缴费，成功后有提示成功信息，再到系统中进行缴费验证，缴费完成。”

Both calls read on a short session, ask the provider with no connection held, then lock
and store (README: no HTTP call under a row lock). Verification books what the provider
says through `service.settle`, the path of the signed callback: whichever of the two comes
second finds the transaction booked and answers as a repeat.
"""

from __future__ import annotations

import segno
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.campaigns import service as campaigns
from services.api.models import Declaration, PaymentOrder
from services.api.payments import service
from services.api.payments.problems import (
    PaymentNotReceived,
    PaymentOrderNotPending,
    PaymentProviderUnavailable,
)
from services.api.payments.provider import PaymentProvider
from services.api.payments.refunds import yuan
from services.api.payments.schemas import PayCodeRead, PaymentCallback
from services.kit.auth import Principal

TRADE_STATE_ZH = {
    "NOTPAY": "未支付",
    "USERPAYING": "用户支付中",
    "CLOSED": "已关闭",
    "PAYERROR": "支付失败",
    "REFUND": "已转入退款",
    "NOT_FOUND": "支付机构无此订单（尚未生成缴费码）",
}


def _connected(provider: PaymentProvider | None) -> PaymentProvider:
    if provider is None:
        raise PaymentProviderUnavailable(reason="no payment provider configured")
    return provider


def _code(order: PaymentOrder) -> PayCodeRead:
    return PayCodeRead(
        order_id=order.id,
        declaration_id=order.declaration_id,
        amount_fen=order.amount_fen,
        amount_yuan=yuan(order.amount_fen),
        deadline_at=order.deadline_at,
        code_url=order.code_url or "",
        qr_png=qr_png(order.code_url) if order.code_url else "",
        code_issued_at=order.code_issued_at,
    )


def qr_png(code_url: str) -> str:
    """The pay link as a QR code (PNG data URI) for the 缴费 page to show and scan."""
    return segno.make(code_url, error="m").png_data_uri(scale=6, border=4)


async def pay_code(
    session: AsyncSession,
    declaration: Declaration,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    provider: PaymentProvider | None,
    notify_url: str,
) -> PayCodeRead:
    """The order's pay code: asked of the provider once, the same one afterwards."""
    async with sessionmaker() as reading:
        order = await service.order_of(reading, declaration)
        campaign = await campaigns.get(reading, order.campaign_id)
        now = await clock.db_now(reading)
    if order.status != "pending" or declaration.status != "payment_due":
        raise PaymentOrderNotPending(status_now=order.status)
    # 缴费时间 (e.g. 2023年9月1日8:00—10月10日18:00): no code before or after it.
    campaigns.check_window(campaign, "payment", now, "缴费")
    if order.code_url:
        return _code(order)
    code_url = await _connected(provider).native_order(
        out_trade_no=order.id.hex,
        amount_fen=order.amount_fen,
        description=f"{campaign.name}评审费"[:127],
        expires_at=order.deadline_at,
        notify_url=notify_url,
    )
    locked = await service.locked_order(session, order.id)
    if locked.code_url is None:  # a code asked for at the same time may have been stored
        locked.code_url = code_url
        locked.code_issued_at = await clock.db_now(session)
        session.add(locked)
        await session.flush()
    return _code(locked)


async def verify(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    provider: PaymentProvider | None,
) -> service.Settlement:
    """缴费验证: ask the provider about the order and book what it says it took."""
    async with sessionmaker() as reading:
        order = await service.order_of(reading, declaration)
    trade = await _connected(provider).query(order.id.hex)
    if trade.state != "SUCCESS":
        if order.status == "paid":  # paid through another channel and booked already
            return service.Settlement(answer=service.answer_of(order), replayed=True)
        state = TRADE_STATE_ZH.get(trade.state, trade.state)
        raise PaymentNotReceived(
            f"暂未查询到该订单缴费成功的记录（支付机构状态：{state}）。请点击“缴费”扫描缴费码"
            "缴费，成功后有提示成功信息，再进行缴费验证。",
            trade_state=trade.state,
        )
    payment = PaymentCallback(
        order_id=order.id,
        transaction_id=trade.transaction_id,
        amount_fen=trade.amount_fen,
        paid_at=trade.paid_at,
    )
    return await service.settle(session, payment, principal=principal, via="申报人缴费验证")
