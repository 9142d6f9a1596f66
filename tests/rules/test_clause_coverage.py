"""Clause coverage: for every clause a pack's rules cite, remove every rule citing it and
check that some case then fails. The test lists the clauses whose removal no case notices.

Rules are the items of `exclusions`, `levels` (conditions and reliefs), `fees`, `committees`,
`materials` and `seniority_cutoff`. Deadlines do not take part in evaluation; their clauses
are covered by `cases/deadlines.yaml`, checked against GET /v1/policies/{id}. `out_of_scope`
rules answer a 422, which a case cannot express; tests/rules/test_scope.py covers them.
`routing` rules (and `routing_basis`) shape the chain, not the evaluation: each is checked
by tests/rules/test_routing.py and the gateway's tests/api/test_routing.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from services.rules.engine.packs import POLICY_DIR, Registry, build_pack
from services.rules.schemas import EvaluateRequest
from services.rules.service import EligibilityService
from tests.rules.judge import CASES_DIR, judge, load_cases, request_json

RULE_SECTIONS = ("exclusions", "levels", "fees", "committees", "materials", "seniority_cutoff")
PACK_FILES = sorted(POLICY_DIR.glob("*.yaml"))
CASES = load_cases()
DEADLINES = yaml.safe_load((CASES_DIR / "deadlines.yaml").read_text(encoding="utf-8"))


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def cited(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["clause"]} if isinstance(node.get("clause"), str) else set()
        for value in node.values():
            found |= cited(value)
        return found
    if isinstance(node, list):
        return set().union(*(cited(x) for x in node)) if node else set()
    return set()


def rule_clauses(raw: dict) -> set[str]:
    return set().union(*(cited(raw.get(s)) for s in RULE_SECTIONS))


def without(node: Any, key: str) -> Any:
    """A copy of `node` with every rule citing clause `key` removed."""

    def hit(x: Any) -> bool:
        return isinstance(x, dict) and x.get("clause") == key

    if isinstance(node, dict):
        return {k: without(v, key) for k, v in node.items() if not hit(v)}
    if isinstance(node, list):
        return [without(x, key) for x in node if not hit(x)]
    return node


def mutated(raw: dict, key: str) -> dict:
    # `judging` names the pack's committees and takes no part in evaluation: a mutation
    # that removes a committee would leave it naming one the pack no longer has.
    out = {k: v for k, v in raw.items() if k != "judging"}
    for section in RULE_SECTIONS:
        if section in raw:
            if hit := (isinstance(raw[section], dict) and raw[section].get("clause") == key):
                del out[section]
            else:
                out[section] = without(raw[section], key)
            assert hit or section in out
    return out


def _failures(service: EligibilityService, cases: list[dict]) -> list[str]:
    failed = []
    for case in cases:
        req = EvaluateRequest.model_validate_json(request_json(case))
        res = service.evaluate(req)
        pack = service.registry.by_id[res["policy"]["id"]]
        if judge(case, res, lambda _pid, k, pack=pack: pack.refs[k]):
            failed.append(case["id"])
    return failed


def _cases_for(pack_id: str) -> list[dict]:
    service = EligibilityService(Registry.load())
    return [
        c
        for c in CASES
        if service.pack_for(r := EvaluateRequest.model_validate_json(request_json(c)), r.as_of).id
        == pack_id
    ]


@pytest.mark.parametrize("path", PACK_FILES, ids=[p.stem for p in PACK_FILES])
def test_every_clause_has_a_case_that_fails_without_its_rule(path: Path) -> None:
    raw = _raw(path)
    others = [build_pack(_raw(p), p.name) for p in PACK_FILES if p != path]
    cases = _cases_for(raw["id"])
    assert cases, f"no case for {raw['id']}"
    baseline = EligibilityService(Registry([build_pack(raw, path.name), *others]))
    assert _failures(baseline, cases) == []
    unnoticed = []
    for key in sorted(rule_clauses(raw)):
        pack = build_pack(mutated(raw, key), path.name)
        service = EligibilityService(Registry([pack, *others]))
        if not _failures(service, cases):
            unnoticed.append(f"{key} ({pack.refs[key]})")
    assert unnoticed == [], f"clauses no case exercises in {path.name}: {unnoticed}"


@pytest.mark.parametrize("path", PACK_FILES, ids=[p.stem for p in PACK_FILES])
def test_every_clause_is_cited_and_every_deadline_clause_is_checked(path: Path) -> None:
    raw = _raw(path)
    deadline_keys = cited(raw.get("deadlines"))
    scope_keys = cited(raw.get("out_of_scope"))
    # The date the pack comes into force rests on a clause too (checked against the seed in
    # tests/rules/test_packs.py).
    in_force = {raw["in_force_clause"]}
    # How a committee judges takes no part in evaluation; tests/rules/test_committee_scoring.py
    # checks those clauses and their data against the seed.
    judging_keys = cited(raw.get("judging"))
    routing_keys = cited(raw.get("routing")) | {raw.get("routing_basis")}
    unused = (
        set(raw["clauses"])
        - rule_clauses(raw)
        - deadline_keys
        - scope_keys
        - in_force
        - routing_keys
        - judging_keys
    )
    assert unused == set(), f"clauses no rule or deadline cites: {sorted(unused)}"
    checked = {d["clause"] for d in DEADLINES if d["policy"] == raw["id"]}
    assert deadline_keys <= checked, f"deadline clauses without a check: {deadline_keys - checked}"


@pytest.mark.parametrize("item", DEADLINES, ids=[f"{d['policy']}:{d['id']}" for d in DEADLINES])
async def test_deadlines_are_served(client, clause_ref, item: dict) -> None:
    r = await client.get(f"/v1/policies/{item['policy']}")
    assert r.status_code == 200
    body = r.json()
    found = next(d for d in body["deadlines"] if d["id"] == item["id"])
    assert found["clause"] == item["clause"]
    assert body["clauses"][item["clause"]]["ref"] == clause_ref(item["policy"], item["clause"])
    for field in ("starts_at", "ends_at"):
        if field in item:
            assert found[field] == item[field], (field, found)


@pytest.mark.parametrize("path", PACK_FILES, ids=[p.stem for p in PACK_FILES])
def test_every_rule_clause_has_an_own_case_written_for_it(path: Path) -> None:
    raw = _raw(path)
    named = set()
    for case in CASES:
        if case["file"] == f"own-{raw['id']}.yaml":
            named |= {case["clause"], *case.get("clauses", [])}
    unknown = named - set(raw["clauses"])
    assert unknown == set(), f"cases name clauses the pack does not have: {sorted(unknown)}"
    missing = rule_clauses(raw) - named
    assert missing == set(), f"clauses without an own case: {sorted(missing)}"
