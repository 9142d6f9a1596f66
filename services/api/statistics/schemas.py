"""Request and response shapes of the office statistics and the unit follow-up."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Bucket(BaseModel):
    """One value of a dimension: how many declarations, and how many came out which way."""

    key: str | None = Field(description="the value (a status, level, path, specialty or unit id)")
    label: str = Field(description="what a person reads: 中文 name or the unit's name")
    count: int
    evaluated: int
    approved: int
    rejected: int
    pass_rate: float | None = Field(
        description="approved / (approved + rejected), null while nothing is decided"
    )


class CampaignStatistics(BaseModel):
    campaign_id: uuid.UUID
    total: int
    evaluated: int
    approved: int
    rejected: int
    pass_rate: float | None
    by_status: list[Bucket]
    by_level: list[Bucket]
    by_unit: list[Bucket]
    by_specialty: list[Bucket]
    by_path: list[Bucket]


Requirement = Literal["none", "explain", "rectify"]


class UnitProblemRate(BaseModel):
    unit_org_id: uuid.UUID
    unit_name: str
    recommended: int = Field(description="declarations the unit passed up (its step completed)")
    with_problems: int = Field(description="of those, returned for correction by a higher level")
    share: float
    requirement: Requirement
    requirement_zh: str
    follow_up_id: uuid.UUID | None = None


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_org_id: uuid.UUID


class SuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="暂停理由（问题情形和程度）")


class FollowUpRead(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    unit_org_id: uuid.UUID
    series: str
    year: int
    requirement: Literal["explain", "rectify"]
    requirement_zh: str
    recommended: int
    with_problems: int
    requested_by: str
    requested_at: datetime
    explanation_document_id: uuid.UUID | None
    plan_document_id: uuid.UUID | None
    suspended_year: int | None
    suspension_reason: str | None
    suspended_at: datetime | None


class FollowUpDocumentLink(BaseModel):
    """What the document service answers for a download (at most 15 minutes)."""

    url: str
    expires_at: datetime
