"""Condition kinds over records and plain facts: annual assessments, counties, flags,
counts, titles held, and the manual-review marker for rules the seeds leave out."""

from __future__ import annotations

from typing import Any

from services.kit.vocabulary import GRADE_NAMES, GRADE_RANK, title_name
from services.rules.engine import models as m
from services.rules.engine.dates import NEVER
from services.rules.engine.predicates import Ctx, Pred, Result

_RANK_NAME = {v: GRADE_NAMES[k] for k, v in GRADE_RANK.items()}
_RANK_CODE = {v: k for k, v in GRADE_RANK.items()}


def _term_start(f: Any, key: tuple[str, str] | None) -> int | None:
    """First assessment year of the current term: the year the lower title was obtained,
    else the year professional work began, else None (count every record)."""
    if key is not None:
        got = f.titles.get(key)
        if got is not None:
            return got.year
    return f.work_since.year if f.work_since is not None else None


class AssessmentsEachYearPred(Pred):
    __slots__ = ("rank", "years")
    default_id = "annual_assessments"

    def __init__(self, c: m.AssessmentsEachYear, ctx: Ctx) -> None:
        grade = GRADE_NAMES[c.grade]
        super().__init__(c, ctx, f"近{c.years}年年度考核均须为{grade}及以上", c.years)
        self.rank = GRADE_RANK[c.grade]
        self.years = c.years

    def evaluate(self, f: Any) -> Result:
        """The last `years` completed years, each at or above the grade."""
        first = f.year - self.years
        records = f.assessments
        if not records:
            return (None, 0, self.years, 0, (first, None, None))
        good = 0
        missing = None
        for year in range(first, f.year):
            got = records.get(year)
            if got is None:
                if missing is None:
                    missing = year
            elif got < self.rank:
                return (False, NEVER, self.years, good, (first, year, got))
            else:
                good += 1
        if missing is not None:
            return (None, 0, self.years, good, (first, missing, None))
        return (True, 0, self.years, good, (first, None, None))

    def message(self, f: Any, r: Result) -> str:
        first, year, rank = r[4]
        need = f"{self.label}（{first}—{first + self.years - 1}年）"
        if r[0]:
            return f"{need}，符合"
        if r[0] is None:
            if year is None:
                return f"{need}，未提供年度考核结果，请补充"
            return f"{need}，缺{year}年考核结果，请补充"
        return f"{need}，{year}年为{_RANK_NAME[rank]}，不符合"


class AssessmentsCountPred(Pred):
    __slots__ = ("count", "key", "rank")
    default_id = "annual_assessments"

    def __init__(self, c: m.AssessmentsCount, ctx: Ctx) -> None:
        grade = GRADE_NAMES[c.grade]
        label = f"任现职以来年度考核{grade}及以上须累计不少于{c.count}次"
        super().__init__(c, ctx, label, c.count)
        self.rank = GRADE_RANK[c.grade]
        self.count = c.count
        self.key = (ctx.series, c.term_title) if c.term_title else None

    def evaluate(self, f: Any) -> Result:
        records = f.assessments
        if not records:
            return (None, 0, self.count, 0, None)
        start = _term_start(f, self.key) or 0
        n = 0
        for year, rank in records.items():
            if year >= start and year <= f.year and rank >= self.rank:
                n += 1
        if n >= self.count:
            return (True, 0, self.count, n, start)
        return (False, NEVER, self.count, n, start)

    def message(self, f: Any, r: Result) -> str:
        if r[0] is None:
            return f"{self.label}，未提供年度考核结果，请补充"
        since = f"（自{r[4]}年起计）" if r[4] else ""
        return f"{self.label}{since}，现{r[3]}次，{'符合' if r[0] else '不符合'}"


