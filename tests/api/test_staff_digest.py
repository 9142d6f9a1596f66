"""The message centre's completions, on the real stack through the API: staff hear once a
day per queue that declarations reached it (read with a staff account's own token, signed
in with its password), and anyone marks all their messages read at once (a POST:
wx.request has no PATCH)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.api.clock import SHANGHAI
from tests.api.factories import (
    OPS,
    auth,
    complete_unit_step,
    make_campaign,
    make_tree,
    post,
)
from tests.api.test_messages import filed, give_back, messages
from tests.api.test_review_chain_e2e import UNIT_REVIEW

PASSWORD = "Digest-pass-2026!"
READ_ALL = "/v1/me/messages/read-all"


async def staff(client, role: str, org: str) -> str:
    """A staff account made by ops, signed in with its password: its access token."""
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": role, "org_id": org}
    r = await post(client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def test_staff_hear_once_a_day_per_queue(client) -> None:
    tree = await make_tree(client, label="待审提醒", supervisor=False, county=False)
    campaign = await make_campaign(client)
    reviewer = await staff(client, "unit_reviewer", tree.unit)
    colleague = await staff(client, "unit_reviewer", tree.unit)
    office = await staff(client, "series_office", tree.series)
    elsewhere = await make_tree(client, label="别处待审", supervisor=False, county=False)
    stranger = await staff(client, "unit_reviewer", elsewhere.unit)
    assert (await messages(client, reviewer))["items"] == []

    # A declaration reaches the unit's queue: each of its reviewers gets one digest.
    did, applicant = await filed(client, tree, campaign)
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    for person in (reviewer, colleague):
        page = await messages(client, person)
        [digest] = page["items"]
        assert digest["kind"] == "digest" and digest["title"] == "待审申报提醒"
        assert "待审提醒用人单位" in digest["body"] and "用人单位审核推荐" in digest["body"]
        assert f"{today.year}年{today.month}月{today.day}日" in digest["body"]
        assert digest["sms"] is None and digest["declaration_id"] is None
        assert page["unread"] == 1
    # A second one the same day: no second digest. Nothing reached the office or another
    # unit.
    await filed(client, tree, campaign)
    assert len((await messages(client, reviewer))["items"]) == 1
    assert (await messages(client, office))["items"] == []
    assert (await messages(client, stranger))["items"] == []

    # The unit passes the first up: the series office's staff hear of their queue.
    url = f"/v1/declarations/{did}"
    unit = tree.tokens["unit_reviewer"]
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 200 and r.json()["status"] == "series_office_review", r.text
    [digest] = (await messages(client, office))["items"]
    assert digest["kind"] == "digest" and "系列职改办审核" in digest["body"]

    # Mark all read: what there is, once; a second call marks nothing.
    r = await post(client, READ_ALL, reviewer)
    assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 0}, r.text
    [read] = (await messages(client, reviewer))["items"]
    r = await post(client, READ_ALL, reviewer)
    assert r.json() == {"marked": 0, "unread": 0}
    [again] = (await messages(client, reviewer))["items"]
    assert again["read_at"] == read["read_at"] is not None
    # Only one's own: the colleague's digest is still unread.
    assert (await messages(client, colleague))["unread"] == 1

    # An applicant's notices (their submission's receipt, the return) and an announcement,
    # all read at once; a reminder scheduled for later is not shown, so it stays out of
    # the count until it is due.
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    await give_back(client, tree.tokens["series_office"], did, deadline)
    body = {"title": "补正提醒", "body": "请按一次性告知要求在期限内补正。"}
    r = await post(client, f"/v1/campaigns/{campaign['id']}/announcements", office, body)
    assert r.status_code == 201, r.text
    assert (await messages(client, applicant))["unread"] == 3
    r = await post(client, READ_ALL, applicant)
    assert r.json() == {"marked": 3, "unread": 0}, r.text
    assert all(m["read_at"] for m in (await messages(client, applicant))["items"])
