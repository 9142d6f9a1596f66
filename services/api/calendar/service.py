"""Working days from the `work_calendar` table; a year it does not know is an error."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.calendar.counting import count
from services.api.calendar.problems import (
    CalendarInvalidDay,
    CalendarYearExists,
    CalendarYearUnknown,
)
from services.api.calendar.schemas import DayRead, DayWrite
from services.api.models import WorkCalendar, WorkCalendarYear
from services.kit.auth import Principal


def _unknown_year(years: list[int]) -> CalendarYearUnknown:
    listed = "、".join(str(y) for y in years)
    return CalendarYearUnknown(
        f"工作日历中没有 {listed} 年的法定节假日安排，无法计算工作日；请先由运维录入该年度日历。",
        years=years,
    )


async def require_years(session: AsyncSession, *days: date) -> None:
    wanted = sorted({d.year for d in days})
    known = set(
        (
            await session.exec(
                select(WorkCalendarYear.year).where(WorkCalendarYear.year.in_(wanted))
            )
        ).all()
    )
    missing = [y for y in wanted if y not in known]
    if missing:
        raise _unknown_year(missing)


async def working_days(session: AsyncSession, start_on: date, end_on: date, *, rule: str) -> int:
    """Working days from start to end, both included, counted by `counting.counts`
    (`strict`: 双休日和节假日不计入; `official`: every official working day)."""
    if end_on < start_on:
        return 0
    return count(await days_between(session, start_on, end_on), rule=rule)


async def days_between(session: AsyncSession, start_on: date, end_on: date) -> list[WorkCalendar]:
    """Every calendar row from start to end, both included (a year it lacks is an error)."""
    await require_years(session, start_on, end_on)
    rows = (
        await session.exec(
            select(WorkCalendar)
            .where(WorkCalendar.day >= start_on, WorkCalendar.day <= end_on)
            .order_by(WorkCalendar.day)
        )
    ).all()
    if len(rows) != (end_on - start_on).days + 1:
        raise _unknown_year(sorted({start_on.year, end_on.year}))
    return list(rows)


async def open_year(session: AsyncSession, *, year: int) -> int:
    """Add a year ops enter by hand: weekdays work, weekends rest, holidays added after."""
    if await session.get(WorkCalendarYear, year) is not None:
        raise CalendarYearExists(f"{year} 年的工作日历已存在。")
    session.add(WorkCalendarYear(year=year, source="ops"))
    day = date(year, 1, 1)
    rows = []
    while day.year == year:
        weekend = day.weekday() >= 5
        rows.append(
            {
                "day": day,
                "workday": not weekend,
                "kind": "weekend" if weekend else "workday",
                "name": None,
                "source": "ops",
            }
        )
        day += timedelta(days=1)
    await session.flush()
    await session.exec(insert(WorkCalendar).values(rows))
    return len(rows)


async def set_day(session: AsyncSession, *, body: DayWrite) -> WorkCalendar:
    await require_years(session, body.day)
    weekend = body.day.weekday() >= 5
    if body.kind == "makeup" and not weekend:
        raise CalendarInvalidDay("调休上班日须是周六或周日。")
    if body.kind == "weekend" and not weekend:
        raise CalendarInvalidDay("周一至周五不能设为周末。")
    row = await session.get(WorkCalendar, body.day)
    assert row is not None  # the year is known, so every day of it is there
    row.kind = body.kind
    row.workday = body.kind in ("workday", "makeup")
    row.name = body.name
    row.source = "ops"
    session.add(row)
    await session.flush()
    return row


async def day(session: AsyncSession, on: date) -> DayRead:
    await require_years(session, on)
    return DayRead.model_validate(await session.get(WorkCalendar, on), from_attributes=True)


async def correct_day(session: AsyncSession, principal: Principal, *, body: DayWrite) -> DayRead:
    """Ops set a holiday or a make-up day; the audit trail says who."""
    row = await set_day(session, body=body)
    await audit.record(
        session,
        principal=principal,
        action="calendar_day_set",
        reason=f"{body.day} {body.kind} {body.name or ''}".strip(),
    )
    return DayRead.model_validate(row, from_attributes=True)


async def add_year(session: AsyncSession, principal: Principal, *, year: int) -> dict[str, int]:
    """Ops open a year the calendar package does not know."""
    days = await open_year(session, year=year)
    await audit.record(
        session, principal=principal, action="calendar_year_opened", reason=str(year)
    )
    return {"year": year, "days": days}
