"""The message centre (站内消息) and 视为放弃 on the real stack, through the API.

桂工信职办〔2023〕6号 三（三）: “经审核，申报材料不符合规定条件的，实行一次性告知制度，
明确补正材料的内容和时限要求。逾期未补充的，视为放弃申报。”
A return left unanswered past its deadline moves the declaration to `abandoned` (the
sweep, as the payment deadline's); every notice is also a message its recipient reads,
with the SMS's state; offices post announcements (公告).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from services.api.chain.lapses import LAPSE_LOCK_KEY
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from services.notify.health import build_health_app
from services.notify.service import Sender, send_notification
from services.notify.sms.providers import build_providers
from tests.api.factories import (
    OPS,
    auth,
    complete_unit_step,
    iso,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    token,
    verified_applicant,
)
from tests.api.test_payments import audit_rows, db, db_now, status_of, until
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import Stack, database_of_its_own
from tests.notify.conftest import Fake, settings_for
from tests.support import running

__all__ = ["db"]  # the fixture, shared with the payment tests

SEED = "逾期未补充的，视为放弃申报。"
SERVICE = token("service", sub="returns-cron")
PROBLEM = "urn:zhicheng:problem:"
RECEIPT_KEY = "receipt-key-for-message-tests"


@pytest.fixture(scope="module")
def fake_url(stack: Stack, uvicorn_service) -> str:
    """The fake SMS gateway (an outside service): the notify worker sends to it."""
    return uvicorn_service("tests.notify.fakesms:app", stack.env())


@asynccontextmanager
async def notify_worker(stack: Stack, fake_url: str, *, now: datetime | None = None):
    """The notify worker's sender and its receipts listener, on the real stack.

    `now` is the worker's clock for quiet hours: a test that sends a reminder (never sent
    at night) gives the daytime of its story, or its result would hang on the hour it runs."""
    from arq import create_pool
    from arq.connections import RedisSettings
    from redis.asyncio import Redis

    fake = Fake(fake_url)
    settings = settings_for(stack, fake, '["aliyun"]', aliyun_sms_receipt_key=RECEIPT_KEY)
    engine = make_engine(stack.database_url)
    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    async with httpx.AsyncClient(trust_env=False) as http:
        sender = Sender(
            settings=settings,
            maker=make_sessionmaker(engine),
            redis=redis,
            providers=build_providers(settings, http),
        )
        if now is not None:
            sender.now = lambda: now
        health = build_health_app(
            settings, {"engine": engine, "redis": Redis.from_url(stack.redis_url)}
        )
        try:
            async with running(health) as receipts:
                yield sender, receipts
        finally:
            fake.client.close()
            await redis.aclose()
            await engine.dispose()


@pytest.fixture
async def app(stack: Stack, rules_url: str, documents_url: str):
    """The gateway with no background sweeps: the tests run them through the API."""
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_sweep_interval=0,
        return_sweep_interval=0,
    )
    async with running(build_app(settings)) as c:
        yield c


async def filed(client, tree, campaign) -> tuple[str, str]:
    """A declaration at its unit's review by an applicant who proved a phone."""
    applicant, _phone = await verified_applicant(client)
    did = await new_draft(client, tree, campaign, applicant)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    return did, applicant


async def give_back(client, tok: str, did: str, deadline, item: str = "补充继续教育证明"):
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tok,
        {"items": [{"message": item}], "deadline_at": iso(deadline)},
    )
    assert r.status_code == 201, r.text


async def messages(client, tok: str, **params) -> dict:
    r = await client.get("/v1/me/messages", params=params, headers=auth(tok))
    assert r.status_code == 200, r.text
    return r.json()


async def returns_of(client, tok: str) -> list[dict]:
    """The person's messages of a return (their submission's receipt left aside)."""
    items = (await messages(client, tok))["items"]
    return [m for m in items if m["event"] == "declaration.returned"]


