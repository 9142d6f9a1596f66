"""Which conditions of an eligibility answer a reviewer judges instead of the submission
being refused: `met: null` with `decided_by` (the level the policy names). A `met: null`
without it is a missing fact, which the applicant supplies before submitting.

DESIGN.md (review chain): conditions the engine cannot decide travel with the
declaration as open judgements for the level the policy names; they never block
submission."""

from __future__ import annotations

from typing import Any


def is_judgement(condition: dict[str, Any]) -> bool:
    return condition.get("met", True) is None and bool(condition.get("decided_by"))


def judgements_of(eligibility: dict[str, Any] | None, path: str) -> list[dict[str, Any]]:
    """The judgement conditions of the declaration's path, in the answer's order; none
    when the answer is eligible outright (some path holds with nothing left to judge), as
    completeness then looks at no path's conditions either."""
    if (eligibility or {}).get("eligible"):
        return []
    found = next((p for p in (eligibility or {}).get("paths", []) if p.get("path") == path), None)
    return [c for c in (found or {}).get("conditions", []) if is_judgement(c)]
