"""Pydantic models of a policy pack file. Unknown keys are rejected everywhere, so a typo in
a pack stops the service at start instead of silently dropping a rule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.kit.vocabulary import (
    AssessmentGrade,
    BlockerId,
    EducationLevel,
    EmployerType,
    Industry,
    Level,
    PathId,
    SanctionKind,
    Series,
    SkillGrade,
)

RegionCode = Annotated[str, Field(pattern=r"^\d{6}$")]
ClauseKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(Strict):
    id: ClauseKey
    number: str | None = None  # official document number, e.g. 桂人社规〔2021〕11号
    short: str | None = None  # how clauses cite a document that has no number
    title: str
    issuer: str | None = None
    date: dt.date | None = None
    seed: str | None = None  # which seed file carries its text
    note: str | None = None


class Clause(Strict):
    document: ClauseKey
    point: str  # article / point inside the document, e.g. 第十八条第（四）点
    text: str  # the words of the clause, quoted from the seed


class CondBase(Strict):
    id: str | None = None  # condition id in the response; each kind has a default
    clause: ClauseKey
    label: str | None = None  # what is required, in Chinese; each kind has a default


class Education(CondBase):
    kind: Literal["education"]
    min: EducationLevel | None = None
    also: list[EducationLevel] = []
    related_major: bool = False
    engineering_master: bool = False


class Relief(Strict):
    fact: Literal["poverty_county_years", "township_years"]
    at_least: float = Field(ge=0)
    years: int = Field(ge=0)
    label: str
    clause: ClauseKey


class Uncounted(Strict):
    """Years of the term assessed below `below` (or 未定等次) do not count toward it."""

    below: AssessmentGrade
    clause: ClauseKey


class YearsSinceTitle(CondBase):
    kind: Literal["years_since_title"]
    level: Level
    years: int = Field(ge=0)
    relief: Relief | None = None
    uncounted: Uncounted | None = None


class YearsOfWork(CondBase):
    kind: Literal["years_of_work"]
    years: int = Field(ge=0)
    from_lower_title: Level | None = None  # count from this title when it is held


class SkillGradeYears(CondBase):
    kind: Literal["skill_grade_years"]
    grade: SkillGrade
    years: int = Field(ge=0)


class AssessmentsEachYear(CondBase):
    kind: Literal["assessments_each_year"]
    years: int = Field(ge=1)
    grade: AssessmentGrade


class AssessmentsCount(CondBase):
    kind: Literal["assessments_count"]
    count: int = Field(ge=1)
    grade: AssessmentGrade
    term_title: Level | None = None


class AssessmentsAllInTerm(CondBase):
    kind: Literal["assessments_all_in_term"]
    grade: AssessmentGrade
    term_title: Level | None = None


class AssessmentLatest(CondBase):
    kind: Literal["assessment_latest"]
    grade: AssessmentGrade


class CountyIn(CondBase):
    kind: Literal["county_in"]
    counties: dict[RegionCode, str]


class Flag(CondBase):
    kind: Literal["flag"]
    fact: Literal[
        "dual_directed", "exceptional", "currently_in_township", "engineering_master_early_used"
    ]
    # met when the fact is this (false: e.g. 工程硕士提前 not used before, 限1次)
    expect: bool = True
    met_text: str
    unmet_text: str


class NumberAtLeast(CondBase):
    kind: Literal["number_at_least"]
    fact: Literal["papers", "achievements", "township_years", "poverty_county_years"]
    at_least: float = Field(ge=0)
    unit: str


class FactDate(CondBase):
    kind: Literal["fact_date"]
    fact: Literal["internship_passed_on", "former_civil_servant_left_on"]
    missing: Literal["unknown", "unmet"]


class NoTitle(CondBase):
    kind: Literal["no_title"]


class OtherSeriesTitle(CondBase):
    kind: Literal["other_series_title"]


class TitleHeld(CondBase):
    kind: Literal["title_held"]
    level: Level


class Decider(Strict):
    """Who decides a condition the engine cannot: the review level that records the
    judgement. `named`: the seeds name that level, and `basis` quotes the sentence that does
    (`<document> <point>：<sentence>`); else `basis` says why this level was chosen. Not a
    `clause` key: the level does not change who may apply, only who says so."""

    level: Literal["unit", "series_office", "committee_office"]
    named: bool
    basis: str = Field(min_length=8)

    def response(self) -> dict:
        """The response's `decided_by` (a field added to the contract's condition)."""
        return {"level": self.level, "named": self.named, "basis": self.basis}


class ManualReview(CondBase):
    kind: Literal["manual_review"]
    text: str
    decided_by: Decider


Condition = Annotated[
    Education
    | YearsSinceTitle
    | YearsOfWork
    | SkillGradeYears
    | AssessmentsEachYear
    | AssessmentsCount
    | AssessmentsAllInTerm
    | AssessmentLatest
    | CountyIn
    | Flag
    | NumberAtLeast
    | FactDate
    | NoTitle
    | OtherSeriesTitle
    | TitleHeld
    | ManualReview,
    Field(discriminator="kind"),
]


class Row(Strict):
    label: str
    conditions: list[Condition] = []


class Path(Strict):
    path: PathId
    conditions: list[Condition] = []  # hold on every row
    rows: list[Row] = []  # alternatives (e.g. one per education row of a table); one must hold


class LevelSpec(Strict):
    paths: list[Path]


class ExBase(Strict):
    blocker: BlockerId
    clause: ClauseKey
    label: str | None = None


class ExEmployerType(ExBase):
    kind: Literal["employer_type"]
    employer_types: list[EmployerType]


class ExRetired(ExBase):
    kind: Literal["retired"]
    allow_extended: bool


class ExSanction(ExBase):
    kind: Literal["sanction"]
    sanction_kinds: list[SanctionKind]
    employer_types: list[EmployerType] = []  # empty: any employer


class ExFlag(ExBase):
    kind: Literal["flag"]
    fact: Literal["qualification_exam_specialty"]


class ExCountAtLeast(ExBase):
    kind: Literal["count_at_least"]
    fact: Literal["same_level_applications_this_year"]
    at_least: int = Field(ge=1)


class ExProfessionalPost(ExBase):
    kind: Literal["professional_post"]
    employer_types: list[EmployerType]


class ExSocialInsurance(ExBase):
    kind: Literal["social_insurance"]
    employer_types: list[EmployerType]
    min_months: int = Field(ge=1)
    # "原则上": with a 情况说明 of the unit change, short months are a judgement for this
    # level instead of a blocker.
    explained: Decider | None = None


Exclusion = Annotated[
    ExEmployerType
    | ExRetired
    | ExSanction
    | ExFlag
    | ExCountAtLeast
    | ExProfessionalPost
    | ExSocialInsurance,
    Field(discriminator="kind"),
]


class Cutoff(Strict):
    rule: Literal["evaluation_date", "year_end"]
    clause: ClauseKey | None = None
    label: str | None = None


class Fee(Strict):
    yuan: int = Field(ge=0)
    clause: ClauseKey


# What an office does, so a route can name the office it needs among those of a level:
# 经济 / 建设 series offices (柳州), a county's 工信 office (县科工贸局), the city's 人社 office
# (长治 备案), the city's 职改办 (柳州市职改办).
Duty = Literal["economic", "construction", "industry", "hrss", "city_title_office"]
# A unit that is not a local one: 中直驻桂（驻柳）单位, a branch of another city's unit (外市单位
# 驻柳分支机构), or of an out-of-province unit (外省单位驻桂分支机构).
Affiliation = Literal["central", "out_of_city", "out_of_province"]


class Committee(Strict):
    code: str
    name: str
    office: str | None  # the office the declaration is sent to; null where the seeds are silent
    clause: ClauseKey
    # The duty of the series office the declaration passes on its way (经济 or 建设), where
    # the seeds say which; null: the unit's own series office.
    office_duty: Duty | None = None
    levels: list[Level]
    regions: list[RegionCode] = []  # prefix match: 450000 = all 广西, 450200 = 柳州
    counties: list[RegionCode] = []
    industries: list[Industry] = []
    specialty_contains: list[str] = []


class OutOfScope(Strict):
    """Specialties the pack's documents leave out (a name containing any of the words):
    neither its rules nor its committees apply to them."""

    specialty_contains: list[str] = Field(min_length=1)
    label: str  # what is left out, in Chinese, e.g. 建筑、建材、环保专业
    clause: ClauseKey


class Deadline(Strict):
    id: str
    label: str
    clause: ClauseKey
    levels: list[Level] = []
    regions: list[RegionCode] = []
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    note: str | None = None


class Material(Strict):
    id: str
    name: str
    clause: ClauseKey
    levels: list[Level] = []
    employer_types: list[EmployerType] = []
    paths: list[PathId] = []  # needed when one of these paths is eligible (or reachable)
    facts: list[Literal["exceptional", "dual_directed", "titles"]] = []  # any of them truthy
    # Who makes it: the applicant uploads it with the declaration; the unit records it at
    # its review step (答辩、审议、公示、推荐); the system derives it from other data.
    producer: Literal["applicant", "unit", "system"] = "applicant"


# ── how a committee judges (read by the gateway's committee domain) ────────────────────
Grade = Literal["excellent", "medium", "poor"]  # 优 / 中 / 差
Points = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$")]  # an exact decimal, never a float
Share = Annotated[str, Field(pattern=r"^\d+/\d+$")]  # a fraction such as 2/3


class DefenceSpec(Strict):
    """答辩成绩 on `full_marks` points: 答辩材料学术水平 and 现场答辩 weighted in percent."""

    material_percent: int = Field(ge=0, le=100)
    live_percent: int = Field(ge=0, le=100)
    full_marks: int = Field(gt=0)
    clause: ClauseKey

    @model_validator(mode="after")
    def _whole(self) -> DefenceSpec:
        if self.material_percent + self.live_percent != 100:
            raise ValueError("material_percent + live_percent must be 100")
        return self


class GradeSpec(Strict):
    """优:中:差 held at `ratio`; `eliminated` grades are struck out."""

    ratio: dict[Grade, int]
    eliminated: list[Grade] = []
    clause: ClauseKey

    @model_validator(mode="after")
    def _ratio(self) -> GradeSpec:
        if set(self.ratio) != {"excellent", "medium", "poor"} or min(self.ratio.values()) < 0:
            raise ValueError("ratio must give excellent, medium and poor, none negative")
        if sum(self.ratio.values()) == 0:
            raise ValueError("ratio must not be all zero")
        return self


class ReviewSpec(Strict):
    """评审成绩 = 答辩成绩 × `defence_percent` % + 量化赋分."""

    defence_percent: int = Field(ge=0, le=100)
    clause: ClauseKey


class PointRuleSpec(Strict):
    """Points of one 量化赋分 item (see `services/api/committee/scoring.py` `PointRule`)."""

    each: Points | None = None
    field: str | None = None
    values: dict[str, Points] = {}
    best_only: bool = False
    years_from: str | None = None
    cap: Points | None = None


class QuantItemSpec(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    name: str  # the seed's words for the item
    # the declaration section that feeds it, `facts.<name>` for an applicant fact, or null
    source: Annotated[str, Field(pattern=r"^(facts\.)?[a-z][a-z_]*$")] | None
    points: PointRuleSpec | None = None  # null: the documents give no points


class QuantSpec(Strict):
    items: list[QuantItemSpec] = Field(min_length=1)
    clause: ClauseKey
    schedule_source: str | None = None  # who set the points, when any item has them


class VoteSpec(Strict):
    """A committee's own quorum and pass mark (default: 人社部令第40号, 2/3 and 2/3)."""

    quorum: Share = "2/3"
    pass_share: Share = Field(default="2/3")
    basis: str = Field(min_length=4)


