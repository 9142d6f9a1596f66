"""Refunds (原路退回): recorded in the transaction that refuses the payment, asked of the
provider after the commit with no connection held, retried until the provider takes one.

A payment is refunded when it is not booked although the money was taken: a second
payment for a declaration already paid, one made after the deadline (逾期不缴费者视为放弃,
2023年度广西工艺美术系列职称评审通知 六（二）), one for a declaration no longer payable
(withdrawn). The provider keeps one refund per `out_refund_no` (the refund row's id), so
asking again after a lost answer never returns the money twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.models import PaymentOrder, PaymentRefund
from services.api.payments.provider import PaymentProvider
from services.kit.auth import Principal
from services.kit.problems import ProblemError

logger = logging.getLogger("zhicheng.api.payments")
REFUNDER = Principal(sub="payment-refunds", role="service")
# A request that keeps failing is left for ops after this many tries (it stays pending).
MAX_ATTEMPTS = 20


def yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


async def record(
    session: AsyncSession,
    order: PaymentOrder,
    *,
    principal: Principal,
    transaction_id: str,
    amount_fen: int,
    paid_at: datetime,
    cause: str,
    reason: str,
) -> PaymentRefund:
    """The refund of this transaction, recorded once (and audited once) however often the
    provider reports it."""
    inserted = (
        await session.exec(
            insert(PaymentRefund)
            .values(
                id=uuid.uuid4(),
                order_id=order.id,
                declaration_id=order.declaration_id,
                transaction_id=transaction_id,
                amount_fen=amount_fen,
                paid_at=paid_at,
                cause=cause,
                reason=reason,
            )
            .on_conflict_do_nothing(index_elements=["transaction_id"])
            .returning(PaymentRefund.id)
        )
    ).first()
    refund = (
        await session.exec(
            select(PaymentRefund)
            .where(PaymentRefund.transaction_id == transaction_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    if inserted is not None:
        await audit.record(
            session,
            principal=principal,
            action="refund_recorded",
            declaration_id=order.declaration_id,
            reason=f"交易号{transaction_id}的{yuan(amount_fen)}元不入账，原路退回：{reason}",
        )
        session.info.setdefault("refund_ids", []).append(refund.id)
    return refund


async def refunds_of(session: AsyncSession, order: PaymentOrder) -> list[PaymentRefund]:
    rows = await session.exec(
        select(PaymentRefund)
        .where(PaymentRefund.order_id == order.id)
        .order_by(PaymentRefund.created_at, PaymentRefund.id)
    )
    return list(rows.all())


async def _mark(
    maker: async_sessionmaker[AsyncSession],
    refund_id: uuid.UUID,
    *,
    answer=None,
    error: str | None = None,
) -> None:
    async with maker() as session:
        refund = (
            await session.exec(
                select(PaymentRefund)
                .where(PaymentRefund.id == refund_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).one()
        if refund.status != "pending":
            return  # another replica got there first
        now = await clock.db_now(session)
        refund.updated_at = now
        refund.attempts += 1
        if answer is None:
            refund.last_error = (error or "")[:500]
        else:
            refund.status = "succeeded" if answer.status == "SUCCESS" else "requested"
            refund.provider_refund_id = answer.refund_id
            refund.requested_at = now
            refund.last_error = None
            await audit.record(
                session,
                principal=REFUNDER,
                action="refunded",
                declaration_id=refund.declaration_id,
                reason=f"已向支付机构申请原路退回交易号{refund.transaction_id}的"
                f"{yuan(refund.amount_fen)}元，退款单号{answer.refund_id}（{answer.status}）",
            )
        session.add(refund)
        await session.commit()


async def send(
    maker: async_sessionmaker[AsyncSession],
    provider: PaymentProvider | None,
    *,
    ids: list[uuid.UUID] | None = None,
    limit: int = 100,
) -> int:
    """Ask the provider for the pending refunds (these, or the oldest); returns how many it
    took. Each is read, asked for with no connection held, then marked under its lock."""
    if provider is None:
        return 0
    async with maker() as session:
        query = select(PaymentRefund).where(
            PaymentRefund.status == "pending", PaymentRefund.attempts < MAX_ATTEMPTS
        )
        if ids is not None:
            query = query.where(PaymentRefund.id.in_(ids))
        pending = list(
            (await session.exec(query.order_by(PaymentRefund.created_at).limit(limit))).all()
        )
    taken = 0
    for refund in pending:
        try:
            answer = await provider.refund(
                out_refund_no=refund.id.hex,
                transaction_id=refund.transaction_id,
                amount_fen=refund.amount_fen,
                reason=refund.reason,
            )
        except ProblemError as exc:
            await _mark(maker, refund.id, error=str(exc.extra.get("reason") or exc.detail))
            continue
        await _mark(maker, refund.id, answer=answer)
        taken += 1
    return taken
