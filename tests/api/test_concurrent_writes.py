"""Two requests that create the same thing at once (a retried click, two desks): one
creates it, the other is told it exists (the route's 409), never a server error, and
exactly one row is stored."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from services.api.models import Expert, StaffAccount, UnitFollowUp
from tests.api.factories import (
    OPS,
    auth,
    campaign_body,
    make_org,
    make_tree,
    post,
    return_for_correction,
    token,
)
from tests.api.races import race
from tests.api.test_journals import import_csv, new_cn, new_issn
from tests.api.test_payments import db  # noqa: F401 (fixture)
from tests.api.test_statistics import recommended

PASSWORD = "Liuzhou2022abc"


async def test_two_accounts_with_one_username_at_once(client, db) -> None:  # noqa: F811
    unit = await make_org(client, "unit", f"并发账号{uuid.uuid4().hex[:4]}单位", None)
    username = f"race-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer", "org_id": unit}
    made, refused = await race(
        post(client, "/v1/staff-accounts", OPS, body),
        post(client, "/v1/staff-accounts", OPS, body),
        expect=[201, 409],
    )
    assert made.json()["username"] == username
    assert refused.json()["type"].endswith(":username-taken"), refused.text
    assert "用户名已被使用" in refused.json()["detail"]
    query = select(func.count()).select_from(StaffAccount).where(StaffAccount.username == username)
    assert (await db.exec(query)).one() == 1


async def test_one_expert_applies_twice_at_once(client, db) -> None:  # noqa: F811
    office = await make_org(client, "committee_office", f"并发专家{uuid.uuid4().hex[:4]}", None)
    sub = f"staff:{uuid.uuid4()}"
    tok = token("expert", office, sub=sub)
    application = {
        "name": "韦并发",
        "series": "engineering",
        "specialties": ["机械工程"],
        "title": "正高级工程师",
        "employer_name": "柳州某机械厂",
        "region_code": "450200",
    }
    made, refused = await race(
        post(client, "/v1/experts/applications", tok, application),
        post(client, "/v1/experts/applications", tok, application),
        expect=[201, 409],
    )
    assert made.json()["status"] == "pending"
    assert refused.json()["type"].endswith(":expert-application-exists"), refused.text
    assert "已提交过入库申请" in refused.json()["detail"]
    query = select(func.count()).select_from(Expert).where(Expert.sub == sub)
    assert (await db.exec(query)).one() == 1


async def test_one_unit_followed_up_twice_at_once(client, db) -> None:  # noqa: F811
    tree = await make_tree(client, label=f"并发整改{uuid.uuid4().hex[:4]}")
    campaign = (await post(client, "/v1/campaigns", OPS, campaign_body())).json()
    did = await recommended(client, tree, campaign, "韦整改")
    r = await return_for_correction(
        client, tree, did, within=timedelta(days=4), item="论文期刊目录页缺失", by="supervisor"
    )
    assert r.status_code == 201, r.text
    url = f"/v1/campaigns/{campaign['id']}/unit-follow-ups"
    office = tree.tokens["county_office"]
    body = {"unit_org_id": tree.unit}
    made, refused = await race(
        post(client, url, office, body), post(client, url, office, body), expect=[201, 409]
    )
    assert made.json()["requirement"] == "rectify"
    assert refused.json()["type"].endswith(":unit-follow-up-exists"), refused.text
    assert refused.json()["follow_up_id"] == made.json()["id"]
    query = (
        select(func.count())
        .select_from(UnitFollowUp)
        .where(
            UnitFollowUp.campaign_id == uuid.UUID(campaign["id"]),
            UnitFollowUp.unit_org_id == uuid.UUID(tree.unit),
        )
    )
    assert (await db.exec(query)).one() == 1


async def test_a_committee_setting_first_stored_twice_at_once(client) -> None:
    url = f"/v1/committee-settings/race-{uuid.uuid4().hex[:8]}"
    answers = await race(
        client.put(url, json={"tier": "provincial"}, headers=auth(OPS)),
        client.put(url, json={"tier": "prefecture"}, headers=auth(OPS)),
        expect=[200, 200],
    )
    r = await client.get(url, headers=auth(OPS))
    assert r.json()["default"] is False
    assert r.json()["tier"] in {a.json()["tier"] for a in answers}


async def test_one_journal_register_imported_twice_at_once(client) -> None:
    issn, cn = new_issn(), new_cn()
    register = (
        "issn,cn,name,status,source,listed_on\n"
        f"{issn},CN {cn}/TH,并发工程学报{issn},legitimate,国家新闻出版署期刊查询,2023-01-05\n"
    )
    first, second = await race(
        import_csv(client, register), import_csv(client, register), expect=[200, 200]
    )
    assert sorted([first.json()["created"], second.json()["created"]]) == [0, 1]
    assert sorted([first.json()["unchanged"], second.json()["unchanged"]]) == [0, 1]