class Judging(Strict):
    """How the named committees judge the named levels. `vote`: secret ballot only (the
    default for any committee and level no entry names); `defence_and_points`: 答辩评价 +
    量化赋分, then the ballot of the 综合评议."""

    committees: list[str] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    method: Literal["vote", "defence_and_points"]
    clause: ClauseKey
    vote: VoteSpec | None = None
    defence: DefenceSpec | None = None
    grades: GradeSpec | None = None
    review: ReviewSpec | None = None
    quantified: QuantSpec | None = None

    @model_validator(mode="after")
    def _parts(self) -> Judging:
        parts = (self.defence, self.grades, self.review, self.quantified)
        if self.method == "defence_and_points" and None in parts:
            raise ValueError("defence_and_points needs defence, grades, review and quantified")
        if self.method == "vote" and any(x is not None for x in parts):
            raise ValueError("vote takes no defence, grades, review or quantified")
        return self


class RouteStep(Strict):
    """An office the declaration must pass: a county office (in the unit's county) added
    after the unit's own levels, or the series-level office that takes the series office's
    place."""

    kind: Literal["county_office", "series_office"]
    duty: Duty
    name: str  # the office as the seed names it, e.g. 县工信部门（县科工贸局）
    action: str  # what it does there: 审核, 备案, 审核推荐


