"""The committed table of problem types (docs/problems.md) is what the code answers."""

from __future__ import annotations

import json

from scripts.problems import CATALOGUE, OUT, collect, entries, render, render_json
from services.kit.problem_kinds import Problem


def test_committed_table_is_current() -> None:
    assert OUT.exists(), "docs/problems.md missing: run `python -m scripts.problems`"
    assert OUT.read_text() == render(), (
        "docs/problems.md is stale: run `python -m scripts.problems`"
    )


def test_committed_catalogue_is_current_and_the_table_it_prints() -> None:
    """One builder, two renderings: the gateway's GET /v1/problems data (catalogue.json)
    and docs/problems.md are the same rows."""
    table = entries()
    assert CATALOGUE.read_text() == render_json(table), (
        "services/api/problem_types/catalogue.json is stale: run `python -m scripts.problems`"
    )
    assert render(json.loads(CATALOGUE.read_text())) == OUT.read_text()


def test_every_named_kind_and_every_documented_type_is_in_the_table() -> None:
    rows = collect()
    ours = {c for c, k in Problem.kinds.items() if k.__module__.startswith("services.")}
    assert ours and ours <= set(rows)
    assert {"declaration-not-editable", "validation-error", "not-found"} <= set(rows)
    # A type a route documents is one the code raises: no row with endpoints and no origin.
    assert all(row.where for row in rows.values()), [c for c, r in rows.items() if not r.where]
    assert rows["declaration-not-editable"].endpoints
