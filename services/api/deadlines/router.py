"""HTTP for the deadline planner: a declaration's plan, a unit's calendar, the reminder
sweep. Every plan is computed on read from the campaign and the work calendar."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from services.api.access import REVIEWER_ROLES, PrincipalDep, allow
from services.api.calendar.problems import CalendarYearUnknown
from services.api.campaigns.problems import CampaignNotFound
from services.api.deadlines import reminders, service
from services.api.deadlines.problems import (
    OrgCalendarNotUnit,
    PlanDeadlineUnknown,
    PlanOutsideCalendar,
)
from services.api.deadlines.schemas import DeclarationPlanRead, ReminderSweep, UnitCalendarRead
from services.api.declarations.deps import READ_PROBLEMS, VisibleDeclaration
from services.api.declarations.shapes import declarations_router
from services.api.http import RelayAfterCommit
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter()
declaration_routes = declarations_router()
PLAN_PROBLEMS = (PlanDeadlineUnknown, PlanOutsideCalendar, CalendarYearUnknown)


@declaration_routes.get(
    "/{declaration_id}/plan",
    response_model=DeclarationPlanRead,
    summary="The latest day of each unit step and of the applicant's submission",
    description="Worked back from the campaign's 逐级上报 deadline over the work calendar "
    "(“8月23日前，个人提交申报材料，单位完成审核、答辩、审议、公示、推荐，逐级上报”): the "
    "recommendation, the posting's end and start (≥5 working days, 双休日和节假日不计入), the "
    "deliberation, the defence (高级) and the applicant's last safe submission day, each "
    "explained in Chinese with its clause and the holidays that moved it. Where the "
    "documents set no gap between two steps the planner's default is used and named "
    "(`default_days`). Computed on every read.",
    responses=documented(*READ_PROBLEMS, *PLAN_PROBLEMS),
)
async def declaration_plan(
    declaration: VisibleDeclaration, session: SessionDep
) -> DeclarationPlanRead:
    return await service.for_declaration(session, declaration)


@router.get(
    "/v1/orgs/{org_id}/calendar",
    response_model=UnitCalendarRead,
    tags=["orgs"],
    dependencies=[allow(*REVIEWER_ROLES, "ops")],
    summary=("用人单位在一个批次中的审核日程：各级别的时间安排及仍待处理的申报"),
    description=(
        "按批次的逐级上报截止时间和工作日历倒推，"
        "答复该用人单位在本批次各级别的最迟日期（有主管部门的含主管部"
        "门那一级），以及本单位仍待处理的申报书和各自停在哪一步。"
        "该单位的审核人员、其上级机构和运维人员可调用。"
    ),
    responses=documented(Forbidden, OrgCalendarNotUnit, CampaignNotFound, *PLAN_PROBLEMS),
)
async def unit_calendar(
    org_id: uuid.UUID, campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> UnitCalendarRead:
    return await service.for_unit(session, principal, org_id, campaign_id=campaign_id)


@router.post(
    "/v1/deadline-reminders/sweeps",
    response_model=ReminderSweep,
    tags=["declarations"],
    dependencies=[allow("ops", "service"), RelayAfterCommit],
    responses=documented(Forbidden),
    summary="Send the deadline reminders whose day has come (ops or service)",
    description="Runs the sweep the gateway also runs periodically: applicants whose last "
    "safe submission day is 3 working days away or less and who have not submitted; unit "
    "reviewers 2 working days before a step's latest day while declarations wait at it. "
    "At most once per event; nothing between 21:00 and 08:00 Beijing time.",
)
async def reminder_sweep(session: SessionDep, request: Request) -> ReminderSweep:
    return await reminders.sweep(session, cipher=request.app.state.pii)
