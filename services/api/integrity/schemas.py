from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.integrity import examples


class IntegrityRecordCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.INTEGRITY_RECORD_CREATE]},
        use_attribute_docstrings=True,
    )

    conduct: str = Field(
        min_length=1, max_length=500, description="失信行为，如提供虚假材料、剽窃他人成果"
    )
    basis: str = Field(min_length=1, max_length=500, description="认定依据（文件、查实情况）")
    recorded_on: date | None = Field(
        default=None, description="认定日期（记录期限自此起算）；不填为当日（北京时间）"
    )
    until: date | None = Field(
        default=None,
        description=(
            "记录期限截止日（当日起不再在期内）；"
            "不填为认定日起3年（长工信〔2022〕139号 十（二）："
            "记录期限为3年）"
        ),
    )


class IntegrityRecordEnd(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.INTEGRITY_RECORD_END]},
        use_attribute_docstrings=True,
    )

    reason: str = Field(min_length=1, max_length=500, description="终止原因，如复查撤销认定")


class IntegrityRecordRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.INTEGRITY_RECORD_READ]},
    )
    id: uuid.UUID
    """记录编号"""
    declaration_id: uuid.UUID
    """记录时所在的申报书编号"""
    conduct: str
    """失信行为"""
    basis: str
    """认定依据"""
    recorded_on: date
    """认定日期"""
    until: date
    """记录期限截止日（当日起不再在期内）"""
    in_force: bool = Field(description="今天是否仍在记录期限内且未终止")
    recorded_by_role: str
    """记入者的角色"""
    recorded_at: datetime
    """记入时间"""
    ended_at: datetime | None
    """提前终止的时间；未终止为 null"""
    end_reason: str | None
    """终止原因；未终止为 null"""
