"""Request and response shapes of the office statistics and the unit follow-up."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.statistics import examples


class Bucket(BaseModel):
    """One value of a dimension: how many declarations, and how many came out which way."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    key: str | None = Field(description="取值（状态、级别、途径、专业或单位编号）；未填为 null")
    label: str = Field(description="取值的中文名称或单位名称")
    count: int
    """申报书数"""
    evaluated: int
    """已有评审结果的数目"""
    approved: int
    """评审通过数"""
    rejected: int
    """评审未通过数"""
    pass_rate: float | None = Field(description="通过率：通过 ÷（通过 + 未通过）；尚无结果为 null")


class CampaignStatistics(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.CAMPAIGN_STATISTICS]},
    )
    campaign_id: uuid.UUID
    """申报批次编号"""
    total: int
    """申报书总数（辖区内）"""
    evaluated: int
    """已有评审结果的数目"""
    approved: int
    """评审通过数"""
    rejected: int
    """评审未通过数"""
    pass_rate: float | None
    """通过率：通过 ÷（通过 + 未通过）；尚无结果为 null"""
    by_status: list[Bucket]
    """按申报书状态"""
    by_level: list[Bucket]
    """按级别"""
    by_unit: list[Bucket]
    """按推荐单位"""
    by_specialty: list[Bucket]
    """按专业"""
    by_path: list[Bucket]
    """按申报途径"""


Requirement = Literal["none", "explain", "rectify"]


class UnitProblemRate(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_PROBLEM_RATE]}
    )
    unit_org_id: uuid.UUID
    """推荐单位编号"""
    unit_name: str
    """推荐单位名称"""
    recommended: int = Field(description="单位推荐上报的申报书数（单位审核已完成）")
    with_problems: int = Field(description="其中被上级退回补正的数目")
    share: float
    """问题比例（0至1）"""
    requirement: Requirement
    """要求：none 无；explain 作出说明（≥10%）；rectify 作出说明并报送书面整改方案（≥20%）"""
    requirement_zh: str
    """要求的中文说明"""
    follow_up_id: uuid.UUID | None = None
    """已提出的要求编号；未提出为 null"""


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.FOLLOW_UP_CREATE]},
    )

    unit_org_id: uuid.UUID
    """被要求的推荐单位编号"""


class SuspensionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.SUSPENSION_CREATE]},
        use_attribute_docstrings=True,
    )

    reason: str = Field(min_length=1, max_length=500, description="暂停理由（问题情形和程度）")


class FollowUpRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.FOLLOW_UP_READ]}
    )
    id: uuid.UUID
    """要求编号"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    unit_org_id: uuid.UUID
    """推荐单位编号"""
    series: str
    """系列代码"""
    year: int
    """评审年度"""
    requirement: Literal["explain", "rectify"]
    """要求：explain 作出说明；rectify 作出说明并报送书面整改方案"""
    requirement_zh: str
    """要求的中文说明"""
    recommended: int
    """提出要求时单位推荐上报的申报书数"""
    with_problems: int
    """其中被退回补正的数目"""
    requested_by: str
    """提出要求的工作人员账号"""
    requested_at: datetime
    """提出要求的时间"""
    explanation_document_id: uuid.UUID | None
    """单位报送的情况说明（材料编号）；未报送为 null"""
    plan_document_id: uuid.UUID | None
    """单位报送的整改方案（材料编号）；未报送为 null"""
    suspended_year: int | None
    """被暂停推荐申报的年度；未暂停为 null"""
    suspension_reason: str | None
    """暂停理由；未暂停为 null"""
    suspended_at: datetime | None
    """暂停推荐申报权限的时间；未暂停为 null"""


class FollowUpDocumentLink(BaseModel):
    """What the document service answers for a download (at most 15 minutes)."""

    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.FOLLOW_UP_DOCUMENT_LINK]},
    )

    url: str
    """下载链接（限时有效）"""
    expires_at: datetime
    """链接失效时间"""
