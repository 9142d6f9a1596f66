"""The eligibility radar (资格提醒): an applicant subscribes to their own eligibility.

The facts are the self-check's (the eligibility contract's body, DESIGN.md). On
subscribing, the eligibility service is asked for today and again for each later date its
answer names, with no database connection held (the lookups' choreography,
registries/lookups.py); then the plan is stored: each path and the day it opens. The sweep
(sweep.py) tells the applicant once each day comes, and once when a campaign they qualify
for opens. One subscription per applicant: subscribing again replaces the facts and the
plan (what was already told stays told: the outbox's dedupe keys).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from fastapi.responses import JSONResponse
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.clients import rules as rules_client
from services.api.http import DeferredIdempotency
from services.api.models import EligibilitySubscription, Org
from services.api.radar import plan as planning
from services.api.radar.problems import RadarUnitInvalid, SubscriptionNotFound
from services.api.radar.schemas import PlanEntry, SubscriptionCreate, SubscriptionRead
from services.kit.auth import Principal


def today_in_beijing(now) -> date:
    return now.astimezone(clock.SHANGHAI).date()


def read(row: EligibilitySubscription) -> SubscriptionRead:
    return SubscriptionRead(
        id=row.id,
        region=row.region,
        series=row.series,
        level=row.level,
        unit_id=row.unit_id,
        subscribed_on=row.subscribed_on,
        next_due_on=row.next_due_on,
        plan=[PlanEntry(**e) for e in row.plan],
        campaigns_told=[uuid.UUID(c) for c in row.campaigns_told],
    )


async def evaluate_plan(
    rules: httpx.AsyncClient, request: dict[str, Any], today: date
) -> list[dict[str, Any]]:
    """Today's answer, then one for each later date it names (a refused body is the
    eligibility service's 422, `eligibility-request-invalid`)."""
    body = {**request, "as_of": today.isoformat()}
    now_answer = await rules_client.evaluate(rules, body)
    later = {}
    for on in planning.later_dates(now_answer, today):
        later[on] = await rules_client.evaluate(rules, {**body, "as_of": on.isoformat()})
    return planning.build(now_answer, later, today)


async def subscribe(
    session: AsyncSession,
    principal: Principal,
    *,
    body: SubscriptionCreate,
    sessionmaker,
    rules: httpx.AsyncClient,
    idem: DeferredIdempotency,
) -> JSONResponse:
    # 1. A short read of its own: a retried request, the unit, today.
    async with sessionmaker() as reading:
        await idem.replay_if_answered(reading)
        if body.unit_id is not None:
            unit = await reading.get(Org, body.unit_id)
            if unit is None or unit.kind != "unit" or unit.status != "approved":
                raise RadarUnitInvalid()
        today = today_in_beijing(await clock.db_now(reading))
    # 2. The eligibility service, with no connection held.
    plan = await evaluate_plan(rules, body.request, today)
    # 3. Claim the key and store (one row per applicant: a new subscription replaces it).
    claimed = await idem.claim(session)
    values = {
        "region": body.request["region"],
        "series": body.request["series"],
        "level": body.request["level"],
        "request": {k: v for k, v in body.request.items() if k != "as_of"},
        "unit_id": body.unit_id,
        "plan": plan,
        "subscribed_on": today,
        "next_due_on": planning.next_due(plan),
        "updated_at": func.now(),
    }
    stmt = (
        insert(EligibilitySubscription)
        .values(id=uuid.uuid4(), applicant_sub=principal.sub, **values)
        .on_conflict_do_update(index_elements=["applicant_sub"], set_=values)
        .returning(EligibilitySubscription.id)
    )
    await session.exec(stmt)
    row = await _mine(session, principal)
    return await claimed.respond(read(row), status_code=200)


async def _mine(session: AsyncSession, principal: Principal) -> EligibilitySubscription:
    row = (
        await session.exec(
            select(EligibilitySubscription)
            .where(EligibilitySubscription.applicant_sub == principal.sub)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        raise SubscriptionNotFound()
    return row


async def mine(session: AsyncSession, principal: Principal) -> SubscriptionRead:
    return read(await _mine(session, principal))


async def unsubscribe(session: AsyncSession, principal: Principal) -> None:
    """No more notices; what was sent stays in the message centre."""
    result = await session.exec(
        delete(EligibilitySubscription).where(
            EligibilitySubscription.applicant_sub == principal.sub
        )
    )
    if result.rowcount == 0:
        raise SubscriptionNotFound()
