"""The radar's plan: from the eligibility service's answers, the dates each path opens.

DESIGN.md, the eligibility contract: `earliest_on` is the "first date all time conditions
hold, null if never by time alone". Time alone does not make a path eligible (papers, an
assessment may still be missing), so each future date is evaluated again on that date
with the same facts: only a path eligible then is worth a notice. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kit.vocabulary import PATH_NAMES


def later_dates(today_answer: dict[str, Any], today: date) -> list[date]:
    """The future dates the answer names, each to be evaluated on its day."""
    found = {
        date.fromisoformat(p["earliest_on"])
        for p in today_answer.get("paths", [])
        if not p.get("eligible") and p.get("earliest_on")
    }
    return sorted(d for d in found if d > today)


def _path(answer: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
    for p in (answer or {}).get("paths", []):
        if p.get("path") == path:
            return p
    return None


def _eligible(answer: dict[str, Any] | None, path: str) -> bool:
    found = _path(answer, path)
    return bool(found and found.get("eligible") and not (answer or {}).get("blockers"))


def _deciding(today: dict[str, Any], then: dict[str, Any] | None) -> dict[str, Any]:
    """The condition the date rests on: unmet today and met then (the first such); else
    the first unmet today; else the path's first condition."""
    conditions = today.get("conditions") or []
    met_then = {c["id"] for c in (then or {}).get("conditions") or [] if c.get("met") is True}
    unmet = [c for c in conditions if c.get("met") is False]
    for c in unmet:
        if c["id"] in met_then:
            return c
    return (unmet or conditions or [{"clause": "", "message": ""}])[0]


def build(
    today_answer: dict[str, Any], later: dict[date, dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    """One entry per path that is eligible now or opens on a later date, soonest first."""
    entries = []
    for p in today_answer.get("paths", []):
        name = p["path"]
        if _eligible(today_answer, name):
            first = (p.get("conditions") or [{"clause": "", "message": ""}])[0]
            entries.append(_entry(name, today, True, True, first))
            continue
        on = date.fromisoformat(p["earliest_on"]) if p.get("earliest_on") else None
        if on is None or on <= today:
            continue
        then = later.get(on)
        deciding = _deciding(p, _path(then, name))
        entries.append(_entry(name, on, _eligible(then, name), False, deciding))
    return sorted(entries, key=lambda e: (e["on"], e["path"]))


def _entry(path: str, on: date, eligible: bool, already: bool, c: dict[str, Any]) -> dict:
    return {
        "path": path,
        "path_name": PATH_NAMES.get(path, path),
        "on": on.isoformat(),
        "eligible_then": eligible,
        "already": already,
        "clause": c.get("clause") or "",
        "message": c.get("message") or "",
        "notified": False,
    }


def due(entry: dict[str, Any]) -> bool:
    """Worth a notice once its day comes: nothing to tell of a path eligible at
    subscription (the answer said so), nor of one still missing more than time."""
    return entry["eligible_then"] and not entry["already"] and not entry["notified"]


def next_due(plan: list[dict[str, Any]]) -> date | None:
    dates = [date.fromisoformat(e["on"]) for e in plan if due(e)]
    return min(dates) if dates else None
