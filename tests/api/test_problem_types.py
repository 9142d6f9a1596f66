"""A problem's `type` URN resolves: GET /v1/problems answers the 错误码表 (the rows of
docs/problems.md), GET /v1/problems/{code} one of them; both public and cacheable."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from scripts.problems import entries
from tests.api.factories import OPS, auth, post


async def test_a_problem_answered_resolves_to_its_row(client) -> None:
    """Provoke a real problem through the API, then look its type up, as a client does."""
    r = await post(client, "/v1/orgs", OPS, {"kind": "nonsense"})
    assert r.status_code == 422
    code = r.json()["type"].removeprefix("urn:zhicheng:problem:")

    looked = await client.get(f"/v1/problems/{code}")  # no token: public
    assert looked.status_code == 200, looked.text
    row = looked.json()
    assert row["type"] == r.json()["type"]
    assert row["statuses"] == [422]
    assert row["meaning"]

    missing = await client.get(f"/v1/declarations/{uuid.uuid4()}", headers=auth(OPS))
    assert missing.status_code == 404
    code = missing.json()["type"].rsplit(":", 1)[1]
    row = (await client.get(f"/v1/problems/{code}")).json()
    assert 404 in row["statuses"]
    assert "api: GET /v1/declarations/{declaration_id}" in row["endpoints"]


async def test_the_list_is_the_table_built_from_the_code(client) -> None:
    r = await client.get("/v1/problems")
    assert r.status_code == 200
    assert r.json() == entries()
    names = {row["code"] for row in r.json()}
    assert {"declaration-not-editable", "validation-error", "problem-type-unknown"} <= names
    # A name without a row in the table.
    gone = await client.get("/v1/problems/no-such-problem")
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json()["type"] == "urn:zhicheng:problem:problem-type-unknown"
    # Cacheable: the ETag answers 304.
    again = await client.get("/v1/problems", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


async def test_a_malformed_code_is_a_validation_problem(client) -> None:
    r = await client.get("/v1/problems/Not_A_Code")
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:validation-error"


def _every_type() -> set[str]:
    """The codes of every row of the table and every `type` a committed document names."""
    root = Path(__file__).resolve().parents[2] / "openapi"
    urn = re.compile(r"urn:zhicheng:problem:([^\s\"`'<>)\]}：，。]+)")
    codes = {row["code"] for row in entries()}
    for spec in sorted(root.glob("*.json")):
        codes |= set(urn.findall(spec.read_text(encoding="utf-8")))
    return codes


async def test_every_type_of_every_committed_spec_and_of_the_table_resolves(client) -> None:
    """Each `type` a committed OpenAPI document names (examples, descriptions), and each row
    of the table, resolves at GET /v1/problems/{code}: a code the path's pattern refuses
    (an underscore, a capital) would be a type no client can look up."""
    codes = _every_type()
    assert {"receipt-malformed", "not-found", "invalid-cursor"} <= codes
    unresolved = {}
    for code in sorted(codes):
        r = await client.get(f"/v1/problems/{code}")
        if r.status_code != 200 or r.json()["code"] != code:
            unresolved[code] = r.status_code
    assert not unresolved, unresolved
