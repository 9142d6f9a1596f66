"""Warnings for reviewers: what the declaration says against the social-insurance records.

- 工作经历和身份性质应与社保缴费记录一致 (柳州 2022 业务培训 四（一）;
  桂工信职办〔2023〕6号 二（二）1（6））: a month of work history at one employer while
  insurance was paid by another.
- 对于6个月内有工作单位变动的，应提供相关情况说明和证明材料: a unit change in the six
  months before the declaration month with no explanation (a note in 社保信息, or an
  attachment of kind `unit_change_explanation`).
- 自由职业申报人员从申报当月起往前6个月应不在任何单位缴纳社保.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.api.journals.normalise import name_key
from services.api.registries.facts import month_of, previous_month

CLAUSE_HISTORY = (
    "柳州市2022年度工程系列职称申报工作业务培训 四（一）社保关系："
    "工作经历和身份性质应与社保缴费记录一致"
)
CLAUSE_CHANGE = (
    "桂工信职办〔2023〕6号 二（二）1（6）："
    "对于6个月内有工作单位变动的，应提供相关情况说明和证明材料"
)
CLAUSE_FREELANCER = (
    "桂工信职办〔2023〕6号 二（二）1（6）："
    "自由职业申报人员从申报当月起往前6个月应不在任何单位缴纳社保"
)


class ConsistencyWarning(BaseModel):
    # work_history_mismatch | unit_change_unexplained | freelancer_paid_by_unit |
    # not_declaring_unit
    model_config = ConfigDict(use_attribute_docstrings=True)
    id: str
    """提示代码"""
    message: str
    """提示内容（中文）"""
    clause: str
    """所依据的条款"""


def _months_back(today: date, n: int, *, include_current: bool) -> list[str]:
    month = month_of(today) if include_current else previous_month(month_of(today))
    out = []
    for _ in range(n):
        out.append(month)
        month = previous_month(month)
    return out


def _covers(entry: dict[str, Any], month: str) -> bool:
    start = str(entry.get("start_on") or "")[:7]
    end = str(entry.get("end_on") or "9999-12")[:7]
    return bool(start) and start <= month <= end


def _same_employer(a: str | None, b: str | None) -> bool:
    ka, kb = name_key(a), name_key(b)
    return bool(ka and kb) and (ka in kb or kb in ka)


def _span(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]}至{months[-1]}"


def check(
    *,
    records: list[dict[str, Any]],
    sections: dict[str, Any],
    attachments: list[dict[str, Any]],
    credit_code: str | None,
    unit_name: str,
    today: date,
) -> list[ConsistencyWarning]:
    paid = [r for r in records if r.get("paid")]
    warnings: list[ConsistencyWarning] = []
    history = sections.get("main_experience") or []
    # Runs of months where the payer is not an employer the work history names then.
    mismatched: dict[str, list[str]] = {}
    for r in paid:
        entries = [e for e in history if _covers(e, r["month"])]
        if entries and not any(
            _same_employer(e.get("employer"), r.get("unit_name")) for e in entries
        ):
            mismatched.setdefault(r.get("unit_name") or "未知单位", []).append(r["month"])
    for payer, months in mismatched.items():
        declared = "、".join(
            sorted({e["employer"] for e in history if any(_covers(e, m) for m in months)})
        )
        warnings.append(
            ConsistencyWarning(
                id="work_history_mismatch",
                message=f"{_span(months)}社保由“{payer}”缴纳（共{len(months)}个月），"
                f"而工作经历填写为“{declared}”，请核实工作经历与社保缴费记录是否一致。",
                clause=CLAUSE_HISTORY,
            )
        )
    basic = sections.get("basic_info") or {}
    window = set(_months_back(today, 6, include_current=False))
    recent = [r for r in paid if r["month"] in window]
    units = {r.get("unit_credit_code") for r in recent if r.get("unit_credit_code")}
    changed = len(units) > 1 or bool(units and credit_code and units != {credit_code})
    explained = bool((sections.get("social_insurance") or {}).get("note")) or any(
        a.get("kind") == "unit_change_explanation" for a in attachments
    )
    if basic.get("employer_type") != "freelancer" and changed and not explained:
        names = "、".join(sorted({r.get("unit_name") or "未知单位" for r in recent}))
        warnings.append(
            ConsistencyWarning(
                id="unit_change_unexplained",
                message=f"申报前6个月内社保缴费单位有变动（{names}），未见情况说明和证明材料。",
                clause=CLAUSE_CHANGE,
            )
        )
    if basic.get("employer_type") == "freelancer":
        window6 = set(_months_back(today, 6, include_current=True))
        by_unit = [r for r in paid if r["month"] in window6 and r.get("unit_credit_code")]
        if by_unit:
            months = sorted(r["month"] for r in by_unit)
            names = "、".join(sorted({r.get("unit_name") or "未知单位" for r in by_unit}))
            warnings.append(
                ConsistencyWarning(
                    id="freelancer_paid_by_unit",
                    message=f"以自由职业者身份申报，但{_span(months)}有单位（{names}）为其缴纳社保。",
                    clause=CLAUSE_FREELANCER,
                )
            )
    elif paid and credit_code and paid[-1].get("unit_credit_code") != credit_code:
        warnings.append(
            ConsistencyWarning(
                id="not_declaring_unit",
                message=f"最近一次社保缴费单位为“{paid[-1].get('unit_name') or '未知单位'}”，"
                f"不是申报单位“{unit_name}”，请核实身份性质与申报单位。",
                clause=CLAUSE_HISTORY,
            )
        )
    return warnings
