from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.api.orgs import examples
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
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ORG_CREATE]},
    )

    kind: OrgKind
    """机构类别：unit 用人单位；supervisor 主管部门；county_office 县区职改办；
    series_office 系列职改办；committee_office 评委会办公室；ops 运维
    """
    name: PlainLine = Field(min_length=1, max_length=200)
    """机构名称"""
    region_code: str = Field(
        pattern=r"^[1-8][0-9]{5}$", description="行政区划代码（GB/T 2260，6位）"
    )
    credit_code: str | None = Field(
        default=None,
        pattern=CREDIT_PATTERN,
        description="统一社会信用代码（GB 32100，仅用人单位）；其他为 null",
    )
    parent_id: uuid.UUID | None = None
    """上级机构编号；顶层机构为 null"""
    duty: OfficeDuty | None = Field(
        default=None,
        description=(
            "职责（仅职改办等机构，路由规则按此找到它）：economic 经济；"
            "construction 建设；industry 工业和信息化；"
            "hrss 人力资源和社会保障；city_title_office 市职改办；"
            "其他为 null"
        ),
    )
    affiliation: Affiliation | None = Field(
        default=None,
        description=(
            "单位归属（仅用人单位）：central 中直驻桂（驻柳）单位；"
            "out_of_city 外市单位驻柳分支机构；"
            "out_of_province 外省单位驻柳分支机构；其他为 null"
        ),
    )

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

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ORG_CHANGE]},
    )

    parent_id: uuid.UUID | None = None
    """新的上级机构编号；不改则不提交"""
    duty: OfficeDuty | None = Field(
        default=None,
        description=(
            "职责（仅职改办等机构，路由规则按此找到它）：economic 经济；"
            "construction 建设；industry 工业和信息化；"
            "hrss 人力资源和社会保障；city_title_office 市职改办；"
            "其他为 null"
        ),
    )
    affiliation: Affiliation | None = Field(
        default=None,
        description=(
            "单位归属（仅用人单位）：central 中直驻桂（驻柳）单位；"
            "out_of_city 外市单位驻柳分支机构；"
            "out_of_province 外省单位驻柳分支机构；其他为 null"
        ),
    )

    @model_validator(mode="after")
    def _something(self) -> OrgChange:
        if not self.model_fields_set:
            raise ValueError("请至少给出要修改的一项：parent_id、duty 或 affiliation")
        return self


class OrgRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ORG_READ]}
    )
    id: uuid.UUID
    """机构编号"""
    parent_id: uuid.UUID | None
    """上级机构编号；顶层机构为 null"""
    kind: str
    """机构类别"""
    name: str
    """机构名称"""
    region_code: str
    """行政区划代码"""
    credit_code: str | None
    """统一社会信用代码；没有则为 null"""
    duty: str | None = None
    """职责：economic、construction、industry、hrss、city_title_office；没有则为 null"""
    affiliation: str | None = None
    """单位归属：central、out_of_city、out_of_province；没有则为 null"""


class ChainLink(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: uuid.UUID
    """机构编号"""
    kind: str
    """机构类别"""
    name: str
    """机构名称"""


class UnitHit(BaseModel):
    """An approved unit found by name or credit code, with the offices above it."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNIT_HIT]}
    )

    id: uuid.UUID
    """用人单位编号"""
    name: str
    """单位名称"""
    region_code: str
    """行政区划代码"""
    credit_code: str | None
    """统一社会信用代码；没有则为 null"""
    chain: list[ChainLink] = Field(description="上级机构，由近及远")


class RegistrationCreate(BaseModel):
    """A unit registering itself; its parent office approves or rejects it."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.REGISTRATION_CREATE]},
    )

    name: PlainLine = Field(min_length=1, max_length=200)
    """单位名称"""
    credit_code: str = Field(pattern=CREDIT_PATTERN, description="统一社会信用代码（GB 32100）")
    region_code: str = Field(
        pattern=r"^[1-8][0-9]{5}$", description="行政区划代码（GB/T 2260，6位）"
    )
    parent_id: uuid.UUID = Field(description="单位所属的主管部门或职改办")
    contact_name: PlainLine = Field(min_length=1, max_length=50)
    """联系人姓名"""
    independent_legal_person: bool = Field(description="是否具有独立法人资格")
    liable_branch: bool = Field(
        default=False,
        description=("是否为法律规定独立承担责任的分支机构（如银行、保险公司的分支机构）"),
    )
    affiliation: Affiliation | None = Field(
        default=None,
        description=(
            "单位归属（仅用人单位）：central 中直驻桂（驻柳）单位；"
            "out_of_city 外市单位驻柳分支机构；"
            "out_of_province 外省单位驻柳分支机构；其他为 null"
        ),
    )

    @model_validator(mode="after")
    def _check_code(self) -> RegistrationCreate:
        if not credit_code_valid(self.credit_code):
            raise ValueError("统一社会信用代码校验位不正确（GB 32100-2015）")
        return self


class RegistrationDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.REGISTRATION_DECISION]},
    )

    approve: bool
    """true 核准；false 驳回"""
    reason: str | None = Field(default=None, max_length=500)
    """驳回理由（驳回时必填）；核准时可为 null"""


class RegistrationRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.REGISTRATION_READ]}
    )
    id: uuid.UUID
    """单位编号"""
    name: str
    """单位名称"""
    credit_code: str | None
    """统一社会信用代码；没有则为 null"""
    region_code: str
    """行政区划代码"""
    parent_id: uuid.UUID | None
    """上级机构编号；没有则为 null"""
    status: str
    """注册状态：pending 待核准；approved 已核准；rejected 已驳回"""
    contact_name: str | None
    """联系人姓名；没有则为 null"""
    affiliation: str | None = None
    """单位归属；没有则为 null"""
    decided_at: datetime | None
    """核准或驳回的时间；待核准为 null"""
    decision_reason: str | None
    """驳回理由；没有则为 null"""
