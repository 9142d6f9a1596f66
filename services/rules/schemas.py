"""Request and response models of the eligibility contract (DESIGN.md). Requests are strict:
unknown fields, unknown enum values, dates not written YYYY-MM-DD and negative numbers are
rejected with a 422 problem naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

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

MAX_BATCH = 10_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}").fullmatch


def _iso_date(value: Any, _str: type = str, _parse: Any = date.fromisoformat) -> date:
    # Called from pydantic-core for every date of every body (several per evaluation):
    # the common case, a string, is tested first with names bound at definition.
    if type(value) is _str and _DATE(value):
        try:
            return _parse(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError("date_parsing", "date must be a real date written YYYY-MM-DD")


# Parsed from JSON (the batch), pydantic-core's strict date takes exactly YYYY-MM-DD of a
# real date, in Rust; from Python objects (FastAPI hands the single endpoints and query
# parameters decoded values) `_iso_date` applies the same rule.
IsoDate = Annotated[
    date,
    GetPydanticSchema(
        lambda _type, _handler: core_schema.json_or_python_schema(
            json_schema=core_schema.date_schema(strict=True),
            python_schema=core_schema.no_info_plain_validator_function(_iso_date),
        )
    ),
    WithJsonSchema({"type": "string", "format": "date", "example": "2022-07-31"}),
]
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["450200"])]
TitleSeries = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,39}$", examples=["engineering"])]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EducationItem(_Strict):
    level: EducationLevel
    related_major: bool | None = None
    engineering_master_degree: bool = False
    graduated_on: IsoDate | None = None


class TitleItem(_Strict):
    series: TitleSeries  # any 职称系列, so that 转评 from another series can be checked
    level: Level
    obtained_on: IsoDate
    region: RegionCode | None = None


class SkillGradeItem(_Strict):
    grade: SkillGrade
    obtained_on: IsoDate


class SanctionItem(_Strict):
    kind: SanctionKind
    until: IsoDate | None = None  # end of the period; absent = still in effect


class AssessmentItem(_Strict):
    year: int = Field(ge=1950, le=2100)
    grade: AssessmentGrade


class Applicant(_Strict):
    employer_type: EmployerType | None = None
    # DESIGN.md's default; an explicit null means "not stated" and gives met: null.
    in_professional_post: bool | None = True
    retired: bool = False
    retirement_extended: bool = False
    education: list[EducationItem] = Field(default_factory=list, max_length=20)
    titles: list[TitleItem] = Field(default_factory=list, max_length=30)
    skill_grades: list[SkillGradeItem] = Field(default_factory=list, max_length=10)
    professional_work_since: IsoDate | None = None
    internship_passed_on: IsoDate | None = None
    former_civil_servant_left_on: IsoDate | None = None
    dual_directed: bool = False
    poverty_county_years: float = Field(default=0, ge=0, le=80)
    township_years: float = Field(default=0, ge=0, le=80)
    currently_in_township: bool = False
    sanctions: list[SanctionItem] = Field(default_factory=list, max_length=30)
    annual_assessments: list[AssessmentItem] = Field(default_factory=list, max_length=80)
    papers: int = Field(default=0, ge=0, le=10_000)
    achievements: int = Field(default=0, ge=0, le=10_000)
    social_insurance_months: int | None = Field(default=None, ge=0, le=1200)
    # Added to the contract: a 情况说明 of an employer change within the six months was
    # supplied (the gateway sets it from the declaration's attachments).
    social_insurance_change_explained: bool = False
    same_level_applications_this_year: int = Field(default=0, ge=0, le=100)
    qualification_exam_specialty: bool = False
    exceptional: bool = False
    # Added to the contract: the applicant already took part in an evaluation on the
    # 工程硕士提前1年 path (the gateway counts their filed declarations on it); where a pack
    # says 限1次 that path is then not open.
    engineering_master_early_used: bool = False

    @field_validator("annual_assessments")
    @classmethod
    def _one_grade_a_year(cls, items: list[AssessmentItem]) -> list[AssessmentItem]:
        if len(items) < 2:
            return items
        years = [x.year for x in items]
        if len(set(years)) != len(years):
            twice = sorted({y for y in years if years.count(y) > 1})
            raise PydanticCustomError(
                "value_error",
                "one assessment per year; repeated: {years}",
                {"years": twice, "reason": f"年度考核年份重复：{'、'.join(map(str, twice))}"},
            )
        return items


class EvaluateRequest(_Strict):
    region: RegionCode
    county: RegionCode | None = None
    series: Series
    level: Level
    as_of: IsoDate | None = None  # defaults to today in China Standard Time
    industry: Industry | None = None
    specialty: str | None = Field(default=None, max_length=60)
    applicant: Applicant

    @field_validator("county")
    @classmethod
    def _county_in_region(cls, county: str | None, info: ValidationInfo) -> str | None:
        region = info.data.get("region")
        if county is None or region is None:
            return county
        same = county[:2] == region[:2] if region.endswith("0000") else county[:4] == region[:4]
        if not same or county.endswith("00"):
            raise PydanticCustomError(
                "value_error",
                "county {county} is not a county of region {region}",
                {
                    "county": county,
                    "region": region,
                    "reason": f"{county} 不是 {region} 下辖的县（区）",
                },
            )
        return county


BatchAdapter = TypeAdapter(Annotated[list[EvaluateRequest], Field(max_length=MAX_BATCH)])


# Response models: they document the contract in OpenAPI; the endpoints build plain dicts.
class DeciderOut(BaseModel):
    level: Literal["unit", "series_office", "committee_office"]
    named: bool = Field(description="true: the policy names the level and `basis` quotes it")
    basis: str


class ConditionOut(BaseModel):
    id: str
    met: bool | None
    clause: str
    message: str
    required: Any = None
    actual: Any = None
    decided_by: DeciderOut | None = Field(
        default=None,
        description="Added to the contract: on a met: null condition a person judges, the "
        "review level that records the judgement (absent: a missing fact to supply)",
    )


class PathOut(BaseModel):
    path: PathId
    eligible: bool
    earliest_on: date | None
    conditions: list[ConditionOut] | None = Field(
        default=None, description="Only in single evaluations and in batches with ?explain=true"
    )


class BlockerOut(BaseModel):
    id: BlockerId
    clause: str
    message: str


class PolicyRef(BaseModel):
    id: str
    documents: list[str]


class CommitteeOut(BaseModel):
    code: str
    name: str
    office: str | None


class MaterialOut(BaseModel):
    id: str
    name: str
    clause: str
    producer: Literal["applicant", "unit", "system"] = Field(
        default="applicant",
        description="谁提供该材料：applicant 申报人随申报上传；unit 用人单位在审核推荐环节"
        "填报或上传（答辩、审议推荐、公示、推荐意见）；system 系统据其他数据生成",
    )


class EvaluateResponse(BaseModel):
    eligible: bool
    policy: PolicyRef
    blockers: list[BlockerOut]
    paths: list[PathOut]
    earliest_on: date | None
    committee: CommitteeOut | None
    fee_yuan: int | None
    materials: list[MaterialOut]


class RouteRequest(_Strict):
    """One declaration's routing facts: where its unit is, what it asks for, on which path,
    who employs the applicant and whether the unit is a local one."""

    region: RegionCode
    county: RegionCode | None = None
    series: Series
    level: Level
    as_of: IsoDate | None = None
    industry: Industry | None = None
    specialty: str | None = Field(default=None, max_length=60)
    path: PathId = "normal"
    employer_type: EmployerType | None = None
    affiliation: Literal["central", "out_of_city", "out_of_province"] | None = Field(
        default=None,
        description="central: 中直驻桂（驻柳）单位; out_of_city: 外市单位驻柳分支机构; "
        "out_of_province: 外省单位驻桂分支机构; null: a local unit",
    )


class ClauseOut(BaseModel):
    key: str
    ref: str = Field(description="文号 条款")
    text: str = Field(description="the seed's sentence")


class RouteOfficeOut(BaseModel):
    duty: str = Field(description="economic | construction | industry | hrss | city_title_office")
    name: str | None
    action: str = Field(description="审核 / 备案 / 审核推荐")
    rule: str | None = Field(description="the routing rule that names it; null: the committee")
    label: str
    clause: ClauseOut


class RouteStepOut(RouteOfficeOut):
    kind: Literal["county_office"]


class RouteMaterialOut(BaseModel):
    id: str
    name: str
    producer: Literal["applicant"] = "applicant"
    rule: str
    label: str
    clause: ClauseOut


class RouteCommitteeOut(CommitteeOut):
    clause: ClauseOut


class RouteResponse(BaseModel):
    policy: dict[str, str]
    basis: ClauseOut | None = Field(description="the sentence naming the levels of the chain")
    committee: RouteCommitteeOut | None
    series_office: RouteOfficeOut | None = Field(
        description="the series-level office the declaration passes, where the seeds say "
        "which (经济/建设 by industry; 长治 中级: 市人社); null: the unit's own series office"
    )
    steps: list[RouteStepOut] = Field(description="county-level offices the route adds")
    materials: list[RouteMaterialOut] = Field(description="what the route asks the applicant for")


class PolicySummary(BaseModel):
    id: str
    title: str
    series: Series
    regions: list[str]
    in_force_from: date = Field(description="在此日期起施行")
    in_force_basis: str = Field(description="the clause the date rests on")
    replaced_on: date | None = Field(
        description="a later pack of the same series and regions takes over on this date; "
        "null while none does"
    )
    valid_from: date = Field(description="= in_force_from")
    valid_to: date | None = Field(description="the day before replaced_on; null: open-ended")
    levels: list[Level]
    documents: list[str]


class CommitteeListItem(CommitteeOut):
    levels: list[Level]
    clause: str
    policy: str
