"""Evaluate one applicant against one compiled pack; returns the contract's response dict.

Everything here is plain Python over the compiled pack: no pydantic, no copies of the
pack, one pass over each path. `explain=False` skips building per-condition messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.rules.engine.compiled import CompiledPack, CompiledPath
from services.rules.engine.dates import NEVER


def _run(preds: tuple, f: Any) -> tuple[list, bool, int, int, int]:
    results = []
    ok = True
    due = 0
    nfalse = 0
    ntrue = 0
    for pred in preds:
        r = pred.evaluate(f)
        results.append(r)
        met = r[0]
        if met is True:
            ntrue += 1
            continue
        ok = False
        if met is False:
            nfalse += 1
        if r[1] > due:
            due = r[1]
    return results, ok, due, nfalse, ntrue


def run_path(path: CompiledPath, f: Any) -> tuple[bool, int, list, int]:
    """(eligible, due ordinal or NEVER, [(predicate, result)] reported, count of unmet)."""
    results, ok, due, unmet, _ = _run(path.common, f)
    reported = list(zip(path.common, results, strict=True))
    if path.rows:
        best = None
        best_key = None
        for index, (_label, preds) in enumerate(path.rows):
            rres, rok, rdue, nfalse, ntrue = _run(preds, f)
            key = (not rok, rdue, nfalse, -ntrue, index)
            if best_key is None or key < best_key:
                best_key = key
                best = (preds, rres, rok, rdue, nfalse)
                if rok:
                    break
        preds, rres, rok, rdue, nfalse = best
        unmet += nfalse
        reported += zip(preds, rres, strict=True)
        ok = ok and rok
        if rdue > due:
            due = rdue
    return ok, due, reported, unmet


def evaluate(pack: CompiledPack, f: Any, explain: bool = True) -> dict:
    level = pack.levels[f.level]
    as_of = f.as_of_ord

    blockers = []
    pending = []
    block_due = 0
    for ex in pack.exclusions:
        hit = ex.check(f)
        if hit is None:
            continue
        if hit[0] is None:
            pending.append(ex.pending_condition(hit[2]))
            continue
        blockers.append({"id": ex.blocker, "clause": ex.clause, "message": hit[2]})
        if hit[1] > block_due:
            block_due = hit[1]

    paths = []
    eligible_paths = set()
    possible_paths = set()
    first_due = NEVER
    for path in level.paths:
        ok, due, reported, unmet = run_path(path, f)
        if pending:
            ok = False
        if ok:
            due = as_of
            eligible_paths.add(path.path)
        if due < NEVER or not unmet:
            possible_paths.add(path.path)
        if due < NEVER:
            if due < as_of:
                due = as_of
            if due < first_due:
                first_due = due
            earliest = date.fromordinal(due).isoformat()
        else:
            earliest = None
        out = {"path": path.path, "eligible": ok, "earliest_on": earliest}
        if explain:
            conditions = [pred.explain(f, r) for pred, r in reported]
            if pending:
                conditions.extend(pending)
            out["conditions"] = conditions
        paths.append(out)

    if blockers and block_due > first_due:
        first_due = block_due
    earliest_on = None if first_due >= NEVER else date.fromordinal(first_due).isoformat()

    return {
        "eligible": bool(eligible_paths) and not blockers,
        "policy": pack.policy,
        "blockers": blockers,
        "paths": paths,
        "earliest_on": earliest_on,
        "committee": pack.resolve_committee(f.level, f),
        "fee_yuan": level.fee,
        "materials": _materials(level.materials, f, eligible_paths or possible_paths),
    }


def _materials(rules: tuple, f: Any, paths: set) -> list:
    out = []
    for employer_types, for_paths, facts, item in rules:
        if employer_types and f.employer_type not in employer_types:
            continue
        if for_paths and for_paths.isdisjoint(paths):
            continue
        if facts and not any(getattr(f, x) for x in facts):
            continue
        out.append(item)
    return out