class RouteMaterial(Strict):
    id: str
    name: str


class RouteRule(Strict):
    """A sentence of the seeds that shapes the chain of some declarations: when it applies
    (every list given must hold), the step it adds or the material it asks for."""

    id: str
    label: str  # why, in Chinese, as the applicant reads it
    clause: ClauseKey
    levels: list[Level] = []
    paths: list[PathId] = []
    counties: list[RegionCode] = []  # the unit's county
    unit_in_county: bool | None = None  # true: units of a county or district; false: 市直
    employer_types: list[EmployerType] = []
    affiliations: list[Affiliation] = []
    committees: list[str] = []  # committee codes
    step: RouteStep | None = None
    material: RouteMaterial | None = None


class Pack(Strict):
    id: ClauseKey
    title: str
    series: Series
    regions: list[RegionCode] = Field(min_length=1)
    # In force from this date until a later pack of the same scope (series and regions)
    # takes over: the rules of a year run on unchanged until a new notice changes them.
    in_force_from: dt.date
    in_force_clause: ClauseKey  # the sentence of the seed the date rests on
    seniority_cutoff: Cutoff = Cutoff(rule="evaluation_date")
    notes: list[str] = []
    documents: list[Document] = Field(min_length=1)
    clauses: dict[ClauseKey, Clause]
    exclusions: list[Exclusion] = []
    out_of_scope: list[OutOfScope] = []
    levels: dict[Level, LevelSpec]
    fees: dict[Level, Fee] = {}
    committees: list[Committee] = []
    # The sentence that names the levels every declaration climbs (unit, supervisor,
    # county office, series office, committee office), and the sentences that change them.
    routing_basis: ClauseKey | None = None
    routing: list[RouteRule] = []
    deadlines: list[Deadline] = []
    materials: list[Material] = []
    judging: list[Judging] = []
