"""Validation errors name the field by its JSON path (issue #22), on every service that
turns FastAPI's validation errors into problem+json (services/kit/problems.py): never
`body`, never a character offset. The whole body is the root, `$` (JSONPath's root;
fields below it read `sections.papers.0.title`); a JSON text that does not parse says
where, as line and column, in Chinese."""

from __future__ import annotations

import uuid

import httpx

from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import OPS, auth, drafted
from tests.support import AS_GATEWAY_TO_DOCUMENTS, AS_GATEWAY_TO_RULES

JSON = {"Content-Type": "application/json"}


def refused(response: httpx.Response, *fields: str) -> dict:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == "urn:zhicheng:problem:validation-error", body
    assert [e["field"] for e in body["errors"]] == list(fields), body
    assert all(f in body["detail"] for f in fields), body
    assert all(e["message"] and e["message_en"] for e in body["errors"]), body
    return body


def cut_off(response: httpx.Response, line: int, column: int) -> None:
    """A JSON syntax error: the root, where it stops in Chinese, and no offset anywhere."""
    body = refused(response, "$")
    message = body["errors"][0]["message"]
    assert f"第 {line} 行第 {column} 列" in message, message
    assert "不是合法的 JSON" in message and "整个请求体" in body["detail"]
    assert f"line {line} column {column}" in body["errors"][0]["message_en"]


async def test_the_gateway_names_the_root_for_a_body_it_cannot_read(client) -> None:
    ops = {**auth(OPS), **JSON, "Idempotency-Key": str(uuid.uuid4())}
    # The audit's own case: a JSON text cut off after a comma (offset 16 was the "field").
    r = await client.post("/v1/orgs", content=b'{"kind": "unit",', headers=ops)
    cut_off(r, 1, 17)
    # Over several lines, the line and column of the stray character.
    r = await client.post("/v1/orgs", content=b'{\n  "kind": "unit",\n  "name": x\n}', headers=ops)
    cut_off(r, 3, 11)
    # An array, a string, a number where an object is wanted; no body at all.
    for wrong in (b'[{"kind": "unit"}]', b'"unit"', b"42"):
        body = refused(await client.post("/v1/orgs", content=wrong, headers=ops), "$")
        assert body["errors"][0]["message"] == "请求体应为 JSON 对象", body
    body = refused(await client.post("/v1/orgs", content=b"", headers=ops), "$")
    assert "缺少请求体" in body["errors"][0]["message"]
    # The fields below the root are still named by their path.
    r = await client.post("/v1/orgs", json={"kind": "unit", "name": 7}, headers=ops)
    assert "body" not in [e["field"] for e in r.json()["errors"]], r.text
    assert r.json()["errors"][0]["field"] in ("name", "region_code"), r.text

    # Other routes and callers: the campaigns ops open, the applicant's draft and edit.
    r = await client.post("/v1/campaigns", content=b"[]", headers=ops)
    refused(r, "$")
    _tree, _campaign, applicant, did = await drafted(client, label="JSON路径")
    mine = {**auth(applicant), **JSON, "Idempotency-Key": str(uuid.uuid4())}
    r = await client.post("/v1/declarations", content=b'{"campaign_id": }', headers=mine)
    cut_off(r, 1, 17)
    current = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    edit = {**mine, "If-Match": current.headers["etag"]}
    r = await client.patch(f"/v1/declarations/{did}", content=b"null", headers=edit)
    refused(r, "$")
    # The mini-program's equivalent of the PATCH (POST …/edits).
    r = await client.post(f"/v1/declarations/{did}/edits", content=b"{'name': 1}", headers=edit)
    cut_off(r, 1, 2)
    after = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    assert after.headers["etag"] == current.headers["etag"]  # nothing stored


async def test_the_eligibility_service_names_the_root_too(rules_url: str) -> None:
    async with httpx.AsyncClient(base_url=rules_url, auth=AS_GATEWAY_TO_RULES) as rules:
        cut_off(await rules.post("/v1/evaluate", content=b'{"region":', headers=JSON), 1, 11)
        refused(await rules.post("/v1/route", content=b"[1, 2]", headers=JSON), "$")
        refused(await rules.post("/v1/evaluate", content=b"", headers=JSON), "$")
        # A batch is an array: an item that is no object is named by its index.
        r = await rules.post("/v1/evaluate/batch", content=b'{"region": "450200"}', headers=JSON)
        refused(r, "$")
        r = await rules.post("/v1/evaluate/batch", content=b"[1]", headers=JSON)
        assert [e["field"] for e in r.json()["errors"]] == ["0"], r.text


async def test_the_document_service_names_query_fields_by_name(documents_url: str) -> None:
    async with httpx.AsyncClient(base_url=documents_url, auth=AS_GATEWAY_TO_DOCUMENTS) as docs:
        r = await docs.get("/v1/declarations/d-1/documents", params={"include_inactive": "maybe"})
        refused(r, "include_inactive")
