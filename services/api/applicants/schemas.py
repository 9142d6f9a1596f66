from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.api.applicants import examples
from services.kit.text import PlainLine


class IdentityWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.IDENTITY_WRITE]},
        use_attribute_docstrings=True,
    )

    name: PlainLine = Field(min_length=1, max_length=50, description="姓名，与身份证一致")
    id_number: str = Field(
        min_length=18,
        max_length=18,
        description="18位居民身份证号（GB 11643-1999），末位校验码须正确",
    )


class IdentityRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.IDENTITY_READ]}
    )
    name: str | None
    """姓名；未登记时为 null"""
    id_number: str = Field(description="完整身份证号，仅本人可见")
    id_number_masked: str
    """脱敏后的身份证号（保留前4位和后4位）"""
