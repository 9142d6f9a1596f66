"""API conventions: idempotency under concurrency, If-Match, cursors, problem+json, flags."""

from __future__ import annotations

import asyncio
import uuid

from services.api.chain.reports import _flag
from tests.api.factories import (
    OPS,
    SECTIONS,
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
    r = await post(client, f"/v1/declarations/{first}/withdrawals", applicant)
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
    assert r.status_code == 400 and r.json()["type"] == "urn:zhicheng:problem:invalid-cursor"


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
