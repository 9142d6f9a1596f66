from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.declarations.schemas import RiskSummary
from services.api.journals.schemas import PaperCheck

ASPECTS = {
    "moral_character": "思想品德",
    "work_results": "工作成绩",
    "professional_level": "专业水平",
    "competence": "业务能力",
    "work_attitude": "工作态度",
}


class Recommendation(BaseModel):
    """单位推荐意见: an appraisal on each of the five aspects, and agree or not."""

    model_config = ConfigDict(extra="forbid")

    moral_character: str = Field(min_length=1, max_length=1000, description="思想品德")
    work_results: str = Field(min_length=1, max_length=1000, description="工作成绩")
    professional_level: str = Field(min_length=1, max_length=1000, description="专业水平")
    competence: str = Field(min_length=1, max_length=1000, description="业务能力")
    work_attitude: str = Field(min_length=1, max_length=1000, description="工作态度")
    agree: bool
    recommended_on: date


class UnitReviewWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defence_on: date | None = Field(default=None, description="答辩日期（副高、正高必填）")
    defence_at: datetime | None = Field(
        default=None, description="scheduled defence time; the applicant is told by SMS"
    )
    defence_place: str | None = Field(default=None, max_length=35, description="答辩地点")
    defence_note: str | None = Field(default=None, max_length=2000)
    deliberation_on: date
    panel: list[str] = Field(min_length=1, max_length=50, description="审议小组成员（不少于5人）")
    deliberation_note: str | None = Field(default=None, max_length=2000)
    posting_start_on: date
    posting_end_on: date
    posting_objections: str | None = Field(default=None, max_length=2000)
    recommendation: Recommendation


class UnitReviewRead(BaseModel):
    declaration_id: str
    defence_on: date | None
    defence_at: datetime | None
    defence_place: str | None
    defence_note: str | None
    deliberation_on: date
    panel: list[str]
    deliberation_note: str | None
    posting_start_on: date
    posting_end_on: date
    posting_working_days: int
    posting_objections: str | None
    recommendation: dict
    recommended_on: date
    agree: bool
    updated_by: str


class QueueItem(BaseModel):
    """One declaration waiting at the caller's step, as the review screen lists it."""

    declaration_id: uuid.UUID
    name: str | None = Field(description="the applicant's name (基本信息)")
    level: str
    specialty: str | None
    status: str
    submission_count: int
    reached_at: datetime | None = Field(description="when it reached the caller's step")
    risk: RiskSummary
    open_judgements: int = Field(
        default=0,
        description="conditions left to a reviewer that this step must judge before passing "
        "the declaration up (GET …/judgements)",
    )
    papers: list[PaperCheck] = Field(
        description="every paper, flagged first (recorded at submission, then new matches)"
    )


class OriginalCheckWrite(BaseModel):
    """原件核实 of one applicant document."""

    model_config = ConfigDict(extra="forbid")

    seen_original: bool = Field(description="审核人是否见到并核对了原件")
    note: str | None = Field(
        default=None, max_length=500, description="说明；未见原件的须写明核验情况"
    )


class OriginalCheckRead(BaseModel):
    document_id: uuid.UUID
    kind: str
    checked: bool
    seen_original: bool | None = None
    note: str | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None


class UnitPledgeWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text_version: str = Field(
        max_length=40, description="所签承诺书文本的版本（GET …/unit-pledge）"
    )


class UnitPledgeRead(BaseModel):
    text_version: str = Field(description="当前承诺书文本的版本")
    text: str
    basis: str
    signed: bool
    signed_version: str | None = None
    signed_by: str | None = None
    signed_at: datetime | None = None


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: date = Field(description="收到异议的日期（公示期内）")
    content: str = Field(min_length=2, max_length=2000, description="异议内容")


class ObjectionResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: str = Field(min_length=2, max_length=2000, description="核查处理情况")


class ObjectionRead(BaseModel):
    id: uuid.UUID
    received_on: date
    content: str
    recorded_by: str
    recorded_at: datetime
    resolved: bool
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None


class EvaluationReplay(BaseModel):
    """Whether the last submission's stored evaluation is reproduced from its snapshot."""

    declaration_id: uuid.UUID
    n: int | None = Field(description="the submission replayed (its snapshot's number)")
    replayable: bool = Field(description="the snapshot keeps what the evaluation was built from")
    matches: bool
    request_matches: bool = Field(
        description="the request and the derived facts (ignored values, date findings, "
        "pending proofs) rebuilt equal the stored ones"
    )
    evaluation_matches: bool = Field(
        description="the eligibility service's answer now equals the stored one"
    )
    differences: list[str] = Field(description="where they differ (dotted paths)")
    message: str


class ReturnSweep(BaseModel):
    ran: bool = Field(description="false when another replica holds the sweep lock")
    abandoned: list[uuid.UUID] = Field(
        description="declarations moved to `abandoned` by this run (视为放弃申报)"
    )
