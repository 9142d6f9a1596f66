"""What a declaration must contain before it is submitted: every missing item at once.

Section rules follow 申报系统操作注意事项 一（二）; required materials come from the
eligibility service's `materials` for this case (each must be attached with its id as kind).
Only the applicant's own materials are asked for here: what the unit produces (答辩情况、
审议推荐表、公示情况、推荐意见, 002 二) it records at its review step, and what the system
derives nobody uploads. Papers, achievements and awards are judged item by item
(evidence.py); 长治's plagiarism rate by plagiarism.py.
A material or an item's document counts only when an attachment names a document of this
declaration, in force, whose kind serves it: the caller passes those attachments
(`declarations.attachments.standing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.api.declarations import evidence
from services.api.declarations.judgeable import is_judgement
from services.api.declarations.plagiarism import plagiarism_items
from services.api.declarations.sections import SECTION_TITLES
from services.api.models import Declaration

ALWAYS = (
    "basic_info",
    "education",
    "continuing_education",
    "papers",
    "main_experience",
    "achievements",
    "professional_experience",
    "annual_assessments",
)
PRIVATE = ("private", "social_org")


def _item(section: str | None, message: str, kind: str = "section") -> dict[str, Any]:
    return {"kind": kind, "section": section, "message": message}


def missing_items(
    declaration: Declaration,
    eligibility: dict[str, Any] | None,
    *,
    standing: Sequence[dict[str, Any]],
    waived: set[str] | frozenset[str] = frozenset(),
) -> list[dict]:
    """Everything missing; `standing` are the declaration's attachments that may stand
    (each names a document of it, in force, serving its material), `waived` the materials
    a registry lookup verified instead (数据共享, services/api/registries/)."""
    s = declaration.sections
    items = []
    for key in ALWAYS:
        if not s.get(key):
            items.append(_item(key, f"请填写“{SECTION_TITLES[key]}”。"))
    employer = (s.get("basic_info") or {}).get("employer_type")
    needs_title = (
        declaration.path not in ("no_title", "direct") and declaration.level != "technician"
    )
    if needs_title and not s.get("current_title"):
        items.append(
            _item("current_title", "请填写“现专业技术资格证书”（取得时间以证书授予时间为准）。")
        )
    if employer in PRIVATE and not s.get("social_insurance"):
        items.append(
            _item(
                "social_insurance",
                "民营企业、社会组织申报人须填写社保信息（申报前连续6个月以上，不含申报当月）。",
            )
        )
    if declaration.series == "arts_crafts" and not s.get("self_evaluation"):
        items.append(
            _item("self_evaluation", "工艺美术系列申报人须填报自评表（2023年度通知 附件5）。")
        )
    items += _materials(declaration, eligibility, standing, waived)
    if eligibility is not None and not eligibility.get("eligible"):
        for blocker in eligibility.get("blockers", []):
            items.append(
                _item(None, blocker.get("message", blocker.get("id", "")), "eligibility")
                | {"clause": blocker.get("clause")}
            )
        path = next(
            (p for p in eligibility.get("paths", []) if p.get("path") == declaration.path), None
        )
        if path is None:
            items.append(
                _item(None, "所选申报途径不适用于该级别，请改选适用的申报途径。", "eligibility")
            )
        else:
            for cond in path.get("conditions", []):
                if not cond.get("met", True) and not is_judgement(cond):
                    items.append(
                        _item(None, cond.get("message", cond.get("id", "")), "eligibility")
                        | {"clause": cond.get("clause")}
                    )
            if not path.get("conditions") and not path.get("eligible"):
                items.append(_item(None, "不符合所选申报途径的申报条件。", "eligibility"))
    committee = (eligibility or {}).get("committee") or {}
    if committee.get("code") and committee["code"] != declaration.committee_code:
        items.append(
            _item(
                None,
                f"该申报应由“{committee.get('name')}”评审，与所选批次的评委会不一致，请改选批次。",
                "eligibility",
            )
        )
    return items


def _applicants(eligibility: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The materials the applicant produces (an answer without `producer`: all of them)."""
    out = []
    for material in (eligibility or {}).get("materials", []):
        if not isinstance(material, dict):
            material = {"id": str(material)}
        if material.get("id") and material.get("producer", "applicant") == "applicant":
            out.append(material)
    return out


def _materials(
    declaration: Declaration,
    eligibility: dict[str, Any] | None,
    standing: Sequence[dict[str, Any]],
    waived: set[str] | frozenset[str],
) -> list[dict]:
    s = declaration.sections
    policy = ((eligibility or {}).get("policy") or {}).get("id")
    rules = evidence.rules_for(policy, declaration.series)
    items = evidence.missing_evidence(s, list(standing), rules)
    # Any attachment naming an entry since removed, standing or not, is pointed out.
    items += evidence.stale_references(s, declaration.attachments)
    # A section with items is judged per item above; level-specific materials (e.g.
    # 正高's signed pledge, 002 一（二）14) come from the policy's `materials`, so a series
    # without that rule does not get it.
    per_item = evidence.covered_materials(s, rules)
    kinds = {a["kind"] for a in standing}
    wanted = _applicants(eligibility)
    for material in wanted:
        mid = material["id"]
        if mid not in kinds and mid not in waived and mid not in per_item:
            name = material.get("name", mid)
            items.append(_item(None, f"缺少材料：{name}。", "material") | {"material_id": mid})
    items += plagiarism_items(s, {m["id"] for m in wanted})
    return items
