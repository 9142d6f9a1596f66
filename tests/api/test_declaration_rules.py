"""Rules of the chain: deadlines, one return at a time, same level twice, imports, the tree."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.kit.db import make_engine
from tests.api.conftest import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    make_campaign,
    make_org,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)
from tests.conftest import Stack


async def test_seeded_liuzhou_campaign_refuses_late_declarations(client) -> None:
    campaigns = (await client.get("/v1/campaigns", headers=auth(OPS))).json()
    seeded = {c["code"]: c for c in campaigns}
    dsen = seeded["liuzhou-2022-engineering-deputy-senior"]
    assert dsen["windows"]["correction"]["closes_at"].startswith("2022-08-12T18:00:00")
    arts = seeded["guangxi-2023-arts-crafts-senior"]
    assert arts["windows"]["payment"]["opens_at"].startswith("2023-09-01T08:00:00")
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


async def test_resubmission_after_the_return_deadline_is_refused(client) -> None:
    tree = await make_tree(client, label="逾期", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens["unit_reviewer"],
        {"items": [{"message": "补充学历证书"}], "deadline_at": deadline.isoformat()},
    )
    assert r.status_code == 201, r.text
    await asyncio.sleep(2.5)
    r = await post(client, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:correction-deadline-passed"
    local = deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local.month}月{local.day}日{local:%H:%M}" in r.json()["detail"]


async def test_second_same_level_declaration_in_a_year(client) -> None:
    tree = await make_tree(client, label="同级")
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"same-{uuid.uuid4().hex[:6]}")
    first = await new_draft(client, tree, campaign, applicant)
    second = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, first, applicant)).status_code == 200
    r = await submit(client, second, applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:same-level-twice"
    r = await post(client, f"/v1/declarations/{first}/withdrawals", applicant, {"reason": "改投"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert (await submit(client, second, applicant)).status_code == 200


async def test_import_into_a_draft_only(client) -> None:
    tree = await make_tree(client, label="写入")
    campaign = await make_campaign(client)
    applicant = token("applicant")
    last_year = await new_draft(client, tree, campaign, applicant)
    target = await new_draft(client, tree, campaign, applicant, sections={})
    r = await post(
        client,
        f"/v1/declarations/{target}/imports",
        applicant,
        {"source_declaration_id": last_year},
    )
    assert r.status_code == 200, r.text
    assert r.json()["sections"]["papers"][0]["title"] == SECTIONS["papers"][0]["title"]
    assert r.json()["copied_from_id"] == last_year
    assert (await submit(client, target, applicant)).status_code == 200
    r = await post(
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


async def test_chain_skips_missing_levels_and_ignores_later_tree_changes(client) -> None:
    tree = await make_tree(client, label="直报", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
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


async def test_database_refuses_changes_to_audit_and_issued_returns(client, stack: Stack) -> None:
    tree = await make_tree(client, label="审计", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens["unit_reviewer"],
        {"items": [{"message": "补充社保证明"}], "deadline_at": deadline},
    )
    assert r.status_code == 201
    engine = make_engine(stack.database_url)
    try:
        for sql in (
            "UPDATE api.audit_entry SET reason = 'x' WHERE declaration_id = :d",
            "DELETE FROM api.audit_entry WHERE declaration_id = :d",
            "TRUNCATE api.audit_entry",
            "UPDATE api.declaration_return SET items = '[]' WHERE declaration_id = :d",
            "UPDATE api.declaration_return SET deadline_at = now() + interval '9 days'"
            " WHERE declaration_id = :d",
            "UPDATE api.declaration_snapshot SET sha256 = repeat('0', 64)"
            " WHERE declaration_id = :d",
        ):
            async with engine.begin() as conn:
                with pytest.raises(DBAPIError):
                    await conn.execute(text(sql), {"d": uuid.UUID(did)} if ":d" in sql else {})
                await conn.rollback()
    finally:
        await engine.dispose()
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.json()["intact"] is True


async def test_work_calendar(client) -> None:
    def q(start, end, rule="strict"):
        return client.get(
            f"/v1/work-calendar/working-days?start_on={start}&end_on={end}&rule={rule}",
            headers=auth(OPS),
        )

    # 2022-09-28 … 10-10: Wed–Fri, National Day week, make-up Sat/Sun 10-08/09, Mon 10-10.
    assert (await q("2022-09-28", "2022-10-10")).json()["working_days"] == 4
    assert (await q("2022-09-28", "2022-10-10", "official")).json()["working_days"] == 6
    r = await q("2030-01-01", "2030-01-10")
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:calendar-year-unknown"
    r = await post(client, "/v1/work-calendar/years", OPS, {"year": 2027})
    assert r.status_code == 201, r.text
    assert (await q("2027-01-04", "2027-01-08")).json()["working_days"] == 5
    r = await post(
        client,
        "/v1/work-calendar/days",
        OPS,
        {"day": "2027-01-05", "kind": "holiday", "name": "测试假日"},
    )
    assert r.status_code == 200, r.text
    assert (await q("2027-01-04", "2027-01-08")).json()["working_days"] == 4
    r = await post(client, "/v1/work-calendar/days", OPS, {"day": "2027-01-06", "kind": "makeup"})
    assert r.status_code == 422  # a make-up workday must be a weekend day


async def test_unit_must_record_and_recommend_before_passing_up(client) -> None:
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    tree = await make_tree(client, label="推荐", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
    unit = tree.tokens["unit_reviewer"]
    r = await post(client, f"/v1/declarations/{did}/approvals", unit)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:unit-review-missing"
    # 副高 needs a defence; the posting must be in a year the calendar knows.
    no_defence = {k: v for k, v in UNIT_REVIEW.items() if k != "defence_on"}
    r = await client.put(f"/v1/declarations/{did}/unit-review", json=no_defence, headers=auth(unit))
    assert r.status_code == 422
    assert "defence_on" in {e["field"] for e in r.json()["errors"]}
    unknown_year = {
        **UNIT_REVIEW,
        "posting_start_on": "2003-06-02",
        "posting_end_on": "2003-06-09",
        "defence_on": "2003-05-01",
        "deliberation_on": "2003-05-02",
        "recommendation": {**UNIT_REVIEW["recommendation"], "recommended_on": "2003-06-10"},
    }
    r = await client.put(
        f"/v1/declarations/{did}/unit-review", json=unknown_year, headers=auth(unit)
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:calendar-year-unknown"
    disagree = {**UNIT_REVIEW, "recommendation": {**UNIT_REVIEW["recommendation"], "agree": False}}
    r = await client.put(f"/v1/declarations/{did}/unit-review", json=disagree, headers=auth(unit))
    assert r.status_code == 200, r.text
    r = await post(client, f"/v1/declarations/{did}/approvals", unit)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:unit-not-recommending"


async def test_corrected_declarations_move_up_within_the_correction_window(client) -> None:
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    closes = datetime.now(UTC) + timedelta(seconds=4)
    unit_window = {"unit_review": {"closes_at": closes.isoformat(), "basis": "测试：单位审核推荐"}}
    tree = await make_tree(client, label="补正窗口", supervisor=False, county=False)
    campaign = await make_campaign(client, windows_override=unit_window)
    unit = tree.tokens["unit_reviewer"]
    corrected, untouched = token("applicant"), token("applicant")
    ids = {}
    for who in (corrected, untouched):
        ids[who] = await new_draft(client, tree, campaign, who)
        assert (await submit(client, ids[who], who)).status_code == 200
        r = await client.put(
            f"/v1/declarations/{ids[who]}/unit-review", json=UNIT_REVIEW, headers=auth(unit)
        )
        assert r.status_code == 200, r.text
    deadline = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{ids[corrected]}/returns",
        unit,
        {"items": [{"message": "补充答辩记录"}], "deadline_at": deadline},
    )
    assert r.status_code == 201, r.text
    assert (
        await post(client, f"/v1/declarations/{ids[corrected]}/submissions", corrected)
    ).status_code == 200
    await asyncio.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()) + 0.5)
    r = await post(client, f"/v1/declarations/{ids[untouched]}/approvals", unit)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:deadline-passed"
    assert "单位审核推荐已于" in r.json()["detail"]
    r = await post(client, f"/v1/declarations/{ids[corrected]}/approvals", unit)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "series_office_review"
