"""The planner's thin service: reads the campaign, the calendar and the unit, hands dates
to the pure planner (planner.py), shapes the answer. Computed on every read, so a corrected
calendar day or campaign deadline shows at once."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select as sa_select
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
    WaitingRead,
)
from services.api.declarations import service as declarations
from services.api.declarations.producers import HIGH_LEVELS
from services.api.models import Campaign, Declaration, Org, UnitReview
from services.api.orgs import service as orgs
from services.kit.auth import Principal

# The statuses in which a declaration is still before its unit.
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


async def waiting_rows(
    session: AsyncSession, campaign_id: uuid.UUID, unit_id: uuid.UUID
) -> list[tuple[uuid.UUID, str, str, str]]:
    """The unit's declarations still before it (drafts, and those at the unit's step),
    with the step each waits at, as (id, level, status, step): a review record holds every
    date up to the posting, so one recorded waits only for the recommendation's pass-up.
    Without loading the declarations (their sections are kilobytes; a unit may have tens
    of thousands)."""
    query = (
        sa_select(Declaration.id, Declaration.level, Declaration.status, UnitReview.declaration_id)
        .outerjoin(UnitReview, UnitReview.declaration_id == Declaration.id)
        .where(
            Declaration.campaign_id == campaign_id,
            Declaration.unit_org_id == unit_id,
            Declaration.status.in_(BEFORE_UNIT),
        )
        .order_by(Declaration.created_at)
    )
    rows = (await session.exec(query)).all()
    return [
        (id_, level, status, waiting_at(status, level, recorded is not None))
        for id_, level, status, recorded in rows
    ]


async def for_unit(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, campaign_id: uuid.UUID
) -> UnitCalendarRead:
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
    return UnitCalendarRead(
        org_id=unit.id,
        campaign_id=campaign.id,
        plans=plans,
        waiting=[
            WaitingRead(declaration_id=id_, level=level, status=status, waiting_at=at)
            for id_, level, status, at in await waiting_rows(session, campaign.id, unit.id)
        ],
    )
