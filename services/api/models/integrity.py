from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class IntegrityRecord(SQLModel, table=True):
    """An entry of the integrity register (职称评审诚信档案库): an office found 失信 in an
    applicant's declaration. In force from `recorded_on` until the day before `until`
    (记录期限, three years by default: 长工信〔2022〕139号 十（二）), unless ended earlier."""

    __tablename__ = "integrity_record"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    applicant_sub: str = Field(index=True)
    # The declaration the conduct was found on (the entry is about the person, not it).
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    conduct: str  # 失信行为, e.g. 提供虚假材料
    basis: str  # the finding or clause the entry rests on
    recorded_on: date
    until: date
    recorded_by: str
    recorded_by_role: str
    recorded_by_org: uuid.UUID | None = None
    recorded_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    ended_by: str | None = None
    end_reason: str | None = None
