from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.chain import examples
from services.api.deadlines.schemas import DeclarationPlanRead
from services.api.declarations.schemas import (
    EventRead,
    JudgementRead,
    ReturnRead,
    RiskSummary,
    StepRead,
)
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

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    moral_character: str = Field(min_length=1, max_length=1000, description="思想品德")
    work_results: str = Field(min_length=1, max_length=1000, description="工作成绩")
    professional_level: str = Field(min_length=1, max_length=1000, description="专业水平")
    competence: str = Field(min_length=1, max_length=1000, description="业务能力")
    work_attitude: str = Field(min_length=1, max_length=1000, description="工作态度")
    agree: bool
    """是否同意推荐"""
    recommended_on: date
    """推荐日期"""


class UnitReviewWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.UNIT_REVIEW_WRITE]},
    )

    defence_on: date | None = Field(
        default=None, description="答辩日期（副高、正高必填）；没有则为 null"
    )
    defence_at: datetime | None = Field(
        default=None, description="答辩时间（带时区）；会以短信告知申报人；没有则为 null"
    )
    defence_place: str | None = Field(
        default=None, max_length=35, description="答辩地点；没有则为 null"
    )
    defence_note: str | None = Field(default=None, max_length=2000)
    """答辩情况；没有则为 null"""
    deliberation_on: date
    """审议日期"""
    panel: list[str] = Field(min_length=1, max_length=50, description="审议小组成员（不少于5人）")
    deliberation_note: str | None = Field(default=None, max_length=2000)
    """审议情况；没有则为 null"""
    posting_start_on: date
    """公示开始日期"""
    posting_end_on: date
    """公示结束日期"""
    posting_objections: str | None = Field(default=None, max_length=2000)
    """公示期间的异议情况；没有则为 null"""
    recommendation: Recommendation
    """单位推荐意见"""


class UnitReviewRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_REVIEW_READ]}
    )
    declaration_id: str
    """申报书编号"""
    defence_on: date | None
    """答辩日期；没有则为 null"""
    defence_at: datetime | None
    """答辩时间；没有则为 null"""
    defence_place: str | None
    """答辩地点；没有则为 null"""
    defence_note: str | None
    """答辩情况；没有则为 null"""
    deliberation_on: date
    """审议日期"""
    panel: list[str]
    """审议小组成员"""
    deliberation_note: str | None
    """审议情况；没有则为 null"""
    posting_start_on: date
    """公示开始日期"""
    posting_end_on: date
    """公示结束日期"""
    posting_working_days: int
    """公示期的工作日数（按批次的工作日规则）"""
    posting_objections: str | None
    """公示期间的异议情况；没有则为 null"""
    recommendation: dict
    """单位推荐意见（五个方面的评价和结论）"""
    recommended_on: date
    """推荐日期"""
    agree: bool
    """是否同意推荐"""
    updated_by: str
    """最后记录者账号"""


class QueueItem(BaseModel):
    """One declaration waiting at the caller's step, as the review screen lists it."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.QUEUE_ITEM]}
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    name: str | None = Field(description="申报人姓名（基本信息）；未填为 null")
    level: str
    """级别代码"""
    specialty: str | None
    """拟评专业代码；未定为 null"""
    status: str
    """申报书状态"""
    submission_count: int
    """已提交的次数"""
    reached_at: datetime | None = Field(description="到达调用者这一级的时间；没有则为 null")
    risk: RiskSummary
    """风险计数"""
    open_judgements: int = Field(
        default=0,
        description="本级须认定、尚未认定的条件数（认定前不能通过）",
    )
    papers: list[PaperCheck] = Field(
        description=("每篇论文的核对结果，标出的在前（先是提交时记录的，再是新匹配的）")
    )


class OriginalCheckWrite(BaseModel):
    """原件核实 of one applicant document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.ORIGINAL_CHECK_WRITE]},
        use_attribute_docstrings=True,
    )

    seen_original: bool = Field(description="审核人是否见到并核对了原件")
    note: str | None = Field(
        default=None, max_length=500, description="说明；未见原件的须写明核验情况；否则可为 null"
    )


class OriginalCheckRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ORIGINAL_CHECK_READ]},
    )
    document_id: uuid.UUID
    """材料编号"""
    kind: str
    """材料类别"""
    checked: bool
    """是否已核实"""
    seen_original: bool | None = None
    """是否见到原件；未核实为 null"""
    note: str | None = None
    """说明；没有则为 null"""
    checked_by: str | None = None
    """核实人账号；未核实为 null"""
    checked_at: datetime | None = None
    """核实时间；未核实为 null"""


class UnitPledgeWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.UNIT_PLEDGE_WRITE]},
        use_attribute_docstrings=True,
    )

    text_version: str = Field(
        max_length=40, description="所签承诺书文本的版本（GET …/unit-pledge）"
    )


class UnitPledgeRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_PLEDGE_READ]}
    )
    text_version: str = Field(description="当前承诺书文本的版本")
    text: str
    """承诺书当前文本"""
    basis: str
    """承诺书所依据的条款"""
    signed: bool
    """是否已签"""
    signed_version: str | None = None
    """所签文本的版本；未签为 null"""
    signed_by: str | None = None
    """签署人账号；未签为 null"""
    signed_at: datetime | None = None
    """签署时间；未签为 null"""


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.OBJECTION_CREATE]},
        use_attribute_docstrings=True,
    )

    received_on: date = Field(description="收到异议的日期（公示期内）")
    content: str = Field(min_length=2, max_length=2000, description="异议内容")


class ObjectionResolve(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.OBJECTION_RESOLVE]},
        use_attribute_docstrings=True,
    )

    resolution: str = Field(min_length=2, max_length=2000, description="核查处理情况")


class ObjectionRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.OBJECTION_READ]}
    )
    id: uuid.UUID
    """异议编号"""
    received_on: date
    """收到异议的日期"""
    content: str
    """异议内容"""
    recorded_by: str
    """记录人账号"""
    recorded_at: datetime
    """记录时间"""
    resolved: bool
    """是否已处理"""
    resolution: str | None
    """核查处理情况；未处理为 null"""
    resolved_by: str | None
    """处理人账号；未处理为 null"""
    resolved_at: datetime | None
    """处理时间；未处理为 null"""


class EvaluationReplay(BaseModel):
    """Whether the last submission's stored evaluation is reproduced from its snapshot."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EVALUATION_REPLAY]}
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    n: int | None = Field(description="重放的是第几次提交（快照编号）；没有提交为 null")
    replayable: bool = Field(description="快照是否保存了评估所需的全部内容")
    matches: bool
    """是否完全一致"""
    request_matches: bool = Field(
        description=(
            "重建的请求及推导出的事实（未采用的填写值、日期核对结果、待交证明）是否与当时一致"
        )
    )
    evaluation_matches: bool = Field(description="资格服务现在的答复是否与保存的一致")
    differences: list[str] = Field(description="不一致之处（以点分隔的路径）")
    message: str
    """结论（中文）"""


class ReturnSweep(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.RETURN_SWEEP]}, use_attribute_docstrings=True
    )
    ran: bool = Field(description="是否执行；另一个副本持有锁时为 false")
    abandoned: list[uuid.UUID] = Field(description="本次转为视为放弃（abandoned）的申报书编号")


class ProgressRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.PROGRESS_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    status: str
    """申报书状态"""
    current_position: int | None
    """当前所在的审核链序号；未进入审核为 null"""
    steps: list[StepRead]
    """审核链的各级"""
    events: list[EventRead]
    """流转记录"""
    open_return: ReturnRead | None
    """尚未处理完的退回补正；没有则为 null"""
    judgements: list[JudgementRead] = Field(
        default_factory=list,
        description="待审核人员认定（或已认定）的条件及认定者",
    )
    plan: DeclarationPlanRead | None = None
    """单位各步骤和申报人提交的最迟日期（与 GET /v1/declarations/{id}/plan 的答复相同）；
    无法倒排时为 null，原因见 plan_unavailable"""
    plan_unavailable: str | None = None
    """无法倒排最迟日期的原因（批次未设定逐级上报截止时间、工作日历缺该年度等）；
    有 plan 时为 null"""
