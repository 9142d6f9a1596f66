"""The organisation tree: the chain a submission fixes, missing levels, a broken tree."""

from __future__ import annotations

import pytest

from services.api.models import Org
from services.api.orgs.service import checked_chain
from services.kit.problems import ProblemError
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    make_campaign,
    make_org,
    new_draft,
    post,
    submit,
    submitted,
    token,
)


async def test_chain_skips_missing_levels_and_ignores_later_tree_changes(client) -> None:
    tree, campaign, applicant, did = await submitted(
        client, label="直报", supervisor=False, county=False
    )
    # The unit now gets a supervisor: the declaration already in review keeps its chain.
    sup = await make_org(client, "supervisor", "新主管部门", tree.series)
    r = await client.patch(f"/v1/orgs/{tree.unit}", json={"parent_id": sup}, headers=auth(OPS))
    assert r.status_code == 200, r.text
    r = await client.get(f"/v1/declarations/{did}/progress", headers=auth(applicant))
    assert [(s["kind"], s["org_id"]) for s in r.json()["steps"]] == [
        ("unit", tree.unit),
        ("series_office", tree.series),
        ("committee_office", tree.committee),
    ]
    # A new declaration from the same unit walks the tree as it is now.
    other = token("applicant")
    did2 = await new_draft(client, tree, campaign, other)
    assert (await submit(client, did2, other)).status_code == 200
    r = await client.get(f"/v1/declarations/{did2}/progress", headers=auth(other))
    assert [s["kind"] for s in r.json()["steps"]] == [
        "unit",
        "supervisor",
        "series_office",
        "committee_office",
    ]


async def test_broken_tree_is_refused_at_submission(client) -> None:
    lone = await make_org(client, "unit", "无上级单位", None)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    r = await post(
        client,
        "/v1/declarations",
        applicant,
        {
            "campaign_id": campaign["id"],
            "unit_org_id": lone,
            "level": "deputy_senior",
            "sections": SECTIONS,
            "applicant_facts": FACTS,
        },
    )
    r = await submit(client, r.json()["id"], applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:chain-incomplete"


def _org(kind: str) -> Org:
    return Org(kind=kind, name=f"某{kind}", region_code="450206")


def test_a_chain_must_rise_strictly_through_a_series_office_to_the_committee() -> None:
    unit, county, series, committee = (
        _org(k) for k in ("unit", "county_office", "series_office", "committee_office")
    )
    # Missing levels are simply skipped.
    assert checked_chain(unit, [unit, county, series, committee]) == [
        unit,
        county,
        series,
        committee,
    ]
    for broken in (
        [unit, series, county, committee],  # out of order
        [unit, county, committee],  # no series office
        [unit, county, series],  # does not reach the committee's office
        [unit, series, series, committee],  # a level twice
    ):
        with pytest.raises(ProblemError) as err:
            checked_chain(unit, broken)
        assert err.value.code == "chain-incomplete"
        assert [c["kind"] for c in err.value.extra["chain"]] == [o.kind for o in broken]
