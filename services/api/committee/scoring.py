"""How a committee judges a declaration: pure rules, no database, no HTTP, no I/O.

Two ways of judging, picked per committee and level from the policy pack
(`judging_model`):

- **Vote** (every committee by default): 人社部令第40号《职称评审管理暂行规定》 — a
  meeting needs at least 2/3 of the panel present, and a declaration passes with at least
  2/3 of the experts present agreeing, by secret ballot (`VoteRule`, `tally`). The decree's
  text is not among the seeds; the defaults are those issue #19 states from it, and a
  committee may set others (`VoteRule(quorum=..., pass_share=...)`).
- **Scored** (长治 工程师, 长工信〔2022〕139号 九): 答辩成绩 on 100 points = 40 % 答辩材料
  学术水平 + 60 % 现场答辩 (`defence_score`); 优、中、差 held at 3:6:1 (`check_grades`), 差
  eliminated; 评审成绩 = 答辩成绩 × 30 % + 量化赋分 (`quantified_points`, `review_score`);
  then the committee's 综合评议 ("执行评委会根据评审成绩，进行综合评议，确定申报人员的综合评价
  结果"), which is the national 2/3 secret ballot (`ScoredModel.vote`).

All arithmetic is exact (`fractions.Fraction`); a count "at least 2/3 of n" is the ceiling
of 2n/3 computed on integers. Input the rules cannot judge raises `ScoringError` (a
`ValueError`) whose `detail` is the Chinese text for a problem+json answer; the caller maps
it to its domain's named problem.
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
# The rules as issue #19 states them from the decree (its text is not among the seeds, so
# messages cite the decree by name and state the rule, without quoting it).
QUORUM_RULE = "评审会议出席的评审专家不少于评审委员会人数的2/3"
BALLOT_RULE = "不记名投票，同意票数达到出席评审专家总数的2/3及以上为通过"
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
    """A grade distribution outside 3:6:1; `extra["gaps"]` says by how much, per grade."""


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


def at_least(share: Fraction, n: int) -> int:
    """The smallest whole count reaching `share` of `n` (ceil, in integers)."""
    return -((-share.numerator * n) // share.denominator)


def panel_size_problem(size: int, *, minimum: int) -> str | None:
    """Why a panel of `size` cannot sit (even, or below the committee level's `minimum`,
    e.g. `MIN_PANEL["prefecture"]`), in Chinese; None when it can."""
    raise NotImplementedError


def check_panel_size(size: int, *, minimum: int) -> None:
    """Raise `ScoringError` when `panel_size_problem` names one."""
    raise NotImplementedError


def quorum_needed(rule: VoteRule, *, panel: int) -> int:
    """How many of the panel must be present for the meeting to sit."""
    return at_least(rule.quorum, panel)


def quorum_met(rule: VoteRule, *, panel: int, present: int) -> bool:
    """Whether `present` experts of a `panel` make a quorum."""
    raise NotImplementedError


def votes_needed(rule: VoteRule, *, present: int) -> int:
    """Agreeing votes a declaration needs when `present` experts sit (17 → 12)."""
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


def tally(
    rule: VoteRule, *, panel: int, present: int, agree: int, disagree: int, abstain: int
) -> Tally:
    """Count one declaration's secret ballot. Ballots not cast by an expert present count
    as not agreeing (agree + disagree + abstain ≤ present). Raises `ScoringError` for
    impossible counts (negative, more present than the panel, more ballots than present)."""
    raise NotImplementedError


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


@dataclass(frozen=True)
class PointRule:
    """Points one 量化赋分 item gives, per entry of its source.

    - `each`: points per entry (per whole year with `years_from`, per unit for a numeric
      fact);
    - `field` + `values`: the entry's `field` value picks its points (education level,
      assessment grade, authorship); values not listed give nothing;
    - `best_only`: only the entry worth most counts (学历: the highest degree);
    - `years_from`: an entry's date field; points per whole year from it to its `end_on`
      or the day judged;
    - `cap`: the item gives at most this many points in total."""

    each: Fraction | None = None
    field: str | None = None
    values: Mapping[str, Fraction] = dataclasses.field(default_factory=dict)
    best_only: bool = False
    years_from: str | None = None
    cap: Fraction | None = None


@dataclass(frozen=True)
class QuantItem:
    """One 量化赋分 item the seed names (完成技术项目、获奖、论文论著…). `source`: the
    declaration section that feeds it (e.g. `papers`), or `facts.<name>` for an applicant
    fact, or None when no section holds it (学术团体任职: scored by an expert's
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
    schedule_source: str | None = None  # who set the points; None: no points set
    kind: Literal["scored"] = "scored"


@dataclass(frozen=True)
class VoteModel:
    """Judging by secret ballot only."""

    committee: str
    level: str
    vote: VoteRule
    kind: Literal["vote"] = "vote"


JudgingModel = ScoredModel | VoteModel


def judging_model(pack: Mapping[str, Any], committee_code: str, level: str) -> JudgingModel:
    """The way `committee_code` judges `level` under `pack` — the pack dict as the gateway
    receives it from the eligibility service (`GET /v1/policies/{id}`: clauses carry
    `ref`). The first `judging` entry naming the committee and level wins; none → a
    `VoteModel` with the national defaults. Raises `ScoringError` for a committee the pack
    does not know."""
    raise NotImplementedError


def with_schedule(
    model: ScoredModel, schedule: Mapping[str, Mapping[str, Any]], *, source: str
) -> ScoredModel:
    """The model with points per item set by a committee (`schedule`: item id → a point
    rule in the pack's shape, e.g. `{"each": "2", "cap": "10"}`); `source` says who set
    them (shown with every result). Unknown items raise `ScoringError`."""
    raise NotImplementedError


def defence_score(model: ScoredModel, *, material: Number, live: Number) -> Fraction:
    """答辩成绩: `material` (答辩材料学术水平) and `live` (现场答辩), each on the full marks,
    weighted 40 % / 60 %. Raises `ScoringError` outside 0..full marks."""
    raise NotImplementedError


def grade_bounds(model: ScoredModel, n: int) -> dict[str, tuple[int, int]]:
    """For `n` declarations graded: each grade's allowed (lowest, highest) count."""
    raise NotImplementedError


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
    raise NotImplementedError


def grades_by_rank(model: ScoredModel, scores: Mapping[str, Number]) -> dict[str, str]:
    """Grades given by rank of 答辩成绩 at the exact shares (largest remainder); ties at a
    boundary raise `ScoringError` (a person must break them)."""
    raise NotImplementedError


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
    for years). One line per entry that feeds an item, in the model's item order."""
    raise NotImplementedError


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
    points: Fraction
    lines: tuple[PointLine, ...]
    adjustments: tuple[Adjustment, ...]
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
    the model."""
    raise NotImplementedError


__all__ = [
    "DECREE_40",
    "GRADES",
    "GRADE_NAMES",
    "MIN_PANEL",
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
    "VoteModel",
    "VoteRule",
    "at_least",
    "check_grades",
    "check_panel_size",
    "defence_score",
    "grade_bounds",
    "grades_by_rank",
    "judging_model",
    "panel_size_problem",
    "quantified_points",
    "quorum_met",
    "quorum_needed",
    "review_score",
    "tally",
    "votes_needed",
    "with_schedule",
]
