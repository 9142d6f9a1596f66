"""Problems of the work calendar."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class CalendarYearExists(Problem):
    status = 409
    code = "calendar-year-exists"
    title = "calendar year exists"
    text = "该年度的工作日历已存在。"
