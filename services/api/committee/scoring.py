"""How a committee judges a declaration: pure rules, no database, no HTTP, no I/O.

Two ways of judging, picked per committee and level from the policy pack
(`judging_model`):

- **Vote** (every committee by default): 人社部令第40号《职称评审管理暂行规定》 — a
  meeting needs at least 2/3 of the panel present, and a declaration passes with at least
  2/3 of the experts present agreeing, by secret ballot (`VoteRule`, `tally`). The decree's
  text is not among the seeds; the defaults are those issue #19 states from it, and a
  committee may set others (`VoteRule(quorum=..., pass_share=...)`, or `vote:` in the pack).
- **Scored** (长治 工程师, 长工信〔2022〕139号 九): 答辩成绩 on 100 points = 40 % 答辩材料
  学术水平 + 60 % 现场答辩 (`defence_score`); 优、中、差 held at 3:6:1 (`check_grades`), 差
  eliminated; 评审成绩 = 答辩成绩 × 30 % + 量化赋分 (`quantified_points`, `review_score`);
  then the committee's 综合评议 ("执行评委会根据评审成绩，进行综合评议，确定申报人员的综合评价
  结果"), which is the national 2/3 secret ballot (`ScoredModel.vote`).

The 3:6:1 rule as applied (the notice says only "严格控制…比例（3：6：1）"): each grade's count
is its exact share of the declarations graded; when that share is not a whole number, either
whole number around it (7 graded: 优 2–3, 中 4–5, 差 0–1). The notice names the 量化赋分 items
but gives no points, so the pack sets none: lines are prefilled with their evidence and
`points=None` until a committee sets a schedule (`with_schedule`) or an expert scores the
item by an `Adjustment` with a reason.

All arithmetic is exact (`fractions.Fraction`; a float is refused); "at least 2/3 of n" is
the ceiling of 2n/3 computed on integers. Input the rules cannot judge raises `ScoringError`
(a `ValueError`) whose `detail` is the Chinese text for a problem+json answer; the caller
maps it to its domain's named problem.

Use (closing a session): `model = judging_model(pack, committee, level)` (then
`with_schedule` when the committee set points); a `VoteModel` → `tally(model.vote, ...)`
per declaration; a `ScoredModel` → `defence_score` per declaration, `check_grades` over
the session (or `grades_by_rank`), `quantified_points` from each declaration's sections,
attachments and facts, `review_score` with the experts' `Adjustment`s and the grade, and
`tally` of the 综合评议 for those not eliminated; `verdict` gives each outcome and
`as_record` the JSON to keep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Literal

Number = int | str | Fraction  # str: a decimal such as "87.5"; never float
Grade = Literal["excellent", "medium", "poor"]
GRADES: tuple[Grade, ...] = ("excellent", "medium", "poor")
GRADE_NAMES: dict[str, str] = {"excellent": "优", "medium": "中", "poor": "差"}

DECREE_40 = "人社部令第40号《职称评审管理暂行规定》"
# The panel rule as issue #19 states it from the decree (its text is not among the seeds, so
# messages cite the decree by name and state the rule without quoting it).
PANEL_RULE = "评审委员会人数为单数，且不少于所在级别的最低人数（省级25人，地市级11人）"

# Minimum panel size by committee level (issue #19: a setting; these are the defaults).
MIN_PANEL: dict[str, int] = {"provincial": 25, "prefecture": 11}


class ScoringError(ValueError):
    """Input the judging rules refuse; `detail` is the Chinese text a person reads."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class GradeRatioBroken(ScoringError):
    """A grade distribution outside 3:6:1; `extra["gaps"]` says by how much, per grade
    (+2: two too many, −1: one too few)."""


def fraction(value: Number, what: str = "分值") -> Fraction:
    """An exact number from an int, a decimal string or a Fraction; floats and bools are
    refused (a float has already rounded)."""
    if isinstance(value, bool) or not isinstance(value, int | str | Fraction):
        raise ScoringError(f"{what}须为整数或小数字符串（如 87.5），收到 {value!r:.40}。")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ScoringError(f"{what}“{str(value)[:40]}”不是数字。") from None


def shown(x: Fraction) -> str:
    """A number as a person reads it: exact decimals exactly (in integers, no float), others
    to two places after 约."""
    for places in range(7):
        scaled = x * 10**places
        if scaled.denominator == 1:
            n = scaled.numerator
            if not places:
                return str(n)
            digits = str(abs(n)).rjust(places + 1, "0")
            return f"{'-' if n < 0 else ''}{digits[:-places]}.{digits[-places:]}"
    return "约" + shown(Fraction(round(x, 2)))


