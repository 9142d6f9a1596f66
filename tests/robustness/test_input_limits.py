"""Hostile input: oversize, deeply nested, huge strings, invalid UTF-8, NUL, SQL/HTML text.

Each is answered with a 4xx problem+json and leaves nothing behind; legitimate text that
merely looks like SQL or HTML is stored and read back byte for byte.
"""

from __future__ import annotations

import copy
import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from services.documents.config import DocumentsSettings
from services.documents.main import build_app as build_documents
from services.kit.db import make_engine
from services.kit.limits import json_depth
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    as_read,
    auth,
    drafted,
    make_campaign,
    make_tree,
    post,
    token,
)
from tests.conftest import Stack
from tests.support import AS_GATEWAY_TO_DOCUMENTS, AS_GATEWAY_TO_RULES, running

MB = 1024 * 1024


def problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    if code:
        assert body["type"] == f"urn:zhicheng:problem:{code}", body
    return body


async def _declarations_of(client, applicant: str) -> list:
    r = await client.get("/v1/declarations", headers=auth(applicant))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _raw(client, url: str, tok: str, content, **headers: str):
    return client.post(
        url,
        content=content,
        headers=auth(
            tok,
            **{"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json", **headers},
        ),
    )


async def test_oversize_bodies_are_413_and_nothing_is_stored(client) -> None:
    tree = await make_tree(client, label="超大")
    campaign = await make_campaign(client)
    applicant = token("applicant")
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": {**SECTIONS, "padding": "x" * (2 * MB)},
    }
    raw = json.dumps(body).encode()
    r = await _raw(client, "/v1/declarations", applicant, raw)
    body = problem(r, 413, "body-too-large")
    assert body["limit"] == MB and "1 MB" in body["detail"]

    # No Content-Length (chunked): counted while it streams, cut off at the cap.
    offered = 0

    async def chunks():
        nonlocal offered
        for i in range(0, len(raw), 64 * 1024):
            offered += 64 * 1024
            yield raw[i : i + 64 * 1024]

    r = await _raw(client, "/v1/declarations", applicant, chunks())
    problem(r, 413, "body-too-large")
    assert offered <= MB + 64 * 1024  # stopped reading at the cap, not at the end
    # A Content-Length that is not a number.
    r = await client.post(
        "/v1/orgs",
        content=b"{}",
        headers=auth(OPS, **{"Idempotency-Key": "x", "Content-Length": "12abc"}),
    )
    assert r.status_code == 400
    assert await _declarations_of(client, applicant) == []


async def test_deep_nesting_is_refused_without_recursing(client) -> None:
    applicant = token("applicant")
    for depth in (33, 100_000):  # just over the limit, and deep enough to crash a parser
        raw = b"[" * depth + b"]" * depth
        r = await _raw(client, "/v1/declarations", applicant, raw)
        assert problem(r, 400, "json-too-deep")["limit"] == 32
    # Within the limit but not what the schema wants: a validation problem, not a 500.
    nested: dict = {}
    inner = nested
    for _ in range(30):
        inner["a"] = {}
        inner = inner["a"]
    r = await post(client, "/v1/declarations", applicant, {"sections": nested})
    problem(r, 422, "validation-error")
    # Brackets inside strings are text, not nesting.
    assert json_depth(json.dumps({"s": "[" * 1000}).encode()) == 1
    assert await _declarations_of(client, applicant) == []


async def test_huge_strings_are_validation_problems(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="长串")
    sections = copy.deepcopy(SECTIONS)
    sections["basic_info"]["name"] = "韦" * 100_000
    current = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    r = await client.patch(
        f"/v1/declarations/{did}",
        json={"sections": sections},
        headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
    )
    body = problem(r, 422, "validation-error")
    assert body["errors"][0]["field"] == "sections.basic_info.name"
    after = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    assert after.json()["sections"] == current.json()["sections"]
    assert after.headers["etag"] == current.headers["etag"]
    # A huge query parameter or Idempotency-Key is a problem too.
    r = await client.get("/v1/declarations", params={"cursor": "A" * 60_000}, headers=auth(OPS))
    problem(r, 422, "invalid-cursor")
    r = await post(client, "/v1/declarations", applicant, {}, key="k" * 10_000)
    problem(r, 422, "validation-error")


async def test_invalid_utf8_and_unstorable_characters(client, stack: Stack) -> None:
    # Regression: before services/kit/limits.py an escaped NUL in any text field and a
    # %00 in a query parameter reached PostgreSQL and came back as 500s.
    applicant = token("applicant")
    org = {"kind": "committee_office", "name": "x", "region_code": "450200"}
    raw = json.dumps(org).encode().replace(b'"x"', b'"\xff\xfe\xc3("')
    problem(await _raw(client, "/v1/orgs", OPS, raw), 400, "invalid-encoding")
    for escaped in (rb"\u0000", rb"a\ud800b", rb"\udfff"):
        raw = json.dumps(org).encode().replace(b'"x"', b'"' + escaped + b'"')
        problem(await _raw(client, "/v1/orgs", OPS, raw), 422, "invalid-character")
    # A NUL in the URL never reaches a query: a 422 naming the parameter.
    r = await client.get("/v1/declarations?status=%00draft", headers=auth(applicant))
    assert [e["field"] for e in problem(r, 422, "invalid-character")["errors"]] == ["status"]
    # An escaped backslash before u0000 is ordinary text, and a surrogate pair is one
    # character (U+1F600): both stored as sent.
    for name, expected in ((r"C:\\u0000\\目录", "C:\\u0000\\目录"), (r"\ud83d\ude00", "😀")):
        raw = json.dumps(org).encode().replace(b'"x"', b'"' + name.encode() + b'"')
        r = await _raw(client, "/v1/orgs", OPS, raw)
        assert r.status_code == 201, r.text
        assert r.json()["name"] == expected
    engine = make_engine(stack.database_url)
    async with engine.connect() as conn:
        names = await conn.execute(text("SELECT name FROM api.org WHERE name LIKE '%u0000%'"))
        assert "C:\\u0000\\目录" in names.scalars().all()
    await engine.dispose()


