"""Request and response shapes of the committee stage."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.api.committee import examples
from services.kit.text import PlainLine

Series = Literal["engineering", "arts_crafts"]
Level = Literal["technician", "assistant", "intermediate", "deputy_senior", "senior"]
Specialty = Annotated[str, Field(min_length=1, max_length=50)]


class ExpertApplication(BaseModel):
    """评委专家入库申请."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.EXPERT_APPLICATION]},
    )

    name: PlainLine = Field(min_length=1, max_length=50)
    """姓名"""
    series: Series
    """系列：engineering 工程系列；arts_crafts 工艺美术系列"""
    specialties: list[Specialty] = Field(min_length=1, max_length=10)
    """专业（至少一个）"""
    title: PlainLine = Field(min_length=1, max_length=50, description="现有职称，如 正高级工程师")
    employer_org_id: uuid.UUID | None = Field(
        None, description=("工作单位在本平台的机构编号（按编号判断回避）；不是平台机构为 null")
    )
    employer_name: PlainLine = Field(min_length=1, max_length=100)
    """工作单位名称"""
    region_code: str = Field(pattern=r"^\d{6}$")
    """所在地区的行政区划代码"""
    conflict_org_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="申报回避的机构编号",
    )


class ExpertRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EXPERT_READ]}
    )
    id: uuid.UUID
    """专家编号"""
    office_org_id: uuid.UUID
    """所属评委会办公室编号"""
    name: str
    """姓名"""
    series: str
    """系列代码"""
    specialties: list[str]
    """专业"""
    title: str
    """现有职称"""
    employer_org_id: uuid.UUID | None
    """工作单位的机构编号；没有则为 null"""
    employer_name: str
    """工作单位名称"""
    region_code: str
    """所在地区的行政区划代码"""
    conflict_org_ids: list[uuid.UUID]
    """申报回避的机构编号"""
    status: str
    """状态：pending 待审核；approved 已入库；rejected 未核准；suspended 暂停；retired 已退出"""
    version: int
    """版本号"""
    decision_reason: str | None
    """最近一次决定的理由；没有则为 null"""


class ExpertDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.EXPERT_DECISION]},
    )

    decision: Literal["approve", "reject", "suspend", "reinstate", "retire"]
    """决定：approve 核准入库；reject 驳回；suspend 暂停；reinstate 恢复；retire 退出"""
    reason: str = Field(min_length=2, max_length=500)
    """理由"""


class CommitteeSettingWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.COMMITTEE_SETTING_WRITE]},
    )

    tier: Literal["provincial", "prefecture"]
    """级别：provincial 省级；prefecture 地市级"""
    min_panel: int | None = Field(
        None,
        ge=1,
        description=(
            "评审专家最低人数（单数；默认省级25人、地市级11人，人社部令第40号）；不填用默认值"
        ),
    )
    quorum: tuple[int, int] = Field((2, 3), description="须出席的比例（分子, 分母），默认三分之二")
    pass_mark: tuple[int, int] = Field(
        (2, 3), description=("通过所需的同意票比例（分子, 分母），按出席人数计算，默认三分之二")
    )


class CommitteeSettingRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.COMMITTEE_SETTING_READ]},
    )
    committee_code: str
    """评委会代码"""
    tier: str
    """级别：provincial 省级；prefecture 地市级"""
    min_panel: int
    """评审专家最低人数"""
    quorum: tuple[int, int]
    """须出席的比例（分子, 分母）"""
    pass_mark: tuple[int, int]
    """通过所需的同意票比例（分子, 分母），按出席人数计算"""
    default: bool = Field(description="true：未设置，按人社部令第40号的默认值")


class SessionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.SESSION_CREATE]},
    )

    campaign_id: uuid.UUID
    """申报批次编号"""
    level: Level
    """级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    panel_size: int = Field(ge=1, le=99)
    """评审专家人数（单数）"""
    mix: dict[Specialty, int] = Field(
        default_factory=dict,
        max_length=20,
        description="各专业的席位数（合计等于人数）；为空则从全部专业中抽取",
    )


class SessionRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.SESSION_READ]}
    )
    id: uuid.UUID
    """评审会编号"""
    committee_code: str
    """评委会代码"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    series: str
    """系列代码"""
    level: str
    """级别代码"""
    panel_size: int
    """评审专家人数"""
    mix: dict[str, int]
    """各专业的席位数"""
    rule: dict[str, Any]
    """本会的评审规则（最低人数、出席比例、通过比例）"""
    status: str
    """状态：created 已组建；drawn 已抽取专家；open 开会中；closed 已闭会"""
    version: int
    """版本号"""
    seed_sha256: str | None
    """随机种子的 SHA-256（抽取前记入审计链）；抽取前为 null"""
    seed: str | None
    """随机种子（抽取后公开）；抽取前为 null"""
    declaration_ids: list[uuid.UUID]
    """本会评审的申报书编号"""
    judging: dict[str, Any] = Field(
        description=("本会的评审方式，组建时取自批次的政策包：不记名投票，或答辩评价与量化赋分")
    )
    opened_at: datetime | None
    """开会时间；未开会为 null"""
    closed_at: datetime | None
    """闭会时间；未闭会为 null"""


class SeatRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.SEAT_READ]}
    )
    expert_id: uuid.UUID
    """专家编号"""
    name: str
    """专家姓名"""
    specialty: str
    """专业"""
    seat: int
    """席位号"""
    round: int
    """抽取轮次（0为首轮，补抽递增）"""
    status: str
    """席位状态：active 在席；recused 已回避"""
    recusal_reason: str | None
    """回避理由；没有则为 null"""
    present: bool
    """是否出席"""


class DrawVerification(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DRAW_VERIFICATION]}
    )
    seed: str
    """公开的随机种子"""
    seed_sha256: str
    """事先记入审计链的种子哈希"""
    seed_matches_commitment: bool
    """种子是否与事先记录的哈希一致"""
    candidates: dict[str, list[str]]
    """各专业的候选专家编号"""
    candidates_sha256: str
    """候选名单的 SHA-256"""
    mix: dict[str, int]
    """各专业的席位数"""
    recusals: list[tuple[int, str]]
    """回避记录：（席位, 理由）"""
    panel: list[tuple[str, str, int]] = Field(
        description="重新抽取得到的名单：（专业, 专家编号, 轮次）"
    )
    same_as_recorded: bool
    """重新抽取的名单是否与记录一致"""


class RecusalCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.RECUSAL_CREATE]},
    )

    reason: str = Field(min_length=2, max_length=500)
    """回避理由"""


class RecusalRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RECUSAL_READ]}
    )
    recused_expert_id: uuid.UUID
    """回避的专家编号"""
    round: int
    """补抽的轮次"""
    replacement_expert_id: uuid.UUID | None
    """补抽的专家编号；无人可补为 null"""


class AttendanceWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ATTENDANCE_WRITE]},
    )

    present: list[uuid.UUID] = Field(max_length=99)
    """出席的专家编号"""


class DefenceSlotCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.DEFENCE_SLOT_CREATE]},
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    starts_at: AwareDatetime
    """答辩开始时间（带时区）"""
    minutes: int | None = Field(None, ge=5, le=120)
    """答辩时长（分钟）；不填用默认值"""
    place: str | None = Field(None, min_length=2, max_length=30)
    """答辩地点；视频答辩可为 null"""
    video_link: str | None = Field(None, max_length=300, pattern=r"^https://\S+$")
    """视频答辩链接（https）；现场答辩为 null"""


class DefenceSlotRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DEFENCE_SLOT_READ]}
    )
    id: uuid.UUID
    """答辩安排编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    applicant_name: str
    """申报人姓名"""
    starts_at: datetime
    """答辩开始时间"""
    minutes: int
    """答辩时长（分钟）"""
    place: str | None
    """答辩地点；没有则为 null"""
    video_link: str | None
    """视频答辩链接；没有则为 null"""


class BallotCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.BALLOT_CREATE]},
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    choice: Literal["agree", "disagree", "abstain"]
    """表决：agree 同意；disagree 不同意；abstain 弃权"""


class BallotReceipt(BaseModel):
    """What a vote answers: that it was counted, never what it was."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.BALLOT_RECEIPT]}
    )

    session_id: uuid.UUID
    """评审会编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    cast: bool = True
    """已计入（不透露投了什么）"""


class TallyRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.TALLY_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    status: str
    """申报书状态"""
    outcome: dict[str, Any]
    """表决结果：评审专家数、出席人数、同意、不同意、弃权票数、通过所需票数、是否达到出席比例、是否通过及说明"""


# Scored sessions (答辩评价 + 量化赋分) ------------------------------------------------------

# A mark on 100 points as a decimal string (never a float): 0 to 100, at most two places.
Mark = Annotated[str, Field(pattern=r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$", examples=["87.5"])]
Grade = Literal["excellent", "medium", "poor"]


class MarkCreate(BaseModel):
    """One expert's 答辩 marks for one declaration, each on 100 points."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.MARK_CREATE]},
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    material: Mark = Field(description="答辩材料学术水平评价（占40%），百分制")
    live: Mark = Field(description="现场答辩评价（占60%），百分制")


