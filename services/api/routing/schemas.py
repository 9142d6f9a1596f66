"""A declaration's route as the applicant reads it before drafting: the committee, each
office of the chain and why it is there, and what the route asks for."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.api.routing import examples


class ClauseRead(BaseModel):
    ref: str = Field(description="文号 条款")
    text: str = Field(description="种子文件原句")


class RouteCommitteeRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str
    """评委会代码"""
    name: str
    """评委会名称"""
    office: str | None
    """评委会办公室（受理材料的机构）；未载明则为 null"""
    clause: ClauseRead | None
    """所依据的条款；没有则为 null"""


class RouteStepRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    position: int
    """在链路中的序号（从1起）"""
    kind: str = Field(
        description=(
            "机构类别：unit 用人单位；supervisor 主管部门；"
            "county_office 县区职改办；series_office 系列职改办；"
            "committee_office 评委会办公室"
        )
    )
    kind_name: str = Field(description="机构类别的中文名称")
    org_id: uuid.UUID
    """审核机构编号"""
    org_name: str
    """审核机构名称"""
    action: str = Field(description="在这一级做什么：审核推荐、审核、备案或受理")
    why: str = Field(description="为什么这个机构在链路上（中文）")
    clause: ClauseRead | None = Field(description="所依据的种子文件原句；没有则为 null")


class RouteMaterialRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str = Field(description="材料编号：申报书附件以此编号对应")
    name: str
    """材料名称"""
    why: str
    """为什么需要这份材料"""
    clause: ClauseRead
    """要求这份材料的条款"""


class RouteRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ROUTE_READ]}
    )
    campaign_id: uuid.UUID
    """申报批次编号"""
    unit_org_id: uuid.UUID
    """申报单位（用人单位）编号"""
    policy: dict[str, str]
    """适用的政策包（编号、名称等）"""
    committee: RouteCommitteeRead
    """受理评审的评委会"""
    steps: list[RouteStepRead]
    """逐级上报的审核机构，按先后顺序"""
    materials: list[RouteMaterialRead] = Field(
        description=("这条链路要求申报人提供的材料（如授权或委托函）；缺少时不能提交")
    )
    explanation: str = Field(description="为什么是这个评委会、这条链路（中文）")