PAYLOADS = (
    "'; DROP TABLE api.declaration; --",
    "Robert'); DELETE FROM api.audit_entry; --",
    "<script>alert('职称')</script>",
    '<img src=x onerror="alert(1)">',
    "{{7*7}} ${7*7} %s %n ../../etc/passwd",
    # A zero-width space is text; a right-to-left override (U+202E) in a name or title
    # is refused instead (tests/api/test_careless_inputs.py).
    "𠀀𪚥 \u200b 表情😀",
)


def _with_payload(value, payload: str, free_text: set[str], key: str = ""):
    if isinstance(value, dict):
        return {k: _with_payload(v, payload, free_text, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_payload(v, payload, free_text, key) for v in value]
    return payload if key in free_text else value


FREE_TEXT = {
    "name", "school", "major", "title_name", "title", "journal", "employer", "work",
    "position", "content", "role",
}  # fmt: skip


async def test_sql_and_html_in_every_text_field_are_stored_as_text(client, stack: Stack) -> None:
    tree = await make_tree(client, label="注入")
    campaign = await make_campaign(client)
    for payload in PAYLOADS:
        applicant = token("applicant")
        sections = _with_payload(SECTIONS, payload, FREE_TEXT)
        assert json.dumps(sections).count(json.dumps(payload)[1:-1]) >= len(FREE_TEXT)
        body = {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "specialty": payload,
            "sections": sections,
            "applicant_facts": FACTS,
        }
        # The specialty is a code of the catalogue: the payload there is refused, not stored.
        r = await post(client, "/v1/declarations", applicant, body)
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "urn:zhicheng:problem:specialty-unknown"
        assert await _declarations_of(client, applicant) == []
        r = await post(
            client, "/v1/declarations", applicant, body | {"specialty": "eng-mechanical"}
        )
        assert r.status_code == 201, r.text
        did = r.json()["id"]
        read = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
        stored = read.json()["sections"]
        # Every free-text field holds the payload exactly (defaults filled in beside them).
        assert _with_payload(stored, payload, FREE_TEXT) == stored
        assert json.dumps(stored).count(json.dumps(payload)[1:-1]) == json.dumps(sections).count(
            json.dumps(payload)[1:-1]
        )
        assert read.json()["specialty"] == "eng-mechanical"
        # Others read it back as the same JSON text (escaping is the front end's job).
        seen = await client.get(f"/v1/declarations/{did}", headers=auth(OPS))
        assert seen.json()["sections"] == stored
        org = {"kind": "committee_office", "name": payload, "region_code": "450200"}
        r = await post(client, "/v1/orgs", OPS, org)
        assert r.status_code == 201 and r.json()["name"] == payload
        url = f"/v1/declarations/{did}/withdrawals"
        r = await as_read(client, url, applicant, {"reason": payload})
        assert r.status_code == 200, r.text
        audit = await client.get(f"/v1/declarations/{did}/audit", headers=auth(applicant))
        assert any(e.get("reason") == payload for e in audit.json()), audit.text
    # The tables the payloads name are all still there, rows included.
    engine = make_engine(stack.database_url)
    async with engine.connect() as conn:
        for query in (
            "SELECT count(*) FROM api.declaration",
            "SELECT count(*) FROM api.audit_entry",
        ):
            assert (await conn.execute(text(query))).scalar_one() > 0
    await engine.dispose()


async def test_every_service_applies_the_limits(stack: Stack, rules_url: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=rules_url, auth=AS_GATEWAY_TO_RULES) as rules:
        deep = b"[" * 5000 + b"]" * 5000
        problem(await rules.post("/v1/evaluate/batch", content=deep), 400, "json-too-deep")
        bad = b'{"region": "\xff"}'
        problem(await rules.post("/v1/evaluate", content=bad), 400, "invalid-encoding")
        # The eligibility service takes batches of up to 10 000 bodies: its cap is higher.
        big = b"[" + b" " * (2 * MB) + b"]"
        r = await rules.post("/v1/evaluate/batch", content=big)
        assert r.status_code == 200 and r.json() == [], r.text
    settings = DocumentsSettings(**stack.settings_kwargs(), max_body_bytes=64 * 1024)
    async with running(build_documents(settings), auth=AS_GATEWAY_TO_DOCUMENTS) as docs:
        r = await docs.post(
            "/v1/declarations/x/documents",
            content=b"{" + b" " * (128 * 1024) + b"}",
            headers={"Content-Type": "application/json"},
        )
        problem(r, 413, "body-too-large")


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


# Strings full of what could confuse a bracket counter: brackets, quotes, backslashes.
_TRICKY = st.text(alphabet='[]{}"\\u0x韦 ', max_size=8)
_JSON = st.recursive(
    st.none() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY, inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(_JSON, st.booleans(), st.sampled_from([None, 2]))
def test_nesting_is_counted_as_a_parser_would(value, ascii_only: bool, indent) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert json_depth(raw) == _depth(value)
    assert json_depth(raw, stop_after=1) == min(_depth(value), 2)
