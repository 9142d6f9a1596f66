"""Evaluate one applicant against one compiled pack; returns the contract's response dict.

Everything here is plain Python over the compiled pack: no pydantic, no copies of the
pack, one pass over each path. `explain=False` skips building per-condition messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.rules.engine.compiled import CompiledPack, CompiledPath
from services.rules.engine.dates import NEVER

_ISO: dict[int, str] = {}
# The answers without blockers share this list (never written to): one object fewer per
# answer for the memory and for the garbage collector to scan.
_NO_BLOCKERS: list = []


def iso(ordinal: int) -> str:
    text = _ISO.get(ordinal)
    if text is None:
        text = date.fromordinal(ordinal).isoformat()
        if len(_ISO) < 50_000:
            _ISO[ordinal] = text
    return text


def run_path(path: CompiledPath, f: Any) -> tuple[bool, int, int, tuple, list, int]:
    """Evaluate one path: (eligible, due ordinal or NEVER, unmet count, reported
    predicates, their results, index of the reported row or -1).

    Rows are alternatives: the first eligible row wins, else the row that time alone
    satisfies first, else the row that gets furthest before a condition time cannot fix.
    A row stops at such a condition; only the row finally reported is completed."""
    results = []
    ok = True
    due = 0
    unmet = 0
    for ev in path.common_eval:
        r = ev(f)
        results.append(r)
        if r[0] is not True:
            ok = False
            if r[0] is False:
                unmet += 1
            if r[1] > due:
                due = r[1]
    rows = path.row_evals
    if not rows:
        return ok, due, unmet, path.common, results, -1
    best = None
    best_due = NEVER + 1
    best_met = 0
    for index, row in enumerate(rows):
        res = []
        rdue = 0
        met = 0
        for ev in row:
            r = ev(f)
            res.append(r)
            if r[0] is True:
                met += 1
            elif r[1] > rdue:
                rdue = r[1]
                if rdue >= NEVER:
                    break
        if rdue == 0 and met == len(row):
            best = (index, res)
            break
        if rdue < best_due or (rdue == best_due and met > best_met):
            best = (index, res)
            best_due = rdue
            best_met = met
    index, res = best
    row = rows[index]
    if len(res) < len(row):
        res.extend(ev(f) for ev in row[len(res) :])
    for r in res:
        if r[0] is not True:
            ok = False
            if r[0] is False:
                unmet += 1
            if r[1] > due:
                due = r[1]
    results += res
    return ok, due, unmet, path.with_row[index], results, index


def explain_path(preds: tuple, results: list, f: Any) -> list:
    conditions = []
    for pred, r in zip(preds, results, strict=True):
        memo = pred.memo
        if memo is not None:
            item = memo.get(r)
            if item is None:
                item = pred.explain(f, r)
                if len(memo) < 512:
                    memo[r] = item
        else:
            item = pred.explain(f, r)
        conditions.append(item)
    return conditions


def evaluate(pack: CompiledPack, f: Any, explain: bool = True) -> dict:
    """The response for one applicant. Parts of it are shared between responses (the
    policy, committee and material objects, the paths' answers and their condition
    lists): serialise it, do not mutate it."""
    level = pack.levels[f.level]
    as_of = f.as_of_ord

    blockers = []
    pending = []
    block_due = 0
    for ex in pack.exclusions if pack.may_exclude(f) else ():
        hit = ex.check(f)
        if hit is None:
            continue
        if hit[0] is None:
            pending.append(ex.pending_condition(hit[2], hit[3] if len(hit) > 3 else None))
            continue
        blockers.append({"id": ex.blocker, "clause": ex.clause, "message": hit[2]})
        if hit[1] > block_due:
            block_due = hit[1]

    paths = []
    eligible_paths = []
    possible_paths = []
    first_due = NEVER
    for path in level.paths:
        ok, due, unmet, preds, results, index = run_path(path, f)
        if pending:
            ok = False
        if ok:
            due = as_of
            eligible_paths.append(path.path)
        if due < NEVER:
            possible_paths.append(path.path)
            if due < as_of:
                due = as_of
            if due < first_due:
                first_due = due
            earliest = iso(due)
        else:
            if not unmet:
                possible_paths.append(path.path)
            earliest = None
        # A path's answer is one of few (its results decide it, with the day shown): each
        # is built once and shared, so that a batch's answers hold little more than their
        # own dict and list of paths (fresh dicts for every answer cost more in memory
        # traffic than in building them).
        if not explain:
            item = path.plain.get((ok, earliest))
            if item is None:
                item = {"path": path.path, "eligible": ok, "earliest_on": earliest}
                if len(path.plain) < 4096:
                    path.plain[ok, earliest] = item
            paths.append(item)
            continue
        memo = path.memo
        if memo is None:
            conditions = explain_path(preds, results, f)
            shown = None
        else:
            key = (index, *results)
            entry = memo.get(key)
            if entry is None:
                entry = (explain_path(preds, results, f), {})
                if len(memo) < 2048:
                    memo[key] = entry
            conditions, shown = entry
        if pending:
            conditions = conditions + pending
        elif shown is not None:
            # Without pending conditions, `ok` and `earliest` follow from the results and
            # the evaluation date: the answer is shared by the applicants with both.
            item = shown.get(earliest)
            if item is None:
                item = {
                    "path": path.path,
                    "eligible": ok,
                    "earliest_on": earliest,
                    "conditions": conditions,
                }
                if len(shown) < 256:
                    shown[earliest] = item
            paths.append(item)
            continue
        paths.append(
            {"path": path.path, "eligible": ok, "earliest_on": earliest, "conditions": conditions}
        )

    if blockers and block_due > first_due:
        first_due = block_due

    return {
        "eligible": bool(eligible_paths) and not blockers,
        "policy": pack.policy,
        "blockers": blockers or _NO_BLOCKERS,
        "paths": paths,
        "earliest_on": None if first_due >= NEVER else iso(first_due),
        "committee": _committee(pack, f),
        "fee_yuan": level.fee,
        "materials": _materials(level, f, eligible_paths or possible_paths),
    }


def _committee(pack: CompiledPack, f: Any) -> dict | None:
    key = (f.level, f.region, f.county, f.industry, f.specialty)
    cache = pack.committee_cache
    try:
        return cache[key]
    except KeyError:
        found = cache[key] = pack.resolve_committee(f.level, f)
        if len(cache) > 10_000:
            cache.clear()
        return found


def _materials(level: Any, f: Any, paths: list) -> list:
    key = (f.employer_type, f.exceptional, f.dual_directed, not f.titles, *paths)
    cache = level.materials_cache
    found = cache.get(key)
    if found is None:
        found = []
        for employer_types, for_paths, facts, item in level.materials:
            if employer_types and f.employer_type not in employer_types:
                continue
            if for_paths and for_paths.isdisjoint(paths):
                continue
            if facts and not any(getattr(f, x) for x in facts):
                continue
            found.append(item)
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = found
    return found  # shared, like the rest of the answer's parts
