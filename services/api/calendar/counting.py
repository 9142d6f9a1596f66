"""How working days are counted: pure, over calendar rows already read.

One counting for every posting: the unit's 公示 check (chain/service.py, through
`calendar.service.working_days`) and the deadline planner (chain/planner.py) both count
with `counts`, so a plan never promises a posting the unit's record would then refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol


class CalendarDay(Protocol):
    """A calendar row as the counting reads it (the table's row, or a planner's day)."""

    @property
    def day(self) -> date: ...
    @property
    def workday(self) -> bool: ...


def counts(row: CalendarDay, *, rule: str) -> bool:
    """Whether one day counts under the rule.

    `strict` (the default for postings, 申报系统操作注意事项 二、1: 双休日和节假日不计入公示时间)
    counts official working days that are not a Saturday or Sunday, so a make-up workday on
    a weekend does not count; `official` counts every official working day.
    """
    if rule == "official":
        return row.workday
    return row.workday and row.day.weekday() < 5


def count(rows: Iterable[CalendarDay], *, rule: str) -> int:
    return sum(1 for r in rows if counts(r, rule=rule))
