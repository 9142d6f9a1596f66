"""Who produces each material: the applicant, or the unit at its own step.

The eligibility answer names each material's `producer`; answers recorded before it
did are read with `UNIT_PRODUCED` below. The unit's materials are not asked of the
applicant; the unit files them at its step, and its approval waits for them.
"""

from __future__ import annotations

from typing import Any

# 申报系统操作注意事项 二（单位填写注意事项）: 公示情况、答辩情况、审议小组审议推荐建议、
# 基层单位推荐意见 are the unit's.
UNIT_PRODUCED = frozenset(
    {"defence_record", "panel_recommendation", "public_posting", "unit_recommendation"}
)
HIGH_LEVELS = ("deputy_senior", "senior")


def producer(material: dict[str, Any]) -> str:
    if material.get("producer"):
        return str(material["producer"])
    return "unit" if material.get("id") in UNIT_PRODUCED else "applicant"


def required_of_unit(eligibility: dict[str, Any] | None, level: str) -> list[dict[str, Any]]:
    """The materials the unit must file on this declaration (id, name, clause).

    审议推荐表 is a scan only for 高级 (二3 “对申报高级职称的应原件扫描上传审议小组推荐表
    （须审议小组组长签字）”); below that the deliberation recorded in the unit review is it.
    """
    out = []
    for material in (eligibility or {}).get("materials", []):
        if not isinstance(material, dict) or producer(material) != "unit":
            continue
        if material.get("id") == "panel_recommendation" and level not in HIGH_LEVELS:
            continue
        out.append(material)
    return out
