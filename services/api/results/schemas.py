"""Request and response shapes of the results stage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.committee.schemas import Grade, Mark
from services.kit.text import PlainLine

Text = Field(min_length=2, max_length=2000)


class RecheckCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=2000, description="复核的理由（记入审计）")


class RecheckRead(BaseModel):
    id: uuid.UUID
    declaration_id: uuid.UUID
    session_id: uuid.UUID
    reason: str
    status: Literal["open", "closed"]
    version: int
    opened_at: datetime
    closed_at: datetime | None
    previous: dict[str, Any]
    outcome: dict[str, Any] | None = Field(
        description="the re-vote's tally (a scored session: the re-scored outcome), once closed"
    )


class RecheckMarkCreate(BaseModel):
    """An expert's new 答辩 marks in a scored session's 复核, each on 100 points."""

    model_config = ConfigDict(extra="forbid")
    material: Mark = Field(description="答辩材料学术水平评价 (40 %)")
    live: Mark = Field(description="现场答辩评价 (60 %)")


class RecheckMarkReceipt(BaseModel):
    """That the marks were recorded, never what they were."""

    recheck_id: uuid.UUID
    recorded: bool = True


class RecheckClose(BaseModel):
    """Closing a 复核. In a scored session the declaration keeps the grade the session
    fixed, unless the office sets `grade` here; the session's grades with it must then
    still hold 3:6:1."""

    model_config = ConfigDict(extra="forbid")
    grade: Grade | None = Field(None, description="优/中/差 re-derived by the office")


class RecheckBallotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choice: Literal["agree", "disagree", "abstain"]


class RecheckReceipt(BaseModel):
    recheck_id: uuid.UUID
    counted: bool = True


class PostingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_on: date
    ends_on: date


class PostingRow(BaseModel):
    no: int
    name: str = Field(description="姓名（遮蔽）")
    unit: str
    series: str
    level: str
    specialty: str
    result: str


class PostingRead(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    kind: Literal["posting", "publication"] = Field(
        description="posting: 二次公示; publication: the approved list (主动公开)"
    )
    title: str
    starts_on: date
    ends_on: date
    working_days: int
    rows: list[PostingRow]
    content_sha256: str
    xlsx_sha256: str
    pdf_sha256: str
    published_at: datetime
    version: int
    objections_open: bool
    confirmation_authority: str | None = None
    confirmation_document: str | None = None
    confirmed_at: datetime | None = None
    approval_number: str | None = None
    approved_on: date | None = None


class ConfirmationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_number: str | None = Field(
        default=None,
        min_length=3,
        max_length=100,
        description="评审结果确认文件的文号 (required where the authority is not the office)",
    )


class ResultsApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_number: str = Field(min_length=3, max_length=100, description="批复文号")
    approved_on: date


class ApprovalRead(BaseModel):
    posting: PostingRead
    publication: PostingRead
    approved: list[uuid.UUID]
    rejected: list[uuid.UUID]
    certificates: dict[str, str] = Field(description="declaration id → certificate number")


class RevocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=2000)
    document_number: str | None = Field(default=None, max_length=100)


class CertificateStatus(BaseModel):
    status: Literal["genuine", "revoked", "unknown"]


class CertificateSummary(BaseModel):
    certificate_id: uuid.UUID
    number: str
    revoked: bool


class ExportCheck(BaseModel):
    matches: bool
    posting_id: uuid.UUID | None = None
    format: Literal["xlsx", "pdf"] | None = None
    content_sha256: str | None = None


class ResultsObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    no: int = Field(ge=1, description="公示名单中的序号")
    content: str = Field(min_length=5, max_length=4000, description="异议内容与事实依据")
    contact_name: PlainLine = Field(min_length=1, max_length=40)
    phone: str = Field(pattern=r"^1\d{10}$")
    code: str = Field(pattern=r"^\d{6}$", description="发到该手机的短信验证码")


class ObjectionReceipt(BaseModel):
    id: uuid.UUID
    received_at: datetime


class ResultsObjectionRead(BaseModel):
    id: uuid.UUID
    posting_id: uuid.UUID
    declaration_id: uuid.UUID
    content: str
    contact_name: str
    contact_phone: str = Field(description="masked")
    status: Literal["open", "upheld", "dismissed"]
    version: int
    handling: str | None
    handled_at: datetime | None
    received_at: datetime


class ObjectionHandling(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["upheld", "dismissed"]
    handling: str = Field(min_length=2, max_length=4000, description="核查与处理情况")
