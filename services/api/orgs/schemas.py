from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.kit.text import PlainLine

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_valid(code: str) -> bool:
    """GB 32100-2015 check character of the unified social credit code."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


OrgKind = Literal["unit", "supervisor", "county_office", "series_office", "committee_office", "ops"]
OfficeDuty = Literal["economic", "construction", "industry", "hrss", "city_title_office"]
Affiliation = Literal["central", "out_of_city", "out_of_province"]
DUTY_DESCRIPTION = (
    "offices only: what the office does, where a route names it — economic / construction "
    "(柳州 经济、建设 series offices), industry (a county's 工信部门), hrss (the city's 人社部门), "
    "city_title_office (the city's 职改办)"
)
AFFILIATION_DESCRIPTION = (
    "units only: central (中直驻桂/驻柳单位), out_of_city (外市单位驻柳分支机构), "
    "out_of_province (外省单位驻桂分支机构); null: a local unit"
)


CREDIT_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: OrgKind
    name: PlainLine = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^[1-8][0-9]{5}$", description="GB/T 2260 code")
    credit_code: str | None = Field(
        default=None,
        pattern=CREDIT_PATTERN,
        description="统一社会信用代码 (GB 32100), units only",
    )
    parent_id: uuid.UUID | None = None
    duty: OfficeDuty | None = Field(default=None, description=DUTY_DESCRIPTION)
    affiliation: Affiliation | None = Field(default=None, description=AFFILIATION_DESCRIPTION)

    @model_validator(mode="after")
    def _unit_code(self) -> OrgCreate:
        if self.kind == "unit" and not self.credit_code:
            raise ValueError("用人单位须填写统一社会信用代码")
        if self.kind == "unit" and self.duty:
            raise ValueError("职责（duty）只适用于职改办等机构，不适用于用人单位")
        if self.kind != "unit" and self.affiliation:
            raise ValueError("隶属（affiliation）只适用于用人单位")
        if self.credit_code and not credit_code_valid(self.credit_code):
            raise ValueError("统一社会信用代码校验位不正确（GB 32100-2015）")
        return self


class OrgChange(BaseModel):
    """What ops change on an org: its place in the tree, an office's duty (which series
    office it is, for the routing rules), a unit's affiliation. Only the fields sent change;
    `null` clears."""

    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID | None = None
    duty: OfficeDuty | None = Field(default=None, description=DUTY_DESCRIPTION)
    affiliation: Affiliation | None = Field(default=None, description=AFFILIATION_DESCRIPTION)

    @model_validator(mode="after")
    def _something(self) -> OrgChange:
        if not self.model_fields_set:
            raise ValueError("请至少给出要修改的一项：parent_id、duty 或 affiliation")
        return self


class OrgRead(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: str
    name: str
    region_code: str
    credit_code: str | None
    duty: str | None = None
    affiliation: str | None = None


class ChainLink(BaseModel):
    id: uuid.UUID
    kind: str
    name: str


class UnitHit(BaseModel):
    """An approved unit found by name or credit code, with the offices above it."""

    id: uuid.UUID
    name: str
    region_code: str
    credit_code: str | None
    chain: list[ChainLink] = Field(description="the parent offices, nearest first")


class RegistrationCreate(BaseModel):
    """A unit registering itself; its parent office approves or rejects it."""

    model_config = ConfigDict(extra="forbid")

    name: PlainLine = Field(min_length=1, max_length=200)
    credit_code: str = Field(pattern=CREDIT_PATTERN, description="统一社会信用代码 (GB 32100)")
    region_code: str = Field(pattern=r"^[1-8][0-9]{5}$", description="GB/T 2260 code")
    parent_id: uuid.UUID = Field(description="the supervisor or office the unit reports to")
    contact_name: PlainLine = Field(min_length=1, max_length=50)
    independent_legal_person: bool = Field(description="具有独立法人资格")
    liable_branch: bool = Field(
        default=False,
        description="a branch the law makes independently liable (银行、保险公司等的分支机构)",
    )
    affiliation: Affiliation | None = Field(default=None, description=AFFILIATION_DESCRIPTION)

    @model_validator(mode="after")
    def _check_code(self) -> RegistrationCreate:
        if not credit_code_valid(self.credit_code):
            raise ValueError("统一社会信用代码校验位不正确（GB 32100-2015）")
        return self


class RegistrationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str | None = Field(default=None, max_length=500)


class RegistrationRead(BaseModel):
    id: uuid.UUID
    name: str
    credit_code: str | None
    region_code: str
    parent_id: uuid.UUID | None
    status: str
    contact_name: str | None
    affiliation: str | None = None
    decided_at: datetime | None
    decision_reason: str | None
