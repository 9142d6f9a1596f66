from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    model_config = ConfigDict(extra="forbid")

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    basis: str = Field(min_length=1, max_length=300, description="the clause the dates rest on")

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

    opens_at: UtcInstant | None = None
    closes_at: UtcInstant | None = None


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]+$")
    name: PlainLine = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    series: Series
    region_code: str = Field(pattern=r"^[1-8][0-9]{5}$")
    levels: list[Level] = Field(min_length=1)
    committee_code: str = Field(min_length=1, max_length=80)
    committee_name: PlainLine = Field(min_length=1, max_length=200)
    windows: dict[WindowKind, Window]
    posting_rule: Literal["strict", "official"] = Field(
        default="strict",
        description="strict: official working days that are not Saturday/Sunday; official: "
        "every official working day, make-up weekend days included",
    )
    fee_yuan: int | None = Field(
        default=None,
        ge=0,
        le=MAX_FEE_YUAN,
        description="评审费（元）: the campaign's fee where the policy pack sets none; at most "
        f"{MAX_FEE_YUAN} yuan",
    )
    fees_yuan: dict[Level, Fee] = Field(
        default_factory=dict,
        description="评审费（元）by level, from the campaign's notice (e.g. 长治 中级300元、"
        "初级260元); it comes before the policy pack's fee and `fee_yuan`",
    )
    office_org_id: uuid.UUID | None = Field(
        default=None,
        description="the office (职改办) that runs the campaign: it may correct the dates and "
        "fees until the campaign opens",
    )
    evaluate_on: date = Field(description="eligibility is evaluated on this date (cut-off)")

    @model_validator(mode="after")
    def _fees_for_its_levels(self) -> CampaignCreate:
        stray = sorted(set(self.fees_yuan) - set(self.levels))
        if stray:
            raise ValueError(f"评审费所列级别 {'、'.join(stray)} 不在本批次的级别中")
        return self


class CampaignUpdate(BaseModel):
    """An office's correction of its campaign before it opens: what is sent is replaced
    (a window kind sent replaces that window; kinds not sent stay)."""

    model_config = ConfigDict(extra="forbid")

    windows: dict[WindowKind, Window] | None = None
    evaluate_on: date | None = None
    fee_yuan: int | None = Field(default=None, ge=0, le=MAX_FEE_YUAN)
    fees_yuan: dict[Level, Fee] | None = None
    reason: str = Field(min_length=2, max_length=300, description="why (recorded in the audit)")

    @model_validator(mode="after")
    def _something(self) -> CampaignUpdate:
        if not (self.model_fields_set - {"reason"}):
            raise ValueError("未指明要更正的时间或评审费")
        return self


class CampaignRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    year: int
    series: str
    region_code: str
    levels: list[str]
    committee_code: str
    committee_name: str
    windows: dict[str, WindowRead]
    posting_rule: str
    fee_yuan: int | None
    fees_yuan: dict[str, int] = Field(default_factory=dict)
    office_org_id: uuid.UUID | None = None
    evaluate_on: date


class UnitQuality(BaseModel):
    unit_org_id: uuid.UUID
    unit_name: str
    recommended: int
    with_problems: int
    share: float
    flag: Literal["none", "explain", "rectify"]
    flag_zh: str
