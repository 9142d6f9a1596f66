"""The gateway's clock: the database's `now()` and the Asia/Shanghai calendar.

Every deadline is checked against the database clock, so all replicas agree;
every date a person reads is printed in Beijing time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(value: datetime) -> str:
    """`2026年3月31日17:00`, in Beijing time."""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


async def db_now(session: AsyncSession) -> datetime:
    """The database clock: one source of time for every deadline."""
    return (await session.exec(text("SELECT now()"))).scalar_one()
