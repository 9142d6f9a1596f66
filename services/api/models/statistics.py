"""The unit problem-rate follow-up (2023年度广西工艺美术系列通知 三（一）): “经审核发现存在问题的
比例达到或超过本单位申报总数 10%的，由推荐单位作出说明；达到或超过 20%的，由推荐单位作出说明并
报送书面整改方案，评委会组建单位视问题情形和程度予以通报或暂停该推荐单位次年推荐申报权限。”"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class UnitFollowUp(SQLModel, table=True):
    """One per campaign and unit: what the office asked (`explain` or `rectify`, from the
    share when asked), the documents the unit filed, and a suspension of the unit's
    recommendations in `year + 1` for the campaign's series."""

    __tablename__ = "unit_follow_up"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="api.campaign.id")
    unit_org_id: uuid.UUID = Field(foreign_key="api.org.id")
    series: str
    year: int
    requirement: str  # explain | rectify
    recommended: int
    with_problems: int
    requested_by: str
    requested_by_org: uuid.UUID | None = None
    requested_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    explanation_document_id: uuid.UUID | None = None
    plan_document_id: uuid.UUID | None = None
    suspended_year: int | None = None
    suspension_reason: str | None = None
    suspended_by: str | None = None
    suspended_at: datetime | None = Field(default=None, sa_column=Column(TZ))
