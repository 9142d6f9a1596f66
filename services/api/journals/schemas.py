from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

JournalStatus = Literal["legitimate", "suspected_illegal", "ceased"]


class JournalRead(BaseModel):
    id: uuid.UUID
    issn: str | None
    cn: str | None
    name: str
    status: JournalStatus
    source: str
    listed_on: date


class RowError(BaseModel):
    line: int
    message: str


class JournalImportRead(BaseModel):
    created: int
    updated: int
    unchanged: int


class PaperCheck(BaseModel):
    """One paper of a declaration against the register (学术风险预警)."""

    index: int
    title: str
    journal: str
    issn_cn: str | None
    flagged: bool
    level: Literal["risk", "notice", "none"]
    matched_by: Literal["issn", "cn", "name"] | None
    entry: JournalRead | None = Field(description="the register entry matched, if any")
    message: str | None


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
