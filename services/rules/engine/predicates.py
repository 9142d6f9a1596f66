"""The closed set of condition kinds. A pack only parameterises them.

`evaluate(facts)` is the hot path and returns a plain tuple
`(met, due, required, actual, info)`:
- `met` is True / False / None (None: a fact is missing or a person must review it);
- `due` is the ordinal of the first date time alone makes the condition hold: 0 when it
  already holds or when a missing fact should not hide the date, `NEVER` when time alone
  will not do it (or when the date cannot be known).
`explain(facts, result)` turns that tuple into the response's condition object.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kit.vocabulary import (
    EDUCATION_NAMES,
    EDUCATION_RANK,
    GRADE_NAMES,
    GRADE_RANK,
    SKILL_NAMES,
    SKILL_RANK,
    title_name,
)
from services.rules.engine import models as m
from services.rules.engine.dates import NEVER, add_months, elapsed, full_months, span_zh

Result = tuple[Any, int, Any, Any, Any]

# Completed months → years with two decimals, the `actual` of every seniority condition.
_YEARS = [round(months / 12, 2) for months in range(12 * 120)]


class Ctx:
    """What a predicate needs to know about the pack and level it was compiled for."""

    def __init__(self, series: str, level: str, year_end: bool, cutoff_label: str, refs: dict):
        self.series = series
        self.level = level
        self.year_end = year_end
        self.cutoff_label = cutoff_label
        self.refs = refs  # clause key -> printable reference


class Pred:
    __slots__ = ("cid", "clause", "label", "memo", "required")
    default_id = "condition"
    # True when the message depends on the result tuple alone, so that the explained
    # condition can be memoised per result (many applicants share the same outcome).
    pure_message = True

    def __init__(self, c: Any, ctx: Ctx, label: str, required: Any = None) -> None:
        self.cid = c.id or self.default_id
        self.clause = ctx.refs[c.clause]
        self.label = c.label or label
        self.required = required
        self.memo: dict | None = {} if self.pure_message else None

    def evaluate(self, f: Any) -> Result:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def message(self, f: Any, r: Result) -> str:  # pragma: no cover
        raise NotImplementedError

    def explain(self, f: Any, r: Result) -> dict:
        return {
            "id": self.cid,
            "met": r[0],
            "clause": self.clause,
            "message": self.message(f, r),
            "required": r[2],
            "actual": r[3],
        }


def _when(due_ord: int, year_end: bool) -> str:
    d = date.fromordinal(due_ord)
    if year_end:
        return f"{d.year}年度评审时满足（{d.isoformat()} 起）"
    return f"{d.isoformat()} 满足"


_AT_LEAST = {
    "doctorate": "博士学位",
    "master": "硕士及以上学位",
    "second_bachelor": "硕士学位或第二学士学位及以上",
    "bachelor": "大学本科及以上学历",
    "junior_college": "大学专科及以上学历",
    "technical_secondary": "中专（中等职业学校）及以上学历",
    "high_school": "高中及以上学历",
}


class EducationPred(Pred):
    __slots__ = ("accept", "eng", "related")
    default_id = "education"

    def __init__(self, c: m.Education, ctx: Ctx) -> None:
        accept = set(c.also)
        if c.min is not None:
            floor = EDUCATION_RANK[c.min]
            accept.update(k for k, v in EDUCATION_RANK.items() if v >= floor)
        names = [_AT_LEAST[c.min]] if c.min is not None else []
        names += [EDUCATION_NAMES[x] for x in c.also]
        label = "，或".join(names)
        if c.engineering_master:
            label = "与申报专业相关的工程类硕士专业学位"
        elif c.related_major:
            label = "与申报专业相同或相近专业的" + label
        super().__init__(c, ctx, label, c.min or (c.also[0] if c.also else None))
        self.accept = frozenset(accept)
        self.related = c.related_major
        self.eng = c.engineering_master

    def evaluate(self, f: Any) -> Result:
        future = NEVER
        unknown = False
        for level, related, eng, grad in f.education:
            if level not in self.accept or (self.eng and not eng):
                continue
            if self.related and related is not True:
                unknown = unknown or related is None
                continue
            if grad is not None and grad > f.as_of:
                future = min(future, grad.toordinal())
                continue
            return (True, 0, self.required, level, level)
        if future < NEVER:
            return (False, future, self.required, f.top_education, "future")
        if unknown:
            return (None, 0, self.required, f.top_education, "unknown")
        return (False, NEVER, self.required, f.top_education, None)

    def message(self, f: Any, r: Result) -> str:
        need = f"须具备{self.label}"
        if r[0]:
            return f"{need}，现有{EDUCATION_NAMES[r[4]]}，符合"
        if r[4] == "future":
            return f"{need}，相应学历 {date.fromordinal(r[1]).isoformat()} 毕业后满足"
        if r[4] == "unknown":
            return f"{need}，未说明所学专业是否与申报专业相同或相近，请补充"
        have = EDUCATION_NAMES[r[3]] if r[3] else "未提供学历信息"
        if self.eng:
            return f"{need}，现有学历不符合"
        return f"{need}，现有{have}，不符合"


_GRADE_BY_RANK = {v: k for k, v in GRADE_RANK.items()}


class YearsSinceTitlePred(Pred):
    __slots__ = ("cutoff", "key", "relief", "title", "uncounted", "year_end", "years")
    default_id = "seniority_after_lower_title"

    def __init__(self, c: m.YearsSinceTitle, ctx: Ctx) -> None:
        self.title = title_name(ctx.series, c.level)
        super().__init__(c, ctx, f"取得{self.title}后须满{c.years}年", c.years)
        self.key = (ctx.series, c.level)
        self.years = c.years
        self.year_end = ctx.year_end
        self.cutoff = ctx.cutoff_label
        self.relief = None
        if c.relief is not None:
            r = c.relief
            self.relief = (r.fact, r.at_least, r.years, r.label, ctx.refs[r.clause])
        self.uncounted = None
        if c.uncounted is not None:
            u = c.uncounted
            self.uncounted = (GRADE_RANK[u.below], GRADE_NAMES[u.below], ctx.refs[u.clause])

    def _uncounted(self, f: Any, got: date) -> tuple[int, tuple]:
        """Months of the term not counted: each year since the title (the title's own year
        from the title date) assessed below the grade, up to the reference day."""
        records = f.assessments
        if not records:
            return 0, ()
        rank = self.uncounted[0]
        end = date(f.year + 1, 1, 1) if self.year_end else f.as_of
        lost = 0
        years = []
        for year in sorted(records):
            grade = records[year]
            if grade >= rank or year < got.year or year > f.year:
                continue
            lost += full_months(max(got, date(year, 1, 1)), min(end, date(year + 1, 1, 1)))
            years.append((year, grade))
        return lost, tuple(years)

    def evaluate(self, f: Any) -> Result:
        got = f.titles.get(self.key)
        years = self.years
        relief = self.relief
        if relief is not None and getattr(f, relief[0]) >= relief[1]:
            years = relief[2]
        if got is None:
            return (False, NEVER, years, None, None)
        lost, bad = self._uncounted(f, got) if self.uncounted is not None else (0, ())
        start = add_months(got, lost) if lost else got
        year_end = self.year_end
        met, due, months = elapsed(start, years, f.year_end_ymd if year_end else f.ymd, year_end)
        return (met, due, years, _YEARS[months], (months, lost, bad) if lost else months)

    def message(self, f: Any, r: Result) -> str:
        need = self.label if r[2] == self.years else f"取得{self.title}后须满{r[2]}年"
        if self.year_end:
            need += f"（{self.cutoff}）"
        if self.relief is not None and r[2] != self.years:
            need += f"（{self.relief[3]}，提前{self.years - r[2]}年，{self.relief[4]}）"
        if r[4] is None:
            return f"{need}，未取得{self.title}职称"
        if isinstance(r[4], tuple):
            months, lost, bad = r[4]
            below, clause = self.uncounted[1], self.uncounted[2]
            which = "、".join(f"{y}年度为{GRADE_NAMES[_GRADE_BY_RANK[g]]}" for y, g in bad)
            need += (
                f"（年度考核{which}，{below}以下及未定等次的不计入任职年限，"
                f"扣除{span_zh(lost)}，{clause}）"
            )
            held = f"扣除后满{span_zh(months)}"
        else:
            held = f"现满{span_zh(r[4])}"
        if r[0]:
            return f"{need}，{held}，已满足"
        return f"{need}，{held}，{_when(r[1], self.year_end)}"


class YearsOfWorkPred(Pred):
    __slots__ = ("lower", "lower_title", "year_end", "years")
    default_id = "professional_work_years"

    def __init__(self, c: m.YearsOfWork, ctx: Ctx) -> None:
        super().__init__(c, ctx, f"从事专业技术工作须满{c.years}年", c.years)
        self.years = c.years
        self.year_end = ctx.year_end
        self.lower = (ctx.series, c.from_lower_title) if c.from_lower_title else None
        self.lower_title = title_name(ctx.series, c.from_lower_title) if self.lower else ""

    def start(self, f: Any) -> tuple[date | None, bool]:
        start = f.work_since
        if self.lower is not None:
            got = f.titles.get(self.lower)
            if got is not None and (start is None or got > start):
                return got, True
        return start, False

    def evaluate(self, f: Any) -> Result:
        start, from_title = self.start(f)
        if start is None:
            return (None, NEVER, self.years, None, None)
        year_end = self.year_end
        met, due, months = elapsed(
            start, self.years, f.year_end_ymd if year_end else f.ymd, year_end
        )
        return (met, due, self.years, _YEARS[months], (months, from_title))

    def message(self, f: Any, r: Result) -> str:
        need = self.label
        if r[4] is None:
            return f"{need}，未提供参加专业技术工作的时间，请补充"
        months, from_title = r[4]
        since = f"（从取得{self.lower_title}起算）" if from_title else ""
        held = span_zh(months)
        if r[0]:
            return f"{need}{since}，现满{held}，已满足"
        return f"{need}{since}，现满{held}，{_when(r[1], self.year_end)}"


class SkillGradeYearsPred(Pred):
    __slots__ = ("grade", "rank", "year_end", "years")
    default_id = "skill_grade_years"

    def __init__(self, c: m.SkillGradeYears, ctx: Ctx) -> None:
        label = f"取得{SKILL_NAMES[c.grade]}及以上职业资格或职业技能等级后须满{c.years}年"
        super().__init__(c, ctx, label, c.years)
        self.rank = SKILL_RANK[c.grade]
        self.grade = c.grade
        self.years = c.years
        self.year_end = ctx.year_end

    def evaluate(self, f: Any) -> Result:
        first = None
        for rank, _grade, got in f.skills:
            if rank >= self.rank and (first is None or got < first):
                first = got
        if first is None:
            return (False, NEVER, self.years, None, None)
        year_end = self.year_end
        met, due, months = elapsed(
            first, self.years, f.year_end_ymd if year_end else f.ymd, year_end
        )
        return (met, due, self.years, _YEARS[months], months)

    def message(self, f: Any, r: Result) -> str:
        if r[4] is None:
            return f"{self.label}，未取得{SKILL_NAMES[self.grade]}及以上等级"
        held = span_zh(r[4])
        if r[0]:
            return f"{self.label}，现满{held}，已满足"
        return f"{self.label}，现满{held}，{_when(r[1], self.year_end)}"


class FactDatePred(Pred):
    __slots__ = ("fact", "unknown")
    default_id = "fact_date"

    def __init__(self, c: m.FactDate, ctx: Ctx) -> None:
        super().__init__(c, ctx, c.label or c.fact, None)
        self.fact = "internship_passed_on" if c.fact == "internship_passed_on" else "fcs_left_on"
        self.unknown = c.missing == "unknown"

    def evaluate(self, f: Any) -> Result:
        got = getattr(f, self.fact)
        if got is None:
            return (None if self.unknown else False, NEVER, None, None, None)
        if got <= f.as_of:
            return (True, 0, None, got.isoformat(), None)
        return (False, got.toordinal(), None, got.isoformat(), None)

    def message(self, f: Any, r: Result) -> str:
        if r[3] is None:
            if self.unknown:
                return f"须{self.label}，未提供日期，请补充"
            return f"本途径适用于{self.label}的人员，未提供相应日期"
        if r[0]:
            return f"{self.label}：{r[3]}，符合"
        return f"{self.label}：{r[3]}，届时满足"
