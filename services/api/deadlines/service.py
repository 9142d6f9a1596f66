"""The planner's thin service: reads the campaign, the calendar and the unit, hands dates
to the pure planner (planner.py), shapes the answer. Computed on every read, so a corrected
calendar day or campaign deadline shows at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    column,
    false,
    func,
    table,
    true,
    tuple_,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import OFFICE_ROLES, forbidden
from services.api.calendar import service as calendar
from services.api.campaigns import service as campaigns
from services.api.campaigns.service import window_close
from services.api.clock import SHANGHAI
from services.api.deadlines import planner
from services.api.deadlines.problems import (
    OrgCalendarNotUnit,
    PlanDeadlineUnknown,
    PlanOutsideCalendar,
)
from services.api.deadlines.schemas import (
    DeclarationPlanRead,
    PlanRead,
    PlanStepRead,
    UnitCalendarRead,
    WaitingCount,
    WaitingRead,
)
from services.api.declarations import service as declarations
from services.api.declarations.producers import HIGH_LEVELS
from services.api.http import decode_cursor, encode_cursor
from services.api.models import Campaign, Declaration, Org
from services.api.orgs import service as orgs
from services.kit.auth import Principal

# The statuses in which a declaration is still before its unit (the partial index
# ix_declaration_unit_waiting, api_0036, has the same list).
BEFORE_UNIT = ("draft", "submitted", "unit_review")


def deadline(campaign: Campaign) -> tuple[datetime, str]:
    """The campaign's 逐级上报 deadline: its unit-review window's close (the seeded 柳州
    campaigns: “首次提交时间（单位审核、逐级上报）”), else its submission window's."""
    for kind in ("unit_review", "submission"):
        closes = window_close(campaign, kind)
        if closes is not None:
            return closes, campaign.windows[kind].get("basis", "")
    raise PlanDeadlineUnknown()


async def calendar_days(session: AsyncSession, until: date) -> list[planner.Day]:
    rows = await calendar.days_between(session, until - planner.LOOKBACK, until)
    return [planner.Day(r.day, r.workday, r.kind, r.name) for r in rows]


async def compute(
    session: AsyncSession, campaign: Campaign, *, level: str, supervisor: bool
) -> planner.Plan:
    closes, basis = deadline(campaign)
    days = await calendar_days(session, planner.last_day(closes))
    try:
        return planner.plan(
            days,
            deadline_at=closes,
            deadline_basis=basis,
            submission_closes_at=window_close(campaign, "submission"),
            high_level=level in HIGH_LEVELS,
            supervisor=supervisor,
            posting_rule=campaign.posting_rule,
        )
    except planner.OutOfCalendar as exc:
        raise PlanOutsideCalendar(missing_day=exc.day.isoformat()) from exc


async def has_supervisor(session: AsyncSession, unit_org_id: uuid.UUID) -> bool:
    unit = await session.get(Org, unit_org_id)
    if unit is None:
        return False
    above = await orgs.parents(session, unit)
    return bool(above) and above[0].kind == "supervisor"


async def declaration_supervised(session: AsyncSession, declaration: Declaration) -> bool:
    steps = await declarations.steps(session, declaration.id)
    if steps:
        return any(s.kind == "supervisor" for s in steps)
    return await has_supervisor(session, declaration.unit_org_id)


def read(plan: planner.Plan, campaign: Campaign, *, level: str, supervisor: bool, today: date):
    return PlanRead(
        campaign_id=campaign.id,
        level=level,
        deadline_at=plan.deadline_at,
        last_day_on=plan.last_day,
        today_on=today,
        with_supervisor=supervisor,
        steps=[
            PlanStepRead(
                key=s.key,
                title=s.title,
                latest_on=s.on,
                explanation=s.explanation,
                default_days=s.default_days,
                passed=today > s.on,
            )
            for s in plan.steps
        ],
    )