async def notices(db, did: str, template: str) -> list[Notification]:
    rows = await db.exec(
        select(Notification)
        .where(
            Notification.declaration_id == uuid.UUID(did), Notification.template_code == template
        )
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


@pytest.fixture
async def lone(stack: Stack, rules_url: str, documents_url: str):
    """(gateway, session, stack) on a database of their own. The sweep is global by design
    and one replica at a time: on the shared database any other test's gateway starting
    up runs it too (the periodic job's first round), which would take this test's lock
    or its lapsed return from it."""
    async with database_of_its_own(stack, "zhicheng_lapse") as own:
        settings = ApiSettings(
            **own.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            payment_sweep_interval=0,
            return_sweep_interval=0,
        )
        engine = make_engine(own.database_url)
        try:
            async with (
                running(build_app(settings)) as client,
                make_sessionmaker(engine)() as session,
            ):
                yield client, session, own
        finally:
            await engine.dispose()


async def test_a_lapsed_return_is_abandoned_at_its_deadline(lone) -> None:
    app, db, stack = lone
    tree = await make_tree(app, label="放弃", supervisor=False, county=False)
    campaign = await make_campaign(app)
    lapsing, lapsing_applicant = await filed(app, tree, campaign)
    answered, answered_applicant = await filed(app, tree, campaign)
    # The lapsing one is passed up by its unit and returned by the series office: a
    # problem found above the unit, which its problem rate counts.
    url = f"/v1/declarations/{lapsing}"
    unit = tree.tokens["unit_reviewer"]
    r = await app.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(app, lapsing, unit)
    r = await post(app, url + "/approvals", unit)
    assert r.status_code == 200 and r.json()["status"] == "series_office_review", r.text

    deadline = (await db_now(db)).replace(microsecond=0) + timedelta(seconds=20)
    await give_back(app, tree.tokens["series_office"], lapsing, deadline)
    await give_back(app, unit, answered, deadline)

    # Another replica holds the sweep's lock: this one does nothing.
    engine = make_engine(stack.database_url)
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LAPSE_LOCK_KEY})
        r = await post(app, "/v1/returns/expirations", SERVICE)
        assert r.status_code == 200 and r.json() == {"ran": False, "abandoned": []}
        await other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LAPSE_LOCK_KEY})
    await engine.dispose()
    # Before the deadline nothing lapses; applicants and reviewers may not sweep.
    # (The sweep covers the whole database: returns other tests let lapse may go with it,
    # so only this test's two declarations are looked for.)
    r = await post(app, "/v1/returns/expirations", OPS)
    assert r.status_code == 200 and r.json()["ran"] is True, r.text
    assert {lapsing, answered}.isdisjoint(r.json()["abandoned"])
    for role in ("applicant", "unit_reviewer", "expert"):
        r = await post(app, "/v1/returns/expirations", token(role, uuid.uuid4()))
        assert r.status_code == 403, role

    # One applicant answers in time.
    r = await submit(app, answered, answered_applicant)
    assert r.status_code == 200 and r.json()["status"] == "unit_review", r.text

    await until(db, deadline)
    r = await post(app, "/v1/returns/expirations", SERVICE)
    assert r.status_code == 200, r.text
    assert r.json()["ran"] is True
    assert lapsing in r.json()["abandoned"] and answered not in r.json()["abandoned"]
    r = await post(app, "/v1/returns/expirations", OPS)  # idempotent
    assert r.json()["ran"] is True and lapsing not in r.json()["abandoned"]

    assert await status_of(app, lapsing) == "abandoned"
    assert await status_of(app, answered) == "unit_review"
    assert await audit_rows(db, answered, "abandoned") == []
    [row] = await audit_rows(db, lapsing, "abandoned")
    assert (row.from_status, row.to_status, row.actor_role) == ("returned", "abandoned", "service")
    assert SEED in row.reason and "桂工信职办〔2023〕6号" in row.reason

    # Exactly one notice, through the outbox, and it is the applicant's message.
    [sms] = await notices(db, lapsing, "RETURN_LAPSED")
    assert sms.event == "declaration.abandoned" and sms.params["deadline"] in row.reason
    assert await notices(db, answered, "RETURN_LAPSED") == []
    r = await post(app, "/v1/returns/expirations", SERVICE)
    assert len(await notices(db, lapsing, "RETURN_LAPSED")) == 1
    page = await messages(app, lapsing_applicant)
    [lapsed] = [m for m in page["items"] if m["event"] == "declaration.abandoned"]
    assert "视为放弃申报" in lapsed["body"] and sms.params["deadline"] in lapsed["body"]
    assert lapsed["sms"] == "pending" and lapsed["read_at"] is None
    assert lapsed["declaration_id"] == lapsing

    # Final: a resubmission is refused with the clause.
    r = await submit(app, lapsing, lapsing_applicant)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "declaration-abandoned"
    assert SEED in r.json()["detail"]
    assert await status_of(app, lapsing) == "abandoned"

    # Counted for its unit's problem rate: passed up, then a problem found above it.
    office = tree.tokens["series_office"]
    r = await app.get(f"/v1/campaigns/{campaign['id']}/problem-rates", headers=auth(office))
    assert r.status_code == 200, r.text
    [rate] = r.json()
    assert (rate["recommended"], rate["with_problems"]) == (1, 1)
    r = await app.get(f"/v1/campaigns/{campaign['id']}/statistics", headers=auth(office))
    by_status = {b["key"]: b for b in r.json()["by_status"]}
    assert by_status["abandoned"]["count"] == 1 and by_status["abandoned"]["label"] == "视为放弃"


