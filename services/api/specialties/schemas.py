"""The specialty catalogue as the gateway shows it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.api.specialties import examples


class SpecialtySourceRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    seed: str = Field(description="出处所在的种子文件编号")
    point: str
    """出处在文件中的位置"""
    text: str = Field(description="写明该专业名称的原文")


class SpecialtyRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str = Field(description="专业代码：申报书的拟评专业（specialty）填写此值")
    name: str = Field(description="拟评专业名称")
    source: SpecialtySourceRead
    """专业名称在种子文件中的出处"""


class SeriesCatalogueRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.SERIES_CATALOGUE_READ]},
    )
    series: str
    """职称系列代码"""
    series_name: str
    """职称系列名称"""
    specialties: list[SpecialtyRead]
    """该系列的评审专业"""
