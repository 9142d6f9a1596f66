"""HTTP for the work calendar: working-day counts for everyone, corrections by ops."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.api.access import OPS_ONLY, SIGNED_IN
from services.api.calendar import service
from services.api.calendar.problems import (
    CalendarInvalidDay,
    CalendarYearExists,
    CalendarYearUnknown,
)
from services.api.calendar.schemas import DayRead, DayWrite, WorkingDays, YearOpen, YearOpened
from services.api.http import WriteDep, ordered_range
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

# The reads are for any signed-in caller; the corrections (included at the end) for ops,
# and every one of them may answer 403 to anyone else.
router = APIRouter(prefix="/v1/work-calendar", tags=["work-calendar"], dependencies=SIGNED_IN)
corrections = APIRouter(dependencies=OPS_ONLY, responses=documented(Forbidden))


@router.get(
    "/working-days",
    response_model=WorkingDays,
    responses=documented(CalendarYearUnknown),
    summary="计算两日之间的工作日数",
    description=(
        "按国家法定节假日和调休安排，计算起止日期之间（含两端）"
        "的工作日数，用于公示期等按工作日计算的期限。"
        "rule 为 strict 时只计非周六、周日的法定工作日，"
        "为 official 时计全部法定工作日（含调休上班的周末）。"
        "已登录的申报人、审核机构、专家和运维人员可调用。"
    ),
)
async def count(
    start_on: date,
    end_on: date,
    session: SessionDep,
    rule: Literal["strict", "official"] = "strict",
) -> WorkingDays:
    ordered_range(start_on, end_on, names=("start_on", "end_on"))
    days = await service.working_days(session, start_on, end_on, rule=rule)
    return WorkingDays(start_on=start_on, end_on=end_on, rule=rule, working_days=days)


@router.get(
    "/days/{day}",
    response_model=DayRead,
    responses=documented(CalendarYearUnknown),
    summary="查询某一天是否工作日",
    description=(
        "答复某一日期的类别（节假日、调休上班日、工作日、周末）、"
        "节日名称、是否工作日及数据来源。调用者范围同工作日计算。"
    ),
)
async def get_day(day: date, session: SessionDep) -> DayRead:
    return await service.day(session, day)


@corrections.post(
    "/days",
    response_model=DayRead,
    summary="设置节假日或调休上班日（运维）",
    responses=validated(CalendarInvalidDay),
    description=(
        "运维人员按国务院办公厅发布的放假安排登记或更正某一天："
        "节假日、调休上班日、工作日或周末。仅运维人员可调用。"
    ),
)
async def set_day(body: DayWrite, write: WriteDep) -> JSONResponse:
    return await write.apply(service.correct_day, body=body)


@corrections.post(
    "/years",
    status_code=201,
    response_model=YearOpened,
    summary="开放一个日历数据未涵盖的年份（运维）",
    responses=documented(CalendarYearExists),
    description=(
        "内置节假日数据尚未涵盖的年份，须由运维人员先开放，"
        "之后按周末规则计算并可逐日登记节假日和调休。"
        "仅运维人员可调用。"
    ),
)
async def open_year(body: YearOpen, write: WriteDep) -> JSONResponse:
    return await write.apply(service.add_year, status_code=201, year=body.year)


router.include_router(corrections)
