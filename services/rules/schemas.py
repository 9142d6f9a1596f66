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
from pydantic_core import PydanticCustomError, SchemaValidator, core_schema

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
from services.rules import examples
from services.rules.engine.facts import county_in_region

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
    model_config = ConfigDict(use_attribute_docstrings=True)
    level: EducationLevel
    """学历：doctorate 博士；master 硕士；second_bachelor 第二学士；bachelor 本科；
    junior_college 专科；technical_secondary 中专；high_school 高中；
    tech_college_preparatory 技工院校预备技师班；
    tech_college_senior_worker 技工院校高级工班
    """
    related_major: bool | None = None
    """是否与申报专业相同或相近；未知为 null"""
    engineering_master_degree: bool = False
    """是否为工程类专业硕士学位"""
    graduated_on: IsoDate | None = None
    """毕业日期；未填为 null"""


class TitleItem(_Strict):
    model_config = ConfigDict(use_attribute_docstrings=True)
    series: TitleSeries  # any 职称系列, so that 转评 from another series can be checked
    """职称系列代码"""
    level: Level
    """级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    obtained_on: IsoDate
    """取得日期"""
    region: RegionCode | None = None
    """取得职称的地区代码；未填为 null"""


class SkillGradeItem(_Strict):
    model_config = ConfigDict(use_attribute_docstrings=True)
    grade: SkillGrade
    """等级：senior_worker 高级工；technician_worker 技师；senior_technician_worker 高级技师"""
    obtained_on: IsoDate
    """取得日期"""


class SanctionItem(_Strict):
    model_config = ConfigDict(use_attribute_docstrings=True)
    kind: SanctionKind
    """类别：demerit 记过以上政务处分；party_discipline 党纪处分；
    investigation 立案审查调查；integrity_record 记入诚信档案库
    """
    until: IsoDate | None = None  # end of the period; absent = still in effect
    """期限截止日；未定为 null"""


class AssessmentItem(_Strict):
    model_config = ConfigDict(use_attribute_docstrings=True)
    year: int = Field(ge=1950, le=2100)
    """考核年度"""
    grade: AssessmentGrade
    """考核结果：excellent 优秀；qualified 合格；basic 基本合格；unqualified 不合格；
    none 未定等次
    """


class Applicant(_Strict):
    model_config = ConfigDict(use_attribute_docstrings=True)
    employer_type: EmployerType | None = None
    """单位类型：public_institution 事业单位；state_owned 国有企业；private 民营企业；
    social_org 社会组织；freelancer 自由职业；civil_service 机关（公务员）；
    未填为 null
    """
    # DESIGN.md's default; an explicit null means "not stated" and gives met: null.
    in_professional_post: bool | None = True
    """是否在专业技术岗位聘用；未知为 null"""
    retired: bool = False
    """是否已退休"""
    retirement_extended: bool = False
    """是否延迟退休"""
    education: list[EducationItem] = Field(default_factory=list, max_length=20)
    """学历"""
    titles: list[TitleItem] = Field(default_factory=list, max_length=30)
    """已取得的职称"""
    skill_grades: list[SkillGradeItem] = Field(default_factory=list, max_length=10)
    """职业资格或职业技能等级"""
    professional_work_since: IsoDate | None = None
    """参加专业技术工作的日期；未填为 null"""
    internship_passed_on: IsoDate | None = None
    """见习期满考核合格的日期；不涉及为 null"""
    former_civil_servant_left_on: IsoDate | None = None
    """离开公务员岗位的日期；不涉及为 null"""
    dual_directed: bool = False
    """是否定向评价"""
    poverty_county_years: float = Field(default=0, ge=0, le=80)
    """在脱贫县工作的年数"""
    township_years: float = Field(default=0, ge=0, le=80)
    """在乡镇以下基层从事本专业工作的年数"""
    currently_in_township: bool = False
    """目前是否仍在乡镇从事专业技术工作"""
    sanctions: list[SanctionItem] = Field(default_factory=list, max_length=30)
    """处分、立案审查或诚信档案记录"""
    annual_assessments: list[AssessmentItem] = Field(default_factory=list, max_length=80)
    """年度考核结果"""
    papers: int = Field(default=0, ge=0, le=10_000)
    """论文（或实用技术材料）篇数"""
    achievements: int = Field(default=0, ge=0, le=10_000)
    """符合条件的业绩成果项数"""
    social_insurance_months: int | None = Field(default=None, ge=0, le=1200)
    """在申报单位连续缴纳社保的月数；未知为 null"""
    # Added to the contract: a 情况说明 of an employer change within the six months was
    # supplied (the gateway sets it from the declaration's attachments).
    social_insurance_change_explained: bool = False
    """社保单位变动是否已作说明"""
    same_level_applications_this_year: int = Field(default=0, ge=0, le=100)
    """本年度已申报同一级别的次数"""
    qualification_exam_specialty: bool = False
    """是否为实行职业资格考试的专业"""
    exceptional: bool = False
    """是否按破格申报"""
    # Added to the contract: the applicant already took part in an evaluation on the
    # 工程硕士提前1年 path (the gateway counts their filed declarations on it); where a pack
    # says 限1次 that path is then not open.
    engineering_master_early_used: bool = False
    """是否已用过工程硕士提前申报"""

    @field_validator("annual_assessments")
    @classmethod
    def _one_grade_a_year(cls, items: list[AssessmentItem]) -> list[AssessmentItem]:
        # Run for every request: the common case (no year twice) costs one set, no list.
        if len(items) < 2 or len({x.year for x in items}) == len(items):
            return items
        years = [x.year for x in items]
        twice = sorted({y for y in years if years.count(y) > 1})
        raise PydanticCustomError(
            "value_error",
            "one assessment per year; repeated: {years}",
            {"years": twice, "reason": f"年度考核年份重复：{'、'.join(map(str, twice))}"},
        )


class EvaluateRequest(_Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EVALUATE_REQUEST]}
    )
    region: RegionCode
    """申报单位所在地区的行政区划代码（6位）"""
    county: RegionCode | None = None
    """县区的行政区划代码；不涉及为 null"""
    series: Series
    """系列：engineering 工程系列；arts_crafts 工艺美术系列"""
    level: Level
    """级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    as_of: IsoDate | None = None  # defaults to today in China Standard Time
    """评估日期；不填为今天（北京时间）"""
    industry: Industry | None = None
    """行业（决定部分地区的上报链路）；不涉及为 null"""
    specialty: str | None = Field(default=None, max_length=60)
    """拟评专业；未定为 null"""
    applicant: Applicant
    """申报人的事实"""

    @field_validator("county")
    @classmethod
    def _county_in_region(cls, county: str | None, info: ValidationInfo) -> str | None:
        region = info.data.get("region")
        if county is None or region is None:
            return county
        if not county_in_region(county, region):
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


