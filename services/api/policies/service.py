"""The policy packs, read from the eligibility service and shaped for people to read:
every clause key replaced by the clause (its reference and its words)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from services.api.clients import rules as rules_client
from services.api.policies.problems import PolicyNotFound
from services.api.policies.schemas import PolicyRead, PolicySummaryRead
from services.kit.vocabulary import LEVEL_NAMES

SUMMARY_FIELDS = tuple(PolicySummaryRead.model_fields)


def _summary(pack: dict[str, Any]) -> dict[str, Any]:
    return {k: pack[k] for k in SUMMARY_FIELDS}


async def list_policies(
    rules: httpx.AsyncClient, *, region: str | None, series: str | None, as_of: date | None
) -> list[dict[str, Any]]:
    params = {"region": region, "series": series, "as_of": as_of and as_of.isoformat()}
    packs = await rules_client.policies(rules, {k: v for k, v in params.items() if v})
    return [_summary(p) for p in packs]


def _resolved(node: Any, clauses: dict[str, dict[str, Any]]) -> Any:
    if isinstance(node, dict):
        return {
            k: clauses[v] if k == "clause" and isinstance(v, str) else _resolved(v, clauses)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_resolved(x, clauses) for x in node]
    return node


def shape(pack: dict[str, Any]) -> dict[str, Any]:
    """The rules service's pack → `PolicyRead`."""
    clauses = {
        key: {"key": key, **{k: c[k] for k in ("ref", "document", "point", "text")}}
        for key, c in pack["clauses"].items()
    }
    fees = pack.get("fees") or {}
    levels = [
        {
            "level": level,
            "name": LEVEL_NAMES.get(level, level),
            "fee_yuan": fees[level]["yuan"] if level in fees else None,
            "paths": _resolved(spec["paths"], clauses),
        }
        for level, spec in pack["levels"].items()
    ]
    return {
        **{k: pack[k] for k in ("id", "title", "series", "regions", "notes")},
        **{k: pack[k] for k in ("in_force_from", "in_force_basis", "replaced_on")},
        "documents": pack["documents"],
        "exclusions": _resolved(pack["exclusions"], clauses),
        "levels": levels,
        "materials": _resolved(pack["materials"], clauses),
        "committees": _resolved(pack["committees"], clauses),
        "deadlines": _resolved(pack["deadlines"], clauses),
        "clauses": list(clauses.values()),
    }


async def get_policy(rules: httpx.AsyncClient, policy_id: str) -> dict[str, Any]:
    pack = await rules_client.policy(rules, policy_id)
    if pack is None:
        raise PolicyNotFound(
            f"没有编号为 {policy_id[:80]} 的政策包，可用 GET /v1/policies 查看已有政策包。"
        )
    return PolicyRead.model_validate(shape(pack)).model_dump(mode="json")
