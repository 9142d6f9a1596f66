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

    model_config = ConfigDict(extra="forbid")

    name: PlainLine = Field(min_length=1, max_length=50)
    series: Series
    specialties: list[Specialty] = Field(min_length=1, max_length=10)
    title: PlainLine = Field(min_length=1, max_length=50, description="现有职称，如 正高级工程师")
    employer_org_id: uuid.UUID | None = Field(
        None, description="The employer when it is an org of the platform (conflicts by id)"
    )
    employer_name: PlainLine = Field(min_length=1, max_length=100)
    region_code: str = Field(pattern=r"^\d{6}$")
    conflict_org_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Orgs the expert declares a conflict of interest with (回避)",
    )


class ExpertRead(BaseModel):
    id: uuid.UUID
    office_org_id: uuid.UUID
    name: str
    series: str
    specialties: list[str]
    title: str
    employer_org_id: uuid.UUID | None
    employer_name: str
    region_code: str
    conflict_org_ids: list[uuid.UUID]
    status: str
    version: int
    decision_reason: str | None


class ExpertDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject", "suspend", "reinstate", "retire"]
    reason: str = Field(min_length=2, max_length=500)


class CommitteeSettingWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Literal["provincial", "prefecture"]
    min_panel: int | None = Field(
        None, ge=1, description="Odd; default 25 provincial, 11 prefecture (人社部令第40号)"
    )
    quorum: tuple[int, int] = Field((2, 3), description="Share of the panel that must attend")
    pass_mark: tuple[int, int] = Field((2, 3), description="Share of those present to pass")


class CommitteeSettingRead(BaseModel):
    committee_code: str
    tier: str
    min_panel: int
    quorum: tuple[int, int]
    pass_mark: tuple[int, int]
    default: bool = Field(description="True: no setting stored, the national defaults apply")


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: uuid.UUID
    level: Level
    panel_size: int = Field(ge=1, le=99)
    mix: dict[Specialty, int] = Field(
        default_factory=dict,
        max_length=20,
        description="Seats per specialty (sum = panel_size); empty: drawn from every specialty",
    )


class SessionRead(BaseModel):
    id: uuid.UUID
    committee_code: str
    campaign_id: uuid.UUID
    series: str
    level: str
    panel_size: int
    mix: dict[str, int]
    rule: dict[str, Any]
    status: str
    version: int
    seed_sha256: str | None
    seed: str | None
    declaration_ids: list[uuid.UUID]
    judging: dict[str, Any] = Field(
        description="How this session judges, fixed when it was created from the campaign's "
        "policy pack: `method` vote (secret ballot) or defence_and_points (答辩评价 + 量化赋分), "
        "with the rules and the clauses they cite"
    )
    opened_at: datetime | None
    closed_at: datetime | None


class SeatRead(BaseModel):
    expert_id: uuid.UUID
    name: str
    specialty: str
    seat: int
    round: int
    status: str
    recusal_reason: str | None
    present: bool


class DrawVerification(BaseModel):
    seed: str
    seed_sha256: str
    seed_matches_commitment: bool
    candidates: dict[str, list[str]]
    candidates_sha256: str
    mix: dict[str, int]
    recusals: list[tuple[int, str]]
    panel: list[tuple[str, str, int]] = Field(description="(specialty, expert id, round)")
    same_as_recorded: bool


class RecusalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=500)


class RecusalRead(BaseModel):
    recused_expert_id: uuid.UUID
    round: int
    replacement_expert_id: uuid.UUID | None


class AttendanceWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    present: list[uuid.UUID] = Field(max_length=99)


class DefenceSlotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID
    starts_at: AwareDatetime
    minutes: int | None = Field(None, ge=5, le=120)
    place: str | None = Field(None, min_length=2, max_length=30)
    video_link: str | None = Field(None, max_length=300, pattern=r"^https://\S+$")


class DefenceSlotRead(BaseModel):
    id: uuid.UUID
    declaration_id: uuid.UUID
    applicant_name: str
    starts_at: datetime
    minutes: int
    place: str | None
    video_link: str | None


class BallotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID
    choice: Literal["agree", "disagree", "abstain"]


class BallotReceipt(BaseModel):
    """What a vote answers: that it was counted, never what it was."""

    session_id: uuid.UUID
    declaration_id: uuid.UUID
    cast: bool = True


class TallyRead(BaseModel):
    declaration_id: uuid.UUID
    status: str
    outcome: dict[str, Any]


# Scored sessions (答辩评价 + 量化赋分) ------------------------------------------------------

# A mark on 100 points as a decimal string (never a float): 0 to 100, at most two places.
Mark = Annotated[str, Field(pattern=r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$", examples=["87.5"])]
Grade = Literal["excellent", "medium", "poor"]


class MarkCreate(BaseModel):
    """One expert's 答辩 marks for one declaration, each on 100 points."""

    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID
    material: Mark = Field(description="答辩材料学术水平评价 (40 %)")
    live: Mark = Field(description="现场答辩评价 (60 %)")


class MarkReceipt(BaseModel):
    """What a mark answers: that it was recorded, never what it was."""

    session_id: uuid.UUID
    declaration_id: uuid.UUID
    recorded: bool = True


class GradesWrite(BaseModel):
    """优/中/差 for every declaration of the session: entered (`grades`) or given by rank of
    the 答辩成绩 (`by_rank`), never both."""

    model_config = ConfigDict(extra="forbid")

    grades: dict[uuid.UUID, Grade] | None = Field(None, max_length=2000)
    by_rank: bool = False


PointDecimal = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,2})?$", examples=["2"])]


class PointRuleWrite(BaseModel):
    """How one 量化赋分 item earns points, in the policy pack's shape: `each` per entry of
    its section (or per year, with `years_from`), `values` by the entry's `field`,
    `best_only` for the highest entry only, `cap` the most it gives."""

    model_config = ConfigDict(extra="forbid")

    each: PointDecimal | None = None
    field: str | None = Field(None, max_length=50)
    values: dict[Annotated[str, Field(max_length=50)], PointDecimal] = Field({}, max_length=50)
    best_only: bool = False
    years_from: str | None = Field(None, max_length=50)
    cap: PointDecimal | None = None


class PointsScheduleWrite(BaseModel):
    """量化赋分分值: the points the committee sets per item (the notice names the items but
    gives no points), and who set them on what basis (shown with every result)."""

    model_config = ConfigDict(extra="forbid")

    points: dict[Annotated[str, Field(max_length=50)], PointRuleWrite] = Field(
        min_length=1, max_length=50, description="item id (e.g. papers) → its point rule"
    )
    source: str = Field(min_length=2, max_length=200, examples=["评委会2022年第1次会议确定"])


class GradeRead(BaseModel):
    declaration_id: uuid.UUID
    grade: Grade
    grade_name: str
    source: Literal["office", "rank"]


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

    item: str
    name: str
    points: str | None
    section: str
    index: int | None
    document_ids: list[str]
    note: str


class PointsRead(BaseModel):
    declaration_id: uuid.UUID
    lines: list[PointLineRead]
    adjustments: list[AdjustmentRead]
    prefilled: str
    adjusted: str
    total: str
    basis: str