class MarkReceipt(BaseModel):
    """What a mark answers: that it was recorded, never what it was."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.MARK_RECEIPT]}
    )

    session_id: uuid.UUID
    """评审会编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    recorded: bool = True
    """已记录（不透露分数）"""


class GradesWrite(BaseModel):
    """优/中/差 for every declaration of the session: entered (`grades`) or given by rank of
    the 答辩成绩 (`by_rank`), never both."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.GRADES_WRITE]},
    )

    grades: dict[uuid.UUID, Grade] | None = Field(None, max_length=2000)
    """申报书编号 → 等次（excellent 优、medium 中、poor 差）；按排名确定时为 null"""
    by_rank: bool = False
    """是否按答辩成绩排名确定等次（与 grades 二选一）"""


PointDecimal = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,2})?$", examples=["2"])]


class PointRuleWrite(BaseModel):
    """How one 量化赋分 item earns points, in the policy pack's shape: `each` per entry of
    its section (or per year, with `years_from`), `values` by the entry's `field`,
    `best_only` for the highest entry only, `cap` the most it gives."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    each: PointDecimal | None = None
    """每个条目（或每年）得分；不按条目计为 null"""
    field: str | None = Field(None, max_length=50)
    """values 所按的字段；没有则为 null"""
    values: dict[Annotated[str, Field(max_length=50)], PointDecimal] = Field({}, max_length=50)
    """按条目某字段的取值得分（取值 → 分值）"""
    best_only: bool = False
    """是否只计最高的一项"""
    years_from: str | None = Field(None, max_length=50)
    """按年计分时起算日期所在的字段；没有则为 null"""
    cap: PointDecimal | None = None
    """该项目的最高分；不设为 null"""


class PointsScheduleWrite(BaseModel):
    """量化赋分分值: the points the committee sets per item (the notice names the items but
    gives no points), and who set them on what basis (shown with every result)."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.POINTS_SCHEDULE_WRITE]},
    )

    points: dict[Annotated[str, Field(max_length=50)], PointRuleWrite] = Field(
        min_length=1, max_length=50, description="项目编号（如 papers）→ 该项目的赋分规则"
    )
    source: str = Field(min_length=2, max_length=200, examples=["评委会2022年第1次会议确定"])
    """分值的依据，如 评委会2022年第1次会议确定"""


class GradeRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.GRADE_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    grade: Grade
    """等次：excellent 优；medium 中；poor 差"""
    grade_name: str
    """等次的中文名称"""
    source: Literal["office", "rank"]
    """来源：office 办公室录入；rank 按答辩成绩排名"""


class AdjustmentCreate(BaseModel):
    """A change to one 量化赋分 item's points (+ or −), with the reason it is logged by."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ADJUSTMENT_CREATE]},
    )

    item: str = Field(min_length=1, max_length=50, description="赋分项目编号，如 papers")
    points: Annotated[str, Field(pattern=r"^-?\d{1,3}(\.\d{1,2})?$", examples=["2.5"])]
    """调整的分值（可为负，最多两位小数）"""
    reason: str = Field(min_length=2, max_length=500)
    """调整理由"""


class AdjustmentRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ADJUSTMENT_READ]}
    )
    id: uuid.UUID
    """调整编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    item: str
    """赋分项目编号"""
    item_name: str
    """赋分项目名称"""
    points: str
    """调整的分值"""
    reason: str
    """调整理由"""
    by_role: str
    """调整人的角色"""
    created_at: datetime
    """调整时间"""


class PointLineRead(BaseModel):
    """One prefilled 量化赋分 line and where it comes from (section and entry, documents)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    item: str
    """赋分项目编号"""
    name: str
    """赋分项目名称"""
    points: str | None
    """该行分值；分值未设定为 null"""
    section: str
    """依据的申报书栏目"""
    index: int | None
    """栏目中的条目序号；按整栏计为 null"""
    document_ids: list[str]
    """依据的材料编号"""
    note: str
    """说明"""


class PointsRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.POINTS_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    lines: list[PointLineRead]
    """预填的各行"""
    adjustments: list[AdjustmentRead]
    """每一次调整及理由"""
    prefilled: str
    """预填合计"""
    adjusted: str
    """调整合计"""
    total: str
    """总分"""
    basis: str
    """分值的依据"""
