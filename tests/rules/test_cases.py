"""Every case file in tests/rules/cases/ through POST /v1/evaluate, judged per cases/README.md
(and tests/rules/judge.py for the keys only own cases use)."""

from __future__ import annotations

import pytest

from tests.rules.judge import judge, load_cases, pretty, request_json

CASES = load_cases()


def test_case_files_are_all_there() -> None:
    files = {c["file"] for c in CASES}
    shared = {
        "guangxi-engineering-2022.yaml",
        "changzhi-engineering-2022.yaml",
        "guangxi-arts-crafts-2023.yaml",
    }
    assert shared <= files
    own = [c for c in CASES if c["file"].startswith("own-")]
    assert len(own) >= len(CASES) - len(own), "at least as many own cases as shared ones"
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_case(client, clause_ref, case: dict) -> None:
    r = await client.post(
        "/v1/evaluate",
        content=request_json(case),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200, r.text
    res = r.json()
    bad = judge(case, res, clause_ref)
    assert not bad, f"{case['id']} ({case['source']}): {bad}\n{pretty(res)}"
