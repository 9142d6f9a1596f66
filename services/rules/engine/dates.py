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
