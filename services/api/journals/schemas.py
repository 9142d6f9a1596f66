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

    level: PaperLevel
    matched_by: Literal["issn", "cn", "name"] | None
    entry: JournalRead | None
    message: str | None


class PaperCheck(BaseModel):
    """One paper of a declaration against the register (学术风险预警)."""

    index: int
    title: str
    journal: str
    issn_cn: str | None
    flagged: bool
    level: PaperLevel
    matched_by: Literal["issn", "cn", "name"] | None
    entry: JournalRead | None = Field(description="the register entry matched, if any")
    message: str | None
    basis: Literal["submission", "current"] = Field(
        default="current",
        description="submission: the check recorded when the declaration was submitted "
        "(entry, status, source and date as they stood then, kept whatever the register "
        "says later); current: a match against today's register",
    )
    basis_zh: str = Field(default="按当前期刊名录核对", description="the basis, for people")
    submission: int | None = Field(
        default=None, description="which submission recorded it (basis submission)"
    )
    recorded_at: datetime | None = None
    submitted_level: PaperLevel | None = Field(
        default=None, description="the level recorded at the latest submission, if checked"
    )
    new_since_submission: bool = Field(
        default=False,
        description="flagged by today's register though not flagged when it was submitted",
    )
    now: PaperNow | None = Field(
        default=None,
        description="basis submission only: today's register, when it says something else",
    )


class Conversion(BaseModel):
    """决策咨询类信息 counted as papers (highest standard only, not cumulative)."""

    index: int
    title: str
    grade: Literal["national_authority", "core", "public"] | None
    grade_zh: str | None
    count: float
    basis: str


class DuplicateClaim(BaseModel):
    kind: Literal["paper", "achievement"]
    label: str
    other_declarations: int
    other_declaration_ids: list[uuid.UUID] | None
    message: str
