"""The gateway's clock: the database's `now()` and the Asia/Shanghai calendar.

Every deadline is checked against the database clock, so all replicas agree;
every date a person reads is printed in Beijing time. A test gateway may run its clock
ahead by `CLOCK_OFFSET`, or hold it still at `CLOCK_FROZEN_AT` (both refused in
production): the setting rides on the gateway's sessions (`session.info`), so `db_now`
(and `sql_now` inside a query) stays the one source of time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement
    from sqlmodel.ext.asyncio.session import AsyncSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFSET = "clock_offset"
FROZEN = "clock_frozen_at"
# Marks a request's session that set a new deadline a sweep acts on (a return's): once it
# commits, the gateway's sweep reads its next deadline again (services/api/http.py).
DEADLINE_SET = "deadline_set"


def shanghai(value: datetime) -> str:
    """`2026年3月31日17:00`, in Beijing time."""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def session_info(settings: Any) -> dict[str, Any]:
    """What the gateway's sessions carry for `db_now`: its clock offset or its frozen
    instant, if any."""
    info: dict[str, Any] = {}
    if offset := getattr(settings, "clock_offset", None):
        info[OFFSET] = offset
    if frozen := getattr(settings, "clock_frozen_at", None):
        info[FROZEN] = frozen
    return info


def ahead(session: AsyncSession, now: datetime) -> datetime:
    """A `now()` read inside a larger query, as `db_now` would have it (the test gateway's
    offset added, or its frozen instant)."""
    frozen = session.info.get(FROZEN)
    if frozen is not None:
        return frozen
    return now + session.info.get(OFFSET, timedelta(0))


def sql_now(session: AsyncSession) -> ColumnElement[datetime]:
    """`now()` inside a query (a sweep's `deadline < now`), as `db_now` reads it: the
    database's clock, with the test gateway's offset or frozen instant."""
    # Imported here: `shanghai` is imported by the export processes, which need no SQL.
    from sqlalchemy import DateTime, Interval, func, literal

    frozen = session.info.get(FROZEN)
    if frozen is not None:
        return literal(frozen, DateTime(timezone=True))
    offset = session.info.get(OFFSET)
    if offset:
        return func.now() + literal(offset, Interval())
    return func.now()


async def db_now(session: AsyncSession) -> datetime:
    """The database clock (plus the test gateway's offset, or its frozen instant): one
    source of time for every deadline."""
    frozen = session.info.get(FROZEN)
    if frozen is not None:
        return frozen
    from sqlalchemy import text

    now = (await session.exec(text("SELECT now()"))).scalar_one()
    return now + session.info.get(OFFSET, timedelta(0))
