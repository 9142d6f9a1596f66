from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.kit.text import PlainLine


class DayWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date
    kind: Literal["holiday", "makeup", "workday", "weekend"] = Field(
        description="holiday: a public holiday; makeup: a weekend day made a working day"
    )
    name: PlainLine | None = Field(default=None, max_length=100)


class YearOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)


class DayRead(BaseModel):
    day: date
    workday: bool
    kind: str
    name: str | None
    source: str


class WorkingDays(BaseModel):
    start_on: date
    end_on: date
    rule: str
    working_days: int