class AssessmentsAllInTermPred(Pred):
    __slots__ = ("key", "rank")
    default_id = "annual_assessments"

    def __init__(self, c: m.AssessmentsAllInTerm, ctx: Ctx) -> None:
        grade = GRADE_NAMES[c.grade]
        super().__init__(c, ctx, f"规定的任职年限内年度考核结果均须为{grade}及以上", c.grade)
        self.rank = GRADE_RANK[c.grade]
        self.key = (ctx.series, c.term_title) if c.term_title else None

    def evaluate(self, f: Any) -> Result:
        records = f.assessments
        if not records:
            return (None, 0, self.required, None, None)
        start = _term_start(f, self.key) or 0
        for year in sorted(records):
            got = records[year]
            if start <= year <= f.year and got < self.rank:
                return (False, NEVER, self.required, None, (year, got))
        return (True, 0, self.required, None, None)

    def message(self, f: Any, r: Result) -> str:
        if r[0] is None:
            return f"{self.label}，未提供年度考核结果，请补充"
        if r[0]:
            return f"{self.label}，符合"
        year, rank = r[4]
        return f"{self.label}，{year}年为{_RANK_NAME[rank]}，不符合"


class AssessmentLatestPred(Pred):
    __slots__ = ("rank",)
    default_id = "assessment_latest"

    def __init__(self, c: m.AssessmentLatest, ctx: Ctx) -> None:
        grade = GRADE_NAMES[c.grade]
        super().__init__(c, ctx, f"评定当年或上一年度考核须为{grade}及以上", c.grade)
        self.rank = GRADE_RANK[c.grade]

    def evaluate(self, f: Any) -> Result:
        """The evaluation year's grade, or the previous year's when that is not out yet."""
        records = f.assessments
        year = f.year
        got = records.get(year)
        if got is None:
            year -= 1
            got = records.get(year)
            if got is None:
                return (None, 0, self.required, None, year)
        ok = got >= self.rank
        return (ok, 0 if ok else NEVER, self.required, _RANK_CODE[got], year)

    def message(self, f: Any, r: Result) -> str:
        if r[0] is None:
            return f"{self.label}，未提供{r[4]}年或{r[4] + 1}年考核结果，请补充"
        verdict = "符合" if r[0] else "不符合"
        return f"{self.label}，{r[4]}年为{GRADE_NAMES[r[3]]}，{verdict}"


class CountyInPred(Pred):
    __slots__ = ("counties",)
    default_id = "county"

    def __init__(self, c: m.CountyIn, ctx: Ctx) -> None:
        names = "、".join(c.counties.values())
        super().__init__(c, ctx, f"单位须位于{names}", tuple(sorted(c.counties)))
        self.counties = dict(c.counties)

    def evaluate(self, f: Any) -> Result:
        county = f.county
        if county is None:
            return (None, 0, self.required, None, None)
        ok = county in self.counties
        return (ok, 0 if ok else NEVER, self.required, county, None)

    def message(self, f: Any, r: Result) -> str:
        if r[0] is None:
            return f"{self.label}，未提供单位所在县（区）代码，请补充"
        if r[0]:
            return f"单位位于{self.counties[r[3]]}，符合"
        return f"{self.label}，现为{r[3]}，不符合"


class FlagPred(Pred):
    __slots__ = ("expect", "fact", "met_text", "unmet_text")
    default_id = "flag"

    def __init__(self, c: m.Flag, ctx: Ctx) -> None:
        super().__init__(c, ctx, c.met_text, c.expect)
        self.fact = c.fact
        self.expect = c.expect
        self.met_text = c.met_text
        self.unmet_text = c.unmet_text

    def evaluate(self, f: Any) -> Result:
        value = bool(getattr(f, self.fact))
        ok = value is self.expect
        return (ok, 0 if ok else NEVER, self.expect, value, None)

    def message(self, f: Any, r: Result) -> str:
        return self.met_text if r[0] else self.unmet_text


