"""The 错误码表's data: catalogue.json, written by `python -m scripts.problems` from the
code together with docs/problems.md (one builder, two renderings; a test fails when either
is stale)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from services.api.problem_types.problems import ProblemTypeUnknown
from services.api.problem_types.schemas import ProblemTypeRead

CATALOGUE = Path(__file__).with_name("catalogue.json")


@cache
def catalogue() -> dict[str, ProblemTypeRead]:
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {row["code"]: ProblemTypeRead(**row) for row in rows}


def list_types() -> list[ProblemTypeRead]:
    return list(catalogue().values())


def get_type(code: str) -> ProblemTypeRead:
    found = catalogue().get(code)
    if found is None:
        raise ProblemTypeUnknown()
    return found
