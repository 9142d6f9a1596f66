"""Review-fee orders, the provider's signed callback, and withdrawal at the deadline.

Rules (2023年度广西工艺美术系列职称评审通知; 柳州市2022年度工程系列申报时间要求):
the fee is paid within the campaign's payment window; 逾期不缴费者视为放弃.
What counts is the provider's time of payment (`paid_at`, signed), not when its callback
arrives: a fee paid before the deadline is never lost to a late callback.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.clock import shanghai
from services.api.declarations import service as declarations
from services.api.models import Campaign, Declaration, PaymentOrder
from services.api.notices import notify
from services.api.payments.problems import (
    DeclarationNotPayable,
    PaymentAfterDeadline,
    PaymentAlreadySettled,
    PaymentAmountMismatch,
    PaymentCallbackConflict,
    PaymentCallbackInvalid,
    PaymentOrderNotFound,
    PaymentSignatureInvalid,
    PaymentTimeInFuture,
    PaymentTransactionReused,
)
from services.api.payments.refunds import record as record_refund
from services.api.payments.refunds import refunds_of, yuan
from services.api.payments.schemas import (
    CallbackAnswer,
    ExpirySweep,
    PaymentCallback,
    PaymentOrderRead,
    RefundRead,
)
from services.kit.auth import Principal
from services.kit.outbox import cancel_notifications
from services.kit.problems import ProblemError, field_path

PROVIDER = Principal(sub="payment-provider", role="service")
# One cluster-wide key for the expiry sweep's advisory lock (only one replica sweeps).
SWEEP_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"zhicheng:api:payment-expiry").digest()[:8], "big", signed=True
)
# A provider clock a little ahead of ours is tolerated; further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)
REMINDER_EVENTS = ["declaration.payment_reminder"]


async def create_order(
    session: AsyncSession,
    declaration: Declaration,
    campaign: Campaign,
    *,
    fee_yuan: int,
    deadline_at: datetime,
) -> PaymentOrder:
    """The order for an accepted declaration (called in the payment_due transition)."""
    existing = (
        await session.exec(
            select(PaymentOrder).where(PaymentOrder.declaration_id == declaration.id)
        )
    ).first()
    if existing is not None:
        return existing
    opens = (campaign.windows.get("payment") or {}).get("opens_at")
    order = PaymentOrder(
        declaration_id=declaration.id,
        campaign_id=campaign.id,
        amount_fen=fee_yuan * 100,
        opens_at=datetime.fromisoformat(opens) if opens else None,
        deadline_at=deadline_at,
    )
    session.add(order)
    await session.flush()
    return order


async def order_of(session: AsyncSession, declaration: Declaration) -> PaymentOrder:
    order = (
        await session.exec(
            select(PaymentOrder).where(PaymentOrder.declaration_id == declaration.id)
        )
    ).first()
    if order is None:
        raise PaymentOrderNotFound()
    return order


async def order_read(session: AsyncSession, declaration: Declaration) -> PaymentOrderRead:
    order = await order_of(session, declaration)
    read = PaymentOrderRead.model_validate(order)
    read.refunds = [RefundRead.model_validate(r) for r in await refunds_of(session, order)]
    return read


def verify_signature(raw: bytes, signature: str | None, *, key: str) -> None:
    expected = hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
    given = (signature or "").strip().removeprefix("sha256=").lower()
    if not given or not hmac.compare_digest(given, expected):
        raise PaymentSignatureInvalid()


def answer_of(order: PaymentOrder) -> CallbackAnswer:
    return CallbackAnswer(
        order_id=order.id,
        declaration_id=order.declaration_id,
        status=order.status,
        transaction_id=order.transaction_id or "",
        amount_fen=order.amount_fen,
        paid_at=order.paid_at,
    )


def _parse(raw: bytes) -> PaymentCallback:
    try:
        return PaymentCallback.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"field": field_path(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise PaymentCallbackInvalid(errors=errors) from exc


async def _locked_declaration(session: AsyncSession, order: PaymentOrder) -> Declaration:
    """The order's declaration, row-locked and re-read (no principal: the provider calls)."""
    return (
        await session.exec(
            select(Declaration)
            .where(Declaration.id == order.declaration_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()


async def locked_order(session: AsyncSession, order_id: uuid.UUID) -> PaymentOrder:
    """The order, row-locked and re-read."""
    order = (
        await session.exec(
            select(PaymentOrder)
            .where(PaymentOrder.id == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if order is None:
        raise PaymentOrderNotFound()
    return order


@dataclass
class Settlement:
    """What one report of a payment came to: booked (or an exact repeat), or refused and
    recorded for refund (`problem` then says why, with the refund's id)."""

    answer: CallbackAnswer | None = None
    replayed: bool = False
    problem: ProblemError | None = None


async def _refuse_and_refund(
    session: AsyncSession,
    order: PaymentOrder,
    cb: PaymentCallback,
    *,
    principal: Principal,
    cause: str,
    problem: ProblemError,
) -> Settlement:
    refund = await record_refund(
        session,
        order,
        principal=principal,
        transaction_id=cb.transaction_id,
        amount_fen=cb.amount_fen,
        paid_at=cb.paid_at,
        cause=cause,
        reason=problem.detail,
    )
    problem.extra["refund_id"] = str(refund.id)
    problem.extra["refund_status"] = refund.status
    return Settlement(problem=problem)


async def settle(
    session: AsyncSession, cb: PaymentCallback, *, principal: Principal, via: str
) -> Settlement:
    """Book a payment the provider reports (its signed callback, or its answer to the
    order query of 缴费验证): the one path both take, under the order's row lock, so a
    callback and a verification racing book it once; the later one is an exact repeat."""
    order = await locked_order(session, cb.order_id)
    if order.transaction_id == cb.transaction_id:
        if order.amount_fen == cb.amount_fen and order.paid_at == cb.paid_at:
            return Settlement(answer=answer_of(order), replayed=True)
        raise PaymentCallbackConflict(transaction_id=cb.transaction_id)
    if cb.amount_fen != order.amount_fen:
        raise PaymentAmountMismatch(
            f"缴费金额与应缴评审费不符：应缴{yuan(order.amount_fen)}元，"
            f"实缴{yuan(cb.amount_fen)}元，未入账。",
            expected_fen=order.amount_fen,
            received_fen=cb.amount_fen,
        )
    if order.status in ("paid", "refunded"):
        problem = PaymentAlreadySettled(status_now=order.status)
        return await _refuse_and_refund(
            session, order, cb, principal=principal, cause="duplicate", problem=problem
        )
    now = await clock.db_now(session)
    if cb.paid_at > now + CLOCK_SKEW:
        raise PaymentTimeInFuture()
    if cb.paid_at > order.deadline_at:
        problem = PaymentAfterDeadline(
            f"支付时间晚于缴费截止时间{shanghai(order.deadline_at)}，"
            "按规定逾期不缴费者视为放弃，本笔不入账，已登记由支付机构原路退回。",
            deadline=order.deadline_at.isoformat(),
        )
        return await _refuse_and_refund(
            session, order, cb, principal=principal, cause="after_deadline", problem=problem
        )
    declaration = await _locked_declaration(session, order)
    # Paid in time but expired by a sweep that ran before this callback came: the expiry
    # is undone (a fee paid before the deadline is never lost).
    reinstated = order.status == "expired" and declaration.status == "withdrawn"
    if declaration.status != "payment_due" and not reinstated:
        problem = DeclarationNotPayable(status_now=declaration.status)
        return await _refuse_and_refund(
            session, order, cb, principal=principal, cause="not_payable", problem=problem
        )
    from_status = declaration.status
    order.status = "paid"
    order.transaction_id = cb.transaction_id
    order.paid_at = cb.paid_at
    order.expired_at = None
    order.updated_at = now
    declaration.status = "paid"
    declarations.touch(declaration, now)
    session.add_all([order, declaration])
    try:
        await session.flush()
    except IntegrityError as exc:
        raise PaymentTransactionReused() from exc
    reason = (
        f"缴纳评审费{yuan(order.amount_fen)}元，交易号{cb.transaction_id}，"
        f"支付时间{shanghai(cb.paid_at)}（{via}）"
    )
    if reinstated:
        reason += "（截止前已缴费，回调晚到，撤销逾期放弃）"
    await audit.record(
        session,
        principal=principal,
        action="paid",
        declaration_id=declaration.id,
        from_status=from_status,
        to_status="paid",
        reason=reason,
    )
    # Reminders still pending are moot; so is a withdrawal notice not yet sent.
    moot = REMINDER_EVENTS + (["declaration.withdrawn"] if reinstated else [])
    await cancel_notifications(session, declaration_id=declaration.id, events=moot)
    await notify(
        session,
        declaration,
        event="payment_received",
        template="PAYMENT_RECEIVED",
        key="payment_received",
        params={"amount": yuan(order.amount_fen)},
    )
    return Settlement(answer=answer_of(order))


async def apply_callback(
    session: AsyncSession, *, raw: bytes, signature: str | None, key: str
) -> Settlement:
    """Apply a signed success callback (see `settle`)."""
    verify_signature(raw, signature, key=key)
    return await settle(session, _parse(raw), principal=PROVIDER, via="支付机构回调")


async def sweep_expired(
    session: AsyncSession, *, principal: Principal, grace: timedelta, limit: int = 500
) -> ExpirySweep:
    """Withdraw declarations whose order is still pending past deadline + grace (DB clock).

    A transaction-level advisory lock lets one replica sweep at a time; orders locked by
    a callback in progress are skipped and looked at again on the next run.
    """
    got = (
        await session.exec(
            text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=SWEEP_LOCK_KEY)
        )
    ).scalar_one()
    if not got:
        return ExpirySweep(ran=False, expired=[])
    orders = (
        await session.exec(
            select(PaymentOrder)
            .where(
                PaymentOrder.status == "pending",
                PaymentOrder.deadline_at < clock.sql_now(session) - grace,
            )
            .order_by(PaymentOrder.deadline_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    now = await clock.db_now(session)
    withdrawn: list[uuid.UUID] = []
    for order in orders:
        declaration = await _locked_declaration(session, order)
        order.status = "expired"
        order.expired_at = now
        order.updated_at = now
        session.add(order)
        if declaration.status != "payment_due":
            continue
        deadline = shanghai(order.deadline_at)
        await declarations.transition(
            session,
            principal,
            declaration,
            to_status="withdrawn",
            action="withdrawn_unpaid",
            reason=f"未在{deadline}前缴纳评审费，逾期不缴费者视为放弃",
            now=now,
        )
        await cancel_notifications(session, declaration_id=declaration.id, events=REMINDER_EVENTS)
        await notify(
            session,
            declaration,
            event="withdrawn",
            template="WITHDRAWN_UNPAID",
            key="withdrawn_unpaid",
            params={"deadline": deadline},
        )
        withdrawn.append(declaration.id)
    await session.flush()
    return ExpirySweep(ran=True, expired=withdrawn)
