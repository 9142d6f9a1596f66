"""Loading and judging eligibility cases.

The shared keys of `expect` are judged as `cases/README.md` says (eligible, paths, not_paths,
blockers, earliest_on, committee, fee_yuan). Own cases may also use:
- `no_blockers: true` — the response has no blockers;
- `blocker_clauses: [[id, clause_key], ...]` — a blocker with that id cites that clause;
- `conditions: [{path, id, met, clause?, decided_by?}, ...]` — the path reports the condition
  with that `met` (true / false / null) and, when given, that clause (a key of the pack's
  clauses) and the review level that decides it (`decided_by.level`; null: a missing fact,
  which the applicant supplies, no one judges);
- `message_contains: [{path, id, text}, ...]` — the condition's message contains the text;
- `path_earliest: {path: date | null}` — that path's `earliest_on`;
- `materials` / `not_materials: [id, ...]` — material ids present / absent;
- `committee_office_contains: text`, `committee_office: null`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent / "cases"

_SHARED_KEYS = {
    "eligible",
    "paths",
    "not_paths",
    "blockers",
    "earliest_on",
    "committee",
    "fee_yuan",
}
_OWN_KEYS = {
    "no_blockers",
    "blocker_clauses",
    "conditions",
    "message_contains",
    "path_earliest",
    "materials",
    "not_materials",
    "committee_office_contains",
    "committee_office",
}


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name == "deadlines.yaml":
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


def request_json(case: dict) -> str:
    """The request body as JSON text (YAML dates are already quoted strings in the files)."""
    return json.dumps(case["request"], ensure_ascii=False, default=str)


def _path(res: dict, name: str) -> dict | None:
    return next((p for p in res["paths"] if p["path"] == name), None)


def _condition(res: dict, path: str, cid: str) -> dict | None:
    p = _path(res, path)
    if p is None:
        return None
    return next((c for c in p.get("conditions", []) if c["id"] == cid), None)


def judge(case: dict, res: dict, ref: Callable[[str, str], str]) -> list[str]:
    """Every way the response differs from the case's expectations (empty: it passes).
    `ref(policy_id, clause_key)` turns a clause key into the printed clause reference."""
    exp = case["expect"]
    unknown = set(exp) - _SHARED_KEYS - _OWN_KEYS
    bad = [f"unknown expect keys {sorted(unknown)}"] if unknown else []
    pid = res["policy"]["id"]
    if "eligible" in exp and res["eligible"] != exp["eligible"]:
        bad.append(f"eligible {res['eligible']} != {exp['eligible']}")
    for name in exp.get("paths", []):
        p = _path(res, name)
        if p is None or p["eligible"] is not True:
            bad.append(f"path {name} not eligible")
    for name in exp.get("not_paths", []):
        p = _path(res, name)
        if p is not None and p["eligible"]:
            bad.append(f"path {name} eligible")
    ids = [b["id"] for b in res["blockers"]]
    for blocker in exp.get("blockers", []):
        if blocker not in ids:
            bad.append(f"blocker {blocker} missing (have {ids})")
    if "earliest_on" in exp and res["earliest_on"] != exp["earliest_on"]:
        bad.append(f"earliest_on {res['earliest_on']} != {exp['earliest_on']}")
    committee = res["committee"] or {}
    if "committee" in exp and committee.get("name") != exp["committee"]:
        bad.append(f"committee {committee.get('name')} != {exp['committee']}")
    if "fee_yuan" in exp and res["fee_yuan"] != exp["fee_yuan"]:
        bad.append(f"fee_yuan {res['fee_yuan']} != {exp['fee_yuan']}")
    if exp.get("no_blockers") and res["blockers"]:
        bad.append(f"unexpected blockers {ids}")
    for blocker, key in exp.get("blocker_clauses", []):
        want = ref(pid, key)
        if not any(b["id"] == blocker and b["clause"] == want for b in res["blockers"]):
            bad.append(f"no blocker {blocker} citing {want}")
    for c in exp.get("conditions", []):
        got = _condition(res, c["path"], c["id"])
        if got is None:
            bad.append(f"condition {c['path']}.{c['id']} missing")
            continue
        if got["met"] is not c["met"]:
            bad.append(f"condition {c['path']}.{c['id']} met {got['met']} != {c['met']}")
        if "clause" in c and got["clause"] != ref(pid, c["clause"]):
            bad.append(f"condition {c['path']}.{c['id']} clause {got['clause']}")
        if "decided_by" in c and (got.get("decided_by") or {}).get("level") != c["decided_by"]:
            bad.append(f"condition {c['path']}.{c['id']} decided_by {got.get('decided_by')}")
    for c in exp.get("message_contains", []):
        got = _condition(res, c["path"], c["id"])
        if got is None or c["text"] not in got["message"]:
            bad.append(f"condition {c['path']}.{c['id']} message lacks {c['text']!r}")
    for name, day in (exp.get("path_earliest") or {}).items():
        p = _path(res, name)
        if p is None or p["earliest_on"] != day:
            bad.append(f"path {name} earliest_on {p and p['earliest_on']} != {day}")
    have = {m["id"] for m in res["materials"]}
    for mid in exp.get("materials", []):
        if mid not in have:
            bad.append(f"material {mid} missing")
    for mid in exp.get("not_materials", []):
        if mid in have:
            bad.append(f"material {mid} unexpected")
    if "committee_office_contains" in exp and exp["committee_office_contains"] not in (
        committee.get("office") or ""
    ):
        bad.append(f"committee office {committee.get('office')!r}")
    if "committee_office" in exp and committee.get("office") != exp["committee_office"]:
        bad.append(f"committee office {committee.get('office')!r} != {exp['committee_office']!r}")
    return bad


def pretty(res: Any) -> str:
    return json.dumps(res, ensure_ascii=False, indent=1)[:4000]
