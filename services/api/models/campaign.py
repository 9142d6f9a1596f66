from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Campaign(SQLModel, table=True):
    """One year × series × committee, with its absolute deadlines (Asia/Shanghai)."""

    __tablename__ = "campaign"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str
    name: str
    year: int
    series: str
    region_code: str
    levels: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    committee_code: str
    committee_name: str
    # kind → {opens_at, closes_at, basis}; kinds: submission, unit_review, office_review,
    # committee_review, correction, payment.
    windows: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    posting_rule: str = "strict"
    fee_yuan: int | None = None
    # level → 评审费（元）, from the campaign's notice (e.g. 长治 中级300元、初级260元).
    fees_yuan: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    # The office that runs the campaign and may correct its dates and fees before it opens.
    office_org_id: uuid.UUID | None = Field(default=None, foreign_key="api.org.id")
    # The date eligibility is evaluated on (the campaign's cut-off for seniority).
    evaluate_on: date
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now())
    )
