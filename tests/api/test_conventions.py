"""API conventions: idempotency under concurrency, If-Match, cursors, problem+json, flags."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

from services.api.auth.client_token import ASSERTION_TYPE
from services.api.chain.reports import _flag
from tests.api.auth_helpers import assertion, basic, ec_key
from tests.api.factories import (
    OPS,
    SECTIONS,
    as_read,
    auth,
    complete_unit_step,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    submitted,
    token,
)
from tests.api.races import race


async def test_concurrent_same_key_runs_once_and_replays(client) -> None:
    tree, _campaign, applicant, did = await submitted(client, label="并发")
    url = f"/v1/declarations/{did}/approvals"
    unit = tree.tokens["unit_reviewer"]
    # The unit review must exist first.
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    r = await client.put(
        f"/v1/declarations/{did}/unit-review", json=UNIT_REVIEW, headers=auth(unit)
    )
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)
    same = await asyncio.gather(*(post(client, url, unit, key="approve-once") for _ in range(4)))
    assert {r.status_code for r in same} == {200}
    assert all(r.json() == same[0].json() for r in same)
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in same) == 3
    # Different keys racing: one moves it up, the other finds it is no longer its step.
    r = await client.get(f"/v1/declarations/{did}/audit", headers=auth(applicant))
    assert [e["action"] for e in r.json()].count("approved") == 1
    assert all(e["request_id"] for e in r.json())


async def test_racing_submissions_of_the_same_level(client) -> None:
    tree = await make_tree(client, label="抢报")
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"race-{uuid.uuid4().hex[:6]}")
    first = await new_draft(client, tree, campaign, applicant)
    second = await new_draft(client, tree, campaign, applicant)
    # Attach materials on both first (submit() does it when asked), then race the submits.
    await submit(client, first, applicant)
    r = await as_read(client, f"/v1/declarations/{first}/withdrawals", applicant)
    assert r.status_code == 200
    third = await new_draft(client, tree, campaign, applicant)
    _, loser = await race(
        submit(client, second, applicant), submit(client, third, applicant), expect=[200, 409]
    )
    assert loser.json()["type"] == "urn:zhicheng:problem:same-level-twice"


async def test_cursor_pagination_walks_every_declaration_once(client) -> None:
    tree = await make_tree(client, label="分页")
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"pages-{uuid.uuid4().hex[:6]}")
    made = [await new_draft(client, tree, campaign, applicant) for _ in range(5)]
    seen, cursor = [], None
    while True:
        q = "/v1/declarations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(q, headers=auth(applicant))).json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made
    r = await client.get("/v1/declarations?cursor=%%%", headers=auth(applicant))
    assert r.status_code == 422 and r.json()["type"] == "urn:zhicheng:problem:invalid-cursor"


def _cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


async def test_a_cursor_not_of_our_making_is_refused_not_a_server_error(client) -> None:
    applicant = token("applicant")
    forged = [
        _cursor("2026-01-01T00:00:00+08:00", "not-a-uuid"),
        _cursor("2026-01-01T00:00:00+08:00", 7),
        _cursor("2026-01-01T00:00:00", str(uuid.uuid4())),  # ours always carry an offset
        _cursor("2026-01-01T00:00:00+08:00"),
    ]
    for cursor in forged:
        r = await client.get("/v1/declarations", params={"cursor": cursor}, headers=auth(applicant))
        assert r.status_code == 422, (cursor, r.text)
        assert r.json()["type"] == "urn:zhicheng:problem:invalid-cursor"
        assert r.json()["detail"].startswith("分页游标无效，请从第一页重新读取。")
        assert [e["field"] for e in r.json()["errors"]] == ["cursor"]


async def test_a_nul_the_input_limits_cannot_see_is_refused_not_a_server_error(client) -> None:
    """The input limits refuse a NUL in the URL or a JSON body before any route runs; one
    inside a Basic credential or a signed assertion's claims reaches the database as sent,
    which refuses it. The answer is the same 422 problem, not a 500."""
    form = {"grant_type": "client_credentials"}
    private, _public = ec_key()
    signed = {
        **form,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion("门户\u0000", private, "ES256", "k1"),
    }
    for data, headers in ((form, basic("门户\u0000", "secret")), (signed, {})):
        r = await client.post("/v1/oauth/token", data=data, headers=headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "urn:zhicheng:problem:invalid-character"
        assert "空字符" in r.json()["detail"]


async def test_bad_input_is_problem_json_in_chinese(client) -> None:
    tree = await make_tree(client, label="校验")
    campaign = await make_campaign(client)
    applicant = token("applicant")
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": {
            **SECTIONS,
            "papers": SECTIONS["papers"] * 6,
            "basic_info": {**SECTIONS["basic_info"], "phone": "12345"},
        },
    }
    r = await post(client, "/v1/declarations", applicant, body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"sections.papers", "sections.basic_info.phone"} <= fields
    r = await client.post("/v1/declarations", json={}, headers=auth(applicant))
    assert r.status_code == 400
    assert r.json()["type"] == "urn:zhicheng:problem:idempotency-key-required"
    r = await post(
        client,
        "/v1/orgs",
        OPS,
        {
            "kind": "unit",
            "name": "校验位错",
            "region_code": "450200",
            "credit_code": "91450200MA5KXXXXX0",
        },
    )
    assert r.status_code == 422
    r = await post(
        client,
        "/v1/campaigns",
        OPS,
        {
            **_campaign_body(campaign),
            "code": "bad-committee",
            "committee_code": "lz-eng-intermediate",
        },
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:committee-unknown"
    r = await client.get(
        "/v1/committees?region=450200&series=engineering&level=deputy_senior", headers=auth(OPS)
    )
    assert "lz-eng-deputy-senior" in r.text


def _campaign_body(campaign: dict) -> dict:
    keep = (
        "name",
        "year",
        "series",
        "region_code",
        "levels",
        "committee_code",
        "committee_name",
        "windows",
        "posting_rule",
        "fee_yuan",
        "evaluate_on",
    )
    return {k: campaign[k] for k in keep}


def test_problem_share_flags() -> None:
    assert _flag(0.0999)[0] == "none"
    assert _flag(0.10)[0] == "explain"
    assert _flag(0.1999)[0] == "explain"
    assert _flag(0.20)[0] == "rectify"


def test_no_test_makes_up_a_document_id_for_an_attachment() -> None:
    """Attachments in tests name documents uploaded through the API (factories.
    upload_materials), never an id made up on the spot: an entry (`document_id`, `kind`)
    whose id is built from uuid4(), or a helper building such lists, fails here. The test
    of the refusal binds its made-up id to a name first (test_documents_route.py)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]

    def made_up(node: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Call)
            and getattr(n.func, "attr", getattr(n.func, "id", None)) in ("uuid4", "uuid1")
            for n in ast.walk(node)
        )

    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):  # an attachment entry: document_id and kind
                entry = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant)}  # fmt: skip
                if "kind" in entry and made_up(entry.get("document_id", ast.Constant(0))):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
            named = getattr(node, "name", None)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and named == (
                "attachments_for"
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno} attachments_for")
    assert not found, found
