"""The policy packs as the gateway shows them: what a front end or a portal needs to show
the rules (documents, levels, paths with their conditions and clauses) and the materials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PolicySummaryRead(BaseModel):
    id: str
    title: str
    series: str
    regions: list[str]
    in_force_from: dt.date = Field(description="施行日期：自此日起适用")
    in_force_basis: str = Field(description="施行日期所依据的条款（文号 条款）")
    replaced_on: dt.date | None = Field(
        description="同一系列、地区的新政策包自此日起施行，本包不再适用；null：仍在施行"
    )
    levels: list[str]
    documents: list[str] = Field(description="文号（或简称）")


class PolicyClauseRead(BaseModel):
    key: str
    ref: str = Field(description="文号 条款, e.g. 桂人社规〔2021〕11号 第十八条（四）")
    document: str
    point: str
    text: str = Field(description="条款原文")


class PolicyDocumentRead(BaseModel):
    id: str
    number: str | None = None
    short: str | None = None
    title: str
    issuer: str | None = None
    date: dt.date | None = None
    note: str | None = None


class PolicyConditionRead(BaseModel):
    """One condition (its `kind` decides the other fields); `clause` is resolved."""

    model_config = ConfigDict(extra="allow")

    kind: str
    clause: PolicyClauseRead


class PolicyRowRead(BaseModel):
    label: str
    conditions: list[PolicyConditionRead]


class PolicyPathRead(BaseModel):
    path: str
    conditions: list[PolicyConditionRead] = Field(description="hold on every row")
    rows: list[PolicyRowRead] = Field(description="alternatives: one of them must hold")


class PolicyLevelRead(BaseModel):
    level: str
    name: str
    fee_yuan: int | None
    paths: list[PolicyPathRead]


class PolicyMaterialRead(BaseModel):
    id: str
    name: str
    clause: PolicyClauseRead
    levels: list[str] = Field(description="empty: every level")
    employer_types: list[str] = Field(description="empty: every employer type")
    paths: list[str] = Field(description="needed when one of these paths applies; empty: always")


class PolicyExclusionRead(BaseModel):
    model_config = ConfigDict(extra="allow")

    blocker: str
    kind: str
    clause: PolicyClauseRead


class PolicyRead(BaseModel):
    id: str
    title: str
    series: str
    regions: list[str]
    in_force_from: dt.date
    in_force_basis: str
    replaced_on: dt.date | None
    notes: list[str] = Field(description="what the seeds leave out and the choices made")
    documents: list[PolicyDocumentRead]
    exclusions: list[PolicyExclusionRead] = Field(description="who may not apply (blockers)")
    levels: list[PolicyLevelRead]
    materials: list[PolicyMaterialRead]
    committees: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    clauses: list[PolicyClauseRead] = Field(description="every clause the pack cites, quoted")
