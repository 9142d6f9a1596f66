"""视为放弃: a return for correction whose deadline passed unanswered ends the declaration.

桂工信职办〔2023〕6号 三（三）: “实行一次性告知制度，明确补正材料的内容和时限要求。逾期未补充的，
视为放弃申报。” At its deadline the declaration moves to the final status `abandoned`:
audited with the clause, the applicant told (message and SMS through the outbox). It
still counts for its unit's problem rate as any declaration a higher level returned
(statistics/service.py `unit_counts`: returned above the unit is 审核发现存在问题).

The sweep runs as the payment expiry does (payments/service.py `sweep_expired`): one
replica at a time under a transaction-level advisory lock of its own, declarations a
resubmission holds are skipped (and looked at on the next run), the deadline compared
with the gateway's clock (`clock.sql_now`, as the resubmission's check reads it). A
resubmission is accepted up to the deadline inclusive (declarations/service.py
`editable_until`), so the sweep takes only deadlines already past. The periodic job
wakes at the earliest open deadline when that comes before its next round, and the
return is resolved at its deadline: the lapse takes effect then, not when a sweep came by.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid

from arq.connections import ArqRedis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.chain.schemas import ReturnSweep
from services.api.clock import shanghai
from services.api.declarations import service as declarations
from services.api.models import Declaration, DeclarationReturn
from services.api.notices import cancel_reminders, committed_and_relayed, every, notify
from services.kit.auth import Principal

logger = logging.getLogger("zhicheng.api.chain")
SWEEPER = Principal(sub="return-lapse", role="service")
CLAUSE = "桂工信职办〔2023〕6号 三（三）：“逾期未补充的，视为放弃申报。”"
# One cluster-wide key for this sweep's advisory lock (only one replica sweeps).
LAPSE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"zhicheng:api:return-lapse").digest()[:8], "big", signed=True
)


async def sweep_lapsed(
    session: AsyncSession, *, principal: Principal, limit: int = 500
) -> ReturnSweep:
    """Abandon the returned declarations whose open return's deadline has passed."""
    got = (
        await session.exec(
            text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=LAPSE_LOCK_KEY)
        )
    ).scalar_one()
    if not got:
        return ReturnSweep(ran=False, abandoned=[])
    lapsed = (
        await session.exec(
            select(Declaration, DeclarationReturn)
            .join(DeclarationReturn, DeclarationReturn.declaration_id == Declaration.id)
            .where(
                Declaration.status == "returned",
                DeclarationReturn.resolved_at.is_(None),
                DeclarationReturn.deadline_at < clock.sql_now(session),
            )
            .order_by(DeclarationReturn.deadline_at)
            .limit(limit)
            .with_for_update(of=Declaration, skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    now = await clock.db_now(session)
    abandoned: list[uuid.UUID] = []
    for declaration, returned in lapsed:
        deadline = shanghai(returned.deadline_at)
        # The return lapsed at its deadline, not when the sweep came by.
        returned.resolved_at = returned.deadline_at
        session.add(returned)
        await declarations.transition(
            session,
            principal,
            declaration,
            to_status="abandoned",
            action="abandoned",
            reason=f"未在补正期限{deadline}前提交补正材料，视为放弃申报（{CLAUSE}）",
            now=now,
        )
        await cancel_reminders(session, declaration, "correction_reminder")
        await notify(
            session,
            declaration,
            event="abandoned",
            template="RETURN_LAPSED",
            key=f"returned:{returned.n}:lapsed",
            params={"deadline": deadline},
        )
        abandoned.append(declaration.id)
    await session.flush()
    return ReturnSweep(ran=True, abandoned=abandoned)


async def sweep_once(maker: async_sessionmaker[AsyncSession], arq: ArqRedis) -> int:
    result = await committed_and_relayed(
        maker, arq, lambda session: sweep_lapsed(session, principal=SWEEPER)
    )
    return len(result.abandoned)


async def seconds_to_next_lapse(maker: async_sessionmaker[AsyncSession]) -> float | None:
    """Seconds from the gateway's clock to the earliest deadline of an open return (None:
    there is none), so the periodic sweep wakes at it: a return lapses at its deadline."""
    async with maker() as session:
        deadline = (
            await session.exec(
                select(func.min(DeclarationReturn.deadline_at))
                .join(Declaration, DeclarationReturn.declaration_id == Declaration.id)
                .where(Declaration.status == "returned", DeclarationReturn.resolved_at.is_(None))
            )
        ).one()
        if deadline is None:
            return None
        return (deadline - await clock.db_now(session)).total_seconds()


async def run_periodically(
    maker: async_sessionmaker[AsyncSession],
    arq: ArqRedis,
    *,
    interval: float,
    wake: asyncio.Event | None = None,
) -> None:
    await every(
        interval,
        "return lapse",
        lambda: sweep_once(maker, arq),
        soonest=lambda: seconds_to_next_lapse(maker),
        wake=wake,
    )
