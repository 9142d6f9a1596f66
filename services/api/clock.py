"""The gateway's clock: the database's `now()` and the Asia/Shanghai calendar.

Every deadline is checked against the database clock, so all replicas agree;
every date a person reads is printed in Beijing time. A test gateway may run its clock
ahead by `CLOCK_OFFSET` (refused in production): the offset rides on the gateway's
sessions (`session.info`), so `db_now` stays the one source of time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFSET = "clock_offset"


def shanghai(value: datetime) -> str:
    """`2026年3月31日17:00`, in Beijing time."""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def session_info(settings: Any) -> dict[str, timedelta]:
    """What the gateway's sessions carry for `db_now`: its clock offset, if any."""
    offset = getattr(settings, "clock_offset", None)
    return {OFFSET: offset} if offset else {}


def ahead(session: AsyncSession, now: datetime) -> datetime:
    """A `now()` read inside a larger query, with the test gateway's offset as `db_now`
    adds it."""
    return now + session.info.get(OFFSET, timedelta(0))


async def db_now(session: AsyncSession) -> datetime:
    """The database clock (plus the test gateway's offset): one source of time for every
    deadline."""
    # Imported here: `shanghai` is imported by the export processes, which need no SQL.
    from sqlalchemy import text

    now = (await session.exec(text("SELECT now()"))).scalar_one()
    return now + session.info.get(OFFSET, timedelta(0))
