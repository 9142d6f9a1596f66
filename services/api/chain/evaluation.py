"""The eligibility request of a filed declaration, built from its sections and the registry
facts of its submission alone (a pure function of what the submission's snapshot keeps),
and the replay that rebuilds and re-evaluates it from that snapshot."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from typing import Any

import httpx
from sqlmodel import select

from services.api.clients import rules as rules_client
from services.api.declarations import facts as declared
from services.api.integrity import service as integrity
from services.api.models import Declaration, DeclarationSnapshot
from services.api.registries import service as registries
from services.api.specialties import service as specialties

# What the gateway adds to the eligibility service's answer (not the engine's to replay).
GATEWAY_KEYS = (integrity.SOURCE, "facts_source")


def inputs_of(
    declaration: Declaration,
    *,
    typed: dict[str, Any],
    verified: registries.Verified,
    register: integrity.RegisterView,
    region_code: str,
    as_of: date,
    others: int,
    early_used_before: int,
) -> dict[str, Any]:
    """Everything besides the sections the request is built from, as stored with the
    submission: the facts as typed, the registries' answers, the register's entries."""
    return {
        "typed": copy.deepcopy(typed),
        "registries": verified.data,
        "credit_code": verified.credit_code,
        "today": verified.today.isoformat(),
        "integrity_until": [e.until.isoformat() for e in register.entries],
        "region_code": region_code,
        "as_of": as_of.isoformat(),
        "others": others,
        "early_used_before": early_used_before,
        "change_explained": any(
            a.get("kind") == "unit_change_explanation" for a in declaration.attachments
        ),
    }


def build(
    inputs: dict[str, Any],
    *,
    sections: dict[str, Any],
    series: str,
    level: str,
    year: int,
    specialty: str | None,
    path: str,
) -> tuple[dict[str, Any], declared.Derived, list[Any]]:
    """The request body, the derivation (ignored typed values, date findings, pending
    proofs) and the integrity sanctions the applicant declared that the register replaced."""
    today = date.fromisoformat(inputs["today"])
    typed = inputs["typed"]
    if inputs["registries"]:
        _, found, _, _ = registries.reconcile(
            typed,
            sections,
            series=series,
            data=inputs["registries"],
            credit_code=inputs["credit_code"],
            today=today,
        )
        typed = {**typed, **{k: found[k] for k in registries.FACT_KEYS if k in found}}
    region = inputs["region_code"]
    derived = declared.derive(
        typed, sections, region_code=region, series=series, level=level, year=year, today=today
    )
    # The integrity register, not the applicant's word, says whether they are in it.
    facts, overridden = integrity.override(derived.applicant, inputs["integrity_until"])
    industry = facts.pop("industry", None)
    basic = sections.get("basic_info") or {}
    facts.setdefault("employer_type", basic.get("employer_type"))
    facts["same_level_applications_this_year"] = inputs["others"]
    # "原则上" six months at the employer: a 情况说明 of the change makes it a judgement.
    facts["social_insurance_change_explained"] = inputs["change_explained"]
    # 工程硕士提前1年: the pack says whether a second time is allowed (000 三: 限1次).
    facts["engineering_master_early_used"] = inputs["early_used_before"] > 0
    body = {
        "region": region if region.endswith("0000") else region[:4] + "00",
        "county": None if region.endswith("00") else region,
        "series": series,
        "level": level,
        "as_of": inputs["as_of"],
        "industry": industry,
        "specialty": specialties.name_of(series, specialty),
        "applicant": facts,
    }
    return body, derived, overridden


def engine_part(eligibility: dict[str, Any] | None, route: list[str] = ()) -> dict[str, Any]:
    """The eligibility service's own answer, without what the gateway added to it (its
    annotations, and the materials the declaration's route asks for, `route`)."""
    out = copy.deepcopy(eligibility or {})
    for key in GATEWAY_KEYS:
        out.pop(key, None)
    if route and "materials" in out:
        out["materials"] = [m for m in out["materials"] if m.get("id") not in route]
    for blocker in out.get("blockers", []):
        if blocker.get("source") == integrity.SOURCE:
            blocker.pop("source")
    return out


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out += _differences(a.get(key), b.get(key), f"{where}.{key}" if where else str(key))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _differences(x, y, f"{where}[{i}]")
        return out
    return [] if a == b else [where or "(root)"]


async def latest_snapshot(session, declaration_id: uuid.UUID) -> DeclarationSnapshot | None:
    query = (
        select(DeclarationSnapshot)
        .where(DeclarationSnapshot.declaration_id == declaration_id)
        .order_by(DeclarationSnapshot.n.desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def replay(
    sessionmaker, declaration: Declaration, *, rules: httpx.AsyncClient
) -> dict[str, Any]:
    """Rebuild the last submission's request from its snapshot (its sections and the
    registry facts stored with it), evaluate it again and compare with what was stored."""
    async with sessionmaker() as session:
        snapshot = await latest_snapshot(session, declaration.id)
    base = {"declaration_id": str(declaration.id)}
    content = snapshot.content if snapshot else {}
    inputs = content.get("evaluation_inputs")
    if snapshot is None or inputs is None:
        return base | {
            "n": snapshot.n if snapshot else None,
            "replayable": False,
            "matches": False,
            "request_matches": False,
            "evaluation_matches": False,
            "differences": [],
            "message": "该申报没有保存可复现的提交评估（未提交，或提交早于保存评估依据）。",
        }
    body, derived, _ = build(
        inputs,
        sections=content["sections"],
        series=content["series"],
        level=content["level"],
        year=content["year"],
        specialty=content["specialty"],
        path=content["path"],
    )
    request_diff = _differences(inputs.get("request"), body)
    source_diff = _differences(
        ((content.get("eligibility") or {}).get("facts_source")), derived.source()
    )
    again = await rules_client.evaluate(rules, body)
    stored = engine_part(content.get("eligibility"), inputs.get("route_materials") or [])
    evaluation_diff = _differences(stored, engine_part(again))
    matches = not (request_diff or source_diff or evaluation_diff)
    return base | {
        "n": snapshot.n,
        "replayable": True,
        "matches": matches,
        "request_matches": not (request_diff or source_diff),
        "evaluation_matches": not evaluation_diff,
        "differences": [f"request.{d}" for d in request_diff]
        + [f"facts_source.{d}" for d in source_diff]
        + [f"eligibility.{d}" for d in evaluation_diff],
        "message": "按提交时保存的申报内容和登记库事实重新评估，结果与保存的一致。"
        if matches
        else "按提交时保存的申报内容和登记库事实重新评估，结果与保存的不一致。",
    }