def _share(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


# ── voting ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class VoteRule:
    """Quorum and pass mark of a committee's secret ballot, as exact fractions.

    `quorum`: share of the panel that must be present; `pass_share`: share of the experts
    present whose agreement passes a declaration (both "at least", inclusive)."""

    quorum: Fraction = Fraction(2, 3)
    pass_share: Fraction = Fraction(2, 3)
    secret_ballot: bool = True
    basis: str = DECREE_40

    def quorum_text(self) -> str:
        return f"评审会议出席的评审专家不少于评审委员会人数的{_share(self.quorum)}"

    def ballot_text(self) -> str:
        how = "不记名投票，" if self.secret_ballot else ""
        return f"{how}同意票数达到出席评审专家总数的{_share(self.pass_share)}及以上为通过"


# The default rules in words (the committee domain cites them in its problems).
QUORUM_RULE = VoteRule().quorum_text()
BALLOT_RULE = VoteRule().ballot_text()


def at_least(share: Fraction, n: int) -> int:
    """The smallest whole count reaching `share` of `n` (ceil, in integers)."""
    return -((-share.numerator * n) // share.denominator)


def panel_size_problem(size: int, *, minimum: int) -> str | None:
    """Why a panel of `size` cannot sit (even, or below the committee level's `minimum`,
    e.g. `MIN_PANEL["prefecture"]`), in Chinese; None when it can."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return f"评审专家人数须为正整数，收到 {size!r:.20}。"
    basis = f"（{DECREE_40}：{PANEL_RULE}）"
    if size % 2 == 0:
        return f"评审专家人数为 {size} 人，须为单数{basis}。"
    if size < minimum:
        return (
            f"评审专家人数为 {size} 人，少于本级评审委员会的最低人数 {minimum} 人，"
            f"尚差 {minimum - size} 人{basis}。"
        )
    return None


def check_panel_size(size: int, *, minimum: int) -> None:
    """Raise `ScoringError` when `panel_size_problem` names one."""
    if problem := panel_size_problem(size, minimum=minimum):
        raise ScoringError(problem, size=size, minimum=minimum)


def quorum_needed(rule: VoteRule, *, panel: int) -> int:
    """How many of the panel must be present for the meeting to sit (25 → 17)."""
    return at_least(rule.quorum, panel)


def quorum_met(rule: VoteRule, *, panel: int, present: int) -> bool:
    """Whether `present` experts of a `panel` make a quorum."""
    _counts(panel=panel, present=present)
    return present >= quorum_needed(rule, panel=panel)


def votes_needed(rule: VoteRule, *, present: int) -> int:
    """Agreeing votes a declaration needs when `present` experts sit (17 → 12, 16 → 11)."""
    return at_least(rule.pass_share, present)


@dataclass(frozen=True)
class Tally:
    """One declaration's ballot result. `reason` is Chinese and cites the rule."""

    passed: bool
    quorum_met: bool
    panel: int
    present: int
    agree: int
    disagree: int
    abstain: int
    quorum_needed: int
    needed: int  # agreeing votes needed
    reason: str
    basis: str

    def outcome(self) -> dict[str, int | bool | str]:
        """The counts and the result, as a declaration's recorded outcome holds them."""
        return {
            "panel": self.panel,
            "present": self.present,
            "agree": self.agree,
            "disagree": self.disagree,
            "abstain": self.abstain,
            "needed": self.needed,
            "quorum_met": self.quorum_met,
            "passed": self.passed,
            "reason": self.reason,
        }


_COUNT_NAMES = {
    "panel": "评审委员会人数",
    "present": "到会专家人数",
    "agree": "同意票",
    "disagree": "不同意票",
    "abstain": "弃权票",
}


def _counts(**counts: int) -> None:
    for key, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ScoringError(f"{_COUNT_NAMES[key]}须为非负整数，收到 {n!r:.20}。")
    if counts["panel"] < 1:
        raise ScoringError("评审委员会人数须至少为 1 人。")
    if counts["present"] > counts["panel"]:
        raise ScoringError(
            f"到会专家 {counts['present']} 人，多于评审委员会人数 {counts['panel']} 人。"
        )


def tally(
    rule: VoteRule, *, panel: int, present: int, agree: int, disagree: int, abstain: int
) -> Tally:
    """Count one declaration's secret ballot. Ballots not cast by an expert present count
    as not agreeing (agree + disagree + abstain ≤ present). Raises `ScoringError` for
    impossible counts (negative, more present than the panel, more ballots than present)."""
    _counts(panel=panel, present=present, agree=agree, disagree=disagree, abstain=abstain)
    cast = agree + disagree + abstain
    if cast > present:
        raise ScoringError(
            f"同意、不同意、弃权共 {cast} 票，多于到会专家 {present} 人：每位到会专家只投一票。"
        )
    q_needed = quorum_needed(rule, panel=panel)
    needed = votes_needed(rule, present=present)
    met = present >= q_needed
    votes = f"同意 {agree} 票、不同意 {disagree} 票、弃权 {abstain} 票"
    if present > cast:
        votes += f"、未投 {present - cast} 票"
    if not met:
        passed = False
        reason = (
            f"评审委员会 {panel} 人，到会 {present} 人，不足 {_share(rule.quorum)}"
            f"（至少 {q_needed} 人），尚差 {q_needed - present} 人，会议不能表决"
            f"（{rule.basis}：{rule.quorum_text()}）。"
        )
    else:
        passed = agree >= needed
        head = f"到会评审专家 {present} 人，{votes}，"
        share = _share(rule.pass_share)
        if passed:
            body = f"同意票达到到会专家的 {share}（至少 {needed} 票），评审通过"
        else:
            body = (
                f"同意票未达到到会专家的 {share}（至少 {needed} 票，尚差 {needed - agree} 票），"
                "评审未通过"
            )
        reason = f"{head}{body}（{rule.basis}：{rule.ballot_text()}）。"
    return Tally(
        passed=passed,
        quorum_met=met,
        panel=panel,
        present=present,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        quorum_needed=q_needed,
        needed=needed,
        reason=reason,
        basis=rule.basis,
    )


# ── the scored model (长治) ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Basis:
    """A clause a rule rests on: `ref` (document number and point) and the quoted words."""

    key: str
    ref: str
    text: str

    def cite(self) -> str:
        return f"{self.ref}：“{self.text}”"


@dataclass(frozen=True)
class DefenceWeights:
    """答辩成绩 on `full_marks` points: `material` share for 答辩材料学术水平, `live` share
    for 现场答辩 (40 % + 60 % in 长治)."""

    material: Fraction
    live: Fraction
    full_marks: int
    basis: Basis


@dataclass(frozen=True)
class GradeRatio:
    """优:中:差 held at `shares` (3:6:1). The rule applied (`grade_bounds`): each grade's
    count must be its exact share of the declarations graded, or, when that share is not
    a whole number, one of the two whole numbers around it. `eliminated`: grades struck
    out (差)."""

    shares: tuple[tuple[Grade, int], ...]
    eliminated: frozenset[str]
    basis: Basis

    def text(self) -> str:
        names = "：".join(GRADE_NAMES[g] for g, _ in self.shares)
        return f"{names} = " + "：".join(str(s) for _, s in self.shares)


@dataclass(frozen=True)
class PointRule:
    """Points one 量化赋分 item gives, per entry of its source.

    - `each`: points per entry (per whole year with `years_from` or for a date fact, per
      unit for a numeric fact);
    - `field` + `values`: the entry's `field` value picks its points (education level,
      assessment grade, authorship); a value not listed gives `each`, or nothing;
    - `best_only`: only the entry worth most counts (学历: the highest degree);
    - `years_from`: an entry's date field; the points are multiplied by the whole years from
      it to its `end_on` or the day judged;
    - `cap`: the item gives at most this many points in total."""

    each: Fraction | None = None
    field: str | None = None
    values: Mapping[str, Fraction] = dataclasses.field(default_factory=dict)
    best_only: bool = False
    years_from: str | None = None
    cap: Fraction | None = None


@dataclass(frozen=True)
class QuantItem:
    """One 量化赋分 item the seed names (完成技术项目、技术项目获奖、论文论著…). `source`:
    the declaration section that feeds it (e.g. `papers`), or `facts.<name>` for an
    applicant fact, or None when no section holds it (学术团体任职: scored by an expert's
    adjustment). `rule`: None while no schedule gives it points."""

    id: str
    name: str
    source: str | None
    rule: PointRule | None
    basis: Basis


@dataclass(frozen=True)
class ScoredModel:
    """答辩评价 + 量化赋分 (长治 工程师). `defence_share`: the 答辩成绩's share of the
    评审成绩 (30 %); `vote`: the 综合评议's ballot."""

    policy: str
    committee: str
    level: str
    defence: DefenceWeights
    grades: GradeRatio
    defence_share: Fraction
    items: tuple[QuantItem, ...]
    vote: VoteRule
    basis: Basis  # the clause naming the way of judging
    review_basis: Basis  # 评审成绩 = 答辩成绩 × 30 % + 量化赋分
    schedule_source: str | None = None  # who set the points; None: no points set
    kind: Literal["scored"] = "scored"

    def item(self, item_id: str) -> QuantItem:
        for x in self.items:
            if x.id == item_id:
                return x
        names = "、".join(f"{x.id}（{x.name}）" for x in self.items)
        raise ScoringError(f"量化赋分没有“{str(item_id)[:40]}”这一项；可用的项：{names}。")


@dataclass(frozen=True)
class VoteModel:
    """Judging by secret ballot only."""

    committee: str
    level: str
    vote: VoteRule
    kind: Literal["vote"] = "vote"


JudgingModel = ScoredModel | VoteModel


def _basis(pack: Mapping[str, Any], key: str) -> Basis:
    clause = pack["clauses"][key]
    ref = clause.get("ref")
    if ref is None:  # a raw pack file: document number + point, as the service prints it
        doc = next(d for d in pack["documents"] if d["id"] == clause["document"])
        ref = f"{doc.get('number') or doc.get('short')} {clause['point']}"
    return Basis(key=key, ref=ref, text=clause["text"])


_RULE_KEYS = {"each", "field", "values", "best_only", "years_from", "cap"}


def _rule(spec: Mapping[str, Any] | None, what: str) -> PointRule | None:
    if spec is None:
        return None
    if unknown := set(spec) - _RULE_KEYS:
        raise ScoringError(f"{what}的分值规则有未知的键：{'、'.join(sorted(unknown))}。")

    def opt(key: str) -> Fraction | None:
        value = spec.get(key)
        return None if value is None else fraction(value, what)

    return PointRule(
        each=opt("each"),
        field=spec.get("field"),
        values={str(k): fraction(v, what) for k, v in (spec.get("values") or {}).items()},
        best_only=bool(spec.get("best_only", False)),
        years_from=spec.get("years_from"),
        cap=opt("cap"),
    )


def judging_model(pack: Mapping[str, Any], committee_code: str, level: str) -> JudgingModel:
    """The way `committee_code` judges `level` under `pack` — the pack dict as the gateway
    receives it from the eligibility service (`GET /v1/policies/{id}`: clauses carry
    `ref`; a raw pack file works too). The first `judging` entry naming the committee and
    level wins; none → a `VoteModel` with the national defaults. Raises `ScoringError` for
    a committee or level the pack does not know."""
    committees = {c["code"]: c for c in pack.get("committees") or []}
    committee = committees.get(committee_code)
    if committee is None:
        raise ScoringError(f"政策包 {pack['id']} 中没有评委会 {str(committee_code)[:80]}。")
    if level not in committee["levels"]:
        raise ScoringError(f"{committee['name']}不评审 {str(level)[:20]} 级别。")
    entry = next(
        (
            x
            for x in pack.get("judging") or []
            if committee_code in x["committees"] and level in x["levels"]
        ),
        None,
    )
    vote = VoteRule()
    if entry and entry.get("vote"):
        v = entry["vote"]
        vote = VoteRule(
            quorum=Fraction(v.get("quorum", "2/3")),
            pass_share=Fraction(v.get("pass_share", "2/3")),
            basis=v["basis"],
        )
    if entry is None or entry["method"] == "vote":
        return VoteModel(committee=committee_code, level=level, vote=vote)
    d, g, r, q = entry["defence"], entry["grades"], entry["review"], entry["quantified"]
    quant_basis = _basis(pack, q["clause"])
    return ScoredModel(
        policy=pack["id"],
        committee=committee_code,
        level=level,
        defence=DefenceWeights(
            material=Fraction(d["material_percent"], 100),
            live=Fraction(d["live_percent"], 100),
            full_marks=d["full_marks"],
            basis=_basis(pack, d["clause"]),
        ),
        grades=GradeRatio(
            shares=tuple((grade, int(g["ratio"][grade])) for grade in GRADES),
            eliminated=frozenset(g.get("eliminated") or ()),
            basis=_basis(pack, g["clause"]),
        ),
        defence_share=Fraction(r["defence_percent"], 100),
        items=tuple(
            QuantItem(
                id=x["id"],
                name=x["name"],
                source=x.get("source"),
                rule=_rule(x.get("points"), x["name"]),
                basis=quant_basis,
            )
            for x in q["items"]
        ),
        vote=vote,
        basis=_basis(pack, entry["clause"]),
        review_basis=_basis(pack, r["clause"]),
        schedule_source=q.get("schedule_source"),
    )


def with_schedule(
    model: ScoredModel, schedule: Mapping[str, Mapping[str, Any]], *, source: str
) -> ScoredModel:
    """The model with points per item set by a committee (`schedule`: item id → a point
    rule in the pack's shape, e.g. `{"each": "2", "cap": "10"}`); `source` says who set
    them (shown with every result). Unknown items raise `ScoringError`."""
    if not source.strip():
        raise ScoringError("设定量化赋分分值须写明由谁、依据什么设定。")
    for item_id in schedule:
        model.item(item_id)
    items = tuple(
        dataclasses.replace(x, rule=_rule(schedule[x.id], x.name)) if x.id in schedule else x
        for x in model.items
    )
    return dataclasses.replace(model, items=items, schedule_source=source)


def _mark(model: ScoredModel, value: Number | Sequence[Number], what: str) -> Fraction:
    """One mark on the full marks, or the mean of several experts' marks."""
    if isinstance(value, list | tuple):
        if not value:
            raise ScoringError(f"{what}没有任何评分。")
        marks = [_mark(model, x, what) for x in value]
        return sum(marks, Fraction(0)) / len(marks)
    mark = fraction(value, what)
    full = model.defence.full_marks
    if not 0 <= mark <= full:
        raise ScoringError(f"{what}须在 0 至 {full} 分之间，收到 {shown(mark)} 分。")
    return mark


def defence_score(
    model: ScoredModel, *, material: Number | Sequence[Number], live: Number | Sequence[Number]
) -> Fraction:
    """答辩成绩: `material` (答辩材料学术水平) and `live` (现场答辩), each on the full marks
    (one mark, or the experts' marks, averaged), weighted 40 % / 60 %. Raises
    `ScoringError` outside 0..full marks."""
    w = model.defence
    return _mark(model, material, "答辩材料学术水平评价") * w.material + (
        _mark(model, live, "现场答辩评价") * w.live
    )


def _exact_shares(model: ScoredModel, n: int) -> dict[str, Fraction]:
    total = sum(s for _, s in model.grades.shares)
    return {g: Fraction(s * n, total) for g, s in model.grades.shares}


def grade_bounds(model: ScoredModel, n: int) -> dict[str, tuple[int, int]]:
    """For `n` declarations graded: each grade's allowed (lowest, highest) count — its
    exact share, or the two whole numbers around a share that is not whole."""
    return {
        g: (x.numerator // x.denominator, -(-x.numerator // x.denominator))
        for g, x in _exact_shares(model, n).items()
    }


def _span(bounds: tuple[int, int]) -> str:
    lo, hi = bounds
    return f"{lo} 人" if lo == hi else f"{lo} 至 {hi} 人"


@dataclass(frozen=True)
class GradeCheck:
    counts: dict[str, int]
    bounds: dict[str, tuple[int, int]]
    eliminated: tuple[str, ...]  # declaration ids graded 差
    basis: str


def check_grades(model: ScoredModel, grades: Mapping[str, str]) -> GradeCheck:
    """Accept a session's grades (declaration id → excellent | medium | poor) when they
    hold 3:6:1 (`grade_bounds`), else raise `GradeRatioBroken` saying, per grade, how many
    too many or too few."""
    for key, grade in grades.items():
        if grade not in GRADE_NAMES:
            raise ScoringError(
                f"申报 {str(key)[:40]} 的答辩成绩等次“{str(grade)[:20]}”无效，"
                "须为 excellent（优）、medium（中）或 poor（差）。"
            )
    n = len(grades)
    counts = {g: sum(1 for x in grades.values() if x == g) for g in GRADES}
    bounds = grade_bounds(model, n)
    gaps = {}
    for g in GRADES:
        lo, hi = bounds[g]
        if counts[g] > hi:
            gaps[g] = counts[g] - hi
        elif counts[g] < lo:
            gaps[g] = counts[g] - lo
    ratio = model.grades
    if gaps:
        due = "、".join(f"{GRADE_NAMES[g]} {_span(bounds[g])}" for g in GRADES)
        now = "、".join(f"{GRADE_NAMES[g]} {counts[g]} 人" for g in GRADES)
        off = "，".join(
            f"{GRADE_NAMES[g]}多 {d} 人" if d > 0 else f"{GRADE_NAMES[g]}少 {-d} 人"
            for g, d in gaps.items()
        )
        raise GradeRatioBroken(
            f"答辩成绩等次须按 {ratio.text()} 的比例确定（{ratio.basis.cite()}）。"
            f"本场共 {n} 人，应为{due}；现为{now}：{off}。",
            gaps=gaps,
            counts=counts,
            bounds=bounds,
        )
    return GradeCheck(
        counts=counts,
        bounds=bounds,
        eliminated=tuple(k for k, g in grades.items() if g in ratio.eliminated),
        basis=ratio.basis.cite(),
    )


def grades_by_rank(model: ScoredModel, scores: Mapping[str, Number]) -> dict[str, str]:
    """Grades given by rank of 答辩成绩 at the exact shares, whole numbers by largest
    remainder (ties of remainder: the better grade first); equal scores across a grade
    boundary raise `ScoringError` (a person must break them)."""
    marks = {k: fraction(v, "答辩成绩") for k, v in scores.items()}
    n = len(marks)
    exact = _exact_shares(model, n)
    quota = {g: x.numerator // x.denominator for g, x in exact.items()}
    by_remainder = sorted(GRADES, key=lambda g: -(exact[g] - quota[g]))
    for g in by_remainder[: n - sum(quota.values())]:
        quota[g] += 1
    ranked = sorted(marks, key=lambda k: -marks[k])
    out: dict[str, str] = {}
    at = 0
    for g in GRADES:
        for k in ranked[at : at + quota[g]]:
            out[k] = g
        at += quota[g]
        if quota[g] and 0 < at < n and marks[ranked[at - 1]] == marks[ranked[at]]:
            raise ScoringError(
                f"答辩成绩 {shown(marks[ranked[at]])} 分并列跨越{GRADE_NAMES[g]}等次的"
                f"名额（{quota[g]} 人），须由评委会确定等次（{model.grades.basis.cite()}）。"
            )
    return out


@dataclass(frozen=True)
class PointLine:
    """Points one item gives for one entry, and where they come from: a section entry
    (`section`, `index`), or an applicant fact (`section` = `facts.<name>`, index None),
    with the ids of the documents attached to that entry. `points` None: no schedule sets
    this item's points (an expert scores it by an adjustment)."""

    item: str
    name: str
    points: Fraction | None
    section: str
    index: int | None
    document_ids: tuple[str, ...]
    note: str


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _whole_years(start: date, end: date) -> int:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


_NAMING_FIELDS = ("title", "name", "title_name", "school", "employer", "grade", "level")


def _described(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return str(entry)[:60]
    words = [str(entry["year"]) + "年"] if "year" in entry else []
    words += [str(entry[k])[:60] for k in _NAMING_FIELDS if entry.get(k)]
    return " ".join(words[:2]) or "（未命名）"


def _entry_points(
    rule: PointRule, entry: Mapping[str, Any], as_of: date | None
) -> tuple[Fraction, str]:
    base = rule.each if rule.each is not None else Fraction(0)
    why = ""
    if rule.field is not None:
        value = entry.get(rule.field)
        base = rule.values.get(str(value), base)
        why = f"{rule.field}={value}"
    if rule.years_from is not None:
        start = _day(entry.get(rule.years_from))
        end = _day(entry.get("end_on")) or as_of
        if start is None or end is None:
            return Fraction(0), "缺少计算年限的日期"
        years = _whole_years(start, end)
        return base * years, f"{years} 年"
    return base, why


def _attached(
    documents: list[Mapping[str, Any]], section: str, index: int | None
) -> tuple[str, ...]:
    """Ids of the documents whose `item` names this entry (a one-entry section: index
    absent or 0)."""
    wanted = (None, 0) if index is None else (index,)
    return tuple(
        str(d["document_id"])
        for d in documents
        if isinstance(d.get("item"), Mapping)
        and d["item"].get("section") == section
        and d["item"].get("index") in wanted
    )


def _fact_line(
    item: QuantItem, source: str, facts: Mapping[str, Any], as_of: date | None
) -> list[PointLine]:
    name = source.removeprefix("facts.")
    value = facts.get(name)
    if value is None or value == 0:
        return []
    start = _day(value) if not isinstance(value, int | float) else None
    if start is not None:
        if as_of is None:
            raise ScoringError(f"计算“{item.name}”的年限须给出评审日期（as_of）。")
        amount = Fraction(_whole_years(start, as_of))
        note = f"{item.name}：自 {start.isoformat()} 起满 {amount} 年（申报人填报 {name}）"
    else:
        amount = fraction(str(value), item.name)
        note = f"{item.name}：{shown(amount)} 年（申报人填报 {name}）"
    points = None
    if item.rule is not None:
        points = (item.rule.each or Fraction(0)) * amount
    return [PointLine(item.id, item.name, points, source, None, (), note)]


def _capped(item: QuantItem, lines: list[PointLine]) -> list[PointLine]:
    rule = item.rule
    if rule is None:
        return lines
    if rule.best_only and lines:
        best = max(lines, key=lambda x: x.points or 0)
        lines = [best]
    if rule.cap is None:
        return lines
    out, room = [], rule.cap
    for line in lines:
        pts = line.points or Fraction(0)
        if pts > room:
            left = max(room, Fraction(0))
            note = f"{line.note}（本项上限 {shown(rule.cap)} 分，计 {shown(left)} 分）"
            line = dataclasses.replace(line, points=left, note=note)
        room -= line.points or Fraction(0)
        out.append(line)
    return out


def quantified_points(
    model: ScoredModel,
    *,
    sections: Mapping[str, Any],
    documents: Iterable[Mapping[str, Any]],
    facts: Mapping[str, Any] | None = None,
    as_of: date | None = None,
) -> tuple[PointLine, ...]:
    """Prefill 量化赋分 from a declaration: `sections` (its sections dict, as stored),
    `documents` (its attachment records: `document_id` and `item: {section, index}`),
    `facts` (its applicant facts, for 专业工作年限、艰苦岗位) and `as_of` (the day judged,
    for years). One line per entry that feeds an item, in the model's item order; with
    `best_only` only the best entry, with `cap` trimmed to the cap."""
    docs = list(documents)
    out: list[PointLine] = []
    for item in model.items:
        if item.source is None:
            continue
        if item.source.startswith("facts."):
            out += _fact_line(item, item.source, facts or {}, as_of)
            continue
        raw = sections.get(item.source)
        entries = [raw] if isinstance(raw, Mapping) else list(raw or [])
        lines = []
        for i, entry in enumerate(entries):
            index = None if isinstance(raw, Mapping) else i
            note = f"{item.name}：{_described(entry)}"
            points = None
            if item.rule is not None:
                if item.rule.years_from is not None and as_of is None:
                    raise ScoringError(f"计算“{item.name}”的年限须给出评审日期（as_of）。")
                points, why = _entry_points(item.rule, entry, as_of)
                note += f"（{why}）" if why else ""
            else:
                note += "（通知未给分值，由专家评定）"
            ids = _attached(docs, item.source, index)
            lines.append(PointLine(item.id, item.name, points, item.source, index, ids, note))
        out += _capped(item, lines)
    return tuple(out)


@dataclass(frozen=True)
class Adjustment:
    """An expert's change to an item's points (+ or −), with the reason it is logged by."""

    item: str
    points: Number
    reason: str
    by: str | None = None  # the expert (or office user) id


@dataclass(frozen=True)
class ReviewScore:
    """评审成绩 = 答辩成绩 × 30 % + 量化赋分 (prefilled lines + adjustments)."""

    total: Fraction
    defence: Fraction
    defence_part: Fraction
    points: Fraction  # 量化赋分: prefilled + adjusted
    prefilled: Fraction
    adjusted: Fraction
    lines: tuple[PointLine, ...]
    adjustments: tuple[Adjustment, ...]
    unscored: tuple[PointLine, ...]  # evidence no schedule gave points to
    eliminated: bool
    reason: str


def review_score(
    model: ScoredModel,
    *,
    defence: Number,
    points: Sequence[PointLine],
    adjustments: Sequence[Adjustment] = (),
    grade: str | None = None,
) -> ReviewScore:
    """Compose the 评审成绩. `grade` 差 marks the declaration eliminated (its score is still
    shown). Raises `ScoringError` for an adjustment without a reason or naming no item of
    the model, or a 答辩成绩 outside the full marks."""
    mark = _mark(model, defence, "答辩成绩")
    if grade is not None and grade not in GRADE_NAMES:
        raise ScoringError(f"答辩成绩等次“{str(grade)[:20]}”无效，须为 excellent、medium 或 poor。")
    adjusted = Fraction(0)
    for adj in adjustments:
        item = model.item(adj.item)
        if not adj.reason or not adj.reason.strip():
            raise ScoringError(f"调整“{item.name}”的分值须写明理由。")
        adjusted += fraction(adj.points, f"“{item.name}”的调整分值")
    prefilled = sum((x.points for x in points if x.points is not None), Fraction(0))
    unscored = tuple(x for x in points if x.points is None)
    part = mark * model.defence_share
    total_points = prefilled + adjusted
    total = part + total_points
    pct = shown(model.defence_share * 100)
    reason = (
        f"评审成绩 {shown(total)} 分 = 答辩成绩 {shown(mark)} 分 × {pct}%（{shown(part)} 分）"
        f" + 量化赋分 {shown(total_points)} 分（按申报材料预填 {shown(prefilled)} 分，"
        f"专家调整 {len(adjustments)} 项共 {shown(adjusted)} 分）"
    )
    if unscored:
        reason += f"；另有 {len(unscored)} 条依据未设分值，由专家评定"
    reason += f"（{model.review_basis.cite()}）。"
    eliminated = grade is not None and grade in model.grades.eliminated
    if grade is not None and eliminated:
        reason += (
            f"答辩成绩等次为{GRADE_NAMES[grade]}，列为淘汰对象（{model.grades.basis.cite()}）。"
        )
    return ReviewScore(
        total=total,
        defence=mark,
        defence_part=part,
        points=total_points,
        prefilled=prefilled,
        adjusted=adjusted,
        lines=tuple(points),
        adjustments=tuple(adjustments),
        unscored=unscored,
        eliminated=eliminated,
        reason=reason,
    )


@dataclass(frozen=True)
class Verdict:
    """A declaration's outcome at the close of a session, with the reasons to record."""

    passed: bool
    reason: str
    tally: Tally | None
    score: ReviewScore | None


def verdict(
    model: JudgingModel, *, tally: Tally | None, score: ReviewScore | None = None
) -> Verdict:
    """The outcome: by ballot (`VoteModel`); under a `ScoredModel` a declaration graded 差
    is eliminated whatever the ballot (it needs none), the others are decided by the
    综合评议's ballot on their 评审成绩 (the notice sets no pass mark for the score).
    Raises `ScoringError` when what the model needs is missing."""
    if isinstance(model, ScoredModel):
        if score is None:
            raise ScoringError("答辩与量化赋分评审须先计算评审成绩。")
        if score.eliminated:
            return Verdict(passed=False, reason=score.reason, tally=tally, score=score)
    if tally is None:
        raise ScoringError("须先完成评审委员会的不记名投票。")
    reason = tally.reason if score is None else f"{score.reason}综合评议：{tally.reason}"
    return Verdict(passed=tally.passed, reason=reason, tally=tally, score=score)


def as_record(value: Any) -> Any:
    """A result as JSON-ready data for the session's record: dataclasses → dicts, exact
    numbers → strings (a decimal when exact, else `a/b`), tuples and sets → lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_record(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Fraction):
        return shown(value) if not shown(value).startswith("约") else str(value)
    if isinstance(value, Mapping):
        return {str(k): as_record(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [as_record(x) for x in items]
    return value


__all__ = [
    "BALLOT_RULE",
    "DECREE_40",
    "GRADES",
    "GRADE_NAMES",
    "MIN_PANEL",
    "PANEL_RULE",
    "QUORUM_RULE",
    "Adjustment",
    "Basis",
    "DefenceWeights",
    "GradeCheck",
    "GradeRatio",
    "GradeRatioBroken",
    "JudgingModel",
    "PointLine",
    "PointRule",
    "QuantItem",
    "ReviewScore",
    "ScoredModel",
    "ScoringError",
    "Tally",
    "Verdict",
    "VoteModel",
    "VoteRule",
    "as_record",
    "at_least",
    "check_grades",
    "check_panel_size",
    "defence_score",
    "fraction",
    "grade_bounds",
    "grades_by_rank",
    "judging_model",
    "panel_size_problem",
    "quantified_points",
    "quorum_met",
    "quorum_needed",
    "review_score",
    "shown",
    "tally",
    "verdict",
    "votes_needed",
    "with_schedule",
]
