"""A declaration's route as the applicant reads it before drafting: the committee, each
office of the chain and why it is there, and what the route asks for."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class ClauseRead(BaseModel):
    ref: str = Field(description="文号 条款")
    text: str = Field(description="the seed's sentence")


class RouteCommitteeRead(BaseModel):
    code: str
    name: str
    office: str | None
    clause: ClauseRead | None


class RouteStepRead(BaseModel):
    position: int
    kind: str = Field(
        description="unit | supervisor | county_office | series_office | committee_office"
    )
    kind_name: str = Field(description="用人单位、主管部门、县区职改办……")
    org_id: uuid.UUID
    org_name: str
    action: str = Field(description="审核推荐 / 审核 / 备案 / 受理")
    why: str = Field(description="why this office is on the chain, in Chinese")
    clause: ClauseRead | None = Field(description="the sentence it rests on")


class RouteMaterialRead(BaseModel):
    id: str = Field(description="the material id the declaration's attachments name")
    name: str
    why: str
    clause: ClauseRead


class RouteRead(BaseModel):
    campaign_id: uuid.UUID
    unit_org_id: uuid.UUID
    policy: dict[str, str]
    committee: RouteCommitteeRead
    steps: list[RouteStepRead]
    materials: list[RouteMaterialRead] = Field(
        description="what the route asks of the applicant (e.g. 授权或委托函); submission "
        "refuses a declaration without them"
    )
    explanation: str = Field(description="为什么是这个评委会、这条链路（中文）")
