"""The eligibility radar: an applicant's subscription to their own eligibility.

The facts are the ones the applicant submitted to the self-check (the eligibility
contract's request body, DESIGN.md); the plan is what the eligibility service answered
for them when they subscribed: each path that becomes eligible on a later date, that
date and the clause it rests on. The sweep (radar/sweep.py) tells them once each date
arrives, and when a campaign they qualify for opens.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class EligibilitySubscription(SQLModel, table=True):
    __tablename__ = "eligibility_subscription"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    applicant_sub: str = Field(unique=True)
    # The unit the applicant named to share the radar with (its 岗位结构比例 roster).
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="api.org.id")
    region: str
    series: str
    level: str
    request: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # [{path, on, eligible_then, clause, message, notified}], see radar/plan.py.
    plan: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    subscribed_on: date
    # The earliest date in the plan not yet told; NULL when nothing is left to tell.
    next_due_on: date | None = None
    # The campaigns (ids) whose opening the applicant was told of.
    campaigns_told: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    # The Beijing day the radar last told them anything: at most one radar SMS a day.
    last_told_on: date | None = None
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, nullable=False, server_default=func.now())
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, nullable=False, server_default=func.now())
    )
