from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.api.campaigns import examples
from services.kit.text import PlainLine, UtcInstant
from services.kit.vocabulary import Level, Series

# The largest review fee a campaign may set: far above any fee in the seeds (the highest
# is 工艺美术 正高 450元, 桂职办 2023), and its amount in fen fits the payment order.
MAX_FEE_YUAN = 100_000

Fee = Annotated[int, Field(ge=0, le=MAX_FEE_YUAN)]

WindowKind = Literal[
    "submission", "unit_review", "office_review", "committee_review", "correction", "payment"
]


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    opens_at: datetime | None = None
    """开始时间（带时区）；null 表示自批次建立起即开始"""
    closes_at: datetime | None = None
    """截止时间（带时区）；null 表示不设截止"""
    basis: str = Field(min_length=1, max_length=300, description="起止时间所依据的条款")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        for value in (self.opens_at, self.closes_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("时间须带时区，例如 2022-07-31T23:59:00+08:00")
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValueError("开始时间须早于截止时间")
        return self


class WindowRead(Window):
    """A window as answered: its instants in UTC (`Z`) like every instant of the API,
    whatever zone they were stated (and stored) in."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    opens_at: UtcInstant | None = None
    """开始时间（UTC）；null 表示自批次建立起即开始"""
    closes_at: UtcInstant | None = None
    """截止时间（UTC）；null 表示不设截止"""


class CampaignCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.CAMPAIGN_CREATE]},
    )

    code: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]+$")
    """批次代码（小写字母、数字和连字符），全局唯一"""
    name: PlainLine = Field(min_length=1, max_length=200)
    """批次名称"""
    year: int = Field(ge=2000, le=2100)
    """评审年度"""
    series: Series
    """职称系列：engineering 工程系列；arts_crafts 工艺美术系列"""
    region_code: str = Field(pattern=r"^[1-8][0-9]{5}$")
    """批次所属地区的行政区划代码（6位）"""
    levels: list[Level] = Field(min_length=1)
    """本批次评审的级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    committee_code: str = Field(min_length=1, max_length=80)
    """受理评审的评委会代码"""
    committee_name: PlainLine = Field(min_length=1, max_length=200)
    """评委会名称"""
    windows: dict[WindowKind, Window]
    """各阶段的起止时间，按阶段类别：submission 申报；unit_review 单位审核；
    office_review 职改办审核；committee_review 评委会评审；correction 补正；
    payment 缴费
    """
    posting_rule: Literal["strict", "official"] = Field(
        default="strict",
        description=(
            "公示期的工作日规则：strict 只计非周六、周日的法定工作日；"
            "official 计全部法定工作日（含调休上班的周末）"
        ),
    )
    fee_yuan: int | None = Field(
        default=None,
        ge=0,
        le=MAX_FEE_YUAN,
        description="评审费（元）：政策包未规定时本批次的评审费，最多100000元",
    )
    fees_yuan: dict[Level, Fee] = Field(
        default_factory=dict,
        description=(
            "各级别的评审费（元），取自本批次通知（如长治 中级300元、"
            "初级260元）；优先于政策包和 fee_yuan"
        ),
    )
    office_org_id: uuid.UUID | None = Field(
        default=None,
        description=("负责本批次的职改办：批次开始前可更正日期和评审费；不设为 null"),
    )
    evaluate_on: date = Field(description="资格计算截止日：按此日评估申报条件")

    @model_validator(mode="after")
    def _fees_for_its_levels(self) -> CampaignCreate:
        stray = sorted(set(self.fees_yuan) - set(self.levels))
        if stray:
            raise ValueError(f"评审费所列级别 {'、'.join(stray)} 不在本批次的级别中")
        return self


class CampaignUpdate(BaseModel):
    """An office's correction of its campaign before it opens: what is sent is replaced
    (a window kind sent replaces that window; kinds not sent stay)."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.CAMPAIGN_UPDATE]},
    )

    windows: dict[WindowKind, Window] | None = None
    """要替换的阶段时间段（按类别整段替换，未提交的类别不变）；null 不改"""
    evaluate_on: date | None = None
    """新的资格计算截止日；null 不改"""
    fee_yuan: int | None = Field(default=None, ge=0, le=MAX_FEE_YUAN)
    """新的评审费（元）；null 不改"""
    fees_yuan: dict[Level, Fee] | None = None
    """新的各级别评审费（元）；null 不改"""
    reason: str = Field(min_length=2, max_length=300, description="更正理由（记入审计）")

    @model_validator(mode="after")
    def _something(self) -> CampaignUpdate:
        if not (self.model_fields_set - {"reason"}):
            raise ValueError("未指明要更正的时间或评审费")
        return self


class CampaignRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CAMPAIGN_READ]}
    )
    id: uuid.UUID
    """批次编号"""
    code: str
    """批次代码"""
    name: str
    """批次名称"""
    year: int
    """评审年度"""
    series: str
    """职称系列代码"""
    region_code: str
    """所属地区的行政区划代码"""
    levels: list[str]
    """评审的级别代码"""
    committee_code: str
    """受理评审的评委会代码"""
    committee_name: str
    """评委会名称"""
    windows: dict[str, WindowRead]
    """各阶段的起止时间（按阶段类别）"""
    posting_rule: str
    """公示期的工作日规则：strict 或 official"""
    fee_yuan: int | None
    """本批次的评审费（元）；未设为 null"""
    fees_yuan: dict[str, int] = Field(default_factory=dict)
    """各级别的评审费（元）"""
    office_org_id: uuid.UUID | None = None
    """负责本批次的职改办；未设为 null"""
    evaluate_on: date
    """资格计算截止日"""


class UnitQuality(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_QUALITY]}
    )
    unit_org_id: uuid.UUID
    """推荐单位编号"""
    unit_name: str
    """推荐单位名称"""
    recommended: int
    """推荐上报的申报书数"""
    with_problems: int
    """其中被上级退回补正的数目"""
    share: float
    """问题比例（0至1）"""
    flag: Literal["none", "explain", "rectify"]
    """标记：none 无；explain 应作出说明（≥10%）；rectify 应报送整改方案（≥20%）"""
    flag_zh: str
    """标记的中文说明"""