async def today(session: AsyncSession) -> date:
    return (await clock.db_now(session)).astimezone(SHANGHAI).date()


async def for_declaration(session: AsyncSession, declaration: Declaration) -> DeclarationPlanRead:
    campaign = await campaigns.get(session, declaration.campaign_id)
    supervisor = await declaration_supervised(session, declaration)
    plan = await compute(session, campaign, level=declaration.level, supervisor=supervisor)
    shaped = read(
        plan, campaign, level=declaration.level, supervisor=supervisor, today=await today(session)
    )
    return DeclarationPlanRead(
        **shaped.model_dump(), declaration_id=declaration.id, status=declaration.status
    )


async def check_sees_unit(session: AsyncSession, principal: Principal, unit: Org) -> None:
    """Its own reviewers, the offices above it, ops."""
    if principal.role == "ops":
        return
    if principal.org_id == str(unit.id) and principal.role == "unit_reviewer":
        return
    if principal.role in ("supervisor", *OFFICE_ROLES) and principal.org_id in {
        str(o.id) for o in await orgs.parents(session, unit)
    }:
        return
    raise forbidden()


def waiting_at(status: str, level: str, recorded: bool) -> str:
    if status == "draft":
        return "submission"
    if recorded:
        return "recommendation"
    return "defence" if level in HIGH_LEVELS else "deliberation"


@dataclass(frozen=True)
class Waiting:
    """A declaration still before its unit, as the calendar's page shows it."""

    id: uuid.UUID
    level: str
    status: str
    created_at: datetime
    recorded: bool

    @property
    def at(self) -> str:
        return waiting_at(self.status, self.level, self.recorded)


def _before_unit(campaign_id: uuid.UUID, unit_id: uuid.UUID) -> ColumnElement[bool]:
    """SQL: the unit's declarations of the campaign still before it (drafts, and those at
    the unit's step). The statuses are written into the statement, not bound: the partial
    index ix_declaration_unit_waiting (api_0036) holds only these, and the planner proves
    its predicate from literals alone (a prepared statement's generic plan included)."""
    statuses = bindparam("before_unit", BEFORE_UNIT, expanding=True, literal_execute=True)
    return and_(
        Declaration.campaign_id == campaign_id,
        Declaration.unit_org_id == unit_id,
        col(Declaration.status).in_(statuses),
    )


