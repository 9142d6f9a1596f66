from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class IntegrityRecordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conduct: str = Field(
        min_length=1, max_length=500, description="失信行为, e.g. 提供虚假材料、剽窃他人成果"
    )
    basis: str = Field(min_length=1, max_length=500, description="认定依据（文件、查实情况）")
    recorded_on: date | None = Field(
        default=None, description="认定日期（记录期限自此起算）; default: today, Beijing time"
    )
    until: date | None = Field(
        default=None,
        description="记录期限截止日（当日起不再在期内）; default: three years after recorded_on "
        "(长工信〔2022〕139号 十（二）：记录期限为3年)",
    )


class IntegrityRecordEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="终止原因，例如复查撤销认定")


class IntegrityRecordRead(BaseModel):
    id: uuid.UUID
    declaration_id: uuid.UUID
    conduct: str
    basis: str
    recorded_on: date
    until: date
    in_force: bool = Field(description="today within the period and not ended")
    recorded_by_role: str
    recorded_at: datetime
    ended_at: datetime | None
    end_reason: str | None