@asynccontextmanager
async def gateway_on(own: Stack, rules_url: str, documents_url: str, **clock):
    """Another gateway over the same database whose clock is set (CLOCK_FROZEN_AT or
    CLOCK_OFFSET, test-only settings refused in production): the same stack a moment or
    a day later, with no background sweeps of its own."""
    settings = ApiSettings(
        **own.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_sweep_interval=0,
        return_sweep_interval=0,
        **clock,
    )
    async with running(build_app(settings)) as client:
        yield client


async def test_a_return_lapses_exactly_at_its_deadline_by_the_gateways_clock(
    lone, rules_url: str, documents_url: str
) -> None:
    """The sweep reads the gateway's clock, as the resubmission's check does: held still a
    second before the deadline and at it, nothing lapses (a resubmission is accepted up to
    the deadline inclusive); a millisecond after, the return has lapsed at its deadline.
    A gateway a day and an hour ahead both refuses the resubmission and abandons it."""
    app, db, own = lone
    tree = await make_tree(app, label="时钟", supervisor=False, county=False)
    campaign = await make_campaign(app)
    lapsing, lapsing_applicant = await filed(app, tree, campaign)
    later, later_applicant = await filed(app, tree, campaign)
    unit = tree.tokens["unit_reviewer"]
    deadline = (await db_now(db)).replace(microsecond=0) + timedelta(days=1)
    await give_back(app, unit, lapsing, deadline)
    await give_back(app, unit, later, deadline + timedelta(hours=1))

    async def sweep_at(instant) -> list[str]:
        async with gateway_on(own, rules_url, documents_url, clock_frozen_at=instant) as gw:
            r = await post(gw, "/v1/returns/expirations", SERVICE)
            assert r.status_code == 200 and r.json()["ran"] is True, r.text
            return r.json()["abandoned"]

    assert await sweep_at(deadline - timedelta(seconds=1)) == []
    assert await sweep_at(deadline) == []
    assert await status_of(app, lapsing) == "returned"
    assert await audit_rows(db, lapsing, "abandoned") == []
    assert await notices(db, lapsing, "RETURN_LAPSED") == []

    just_after = deadline + timedelta(milliseconds=1)
    assert await sweep_at(just_after) == [lapsing]
    assert await status_of(app, lapsing) == "abandoned"
    assert await status_of(app, later) == "returned"
    [row] = await audit_rows(db, lapsing, "abandoned")
    assert (row.from_status, row.to_status, row.actor_sub) == (
        "returned",
        "abandoned",
        "returns-cron",
    )
    [sms] = await notices(db, lapsing, "RETURN_LAPSED")
    assert sms.params["deadline"] in row.reason and SEED in row.reason
    # The return lapsed at its deadline, not when the sweep came by.
    r = await app.get(f"/v1/declarations/{lapsing}/returns", headers=auth(OPS))
    assert r.status_code == 200, r.text
    [returned] = r.json()
    assert returned["resolved_at"] is not None
    assert datetime.fromisoformat(returned["resolved_at"]) == deadline
    # Its message is in the centre from the moment the gateway's clock abandoned it.
    async with gateway_on(own, rules_url, documents_url, clock_frozen_at=just_after) as gw:
        [lapsed] = [
            m
            for m in (await messages(gw, lapsing_applicant))["items"]
            if m["event"] == "declaration.abandoned"
        ]
        assert datetime.fromisoformat(lapsed["at"]) == just_after
        assert sms.params["deadline"] in lapsed["body"]

    # A day and an hour ahead: resubmission refused, and the sweep agrees.
    ahead = timedelta(days=1, hours=1, minutes=1)
    async with gateway_on(own, rules_url, documents_url, clock_offset=ahead) as gw:
        r = await submit(gw, later, later_applicant)
        assert r.status_code == 409, r.text
        assert r.json()["type"] == PROBLEM + "correction-deadline-passed"
        r = await post(gw, "/v1/returns/expirations", SERVICE)
        assert r.status_code == 200 and r.json()["abandoned"] == [later], r.text
    assert await status_of(app, later) == "abandoned"


