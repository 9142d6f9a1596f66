"""The policy packs as the gateway shows them: what a front end or a portal needs to show
the rules (documents, levels, paths with their conditions and clauses) and the materials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.api.policies import examples


class PolicySummaryRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.POLICY_SUMMARY_READ]},
    )
    id: str
    """政策包编号"""
    title: str
    """政策包名称"""
    series: str
    """职称系列代码，如 engineering（工程）"""
    regions: list[str]
    """适用地区的行政区划代码（6位）"""
    in_force_from: dt.date = Field(description="施行日期：自此日起适用")
    in_force_basis: str = Field(description="施行日期所依据的条款（文号 条款）")
    replaced_on: dt.date | None = Field(
        description="同一系列、地区的新政策包自此日起施行，本包不再适用；null：仍在施行"
    )
    levels: list[str]
    """涵盖的职称级别代码"""
    documents: list[str] = Field(description="所依据文件的文号（或简称）")


class PolicyClauseRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    key: str
    """条款在政策包内的编号"""
    ref: str = Field(description="文号 条款，如 桂人社规〔2021〕11号 第十八条（四）")
    document: str
    """所属文件的编号"""
    point: str
    """条款在文件中的位置（章、条、款）"""
    text: str = Field(description="条款原文")


class PolicyDocumentRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """文件在政策包内的编号"""
    number: str | None = None
    """文号；没有则为 null"""
    short: str | None = None
    """简称；没有则为 null"""
    title: str
    """文件标题"""
    issuer: str | None = None
    """发文机关；未载明则为 null"""
    date: dt.date | None = None
    """发文日期；未载明则为 null"""
    note: str | None = None
    """说明；没有则为 null"""


class PolicyConditionRead(BaseModel):
    """One condition (its `kind` decides the other fields); `clause` is resolved."""

    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)

    kind: str
    """条件类别，决定本条件的其他字段"""
    clause: PolicyClauseRead
    """条件所依据的条款原文"""


class PolicyRowRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    label: str
    """本行的名称，如学历或资历的一种情形"""
    conditions: list[PolicyConditionRead]
    """本行须同时满足的条件"""


class PolicyPathRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    path: str
    """申报途径代码"""
    conditions: list[PolicyConditionRead] = Field(description="各行都须满足的共同条件")
    rows: list[PolicyRowRead] = Field(description="可选的各行：满足其中一行即可")


class PolicyLevelRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    level: str
    """职称级别代码"""
    name: str
    """级别名称，如 工程师"""
    fee_yuan: int | None
    """评审费（元）；未规定则为 null"""
    paths: list[PolicyPathRead]
    """该级别的各申报途径"""


class PolicyMaterialRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """材料编号"""
    name: str
    """材料名称"""
    clause: PolicyClauseRead
    """要求该材料的条款原文"""
    levels: list[str] = Field(description="需要该材料的级别；为空表示各级别都需要")
    employer_types: list[str] = Field(description="需要该材料的单位类型；为空表示各类单位都需要")
    paths: list[str] = Field(description="适用这些申报途径之一时才需要；为空表示都需要")


class PolicyExclusionRead(BaseModel):
    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)

    blocker: str
    """不得申报情形的代码"""
    kind: str
    """判断方式的类别"""
    clause: PolicyClauseRead
    """所依据的条款原文"""


class PolicyRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.POLICY_READ]}
    )
    id: str
    """政策包编号"""
    title: str
    """政策包名称"""
    series: str
    """职称系列代码"""
    regions: list[str]
    """适用地区的行政区划代码（6位）"""
    in_force_from: dt.date
    """施行日期：自此日起适用"""
    in_force_basis: str
    """施行日期所依据的条款（文号 条款）"""
    replaced_on: dt.date | None
    """被新政策包替代的日期；null：仍在施行"""
    notes: list[str] = Field(description="种子文件未写明之处及所作的取舍说明")
    documents: list[PolicyDocumentRead]
    """所依据的文件"""
    exclusions: list[PolicyExclusionRead] = Field(description="不得申报的情形")
    levels: list[PolicyLevelRead]
    """各级别及其申报途径和条件"""
    materials: list[PolicyMaterialRead]
    """需提交的申报材料"""
    committees: list[dict[str, Any]]
    """受理评审的评委会"""
    deadlines: list[dict[str, Any]]
    """申报时限"""
    clauses: list[PolicyClauseRead] = Field(description="政策包引用的全部条款及原文")
