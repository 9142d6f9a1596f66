"""Who produces each material: the applicant, or the unit at its own step.

The eligibility answer names each material's `producer` (the rules service's policy
packs: applicant, unit or system; a material without one is the applicant's, as
completeness.py reads it). The unit's materials are not asked of the applicant; the
unit files them at its step, and its approval waits for them.
"""

from __future__ import annotations

from typing import Any

HIGH_LEVELS = ("deputy_senior", "senior")
# 用人单位承诺书: the unit's reviewer signs it in the system (POST …/unit-pledge), which
# files it; a scan may be uploaded besides.
SIGNED_IN_SYSTEM = frozenset({"unit_pledge"})


def producer(material: dict[str, Any]) -> str:
    return str(material.get("producer") or "applicant")


def _materials(eligibility: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [m for m in (eligibility or {}).get("materials", []) if isinstance(m, dict)]


def unit_produced(eligibility: dict[str, Any] | None) -> frozenset[str]:
    """The materials the policy has the unit produce for this declaration: all the unit
    may upload at its step."""
    return frozenset(m["id"] for m in _materials(eligibility) if producer(m) == "unit")


def required_of_unit(eligibility: dict[str, Any] | None, level: str) -> list[dict[str, Any]]:
    """The materials the unit must file on this declaration (id, name, clause).

    审议推荐表 is a scan only for 高级 (二3 “对申报高级职称的应原件扫描上传审议小组推荐表
    （须审议小组组长签字）”); below that the deliberation recorded in the unit review is it.
    """
    out = []
    for material in _materials(eligibility):
        if producer(material) != "unit":
            continue
        if material.get("id") == "panel_recommendation" and level not in HIGH_LEVELS:
            continue
        out.append(material)
    return out
