"""Campaigns: their windows and deadlines, checked against the database clock."""

from __future__ import annotations

from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    make_tree,
    post,
    token,
)


async def test_seeded_liuzhou_campaign_refuses_late_declarations(client) -> None:
    campaigns = (await client.get("/v1/campaigns", headers=auth(OPS))).json()
    seeded = {c["code"]: c for c in campaigns}
    dsen = seeded["liuzhou-2022-engineering-deputy-senior"]
    # Answered in UTC (`Z`), the same instants as the Beijing times the seeds state.
    assert dsen["windows"]["correction"]["closes_at"] == "2022-08-12T10:00:00Z"
    arts = seeded["guangxi-2023-arts-crafts-senior"]
    assert arts["windows"]["payment"]["opens_at"] == "2023-09-01T00:00:00Z"
    tree = await make_tree(client, label="迟交")
    r = await post(
        client,
        "/v1/declarations",
        token("applicant"),
        {
            "campaign_id": dsen["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "sections": SECTIONS,
            "applicant_facts": FACTS,
        },
    )
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:zhicheng:problem:deadline-passed"
    assert "2022年7月31日23:59" in r.json()["detail"]
