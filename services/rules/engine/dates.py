"""Calendar arithmetic on plain dates: years and months are counted by calendar date
(4 years after 2018-12-01 is 2022-12-01; 29 February rolls to 28 February)."""

from __future__ import annotations

from datetime import date

# A due date that time alone never reaches (a non-time condition fails or cannot be known).
NEVER = 10**9


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month0 = divmod(index, 12)
    day = d.day
    while True:
        try:
            return date(year, month0 + 1, day)
        except ValueError:
            day -= 1


def full_months(start: date, end: date) -> int:
    """Completed calendar months from `start` to `end` (0 when end is not after start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months if months > 0 else 0


def span_zh(months: int) -> str:
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years}年{rest}个月"
    if years:
        return f"{years}年"
    return f"{rest}个月"


def iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


_JAN1: dict[int, int] = {}


def jan1(year: int) -> int:
    ordinal = _JAN1.get(year)
    if ordinal is None:
        ordinal = _JAN1[year] = date(year, 1, 1).toordinal()
    return ordinal


def elapsed(
    start: date, years: int, ref: tuple[int, int, int], year_end: bool
) -> tuple[bool, int, int]:
    """Has `years` calendar years passed from `start` on the reference day `ref` (y, m, d)?

    Returns (met, due ordinal when not met, completed months from start to ref). The due
    day is the same calendar day `years` later (29 February → 28 February); when seniority
    is counted to 31 December of the evaluation year, it is 1 January of the year it is due.
    Integer arithmetic only: this is the hot path of every seniority condition."""
    sy = start.year
    sm = start.month
    sd = start.day
    ry, rm, rd = ref
    months = (ry - sy) * 12 + rm - sm - (rd < sd)
    if months < 0:
        months = 0
    dy = sy + years
    if sd == 29 and sm == 2 and not (dy % 4 == 0 and (dy % 100 != 0 or dy % 400 == 0)):
        sd = 28
    if (dy, sm, sd) <= ref:
        return True, 0, months
    return False, (jan1(dy) if year_end else date(dy, sm, sd).toordinal()), months
