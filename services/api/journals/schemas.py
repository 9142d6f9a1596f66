from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.journals import examples

JournalStatus = Literal["legitimate", "suspected_illegal", "ceased"]


class JournalRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.JOURNAL_READ]}
    )
    id: uuid.UUID
    """名录条目编号"""
    issn: str | None
    """国际标准连续出版物号（ISSN）；没有则为 null"""
    cn: str | None
    """国内统一连续出版物号（CN）；没有则为 null"""
    name: str
    """刊名"""
    status: JournalStatus
    """状态：legitimate 正常；suspected_illegal 涉嫌非法出版物；ceased 停刊"""
    source: str
    """名录信息的来源"""
    listed_on: date
    """来源列出该条目的日期（停刊的为停刊日期）"""


class RowError(BaseModel):
    line: int
    message: str


class JournalImportRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.JOURNAL_IMPORT_READ]},
    )
    created: int
    """新增的条目数"""
    updated: int
    """有变化而更新的条目数"""
    unchanged: int
    """无变化的条目数"""


PaperLevel = Literal["risk", "notice", "none"]


class PaperNow(BaseModel):
    """Today's register on a paper whose check was recorded at submission, when it now
    says something else (the entry changed, was listed or was cleared)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    level: PaperLevel
    """按今天名录的预警级别：risk、notice 或 none"""
    matched_by: Literal["issn", "cn", "name"] | None
    """匹配方式：issn、cn 或 name；未匹配为 null"""
    entry: JournalRead | None
    """今天匹配到的名录条目；没有则为 null"""
    message: str | None
    """提示内容；没有则为 null"""


class PaperCheck(BaseModel):
    """One paper of a declaration against the register (学术风险预警)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    index: int
    """在申报书论文栏中的序号"""
    title: str
    """论文题目"""
    journal: str
    """期刊名称"""
    issn_cn: str | None
    """填报的 ISSN 或 CN 号；没有则为 null"""
    flagged: bool
    """是否有风险或需注意"""
    level: PaperLevel
    """预警级别：risk 有风险；notice 需注意；none 无"""
    matched_by: Literal["issn", "cn", "name"] | None
    """与名录条目的匹配方式：issn、cn 或 name（刊名）；未匹配为 null"""
    entry: JournalRead | None = Field(description="匹配到的期刊名录条目；没有则为 null")
    message: str | None
    """提示内容（中文）；没有则为 null"""
    basis: Literal["submission", "current"] = Field(
        default="current",
        description=(
            "核对依据：submission 提交时记录的核对结果（此后名录变化不改"
            "）；current 按今天的期刊名录核对"
        ),
    )
    basis_zh: str = Field(default="按当前期刊名录核对", description="核对依据的中文说明")
    submission: int | None = Field(
        default=None, description="记录该结果的是第几次提交；按今天核对为 null"
    )
    recorded_at: datetime | None = None
    """提交时记录核对结果的时间；按今天核对为 null"""
    submitted_level: PaperLevel | None = Field(
        default=None, description="最近一次提交时记录的预警级别；未记录为 null"
    )
    new_since_submission: bool = Field(
        default=False,
        description="提交时无风险、按今天的名录有风险",
    )
    now: PaperNow | None = Field(
        default=None,
        description=("仅提交时的核对结果：今天的名录另有说法时的核对结果；否则为 null"),
    )


class Conversion(BaseModel):
    """决策咨询类信息 counted as papers (highest standard only, not cumulative)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    index: int
    """在申报书决策咨询类信息中的序号"""
    title: str
    """信息标题"""
    grade: Literal["national_authority", "core", "public"] | None
    """折算等级：national_authority 国家权威期刊；core 核心期刊；public 公开发表；
    无法折算为 null
    """
    grade_zh: str | None
    """折算等级的中文名称；无法折算为 null"""
    count: float
    """折算的篇数"""
    basis: str
    """折算依据"""


class DuplicateClaim(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    kind: Literal["paper", "achievement"]
    """重复的类别：paper 论文；achievement 业绩"""
    label: str
    """重复的论文或业绩名称"""
    other_declarations: int
    """同一年度填报了同一项的其他申报书份数"""
    other_declaration_ids: list[uuid.UUID] | None
    """这些申报书的编号（仅对能看到它们的审核人员）；否则为 null"""
    message: str
    """提示内容（中文）"""
