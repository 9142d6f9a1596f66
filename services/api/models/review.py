from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class UnitReview(SQLModel, table=True):
    """Unit defence, deliberation, public posting and recommendation.

    桂人社规〔2021〕11号 第二十条; 申报系统操作注意事项 二.
    """

    __tablename__ = "unit_review"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(primary_key=True, foreign_key="api.declaration.id")
    defence_on: date | None = None
    defence_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    defence_place: str | None = None
    defence_note: str | None = None
    deliberation_on: date
    panel: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    deliberation_note: str | None = None
    posting_start_on: date
    posting_end_on: date
    posting_working_days: int
    posting_objections: str | None = None
    recommendation: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    recommended_on: date
    agree: bool
    updated_by: str
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now())
    )


class ReviewStep(SQLModel, table=True):
    """One level of the chain, fixed at first submission by walking the tree upward."""

    __tablename__ = "review_step"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    position: int
    org_id: uuid.UUID = Field(foreign_key="api.org.id")
    org_name: str
    kind: str
    reached_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    completed_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    completed_by: str | None = None
    # The review queue's rank while the declaration waits here (chain/queue.py): its papers
    # flagged at submission, its claims shared with others. Written by triggers (api_0032).
    risk_flagged: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    risk_shared: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class DeclarationReturn(SQLModel, table=True):
    """A return for correction: one complete list and one deadline, immutable once issued."""

    __tablename__ = "declaration_return"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    n: int
    position: int
    org_id: uuid.UUID = Field(foreign_key="api.org.id")
    items: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    deadline_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    issued_by: str
    issued_role: str
    issued_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now())
    )
    resolved_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    # The submission the return was issued against: its snapshot is what each item's
    # section or material is compared with (chain/returns.py).
    baseline_n: int | None = None
    # The applicant's answer to each item, recorded at the resubmission.
    answers: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB))