async def test_the_periodic_sweep_wakes_at_a_deadline_sooner_than_its_round(
    stack: Stack, rules_url: str, documents_url: str
) -> None:
    """A gateway whose sweep comes round once an hour still abandons a return at its
    deadline: the return's commit wakes the job, which sleeps until the deadline."""
    async with database_of_its_own(stack, "zhicheng_lapse") as own:
        settings = ApiSettings(
            **own.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            payment_sweep_interval=0,
            return_sweep_interval=3600,
        )
        engine = make_engine(own.database_url)
        try:
            async with (
                running(build_app(settings)) as client,
                make_sessionmaker(engine)() as session,
            ):
                tree = await make_tree(client, label="唤醒", supervisor=False, county=False)
                campaign = await make_campaign(client)
                did, _applicant = await filed(client, tree, campaign)
                deadline = (await db_now(session)).replace(microsecond=0) + timedelta(seconds=4)
                await give_back(client, tree.tokens["unit_reviewer"], did, deadline)
                assert await status_of(client, did) == "returned"
                await until(session, deadline)
                for _ in range(40):
                    if await status_of(client, did) == "abandoned":
                        break
                    await asyncio.sleep(0.1)
                assert await status_of(client, did) == "abandoned"
                [row] = await audit_rows(session, did, "abandoned")
                assert row.actor_sub == "return-lapse"
                # Within moments of the deadline, not an hour later.
                assert row.at - deadline < timedelta(seconds=3)
        finally:
            await engine.dispose()


