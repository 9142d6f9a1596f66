from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.calendar import examples
from services.kit.text import PlainLine


class DayWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.DAY_WRITE]},
    )

    day: date
    """日期"""
    kind: Literal["holiday", "makeup", "workday", "weekend"] = Field(
        description=(
            "类别：holiday 法定节假日；makeup 调休上班的周末；workday 工作日；weekend 周末"
        )
    )
    name: PlainLine | None = Field(default=None, max_length=100)
    """节日或调休的名称；没有则为 null"""


class YearOpen(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.YEAR_OPEN]},
    )

    year: int = Field(ge=2000, le=2100)
    """要开放的年份"""


class DayRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DAY_READ]}
    )
    day: date
    """日期"""
    workday: bool
    """是否法定工作日"""
    kind: str
    """类别：holiday、makeup、workday 或 weekend"""
    name: str | None
    """节日或调休的名称；没有则为 null"""
    source: str
    """数据来源：chinesecalendar 内置日历数据；ops 运维登记"""


class WorkingDays(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.WORKING_DAYS]}
    )
    start_on: date
    """起始日期（含）"""
    end_on: date
    """截止日期（含）"""
    rule: str
    """采用的工作日规则：strict 或 official"""
    working_days: int
    """工作日数"""


class YearOpened(BaseModel):
    """What opening a year answers (the handler's dict, documented)."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.YEAR_OPENED]}
    )
    year: int
    """开放的年份"""
    days: int
    """写入的日期数（当年的全部日期）"""
