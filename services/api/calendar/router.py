"""HTTP for the work calendar: working-day counts for everyone, corrections by ops."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.api.access import OPS_ONLY, SIGNED_IN
from services.api.calendar import service
from services.api.calendar.problems import CalendarYearExists, CalendarYearUnknown
from services.api.calendar.schemas import DayRead, DayWrite, WorkingDays, YearOpen
from services.api.http import WriteDep, ordered_range
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

# The reads are for any signed-in caller; the corrections (included at the end) for ops,
# and every one of them may answer 403 to anyone else.
router = APIRouter(prefix="/v1/work-calendar", tags=["work-calendar"], dependencies=SIGNED_IN)
corrections = APIRouter(dependencies=OPS_ONLY, responses=documented(Forbidden))


@router.get("/working-days", response_model=WorkingDays, responses=documented(CalendarYearUnknown))
async def count(
    start_on: date,
    end_on: date,
    session: SessionDep,
    rule: Literal["strict", "official"] = "strict",
) -> WorkingDays:
    ordered_range(start_on, end_on, names=("start_on", "end_on"))
    days = await service.working_days(session, start_on, end_on, rule=rule)
    return WorkingDays(start_on=start_on, end_on=end_on, rule=rule, working_days=days)


@router.get("/days/{day}", response_model=DayRead, responses=documented(CalendarYearUnknown))
async def get_day(day: date, session: SessionDep) -> DayRead:
    return await service.day(session, day)


@corrections.post("/days", response_model=DayRead, summary="Ops: set a holiday or a make-up day")
async def set_day(body: DayWrite, write: WriteDep) -> JSONResponse:
    return await write.apply(service.correct_day, body=body)


@corrections.post(
    "/years",
    status_code=201,
    summary="Ops: open a year the package does not know",
    responses=documented(CalendarYearExists),
)
async def open_year(body: YearOpen, write: WriteDep) -> JSONResponse:
    return await write.apply(service.add_year, status_code=201, year=body.year)


router.include_router(corrections)