def page_query(
    campaign_id: uuid.UUID,
    unit_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Any:
    """SQL: up to `limit` of the unit's declarations still before it, in the order they
    were made, after the cursor's (created_at, id), with whether the unit recorded its
    review (kept on the declaration, api_0036): the first rows of
    ix_declaration_unit_waiting after the cursor, read from the index alone, whatever the
    unit's number. Never the declarations' sections (kilobytes each)."""
    query = sa_select(
        Declaration.id,
        Declaration.level,
        Declaration.status,
        Declaration.created_at,
        Declaration.unit_review_recorded,
    ).where(_before_unit(campaign_id, unit_id))
    if after is not None:
        query = query.where(tuple_(Declaration.created_at, Declaration.id) > tuple_(*after))
    return query.order_by(Declaration.created_at, Declaration.id).limit(limit)


# api_0033's kept counts, the columns read here: the base rows (reach_org null) count
# every declaration once, by campaign, unit, status and level (among others).
_counted = table(
    "declaration_count",
    column("campaign_id"),
    column("unit_org_id"),
    column("reach_org"),
    column("status"),
    column("level"),
    column("n"),
    schema="api",
)


def counts_query(campaign_id: uuid.UUID, unit_id: uuid.UUID) -> Any:
    """SQL: the unit's declarations still before it by level, status and whether the
    review is recorded (what the step depends on), as (level, status, recorded, n), in one
    statement that reads none of them one by one: all of them from the kept counts
    (declaration_count, api_0033: a few rows per unit, whatever its number), and those
    recorded (a unit records its review, then passes the declaration up: few) from
    ix_declaration_unit_recorded. The kept counts hold no review record, so the recorded
    are subtracted by the reader (`waiting_counts`)."""
    c = _counted.c
    statuses = bindparam("counted_statuses", BEFORE_UNIT, expanding=True, literal_execute=True)
    kept = (
        sa_select(c.level, c.status, false().label("recorded"), func.sum(c.n).label("n"))
        .where(
            c.campaign_id == campaign_id,
            c.unit_org_id == unit_id,
            c.reach_org.is_(None),
            c.status.in_(statuses),
        )
        .group_by(c.level, c.status)
    )
    recorded = (
        sa_select(Declaration.level, Declaration.status, true(), func.count())
        .where(_before_unit(campaign_id, unit_id), col(Declaration.unit_review_recorded))
        .group_by(Declaration.level, Declaration.status)
    )
    return union_all(kept, recorded)


async def waiting_page(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    unit_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Waiting]:
    query = page_query(campaign_id, unit_id, after=after, limit=limit)
    return [Waiting(*row) for row in (await session.exec(query)).all()]


async def waiting_counts(
    session: AsyncSession, campaign_id: uuid.UUID, unit_id: uuid.UUID
) -> dict[tuple[str, str], int]:
    """How many of the unit's declarations wait, by (level, step) (`counts_query`)."""
    by_status: dict[tuple[str, str, bool], int] = {}
    for level, status, recorded, n in await session.exec(counts_query(campaign_id, unit_id)):
        by_status[(level, status, recorded)] = int(n)
    counts: dict[tuple[str, str], int] = {}
    for (level, status, recorded), n in by_status.items():
        if not recorded:  # all of them: those recorded are counted apart
            n -= by_status.get((level, status, True), 0)
        if n > 0:
            key = (level, waiting_at(status, level, recorded))
            counts[key] = counts.get(key, 0) + n
    return counts


# The steps a declaration before its unit may wait at, in the plan's order.
WAITING_STEPS = ("submission", "defence", "deliberation", "recommendation")


def _tally(counts: dict[tuple[str, str], int], part: int, order: tuple[str, ...]) -> list:
    summed: dict[str, int] = {}
    for key, n in counts.items():
        summed[key[part]] = summed.get(key[part], 0) + n

    def rank(key: str) -> tuple[int, str]:
        return (order.index(key) if key in order else len(order), key)

    return [WaitingCount(key=k, count=summed[k]) for k in sorted(summed, key=rank)]


async def for_unit(
    session: AsyncSession,
    principal: Principal,
    org_id: uuid.UUID,
    *,
    campaign_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> UnitCalendarRead:
    """The unit's plans (one per level of the campaign), one page of its declarations still
    before it and how many wait at each step and level (what the page alone cannot say)."""
    after = decode_cursor(cursor) if cursor else None
    unit = await session.get(Org, org_id)
    if unit is None or unit.kind != "unit":
        raise OrgCalendarNotUnit()
    await check_sees_unit(session, principal, unit)
    campaign = await campaigns.get(session, campaign_id)
    supervisor = await has_supervisor(session, unit.id)
    on = await today(session)
    plans = []
    for level in campaign.levels:
        plan = await compute(session, campaign, level=level, supervisor=supervisor)
        plans.append(read(plan, campaign, level=level, supervisor=supervisor, today=on))
    rows = await waiting_page(session, campaign.id, unit.id, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    counts = await waiting_counts(session, campaign.id, unit.id)
    return UnitCalendarRead(
        org_id=unit.id,
        campaign_id=campaign.id,
        plans=plans,
        waiting_total=sum(counts.values()),
        waiting_by_step=_tally(counts, 1, WAITING_STEPS),
        waiting_by_level=_tally(counts, 0, tuple(campaign.levels)),
        waiting=[
            WaitingRead(declaration_id=w.id, level=w.level, status=w.status, waiting_at=w.at)
            for w in rows
        ],
        next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )
