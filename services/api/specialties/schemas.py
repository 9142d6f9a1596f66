"""The specialty catalogue as the gateway shows it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SpecialtySourceRead(BaseModel):
    seed: str = Field(description="the seed document the name is quoted from")
    point: str
    text: str = Field(description="the seed's sentence naming the specialty")


class SpecialtyRead(BaseModel):
    code: str = Field(description="what a declaration's `specialty` carries")
    name: str = Field(description="拟评专业名称")
    source: SpecialtySourceRead


class SeriesCatalogueRead(BaseModel):
    series: str
    series_name: str
    specialties: list[SpecialtyRead]
