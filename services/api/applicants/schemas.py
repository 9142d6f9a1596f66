from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.kit.text import PlainLine


class IdentityWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainLine = Field(min_length=1, max_length=50, description="姓名，与身份证一致")
    id_number: str = Field(
        min_length=18, max_length=18, description="18位居民身份证号（GB 11643-1999）"
    )


class IdentityRead(BaseModel):
    name: str | None
    id_number: str = Field(description="完整身份证号，仅本人可见")
    id_number_masked: str
