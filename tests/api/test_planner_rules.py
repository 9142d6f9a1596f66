"""The deadline planner's rules, pure: calendar days and a deadline in, a plan out.

Rows are built the way the calendar's seed migration builds them (`chinesecalendar`), so
the names are the package's (`National Day`); the API tests read the stored rows.
`000_…`: "8月23日前，个人提交申报材料，单位完成审核、答辩、审议、公示、推荐，逐级上报至柳州市经济
专业工程技术人员职称改革工作领导小组。" — “8月23日前” is a deadline of 2022-08-23 00:00, so the last
day of work is 08-22.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from services.api.clock import SHANGHAI
from services.api.deadlines import planner
from services.kit.sms_templates import by_day, daytime


def rows(year: int) -> list[planner.Day]:
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        weekend = day.weekday() >= 5
        _, name = chinese_calendar.get_holiday_detail(day)
        kind = ("makeup" if weekend else "workday") if workday else (
            "weekend" if weekend and name is None else "holiday"
        )  # fmt: skip
        found.append(planner.Day(day, workday, kind, name))
        day += timedelta(days=1)
    return found


DAYS = rows(2022)


def plan(deadline: str, **kw) -> planner.Plan:
    args = {"high_level": True, "supervisor": False, "deadline_basis": "测试"} | kw
    return planner.plan(DAYS, deadline_at=datetime.fromisoformat(deadline), **args)


def table(p: planner.Plan) -> dict[str, str]:
    return {s.key: s.on.isoformat() for s in p.steps}


def test_the_seeded_senior_deadline_before_august_23() -> None:
    # 2022-08-22 is a Monday: the posting 08-15..08-19 (Mon–Fri), deliberation and
    # defence the working days before it, three working days of unit review before that.
    p = plan("2022-08-23T00:00:00+08:00")
    assert p.last_day == date(2022, 8, 22)
    said = p.step("recommendation").explanation
    assert "逐级上报截止于2022年8月23日00:00" in said and "最后可办理日为2022年8月22日" in said
    assert table(p) == {
        "submission": "2022-08-05",
        "defence": "2022-08-11",
        "deliberation": "2022-08-12",
        "posting_start": "2022-08-15",
        "posting_end": "2022-08-19",
        "recommendation": "2022-08-22",
    }


def test_a_supervisor_takes_a_working_day_and_below_senior_there_is_no_defence() -> None:
    p = plan("2022-08-23T00:00:00+08:00", supervisor=True, high_level=False)
    assert table(p) == {
        "submission": "2022-08-05",  # 4th working day before the deliberation (08-11)
        "deliberation": "2022-08-11",
        "posting_start": "2022-08-12",  # 08-12, 08-15..08-18
        "posting_end": "2022-08-18",
        "recommendation": "2022-08-19",  # 08-22 is the 主管部门's
    }
    assert "主管部门" in p.step("recommendation").explanation
    assert p.step("recommendation").default_days == planner.SUPERVISOR_DAYS


def test_a_deadline_inside_the_holiday_moves_to_the_last_working_day_before_it() -> None:
    p = plan("2022-10-05T18:00:00+08:00")
    rec = p.step("recommendation")
    assert rec.on == date(2022, 9, 30)
    assert "2022年10月5日不是工作日" in rec.explanation
    assert "国庆节（10月1日至10月5日）放假" in rec.explanation


def test_the_official_rule_counts_the_make_up_weekend() -> None:
    # Counting every official working day, 10-08 and 10-09 are posting days.
    strict = plan("2022-10-12T23:59:59+08:00")
    official = plan("2022-10-12T23:59:59+08:00", posting_rule="official")
    assert strict.step("posting_start").on == date(2022, 9, 28)
    assert official.step("posting_start").on == date(2022, 9, 30)


def test_the_submission_window_caps_the_last_safe_day() -> None:
    p = plan(
        "2022-10-12T23:59:59+08:00", submission_closes_at=datetime(2022, 9, 16, 18, tzinfo=SHANGHAI)
    )
    step = p.step("submission")
    assert step.on == date(2022, 9, 16) and "个人申报窗口于2022年9月16日截止" in step.explanation


def test_a_day_the_calendar_lacks_is_an_error_not_a_guess() -> None:
    with pytest.raises(planner.OutOfCalendar):
        planner.plan(
            DAYS[-10:],
            deadline_at=datetime(2022, 12, 31, 12, tzinfo=SHANGHAI),
            deadline_basis="测试",
            high_level=True,
            supervisor=False,
        )


@pytest.mark.parametrize(
    ("at", "sent"),
    [
        ((9, 25, 6, 0), (9, 25, 8, 0)),  # before 08:00: that morning
        ((9, 25, 21, 0), (9, 26, 8, 0)),  # 21:00 is night: the next morning
        ((9, 25, 20, 59), (9, 25, 20, 59)),  # daytime stays
        ((9, 25, 8, 0), (9, 25, 8, 0)),
    ],
)
def test_no_reminder_at_night(at, sent) -> None:
    due = datetime(2022, at[0], at[1], at[2], at[3], tzinfo=SHANGHAI)
    assert by_day(due) == datetime(2022, sent[0], sent[1], sent[2], sent[3], tzinfo=SHANGHAI)
    assert daytime(by_day(due))
