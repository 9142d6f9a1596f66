"""Problems of the deadline planner."""

from __future__ import annotations

from services.api.calendar.problems import CalendarYearUnknown
from services.kit.problem_kinds import Problem


class PlanDeadlineUnknown(Problem):
    status = 409
    code = "plan-deadline-unknown"
    title = "Campaign sets no 逐级上报 deadline"
    text = (
        "该批次未设定单位审核、逐级上报的截止时间（unit_review 或 submission 窗口），"
        "无法倒排各环节的最迟日期。"
    )


class PlanOutsideCalendar(Problem):
    status = 422
    code = "plan-outside-calendar"
    title = "Plan needs days the work calendar lacks"
    text = "倒排日期需要的日子不在工作日历中，请先由运维录入该年度日历。"


class OrgCalendarNotUnit(Problem):
    status = 404
    code = "org-calendar-not-unit"
    title = "Not a unit"
    text = "只有用人单位有审核推荐日程；该机构不存在或不是用人单位。"


# What keeps a plan from being computed (the /plan route answers with one of them).
PLAN_PROBLEMS = (PlanDeadlineUnknown, PlanOutsideCalendar, CalendarYearUnknown)
