"""The deadline planner: from a campaign's 逐级上报 deadline back over the work calendar to
the unit's latest dates and the applicant's last safe submission day. Pure: calendar days
and dates in, a plan out; no database, no clock.

The seeds fix the order and the posting's length, not the gaps between the steps:
- 000_… (柳州 2022 通知, 申报时间要求): “8月23日前，个人提交申报材料，单位完成审核、答辩、审议、
  公示、推荐，逐级上报至柳州市经济专业工程技术人员职称改革工作领导小组。”
- 000_… (桂人社规〔2021〕11号 第二十条): “对申报高级职称人员，在审议前应采取答辩等方式进行考评。”
  and “注意把握审核推荐对象及时间点要求：答辩≤审议小组审议推荐意见≤公示 < 单位推荐意见”.
- 002_… 二、1: “公示期不能少于5个工作日（双休日和节假日不计入公示时间）”.
Where they are silent, the constants below are this planner's stated defaults; each
explanation says when a date rests on one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.api.calendar.counting import count, counts
from services.api.clock import SHANGHAI, shanghai

# The posting's length (002_… 二、1: 公示期不能少于5个工作日).
POSTING_DAYS = 5
# Seeds silent: working days the 主管部门 keeps for its own review inside the same 逐级上报
# deadline (its step shares the unit's window, chain/service.py STEP_WINDOW), when the
# unit has one above it.
SUPERVISOR_DAYS = 1
# Seeds silent: working days between deliberation and the posting's first day, to draw up,
# print and put up the posting list (002_… 二、1: 单位可以在系统里生成公示表，打印后公示).
DELIBERATION_LEAD_DAYS = 1
# Seeds silent: working days between the defence and the deliberation (答辩≤审议 allows
# the same day; one day lets the panel read the defence record).
DEFENCE_LEAD_DAYS = 1
# Seeds silent: full working days the unit needs after the submission day to review the
# file (审核材料、核实原件) before the defence (or, below 高级, the deliberation).
UNIT_REVIEW_DAYS = 3
# How far back the planner may need the calendar: far more than the steps above take,
# even across the Spring Festival.
LOOKBACK = timedelta(days=120)

# chinesecalendar's holiday names (stored as it gives them) in the words people use.
HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

SEED_DEADLINE = (
    "“个人提交申报材料，单位完成审核、答辩、审议、公示、推荐，逐级上报”（柳州市2022年度工程系列"
    "职称申报工作通知“首次提交时间”）"
)
SEED_ORDER = "“答辩≤审议小组审议推荐意见≤公示 < 单位推荐意见”（桂人社规〔2021〕11号 第二十条）"
SEED_POSTING = (
    "“公示期不能少于5个工作日（双休日和节假日不计入公示时间）”（申报系统操作注意事项 二、1）"
)
SEED_DEFENCE = (
    "“对申报高级职称人员，在审议前应采取答辩等方式进行考评”（桂人社规〔2021〕11号 第二十条）"
)


@dataclass(frozen=True)
class Day:
    day: date
    workday: bool
    kind: str  # workday | weekend | holiday | makeup
    name: str | None = None


@dataclass(frozen=True)
class Step:
    key: str  # submission | defence | deliberation | posting_start | posting_end | recommendation
    title: str
    on: date
    explanation: str
    default_days: int | None = None  # the stated default this date rests on, if any


@dataclass(frozen=True)
class Plan:
    deadline_at: datetime
    last_day: date
    steps: list[Step] = field(default_factory=list)

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


class OutOfCalendar(LookupError):
    """The plan needs a day the calendar given does not hold."""

    def __init__(self, day: date) -> None:
        super().__init__(day)
        self.day = day


def zh(on: date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def last_day(deadline_at: datetime) -> date:
    """The last day work may still be done: a deadline at 00:00 (“8月23日前”) is the end of
    the day before; any other time, that day (Beijing time)."""
    local = deadline_at.astimezone(SHANGHAI)
    return (local - timedelta(microseconds=1)).date()


class Calendar:
    def __init__(self, days: Iterable[Day]) -> None:
        self.days = {d.day: d for d in days}

    def get(self, on: date) -> Day:
        found = self.days.get(on)
        if found is None:
            raise OutOfCalendar(on)
        return found

    def latest(self, on: date, *, rule: str = "official") -> date:
        """The latest day on or before `on` that counts under the rule."""
        while not counts(self.get(on), rule=rule):
            on -= timedelta(days=1)
        return on

    def back(self, on: date, n: int, *, rule: str = "official") -> date:
        """The n-th counting day before `on` (`on` itself not counted)."""
        for _ in range(n):
            on = self.latest(on - timedelta(days=1), rule=rule)
        return on

    def posting_start(self, end: date, *, rule: str) -> date:
        """The latest start whose posting up to `end` counts POSTING_DAYS working days, by
        the one counting of every posting (calendar/counting.py)."""
        start = end
        while count(self.span(start, end), rule=rule) < POSTING_DAYS:
            start -= timedelta(days=1)
        return start

    def span(self, start: date, end: date) -> list[Day]:
        return [self.get(start + timedelta(days=i)) for i in range((end - start).days + 1)]

    def moved_by(self, start: date, end: date, *, rule: str = "official") -> str:
        """Why the days strictly between start and end did not count: the named holidays
        (as the calendar rows name them), make-up weekend days a strict posting skips."""
        between = (
            self.span(start + timedelta(days=1), end - timedelta(days=1)) if end > start else []
        )
        parts = [_holidays(between)]
        makeups = [d for d in between if d.workday and not counts(d, rule=rule)]
        if makeups:
            names = {HOLIDAY_ZH.get(d.name or "", d.name or "") for d in makeups} - {""}
            label = f"{'、'.join(sorted(names))}调休上班日" if names else "调休上班日"
            listed = "、".join(f"{_md(d.day)}（{WEEKDAY_ZH[d.day.weekday()]}）" for d in makeups)
            parts.append(f"{listed}是{label}，按双休日不计入公示时间")
        return "；".join(p for p in parts if p)


WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _md(on: date) -> str:
    return f"{on.month}月{on.day}日"


def _holidays(days: list[Day]) -> str:
    runs: list[list[Day]] = []
    for d in days:
        if d.kind != "holiday":
            continue
        if runs and runs[-1][-1].name == d.name and runs[-1][-1].day == d.day - timedelta(days=1):
            runs[-1].append(d)
        else:
            runs.append([d])
    said = []
    for run in runs:
        name = HOLIDAY_ZH.get(run[0].name or "", run[0].name or "法定节假日")
        first, last = run[0].day, run[-1].day
        when = _md(first) if first == last else f"{_md(first)}至{_md(last)}"
        said.append(f"{name}（{when}）放假")
    return "、".join(said) + ("，不是工作日" if said else "")


def _because(moved: str) -> str:
    return f"其间{moved}。" if moved else ""


def plan(
    days: Iterable[Day],
    *,
    deadline_at: datetime,
    deadline_basis: str,
    submission_closes_at: datetime | None = None,
    high_level: bool,
    supervisor: bool,
    posting_rule: str = "strict",
) -> Plan:
    """Each step's latest day, newest first worked out, returned oldest first."""
    cal = Calendar(days)
    end = last_day(deadline_at)
    steps: list[Step] = []

    last_working = cal.latest(end)
    rec = cal.back(last_working, SUPERVISOR_DAYS) if supervisor else last_working
    text = (
        f"逐级上报截止于{shanghai(deadline_at)}（{deadline_basis}；{SEED_DEADLINE}），"
        f"最后可办理日为{zh(end)}。"
    )
    if last_working != end:
        text += f"{zh(end)}不是工作日，最后一个工作日是{zh(last_working)}。"
        text += _because(cal.moved_by(last_working, end + timedelta(days=1)))
    if supervisor:
        text += (
            f"单位上面还有主管部门审核，本计划为其留出{SUPERVISOR_DAYS}个工作日（文件未规定，"
            f"为默认值），单位须在{zh(rec)}出具推荐意见并上报。"
        )
        text += _because(cal.moved_by(rec, last_working))
    else:
        text += "单位推荐意见须在此前出具并上报。"
    steps.append(
        Step(
            "recommendation",
            "出具单位推荐意见",
            rec,
            text,
            SUPERVISOR_DAYS if supervisor else None,
        )
    )

    posting_end = cal.latest(rec - timedelta(days=1), rule=posting_rule)
    steps.append(
        Step(
            "posting_end",
            "公示结束",
            posting_end,
            f"公示须在单位推荐意见之前结束（{SEED_ORDER}），推荐日{zh(rec)}前最后一个计入公示的"
            f"工作日是{zh(posting_end)}。"
            + _because(cal.moved_by(posting_end, rec, rule=posting_rule)),
        )
    )

    posting_start = cal.posting_start(posting_end, rule=posting_rule)
    inside = cal.moved_by(
        posting_start - timedelta(days=1), posting_end + timedelta(days=1), rule=posting_rule
    )
    steps.append(
        Step(
            "posting_start",
            "开始公示",
            posting_start,
            f"{SEED_POSTING}：{zh(posting_start)}至{zh(posting_end)}恰好{POSTING_DAYS}个工作日，"
            f"公示最迟{zh(posting_start)}开始。" + _because(inside),
        )
    )

    deliberation = cal.back(posting_start, DELIBERATION_LEAD_DAYS)
    steps.append(
        Step(
            "deliberation",
            "审议小组审议",
            deliberation,
            f"审议通过后公示（{SEED_ORDER}）；生成、打印并张贴公示表留出"
            f"{DELIBERATION_LEAD_DAYS}个工作日（文件未规定，为默认值），审议最迟{zh(deliberation)}。"
            + _because(cal.moved_by(deliberation, posting_start)),
            DELIBERATION_LEAD_DAYS,
        )
    )

    before = deliberation
    if high_level:
        defence = cal.back(deliberation, DEFENCE_LEAD_DAYS)
        steps.append(
            Step(
                "defence",
                "答辩",
                defence,
                f"{SEED_DEFENCE}；答辩后留出{DEFENCE_LEAD_DAYS}个工作日供审议小组阅看答辩情况"
                f"（文件未规定，为默认值），答辩最迟{zh(defence)}。"
                + _because(cal.moved_by(defence, deliberation)),
                DEFENCE_LEAD_DAYS,
            )
        )
        before = defence

    submit = cal.back(before, UNIT_REVIEW_DAYS + 1)
    first = "答辩" if high_level else "审议"
    text = (
        f"单位须先审核申报材料的真实性、完整性、规范性并核实原件，才能组织{first}；本计划为单位"
        f"审核留出提交日之后、{first}之前{UNIT_REVIEW_DAYS}个工作日（文件未规定，为默认值），"
        f"个人最迟{zh(submit)}提交。" + _because(cal.moved_by(submit, before))
    )
    if submission_closes_at is not None:
        closes = last_day(submission_closes_at)
        if closes < submit:
            submit = closes
            text += f"个人申报窗口于{zh(closes)}截止，以截止日为准。"
    steps.append(Step("submission", "个人提交申报材料", submit, text, UNIT_REVIEW_DAYS))
    steps.reverse()
    return Plan(deadline_at=deadline_at, last_day=end, steps=steps)