async def test_message_centre_reads_notices_and_announcements(
    app, db, stack: Stack, fake_url: str
) -> None:
    tree = await make_tree(app, label="消息", supervisor=False, county=False)
    campaign = await make_campaign(app)
    did, applicant = await filed(app, tree, campaign)
    other_did, other = await filed(app, tree, campaign)
    unit = tree.tokens["unit_reviewer"]
    # Each submission's receipt is a message: what was filed, who acts next, by which
    # clause; the other applicant has their own, and nothing else yet.
    [receipt] = (await messages(app, applicant))["items"]
    assert receipt["title"] == "申报已提交" and receipt["event"] == "declaration.submitted"
    [receipt_sms] = await notices(db, did, "DECLARATION_SUBMITTED")
    assert receipt_sms.params["unit"] in receipt["body"] and "审核推荐" in receipt["body"]
    assert receipt_sms.params["clause"] in receipt["body"]
    [theirs] = (await messages(app, other))["items"]
    assert theirs["event"] == "declaration.submitted" and theirs["id"] != receipt["id"]
    r = await post(app, f"/v1/me/messages/{receipt['id']}/read", applicant)
    assert r.status_code == 200, r.text
    deadline = (await db_now(db)).replace(microsecond=0) + timedelta(days=4)
    await give_back(app, unit, did, deadline, item="补充学历证书")

    # The return's notice is a message (newest first); its reminder (2 days before) is not yet.
    page = await messages(app, applicant)
    [returned, receipt_again] = page["items"]
    assert receipt_again["id"] == receipt["id"] and receipt_again["read_at"]
    assert returned["kind"] == "notice" and returned["title"] == "申报材料退回补正"
    assert returned["event"] == "declaration.returned" and returned["sms"] == "pending"
    [sms] = await notices(db, did, "DECLARATION_RETURNED")
    assert sms.params["deadline"] in returned["body"] and sms.params["stage"] in returned["body"]
    assert len(await notices(db, did, "CORRECTION_REMINDER")) == 1  # scheduled, not yet due
    assert page["unread"] == 1
    r = await app.get("/v1/me/messages/unread-count", headers=auth(applicant))
    assert r.json() == {"unread": 1}
    assert [m["id"] for m in (await messages(app, other))["items"]] == [theirs["id"]]

    # Another person cannot read it nor mark it; its recipient marks it once.
    r = await post(app, f"/v1/me/messages/{returned['id']}/read", other)
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "message-not-found"
    r = await post(app, f"/v1/me/messages/{returned['id']}/read", applicant)
    assert r.status_code == 200, r.text
    first_read = r.json()["read_at"]
    assert first_read is not None
    r = await post(app, f"/v1/me/messages/{returned['id']}/read", applicant)
    assert r.json()["read_at"] == first_read
    assert (await messages(app, applicant))["unread"] == 0
    assert (await messages(app, applicant, unread_only="true"))["items"] == []

    # The SMS's delivery state as the notify worker records it: sent, then the
    # provider's receipts (delivered for one, failed for the other's return notice).
    await give_back(app, unit, other_did, deadline)
    [other_sms] = await notices(db, other_did, "DECLARATION_RETURNED")
    async with notify_worker(stack, fake_url) as (sender, receipts):
        for nid in (sms.id, other_sms.id):
            assert await send_notification(sender, nid) == "sent"
        [m] = await returns_of(app, applicant)
        assert m["sms"] == "sent"
        rows = {n.id: n for n in await notices(db, did, "DECLARATION_RETURNED")}
        rows |= {n.id: n for n in await notices(db, other_did, "DECLARATION_RETURNED")}
        body = [
            {"phone_number": rows[nid].phone[3:], "success": ok, "out_id": str(nid),
             "biz_id": rows[nid].provider_message_id,
             "err_code": "DELIVERED" if ok else "MOBILE_NOT_ON_SERVICE"}
            for nid, ok in ((sms.id, True), (other_sms.id, False))
        ]  # fmt: skip
        raw = json.dumps(body, ensure_ascii=False).encode()
        signature = hmac.new(RECEIPT_KEY.encode(), raw, hashlib.sha256).hexdigest()
        r = await receipts.post(
            "/receipts/aliyun",
            content=raw,
            headers={"X-Signature": signature, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
    [m] = await returns_of(app, applicant)
    assert m["sms"] == "delivered"
    [m] = await returns_of(app, other)
    assert m["sms"] == "failed" and m["event"] == "declaration.returned"

    # An office's announcement reaches everyone with a declaration in its campaign: a
    # draft not yet submitted too (no reviewer reads a draft, but its author is in the
    # campaign); a draft of another tree's unit is not the office's to tell.
    drafter, _phone = await verified_applicant(app)
    drafted = await new_draft(app, tree, campaign, drafter)
    r = await app.get(f"/v1/declarations/{drafted}", headers=auth(tree.tokens["series_office"]))
    assert r.status_code == 404  # the office cannot read the draft itself
    elsewhere = await make_tree(app, label="他处", supervisor=False, county=False)
    outsider, _phone = await verified_applicant(app)
    await new_draft(app, elsewhere, campaign, outsider)
    office = tree.tokens["series_office"]
    body = {"title": "关于补正材料的提醒", "body": "请按一次性告知要求在期限内补正。"}
    r = await post(app, f"/v1/campaigns/{campaign['id']}/announcements", office, body)
    assert r.status_code == 201, r.text
    announced = r.json()
    assert announced["recipients"] == 3
    for person in (applicant, other, drafter):
        page = await messages(app, person)
        assert page["items"][0]["kind"] == "announcement"
        assert page["items"][0]["title"] == body["title"] and page["items"][0]["sms"] is None
    assert [m["kind"] for m in (await messages(app, drafter))["items"]] == ["announcement"]
    assert (await messages(app, outsider))["items"] == []
    assert (await messages(app, applicant))["unread"] == 1
    # Newest first, a page at a time.
    first = await messages(app, applicant, limit=1)
    assert first["items"][0]["announcement_id"] == announced["id"] and first["next_cursor"]
    second = await messages(app, applicant, limit=1, cursor=first["next_cursor"])
    assert second["items"][0]["id"] == returned["id"] and second["next_cursor"]
    third = await messages(app, applicant, limit=1, cursor=second["next_cursor"])
    assert third["items"][0]["id"] == receipt["id"] and third["next_cursor"] is None
    r = await app.get("/v1/me/messages", params={"cursor": "zz"}, headers=auth(applicant))
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "invalid-cursor"
    [row] = await audit_rows_for_announcement(db, announced["id"])
    assert "关于补正材料的提醒" in row and "3人" in row

    # Staff read their own centre (nothing was sent to them); a campaign outside an
    # office's jurisdiction has no one to tell; applicants may not announce.
    for role in ("unit_reviewer", "series_office", "expert", "ops"):
        assert (await messages(app, tree.tokens.get(role) or token(role, uuid.uuid4())))[
            "items"
        ] == []
    stranger = await make_tree(app, label="别处", supervisor=False, county=False)
    r = await post(
        app,
        f"/v1/campaigns/{campaign['id']}/announcements",
        stranger.tokens["series_office"],
        body,
    )
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "announcement-no-recipients"
    r = await post(app, f"/v1/campaigns/{campaign['id']}/announcements", applicant, body)
    assert r.status_code == 403
    r = await post(app, f"/v1/campaigns/{campaign['id']}/announcements", office, {"title": ""})
    assert r.status_code == 422


async def audit_rows_for_announcement(db, _announcement_id: str) -> list[str]:
    rows = await db.exec(
        text(
            "SELECT reason FROM api.audit_entry WHERE action = 'announcement_posted'"
            " ORDER BY seq DESC LIMIT 1"
        )
    )
    return [r[0] for r in rows.all()]


async def test_the_gateways_periodic_sweep_abandons_and_relays(
    stack: Stack, rules_url: str, documents_url: str, db
) -> None:
    """The job every replica runs (the advisory lock picks one): the same sweep, its
    notice handed to the queue after the commit."""
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_sweep_interval=0,
        return_sweep_interval=0.5,
    )
    async with running(build_app(settings)) as client:
        tree = await make_tree(client, label="定时", supervisor=False, county=False)
        campaign = await make_campaign(client)
        did, _applicant = await filed(client, tree, campaign)
        deadline = (await db_now(db)).replace(microsecond=0) + timedelta(seconds=8)
        await give_back(client, tree.tokens["unit_reviewer"], did, deadline)
        assert await status_of(client, did) == "returned"
        await until(db, deadline)
        for _ in range(120):
            if await status_of(client, did) == "abandoned":
                break
            await asyncio.sleep(0.25)
        assert await status_of(client, did) == "abandoned"
        # The notice goes to the queue just after the sweep's commit: wait for it while
        # the gateway runs (the status shows as soon as the commit is done).
        for _ in range(40):
            sent = await notices(db, did, "RETURN_LAPSED")
            if sent and sent[0].enqueued_at is not None:
                break
            await asyncio.sleep(0.25)
    [sms] = await notices(db, did, "RETURN_LAPSED")
    assert sms.enqueued_at is not None  # relayed to the notify queue
    [row] = await audit_rows(db, did, "abandoned")
    assert row.actor_sub == "return-lapse"
