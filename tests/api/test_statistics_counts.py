"""A campaign of more than 1 000 declarations, seeded through the public API, counted by
the statistics endpoint and checked, bucket by bucket, against direct SQL counts: for ops
(every declaration, drafts too) and for a county office (the filed declarations of the
units in its tree).

Seeding: drafts by a thousand applicants (POST /v1/declarations, concurrently), and a
few dozen journeys (materials uploaded as real scans, submitted; most through the unit's
whole step and passed up, one of those returned by the supervisor). The seeding's duration is
printed (`-s`), not asserted.
"""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta

import openpyxl
from sqlalchemy import text

from services.kit.db import make_engine
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    campaign_body,
    make_org,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)
from tests.api.test_statistics import recommended
from tests.conftest import Stack

DRAFTS = 1000
PASSED = 16
SPECIALTIES = ("eng-mechanical", "eng-civil", "eng-biomedical", None)
PATHS = ("normal", "exceptional", "direct", "no_title")
DIMENSIONS = {
    "by_status": "status",
    "by_level": "level",
    "by_unit": "unit_org_id",
    "by_specialty": "specialty",
    "by_path": "path",
}
# The filed declarations of the units in an office's tree (drafts never): written here
# in SQL of its own, not with the gateway's query.
IN_TREE = """
    WITH RECURSIVE tree(id) AS (
        SELECT id FROM api.org WHERE id = :office
        UNION ALL SELECT o.id FROM api.org o JOIN tree ON o.parent_id = tree.id)
    SELECT id FROM tree
"""

COUNTS = (
    "SELECT {column}::text, count(*),"
    " count(*) FILTER (WHERE status = 'evaluated'),"
    " count(*) FILTER (WHERE status = 'approved'),"
    " count(*) FILTER (WHERE status = 'rejected')"
    " FROM api.declaration WHERE {where} GROUP BY 1"
)


async def sql_buckets(engine, campaign_id: str, column: str, office: str | None) -> dict:
    where = "campaign_id = :campaign"
    if office is not None:
        where += f" AND status <> 'draft' AND unit_org_id IN ({IN_TREE})"
    # `column` and `where` are this module's constants, never input.
    query = COUNTS.format(column=column, where=where)
    params = {"campaign": campaign_id}
    if office is not None:
        params["office"] = office
    async with engine.connect() as conn:
        rows = (await conn.execute(text(query), params)).all()
    return {key: tuple(counts) for key, *counts in rows}


def api_buckets(buckets: list[dict]) -> dict:
    return {b["key"]: (b["count"], b["evaluated"], b["approved"], b["rejected"]) for b in buckets}


async def filed(client, tree, campaign) -> str:
    """A declaration submitted (its materials uploaded), left at its unit's review."""
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign, applicant, specialty="eng-civil")
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    return did


async def test_statistics_match_sql_over_a_thousand_declarations(client, stack: Stack) -> None:
    started = time.monotonic()
    tree = await make_tree(client, label="统计甲")
    elsewhere = await make_tree(client, label="统计乙")
    # Three more units under tree 甲's supervisor, one under tree 乙's.
    units = [tree.unit, elsewhere.unit]
    for i, parent in enumerate(
        (tree.supervisor, tree.supervisor, tree.supervisor, elsewhere.supervisor)
    ):
        units.append(await make_org(client, "unit", f"统计单位{i}", parent, region="450206"))
    r = await post(client, "/v1/campaigns", OPS, campaign_body())
    assert r.status_code == 201, r.text
    campaign = r.json()
    cid = campaign["id"]

    gate = asyncio.Semaphore(16)

    async def draft(i: int) -> None:
        body = {
            "campaign_id": cid,
            "unit_org_id": units[i % len(units)],
            "level": "deputy_senior",
            "specialty": SPECIALTIES[i % len(SPECIALTIES)],
            "path": PATHS[(i // 3) % len(PATHS)],
            "sections": SECTIONS,
            "applicant_facts": FACTS,
        }
        async with gate:
            r = await post(client, "/v1/declarations", token("applicant"), body)
        assert r.status_code == 201, r.text

    await asyncio.gather(*(draft(i) for i in range(DRAFTS)))
    drafted = time.monotonic()

    # Sixteen full journeys passed up by tree 甲's unit; four more left at its review.
    journeys = [recommended(client, tree, campaign, f"统计{i}") for i in range(PASSED)]
    dids = await asyncio.gather(*journeys, *(filed(client, tree, campaign) for _ in range(4)))
    dids = dids[:PASSED]
    soon = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{dids[0]}/returns",
        tree.tokens["supervisor"],
        {"items": [{"message": "请补充业绩证明"}], "deadline_at": soon},
    )
    assert r.status_code == 201, r.text
    journeyed = time.monotonic()
    print(
        f"\nseeding: {DRAFTS} drafts in {drafted - started:.1f} s, "
        f"{PASSED + 4} journeys in {journeyed - drafted:.1f} s"
    )

    engine = make_engine(stack.database_url)
    try:
        for caller, office in ((OPS, None), (tree.tokens["county_office"], tree.county)):
            r = await client.get(f"/v1/campaigns/{cid}/statistics", headers=auth(caller))
            assert r.status_code == 200, r.text
            stats = r.json()
            for field, column in DIMENSIONS.items():
                expected = await sql_buckets(engine, cid, column, office)
                assert api_buckets(stats[field]) == expected, field
                assert sum(b["count"] for b in stats[field]) == stats["total"]
            by_status = {b["key"]: b["count"] for b in stats["by_status"]}
            assert stats["total"] == sum(by_status.values())
            if office is None:
                assert stats["total"] == DRAFTS + PASSED + 4
                assert by_status["draft"] == DRAFTS
            else:
                # The county office sees tree 甲's filed declarations only.
                assert "draft" not in by_status and stats["total"] == PASSED + 4
            assert by_status["returned"] == 1 and by_status["supervisor_review"] == PASSED - 1
            assert by_status["unit_review"] == 4
            units_seen = {b["key"]: b["label"] for b in stats["by_unit"]}
            assert units_seen[tree.unit] == "统计甲用人单位"
            assert (stats["approved"], stats["rejected"], stats["pass_rate"]) == (0, 0, None)
        # The other tree's office sees none of them; an expert, nothing at all.
        r = await client.get(
            f"/v1/campaigns/{cid}/statistics", headers=auth(elsewhere.tokens["county_office"])
        )
        assert r.json()["total"] == 0
        r = await client.get(
            f"/v1/campaigns/{cid}/statistics", headers=auth(token("expert", tree.committee))
        )
        assert r.status_code == 403
        # The roster lists every declaration its unit passed up, once.
        r = await client.get(
            f"/v1/campaigns/{cid}/exports/recommendation-roster",
            headers=auth(tree.tokens["county_office"]),
        )
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        names = [sheet.cell(row=i, column=2).value for i in range(3, sheet.max_row - 1)]
        assert sorted(names) == sorted(f"统计{i}" for i in range(PASSED))
    finally:
        await engine.dispose()
