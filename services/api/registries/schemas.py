from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.journals.schemas import Conversion, DuplicateClaim, PaperCheck
from services.api.registries import examples
from services.api.registries.consistency import ConsistencyWarning


class RegistryResult(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.REGISTRY_RESULT]}
    )
    registry: Literal["education", "titles", "continuing_education", "social_insurance"]
    """登记系统：education 学历；titles 职称；continuing_education 继续教育；
    social_insurance 社保
    """
    title: str
    """登记系统名称"""
    status: Literal["found", "not_found", "unavailable", "not_checked"]
    """本次结果：found 查到；not_found 查无；unavailable 不可用；not_checked 未查询"""
    verified: bool
    """相应材料是否已由登记系统核实"""
    data: dict[str, Any] | None
    """查到的数据；没有则为 null"""
    source: str | None
    """数据来源；没有则为 null"""
    checked_at: datetime | None
    """查询时间；未查询为 null"""
    verified_at: datetime | None
    """核实时间；未核实为 null"""
    verified_source: str | None
    """核实时的数据来源；未核实为 null"""
    replaces: list[str]
    """核实后无需上传的材料编号"""
    upload_required: str | None
    """仍须上传的材料说明；无需上传为 null"""
    warning: str | None
    """提示（如登记系统不可用）；没有则为 null"""
    clause: str
    """数据共享所依据的条款"""


class LookupsRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.LOOKUPS_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    version: int
    """写入后申报书的版本（下一次修改的 If-Match）"""
    registries: list[RegistryResult]
    """各登记系统的结果"""
    prefilled: list[str]
    """已预填的申报书栏目"""
    facts: dict[str, Any]
    """由登记系统数据得出的、用于资格评估的事实"""
    waived_materials: list[str]
    """因已核实而无需上传的材料"""
    warnings: list[str]
    """查询中值得注意的问题（中文）"""


class WarningsRead(BaseModel):
    """What a reviewer (or the applicant, in part) should look at first."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.WARNINGS_READ]}
    )

    declaration_id: uuid.UUID
    """申报书编号"""
    flagged_papers: int
    """有风险或需注意的论文篇数"""
    new_flagged_papers: int = Field(description="提交时没有、按今天的期刊名录才有风险的论文篇数")
    papers: list[PaperCheck]
    """每篇论文的期刊核对结果，有风险的在前"""
    decision_consulting: list[Conversion]
    """决策咨询类信息折算为论文的结果（只按最高标准计，不累计）"""
    decision_consulting_totals: dict[str, float]
    """按折算等级合计的篇数"""
    consistency: list[ConsistencyWarning] | None
    """社保与申报单位等一致性提示（仅审核人员可见；申报人为 null）"""
    duplicates: list[DuplicateClaim] | None
    """同一年度各申报书之间重复填报的论文或业绩（仅审核人员可见；申报人为 null）"""
    registries: list[RegistryResult]
    """各登记系统的结果"""
    facts_source: dict[str, Any] | None = Field(
        default=None,
        description=(
            "最近一次提交时评估得出的说明：与栏目矛盾而未采用的填写值、"
            "各条目的日期核对结果（附条款）、"
            "在等待期内提交的条目及其证明应交日期；未提交为 null"
        ),
    )