def _as_dicts(schema: Any) -> Any:
    """The core schema of the request models with every model validated into a plain dict
    (same fields, types, bounds and defaults; a model's `config` kept) and the field
    validators (`function-after`) left out: the batch's fast path checks those in Python."""
    if isinstance(schema, list):
        return [_as_dicts(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind == "function-after":
        return _as_dicts(schema["schema"])
    if kind == "model":
        fields = schema["schema"]["fields"]
        return core_schema.typed_dict_schema(
            {
                name: core_schema.typed_dict_field(
                    _as_dicts(f["schema"]), required=f["schema"]["type"] != "default"
                )
                for name, f in fields.items()
            },
            config=schema["config"],
        )
    return {k: _as_dicts(v) for k, v in schema.items() if k not in ("ref", "metadata")}


# Building ~10 model instances per body is most of the validation's cost: the batch
# validates into dicts first (`services.rules.service.EligibilityService.evaluate_json`)
# and falls back on `BatchAdapter`, whose answers and errors are the contract's, for any
# batch this refuses or cannot vouch for.
FastBatchValidator = SchemaValidator(
    core_schema.list_schema(
        _as_dicts(EvaluateRequest.__pydantic_core_schema__), max_length=MAX_BATCH
    )
)


# Response models: they document the contract in OpenAPI; the endpoints build plain dicts.
class DeciderOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    level: Literal["unit", "series_office", "committee_office"]
    """认定层级：unit 用人单位；series_office 系列职改办；committee_office 评委会办公室"""
    named: bool = Field(
        description=("true：政策文件指明该层级，basis 引其原文；false：文件未指明，按默认")
    )
    basis: str
    """认定层级的依据"""


class ConditionOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """条件代码"""
    met: bool | None
    """是否满足；null 表示须由审核人员认定"""
    clause: str
    """所依据的条款"""
    message: str
    """结论说明（中文）"""
    required: Any = None
    """条件要求的值"""
    actual: Any = None
    """申报人的实际值"""
    decided_by: DeciderOut | None = Field(
        default=None,
        description="须人工认定的条件由哪一级认定；其他为 null",
    )


class PathOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    path: PathId
    """申报途径：normal 正常申报；direct 直接申报；exceptional 破格申报；
    dual_directed 定向评价；high_skill 高技能人才；former_civil_servant 公务员转任；
    engineering_master_early 工程硕士提前申报；series_transfer 转评；
    no_title 无职称申报
    """
    eligible: bool
    """该途径是否符合"""
    earliest_on: date | None
    """该途径最早可申报日期；没有则为 null"""
    conditions: list[ConditionOut] | None = Field(
        default=None,
        description=("每一条件的结论（只在单条评估和 explain=true 的批量评估中）；否则为 null"),
    )


class BlockerOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: BlockerId
    """情形代码"""
    clause: str
    """所依据的条款"""
    message: str
    """说明（中文）"""


class PolicyRef(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """政策包编号"""
    documents: list[str]
    """所依据文件的文号"""


class CommitteeOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str
    """评委会代码"""
    name: str
    """评委会名称"""
    office: str | None
    """接收材料的职改办；未载明为 null"""


class MaterialOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """材料编号"""
    name: str
    """材料名称"""
    clause: str
    """要求该材料的条款"""
    producer: Literal["applicant", "unit", "system"] = Field(
        default="applicant",
        description="谁提供该材料：applicant 申报人随申报上传；unit 用人单位在审核推荐环节"
        "填报或上传（答辩、审议推荐、公示、推荐意见）；system 系统据其他数据生成",
    )


class EvaluateResponse(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EVALUATE_RESPONSE]}
    )
    eligible: bool
    """是否至少有一条途径可以申报"""
    policy: PolicyRef
    """所适用的政策包"""
    blockers: list[BlockerOut]
    """不得申报的情形"""
    paths: list[PathOut]
    """各申报途径的结论"""
    earliest_on: date | None
    """最早可申报日期；现在可申报或无从判断为 null"""
    committee: CommitteeOut | None
    """受理的评委会；未确定为 null"""
    fee_yuan: int | None
    """评审费（元）；未规定为 null"""
    materials: list[MaterialOut]
    """需提交的材料"""


class RouteRequest(_Strict):
    """One declaration's routing facts: where its unit is, what it asks for, on which path,
    who employs the applicant and whether the unit is a local one."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ROUTE_REQUEST]}
    )

    region: RegionCode
    """申报单位所在地区的行政区划代码"""
    county: RegionCode | None = None
    """县区代码；不涉及为 null"""
    series: Series
    """系列：engineering 工程系列；arts_crafts 工艺美术系列"""
    level: Level
    """级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    as_of: IsoDate | None = None
    """日期；不填为今天（北京时间）"""
    industry: Industry | None = None
    """行业（决定部分地区的上报链路）；不涉及为 null"""
    specialty: str | None = Field(default=None, max_length=60)
    """拟评专业；未定为 null"""
    path: PathId = "normal"
    """申报途径：normal 正常申报；direct 直接申报；exceptional 破格申报；
    dual_directed 定向评价；high_skill 高技能人才；former_civil_servant 公务员转任；
    engineering_master_early 工程硕士提前申报；series_transfer 转评；
    no_title 无职称申报
    """
    employer_type: EmployerType | None = None
    """单位类型：public_institution 事业单位；state_owned 国有企业；private 民营企业；
    social_org 社会组织；freelancer 自由职业；civil_service 机关（公务员）；
    未填为 null
    """
    affiliation: Literal["central", "out_of_city", "out_of_province"] | None = Field(
        default=None,
        description="central: 中直驻桂（驻柳）单位; out_of_city: 外市单位驻柳分支机构; "
        "out_of_province: 外省单位驻桂分支机构; null: a local unit",
    )


class ClauseOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    key: str
    """条款在政策包内的编号"""
    ref: str = Field(description="文号 条款")
    text: str = Field(description="种子文件原句")


class RouteOfficeOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    duty: str = Field(
        description=(
            "职责：economic 经济；construction 建设；"
            "industry 工业和信息化；hrss 人力资源和社会保障；"
            "city_title_office 市职改办"
        )
    )
    name: str | None
    """机构名称；未载明为 null"""
    action: str = Field(description="在这一级做什么：审核、备案或审核推荐")
    rule: str | None = Field(description="写明它的路由规则编号；评委会一级为 null")
    label: str
    """说明（中文）"""
    clause: ClauseOut
    """所依据的条款"""


class RouteStepOut(RouteOfficeOut):
    model_config = ConfigDict(use_attribute_docstrings=True)
    kind: Literal["county_office"]
    """机构类别，固定为 county_office（县区职改办）"""


class RouteMaterialOut(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """材料编号"""
    name: str
    """材料名称"""
    producer: Literal["applicant"] = "applicant"
    """由谁提供，固定为 applicant（申报人）"""
    rule: str
    """要求它的路由规则编号"""
    label: str
    """说明（中文）"""
    clause: ClauseOut
    """所依据的条款"""


class RouteCommitteeOut(CommitteeOut):
    model_config = ConfigDict(use_attribute_docstrings=True)
    clause: ClauseOut
    """所依据的条款"""


class RouteResponse(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ROUTE_RESPONSE]}
    )
    policy: dict[str, str]
    """所适用的政策包（编号、名称）"""
    basis: ClauseOut | None = Field(description="规定上报层级的原句；没有则为 null")
    committee: RouteCommitteeOut | None
    """受理的评委会；未确定为 null"""
    series_office: RouteOfficeOut | None = Field(
        description="经过的系列一级职改办（种子文件写明时）；否则为 null"
    )
    steps: list[RouteStepOut] = Field(description="链路增加的县区一级职改办")
    materials: list[RouteMaterialOut] = Field(description="链路要求申报人提供的材料")


class PolicySummary(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.POLICY_SUMMARY]}
    )
    id: str
    """政策包编号"""
    title: str
    """政策包名称"""
    series: Series
    """系列：engineering 工程系列；arts_crafts 工艺美术系列"""
    regions: list[str]
    """适用地区的行政区划代码"""
    in_force_from: date = Field(description="施行日期：自此日起适用")
    in_force_basis: str = Field(description="施行日期所依据的条款")
    replaced_on: date | None = Field(
        description="同一系列、地区的新政策包自此日起施行；仍在施行为 null"
    )
    valid_from: date = Field(description="有效期起（同 in_force_from）")
    valid_to: date | None = Field(description="有效期止（replaced_on 的前一天）；不限为 null")
    levels: list[Level]
    """涵盖的级别"""
    documents: list[str]
    """所依据文件的文号"""


class CommitteeListItem(CommitteeOut):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.COMMITTEE_LIST_ITEM]},
    )
    levels: list[Level]
    """适用的级别"""
    clause: str
    """所依据的条款"""
    policy: str
    """政策包编号"""