class NumberAtLeastPred(Pred):
    __slots__ = ("at_least", "fact", "unit")
    default_id = "number"

    def __init__(self, c: m.NumberAtLeast, ctx: Ctx) -> None:
        n = int(c.at_least) if c.at_least == int(c.at_least) else c.at_least
        super().__init__(c, ctx, c.label or c.fact, n)
        self.fact = {"papers": "papers", "achievements": "achievements"}.get(c.fact, c.fact)
        self.at_least = c.at_least
        self.unit = c.unit

    def evaluate(self, f: Any) -> Result:
        value = getattr(f, self.fact)
        ok = value >= self.at_least
        # A whole number of years is shown as one, however the request wrote it (16 or
        # 16.0; a field left out is 0): the two are one result, and one key of the
        # explanations' memo, so an answer must not depend on which came first.
        if value == int(value):
            value = int(value)
        return (ok, 0 if ok else NEVER, self.required, value, None)

    def message(self, f: Any, r: Result) -> str:
        shown = r[3]
        verdict = "符合" if r[0] else "不符合"
        return f"{self.label}须不少于{self.required}{self.unit}，现{shown}{self.unit}，{verdict}"


class NoTitlePred(Pred):
    __slots__ = ()
    default_id = "no_title_held"

    def __init__(self, c: m.NoTitle, ctx: Ctx) -> None:
        super().__init__(c, ctx, "未取得职称", False)

    def evaluate(self, f: Any) -> Result:
        if not f.titles:
            return (True, 0, False, False, None)
        return (False, NEVER, False, True, tuple(f.titles))

    def message(self, f: Any, r: Result) -> str:
        if r[0]:
            return "未取得职称，适用无职称申报"
        names = "、".join(title_name(s, lv) for s, lv in r[4])
        return f"无职称申报仅适用于未取得职称的人员，已取得{names}"


class OtherSeriesTitlePred(Pred):
    __slots__ = ("level", "series")
    default_id = "other_series_title"

    def __init__(self, c: m.OtherSeriesTitle, ctx: Ctx) -> None:
        super().__init__(c, ctx, "已取得其他系列同级职称", ctx.level)
        self.series = ctx.series
        self.level = ctx.level

    def evaluate(self, f: Any) -> Result:
        for series, level in f.titles:
            if series != self.series and level == self.level:
                return (True, 0, self.level, series, None)
        return (False, NEVER, self.level, None, None)

    def message(self, f: Any, r: Result) -> str:
        if r[0]:
            return f"已取得{title_name(r[3], self.level)}（其他系列同级职称），可申请转评"
        return "转评须已取得其他系列同级职称，未取得"


class TitleHeldPred(Pred):
    __slots__ = ("key", "title")
    default_id = "current_title"

    def __init__(self, c: m.TitleHeld, ctx: Ctx) -> None:
        self.title = title_name(ctx.series, c.level)
        super().__init__(c, ctx, f"须已取得{self.title}", c.level)
        self.key = (ctx.series, c.level)

    def evaluate(self, f: Any) -> Result:
        got = f.titles.get(self.key)
        if got is None:
            return (False, NEVER, self.required, None, None)
        return (True, 0, self.required, got.isoformat(), None)

    def message(self, f: Any, r: Result) -> str:
        if r[0]:
            return f"已于{r[3]}取得{self.title}"
        return f"{self.label}，未取得"


class ManualReviewPred(Pred):
    """A rule a person must judge: `met` is always null, and the condition names the review
    level that records the judgement (`decided_by`), so the gateway carries it with the
    declaration instead of refusing it."""

    __slots__ = ("decided_by", "text")
    default_id = "manual_review"

    def __init__(self, c: m.ManualReview, ctx: Ctx) -> None:
        super().__init__(c, ctx, c.text, None)
        self.text = c.text
        self.decided_by = c.decided_by.response()

    def explain(self, f: Any, r: Result) -> dict:
        return super().explain(f, r) | {"decided_by": self.decided_by}

    def evaluate(self, f: Any) -> Result:
        return (None, NEVER, None, None, None)

    def message(self, f: Any, r: Result) -> str:
        return self.text
