"""The draft: imports into a draft only."""

from __future__ import annotations

from tests.api.factories import (
    SECTIONS,
    as_read,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)


async def test_import_into_a_draft_only(client) -> None:
    tree = await make_tree(client, label="写入")
    campaign = await make_campaign(client)
    applicant = token("applicant")
    last_year = await new_draft(client, tree, campaign, applicant)
    target = await new_draft(client, tree, campaign, applicant, sections={})
    r = await as_read(
        client,
        f"/v1/declarations/{target}/imports",
        applicant,
        {"source_declaration_id": last_year},
    )
    assert r.status_code == 200, r.text
    assert r.json()["sections"]["papers"][0]["title"] == SECTIONS["papers"][0]["title"]
    assert r.json()["copied_from_id"] == last_year
    assert (await submit(client, target, applicant)).status_code == 200
    r = await as_read(
        client,
        f"/v1/declarations/{target}/imports",
        applicant,
        {"source_declaration_id": last_year},
    )
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:import-refused"
    # Or start a new draft straight from last year's.
    r = await post(
        client,
        "/v1/declarations",
        applicant,
        {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "copy_from_declaration_id": last_year,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["copied_from_id"] == last_year and r.json()["status"] == "draft"
    assert r.json()["sections"]["basic_info"]["name"] == SECTIONS["basic_info"]["name"]
    r = await post(
        client,
        "/v1/declarations",
        token("applicant"),
        {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "copy_from_declaration_id": last_year,
        },
    )
    assert r.status_code == 404  # someone else's declaration cannot be copied
