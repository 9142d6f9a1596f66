"""决策咨询类信息 counted as papers (桂工信职办〔2023〕6号 二（二）2（3）, 自治区职改办激励机制).

Each adoption of one piece of information is worth a grade and a count; one piece
counts once, at its highest standard ("按最高标准计，不累计"). Highest means the better
grade (国家权威期刊 > 核心期刊 > 公开发表论文), then the larger count.
"""

from __future__ import annotations

from typing import Any

from services.api.journals.schemas import Conversion

CLAUSE = "桂工信职办〔2023〕6号 二（二）2（3）决策咨询类信息折算"
GRADE_ZH = {"national_authority": "国家权威期刊报刊", "core": "核心期刊", "public": "公开发表论文"}
RANK = {"national_authority": 3, "core": 2, "public": 1}
PUBLICATION_ZH = {"central": "党中央、国务院信息刊物", "regional": "自治区党委、政府信息刊物"}
ADOPTION_ZH = {"adopted": "采用", "comprehensive": "综合采用"}
INSTRUCTION_ZH = {
    "none": "",
    "leader": "并获领导批示",
    "principal": "并获主要负责同志批示",
    "other_leader": "并获其他领导批示",
}

# (publication, adoption, instruction) → (grade, count). Under 党中央、国务院 the notice
# knows one kind of 批示 (领导批示); under 自治区 it tells 主要负责同志 from 其他领导, and
# an unspecified 领导批示 counts as 其他领导 (the lower, so nothing is over-counted).
TABLE: dict[tuple[str, str, str], tuple[str, float]] = {
    ("central", "adopted", "none"): ("national_authority", 1),
    ("central", "adopted", "leader"): ("national_authority", 2),
    ("central", "comprehensive", "none"): ("national_authority", 0.5),
    ("central", "comprehensive", "leader"): ("national_authority", 1),
    ("regional", "adopted", "none"): ("core", 1),
    ("regional", "adopted", "principal"): ("core", 2),
    ("regional", "adopted", "other_leader"): ("core", 1.5),
    ("regional", "comprehensive", "none"): ("public", 1),
    ("regional", "comprehensive", "principal"): ("core", 1),
    ("regional", "comprehensive", "other_leader"): ("core", 0.5),
}


def _value(adoption: dict[str, Any]) -> tuple[str, float]:
    publication, kind = adoption["publication"], adoption["adoption"]
    instruction = adoption.get("instruction") or "none"
    if publication == "central" and instruction != "none":
        instruction = "leader"
    if publication == "regional" and instruction == "leader":
        instruction = "other_leader"
    return TABLE[(publication, kind, instruction)]


def convert(items: list[dict[str, Any]]) -> list[Conversion]:
    out = []
    for index, item in enumerate(items):
        adoptions = item.get("adoptions") or []
        if not adoptions:
            out.append(
                Conversion(
                    index=index,
                    title=item.get("title", ""),
                    grade=None,
                    grade_zh=None,
                    count=0,
                    basis="未填写采用情况，不折算。",
                )
            )
            continue
        best = max(adoptions, key=lambda a: (RANK[_value(a)[0]], _value(a)[1]))
        grade, count = _value(best)
        how = (
            PUBLICATION_ZH[best["publication"]]
            + ADOPTION_ZH[best["adoption"]]
            + INSTRUCTION_ZH[best.get("instruction") or "none"]
        )
        note = "；同一篇按最高标准计，不累计" if len(adoptions) > 1 else ""
        out.append(
            Conversion(
                index=index,
                title=item.get("title", ""),
                grade=grade,
                grade_zh=GRADE_ZH[grade],
                count=count,
                basis=f"获{how}，视为{GRADE_ZH[grade]}{count:g}篇{note}（{CLAUSE}）。",
            )
        )
    return out


def totals(conversions: list[Conversion]) -> dict[str, float]:
    result: dict[str, float] = {}
    for c in conversions:
        if c.grade:
            result[c.grade] = result.get(c.grade, 0) + c.count
    return result
