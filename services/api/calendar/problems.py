"""Problems of the work calendar."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class CalendarYearExists(Problem):
    status = 409
    code = "calendar-year-exists"
    title = "calendar year exists"
    text = "该年度的工作日历已存在。"


class CalendarYearUnknown(Problem):
    # The detail names the years missing.
    status = 422
    code = "calendar-year-unknown"
    title = "Work calendar does not know this year"
    text = "工作日历中没有该年度的法定节假日安排，无法计算工作日；请先由运维录入该年度日历。"


class CalendarInvalidDay(Problem):
    status = 422
    code = "calendar-invalid-day"
    title = "Calendar day invalid"
    text = "调休上班日须是周六或周日，周一至周五不能设为周末。"
