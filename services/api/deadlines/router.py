"""HTTP for the deadline planner: a declaration's plan, a unit's calendar, the reminder
sweep. Every plan is computed on read from the campaign and the work calendar."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.api.access import REVIEWER_ROLES, PrincipalDep, allow
from services.api.campaigns.problems import CampaignNotFound
from services.api.deadlines import reminders, service
from services.api.deadlines.problems import PLAN_PROBLEMS, OrgCalendarNotUnit
from services.api.deadlines.schemas import DeclarationPlanRead, ReminderSweep, UnitCalendarRead
from services.api.declarations.deps import READ_PROBLEMS, VisibleDeclaration
from services.api.declarations.shapes import declarations_router
from services.api.http import RelayAfterCommit
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter()
declaration_routes = declarations_router()


@declaration_routes.get(
    "/{declaration_id}/plan",
    response_model=DeclarationPlanRead,
    summary="本申报书在用人单位各步骤和申报人提交的最迟日期",
    description=(
        "按批次逐级上报的截止时间和工作日历倒推（种子文件 000："
        "“8月23日前，个人提交申报材料，单位完成审核、答辩、审议、"
        "公示、推荐，逐级上报”）：推荐、公示、审议、"
        "答辩各步骤和申报人提交的最迟日期，"
        "并说明每个日期的依据和节假日的影响。申报人本人、"
        "已到达的用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用。"
    ),
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
    summary=("用人单位在一个批次中的审核日程：各级别的时间安排及仍待处理的申报（游标分页）"),
    description=(
        "按批次的逐级上报截止时间和工作日历倒推，"
        "答复该用人单位在本批次各级别的最迟日期（有主管部门的含主管部"
        "门那一级）；本单位仍待处理的申报书按建立时间先后分页列出，"
        "每份注明停在哪一步，用 cursor 翻页（取自上一页的 next_cursor）；"
        "waiting_total、waiting_by_step 和 waiting_by_level "
        "给出全部待处理申报书按步骤和级别的数目，每页相同。"
        "该单位的审核人员、其上级机构和运维人员可调用。"
    ),
    responses=documented(Forbidden, OrgCalendarNotUnit, CampaignNotFound, *PLAN_PROBLEMS),
)
async def unit_calendar(
    org_id: uuid.UUID,
    campaign_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> UnitCalendarRead:
    return await service.for_unit(
        session, principal, org_id, campaign_id=campaign_id, cursor=cursor, limit=limit
    )


async def reminder_sweep(session: SessionDep, request: Request) -> ReminderSweep:
    return await reminders.sweep(session, cipher=request.app.state.pii)


router.add_api_route(
    "/v1/deadline-reminders/sweeps",
    reminder_sweep,
    methods=["POST"],
    # What the sweep queued is handed to the queue once the answer is out.
    route_class_override=RelayAfterCommit,
    response_model=ReminderSweep,
    tags=["declarations"],
    dependencies=[allow("ops", "service")],
    responses=documented(Forbidden),
    summary="发送到期的截止提醒（运维或服务账号）",
    description=(
        "立即执行网关也会定期执行的提醒："
        "距最后安全提交日不超过3个工作日仍未提交的申报人，"
        "以及申报书仍停在单位某一步、距该步最迟日期2个工作日的单位审"
        "核人员。北京时间21:00至次日08:00不发送；"
        "同一时间只有一个副本执行。运维人员或服务账号可调用。"
    ),
)
