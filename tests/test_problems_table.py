"""The committed table of problem types (docs/problems.md) is what the code answers."""

from __future__ import annotations

from scripts.problems import OUT, collect, render
from services.kit.problem_kinds import Problem


def test_committed_table_is_current() -> None:
    assert OUT.exists(), "docs/problems.md missing: run `python -m scripts.problems`"
    assert OUT.read_text() == render(), (
        "docs/problems.md is stale: run `python -m scripts.problems`"
    )


def test_every_named_kind_and_every_documented_type_is_in_the_table() -> None:
    rows = collect()
    ours = {c for c, k in Problem.kinds.items() if k.__module__.startswith("services.")}
    assert ours and ours <= set(rows)
    assert {"declaration-not-editable", "validation-error", "not-found"} <= set(rows)
    # A type a route documents is one the code raises: no row with endpoints and no origin.
    assert all(row.where for row in rows.values()), [c for c, r in rows.items() if not r.where]
    assert rows["declaration-not-editable"].endpoints
