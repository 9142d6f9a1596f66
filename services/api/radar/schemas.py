"""Request and response models of the eligibility radar and the unit's roster."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.api.radar import examples


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.SUBSCRIPTION_CREATE]},
        use_attribute_docstrings=True,
    )
    request: dict[str, Any] = Field(
        description=("自测的事实：与 POST /v1/eligibility/evaluate 的请求体相同")
    )
    unit_id: uuid.UUID | None = Field(
        default=None,
        description=("所在用人单位（已注册），以便出现在该单位的岗位结构比例名册中；不填为 null"),
    )


class PlanEntry(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    path: str
    """申报途径代码"""
    path_name: str
    """申报途径名称"""
    on: date = Field(description="该途径时间条件满足的第一天")
    eligible_then: bool = Field(
        description=("按所填事实，届时该途径是否符合全部条件（false：时间以外的条件仍未满足）")
    )
    already: bool = Field(description="订阅当日是否已符合")
    clause: str
    """该日期所依据的条款"""
    message: str
    """提醒内容（中文）"""
    notified: bool = Field(description="该日期的短信和站内消息是否已发出")


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.SUBSCRIPTION_READ]}
    )
    id: uuid.UUID
    """订阅编号"""
    region: str
    """地区的行政区划代码"""
    series: str
    """系列代码"""
    level: str
    """级别代码"""
    unit_id: uuid.UUID | None
    """所在用人单位编号；未填为 null"""
    subscribed_on: date
    """订阅日期"""
    next_due_on: date | None = Field(description="下一次提醒的日期；没有则为 null")
    plan: list[PlanEntry]
    """各途径的提醒计划"""
    campaigns_told: list[uuid.UUID]
    """已提醒过的批次编号"""


class RadarSweep(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.RADAR_SWEEP]}, use_attribute_docstrings=True
    )
    ran: bool = Field(description="是否执行；另一个副本正在执行时为 false")
    quiet_hours: bool = Field(
        description="true：在北京时间08:00至21:00以外，未发送（次日早上再发）"
    )
    notified: int = Field(description="发出的提醒数（每条一条短信和一条站内消息）")


class RosterPath(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    path: str
    """申报途径代码"""
    path_name: str
    """申报途径名称"""
    on: date
    """可申报的日期"""
    clause: str
    """所依据的条款"""
    message: str
    """说明（中文）"""


class RosterPerson(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    name: str | None
    """姓名；未登记实名为 null"""
    phone_masked: str | None
    """脱敏的手机号；没有则为 null"""
    id_number_masked: str | None
    """脱敏的身份证号；未登记为 null"""
    series: str
    """系列代码"""
    level: str
    """级别代码"""
    title: str
    """拟申报的职称名称"""
    earliest_on: date
    """该年最早可申报的日期"""
    paths: list[RosterPath]
    """该年可申报的途径"""


class RosterYear(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    year: int
    """年份"""
    people: list[RosterPerson]
    """该年可申报的人员"""


class Roster(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ROSTER]}
    )
    org_id: uuid.UUID
    """用人单位编号"""
    source: str = Field(
        description=("事实的来源：本单位申报人订阅资格提醒时填报的事实（申报人自填，尚未审核）")
    )
    years: list[RosterYear] = Field(description="所查年份和下一年")
