"""Payments on the real stack: fee orders, the signed provider callback, expiry at the deadline.

Declarations walk the real chain (unit → series office → committee office) to accepted; the
committee office's payment notice creates the order; callbacks are signed like the
provider would; the deadline is checked against the database clock.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import text
from sqlmodel import select

from services.api.campaigns.schemas import MAX_FEE_YUAN
from services.api.certificates.signing import private_key_setting
from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import AuditEntry
from services.api.payments.service import SWEEP_LOCK_KEY
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from tests.api.factories import ARTS_FACTS as BASE_ARTS_FACTS
from tests.api.factories import ARTS_SECTIONS as BASE_ARTS_SECTIONS
from tests.api.factories import (
    OPS,
    Tree,
    auth,
    campaign_body,
    complete_unit_step,
    iso,
    make_campaign,
    make_org,
    make_tree,
    new_draft,
    post,
    submit,
    token,
    verified_applicant,
)
from tests.api.registries.helpers import arts_crafts_2023
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import Stack, database_of_its_own
from tests.support import PRODUCTION_SERVICE_TOKEN_KEYS, running

KEY = "test-payment-callback-key-0123456789"
SERVICE = token("service", sub="payments-cron")


@pytest.fixture
async def pay(stack: Stack, rules_url: str, documents_url: str):
    """The gateway with a known callback key, no background sweep and no grace period."""
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_callback_key=KEY,
        payment_sweep_interval=0,
        payment_expiry_grace_seconds=0,
    )
    async with running(build_app(settings)) as c:
        yield c


@pytest.fixture
async def db(stack: Stack):
    engine = make_engine(stack.database_url)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


def sign(raw: bytes, key: str = KEY) -> str:
    return "sha256=" + hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()


async def callback(client, body: dict, *, key: str = KEY, signature: str | None = None):
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    headers["X-Payment-Signature"] = signature if signature is not None else sign(raw, key)
    return await client.post("/v1/payments/callback", content=raw, headers=headers)


async def accepted(client, tree, campaign, **extra) -> tuple[str, str]:
    """A declaration walked up the chain to accepted; returns (id, applicant token).

    The applicant signed in with an SMS code, so the notices have a phone to go to."""
    applicant, _phone = await verified_applicant(client)
    did = await new_draft(client, tree, campaign, applicant, **extra)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    url = f"/v1/declarations/{did}"
    r = await client.put(
        url + "/unit-review", json=UNIT_REVIEW, headers=auth(tree.tokens["unit_reviewer"])
    )
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, tree.tokens["unit_reviewer"])
    for role in ("unit_reviewer", "series_office", "committee_office"):
        r = await post(client, url + "/approvals", tree.tokens[role])
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    return did, applicant


async def notice(client, tree, did: str) -> dict:
    url = f"/v1/declarations/{did}"
    r = await post(client, url + "/payment-notices", tree.tokens["committee_office"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "payment_due"
    r = await client.get(url + "/payment-order", headers=auth(OPS))
    assert r.status_code == 200, r.text
    return r.json()


async def status_of(client, did: str) -> str:
    r = await client.get(f"/v1/declarations/{did}", headers=auth(OPS))
    return r.json()["status"]


async def notices(db, did: str) -> dict[str, Notification]:
    rows = (
        await db.exec(
            select(Notification)
            .where(Notification.declaration_id == uuid.UUID(did))
            .execution_options(populate_existing=True)
        )
    ).all()
    return {r.dedupe_key.split(":", 2)[2]: r for r in rows}


async def audit_rows(db, did: str, action: str) -> list[AuditEntry]:
    rows = await db.exec(
        select(AuditEntry)
        .where(AuditEntry.declaration_id == uuid.UUID(did), AuditEntry.action == action)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


def payment(order: dict, **over) -> dict:
    paid_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    return {
        "order_id": order["id"],
        "transaction_id": f"txn-{uuid.uuid4().hex[:12]}",
        "amount_fen": order["amount_fen"],
        "paid_at": paid_at.isoformat(),
        **over,
    }


async def test_callback_pays_once_and_refuses_bad_input(pay, db) -> None:
    tree = await make_tree(pay, label="缴费", supervisor=False, county=False)
    campaign = await make_campaign(pay)
    did, applicant = await accepted(pay, tree, campaign)
    order = await notice(pay, tree, did)

    # Amount in fen from the fee (the engineering pack has none: the campaign sets 380元),
    # window from the campaign, SMS with amount and deadline in the same transaction.
    r = await pay.get(f"/v1/declarations/{did}", headers=auth(applicant))
    fee = r.json()["fee_yuan"] or campaign["fee_yuan"]
    assert order["amount_fen"] == fee * 100 == 38000
    assert order["status"] == "pending"
    window = campaign["windows"]["payment"]
    assert datetime.fromisoformat(order["deadline_at"]) == datetime.fromisoformat(
        window["closes_at"]
    )
    assert datetime.fromisoformat(order["opens_at"]) == datetime.fromisoformat(window["opens_at"])
    sent = await notices(db, did)
    assert sent["payment_due"].params["amount"] == "380"
    assert sent["payment_due:reminder:3d"].status == "created"
    [due] = await audit_rows(db, did, "payment_due")
    assert order["id"] in due.reason

    body = payment(order)
    # Signature: missing, made with another key, or over another body — refused, nothing paid.
    for sig in ("", sign(b"{}"), sign(json.dumps(body).encode(), "another-key")):
        r = await callback(pay, body, signature=sig)
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "urn:zhicheng:problem:payment-signature-invalid"
    # Signed but malformed, unknown order, wrong amount.
    r = await callback(pay, {"order_id": order["id"], "amount_fen": "many"})
    assert r.status_code == 422 and r.json()["type"].endswith("payment-callback-invalid")
    r = await callback(pay, {**body, "order_id": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json()["type"].endswith("payment-order-not-found")
    r = await callback(pay, {**body, "amount_fen": 23000})
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:payment-amount-mismatch"
    assert r.json()["expected_fen"] == 38000 and "380元" in r.json()["detail"]
    assert await status_of(pay, did) == "payment_due"
    assert await audit_rows(db, did, "paid") == []

    # Two identical callbacks at once: one transition, the same answer twice.
    first, second = await asyncio.gather(callback(pay, body), callback(pay, body))
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json() == second.json()
    assert first.json()["status"] == "paid"
    replayed = [r.headers.get("payment-callback-replayed") for r in (first, second)]
    assert replayed.count("true") == 1 and replayed.count(None) == 1
    # A later exact repeat: the same answer again.
    again = await callback(pay, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["payment-callback-replayed"] == "true"
    # Another transaction for an order already paid is not booked (to be refunded).
    r = await callback(pay, payment(order))
    assert r.status_code == 409 and r.json()["type"].endswith("payment-already-settled")
    # The same transaction id with another payment time is a conflict, not a repeat.
    r = await callback(pay, {**body, "paid_at": iso(datetime.now(UTC) - timedelta(hours=1))})
    assert r.status_code == 409 and r.json()["type"].endswith("payment-callback-conflict")

    assert await status_of(pay, did) == "paid"
    [paid] = await audit_rows(db, did, "paid")
    assert (paid.from_status, paid.to_status) == ("payment_due", "paid")
    assert (paid.actor_sub, paid.actor_role) == ("payment-provider", "service")
    assert body["transaction_id"] in paid.reason and "380元" in paid.reason
    sent = await notices(db, did)
    assert sent["payment_received"].template_code == "PAYMENT_RECEIVED"
    assert sent["payment_received"].params["amount"] == "380"
    assert sum(1 for k in sent if k == "payment_received") == 1
    # The pending reminders are cancelled; the notice already due stays as it was.
    assert sent["payment_due:reminder:3d"].status == "cancelled"
    assert sent["payment_due:reminder:1d"].status == "cancelled"
    r = await pay.get(f"/v1/declarations/{did}/payment-order", headers=auth(applicant))
    assert r.json()["status"] == "paid" and r.json()["transaction_id"] == body["transaction_id"]


async def db_now(db) -> datetime:
    return (await db.exec(text("SELECT clock_timestamp()"))).scalar_one()


async def until(db, instant: datetime) -> None:
    """Sleep until the database clock has passed this instant."""
    for _ in range(120):
        now = await db_now(db)
        if now > instant:
            return
        await asyncio.sleep(min(1.0, (instant - now).total_seconds() + 0.05))
    raise AssertionError(f"the database clock did not reach {instant}")


async def test_the_unpaid_sweep_reads_the_gateways_clock(
    stack: Stack, rules_url: str, documents_url: str
) -> None:
    """The unpaid-withdrawal sweep compares the deadline with the gateway's clock (a test
    gateway's frozen one here), as every other deadline check does: at the deadline
    nothing expires, a millisecond after it the order does. On a database of its own:
    a clock a day ahead would sweep every other test's orders."""
    async with database_of_its_own(stack, "zhicheng_unpaid") as own:

        def settings(**clock) -> ApiSettings:
            return ApiSettings(
                **own.settings_kwargs(),
                rules_url=rules_url,
                documents_url=documents_url,
                payment_callback_key=KEY,
                payment_sweep_interval=0,
                return_sweep_interval=0,
                payment_expiry_grace_seconds=0,
                **clock,
            )

        async def sweep_at(instant: datetime) -> list[str]:
            async with running(build_app(settings(clock_frozen_at=instant))) as gw:
                r = await post(gw, "/v1/payments/expirations", SERVICE)
                assert r.status_code == 200 and r.json()["ran"] is True, r.text
                return r.json()["expired"]

        async with running(build_app(settings())) as pay:
            tree = await make_tree(pay, label="冻结", supervisor=False, county=False)
            closes = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
            window = {"opens_at": iso(closes - timedelta(days=2)), "closes_at": iso(closes)}
            campaign = await make_campaign(
                pay, windows_override={"payment": {**window, "basis": "测试"}}
            )
            unpaid, _ = await accepted(pay, tree, campaign)
            order = await notice(pay, tree, unpaid)
            assert datetime.fromisoformat(order["deadline_at"]) == closes
            assert await sweep_at(closes) == []
            assert await status_of(pay, unpaid) == "payment_due"
            assert await sweep_at(closes + timedelta(milliseconds=1)) == [unpaid]
            assert await status_of(pay, unpaid) == "withdrawn"


async def test_deadline_withdraws_the_unpaid_never_the_paid(pay, db, stack: Stack) -> None:
    tree = await make_tree(pay, label="逾期", supervisor=False, county=False)
    closes = (await db_now(db)).replace(microsecond=0) + timedelta(seconds=25)
    window = {"opens_at": iso(closes - timedelta(hours=1)), "closes_at": iso(closes)}
    campaign = await make_campaign(pay, windows_override={"payment": {**window, "basis": "测试"}})
    paid_in_time, _ = await accepted(pay, tree, campaign)
    unpaid, _ = await accepted(pay, tree, campaign)
    late_callback, _ = await accepted(pay, tree, campaign)
    orders = {did: await notice(pay, tree, did) for did in (paid_in_time, unpaid, late_callback)}
    deadline = datetime.fromisoformat(orders[unpaid]["deadline_at"])
    assert deadline == closes

    # Another replica holds the sweep lock: this one does nothing.
    engine = make_engine(stack.database_url)
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SWEEP_LOCK_KEY})
        r = await post(pay, "/v1/payments/expirations", SERVICE)
        assert r.status_code == 200 and r.json() == {"ran": False, "expired": []}
        await other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK_KEY})
    await engine.dispose()
    # Before the deadline nothing expires; applicants may not run the sweep.
    r = await post(pay, "/v1/payments/expirations", OPS)
    assert r.status_code == 200 and r.json() == {"ran": True, "expired": []}
    r = await post(pay, "/v1/payments/expirations", token("applicant"))
    assert r.status_code == 403

    # Paid one second before the deadline (provider's time), callback just before it.
    await until(db, deadline - timedelta(seconds=2))
    one_second_before = iso(deadline - timedelta(seconds=1))
    r = await callback(pay, payment(orders[paid_in_time], paid_at=one_second_before))
    assert r.status_code == 200, r.text

    await until(db, deadline)
    r = await post(pay, "/v1/payments/expirations", SERVICE)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["expired"]) == sorted([unpaid, late_callback])
    r = await post(pay, "/v1/payments/expirations", OPS)  # idempotent
    assert r.json() == {"ran": True, "expired": []}

    assert await status_of(pay, paid_in_time) == "paid"
    assert await status_of(pay, unpaid) == "withdrawn"
    assert await audit_rows(db, paid_in_time, "withdrawn_unpaid") == []
    [row] = await audit_rows(db, unpaid, "withdrawn_unpaid")
    assert (row.from_status, row.to_status, row.actor_role) == (
        "payment_due",
        "withdrawn",
        "service",
    )
    assert "逾期不缴费者视为放弃" in row.reason
    sent = await notices(db, unpaid)
    assert sent["withdrawn_unpaid"].template_code == "WITHDRAWN_UNPAID"
    assert sent["withdrawn_unpaid"].params["deadline"] in row.reason
    assert "withdrawn_unpaid" not in await notices(db, paid_in_time)
    r = await pay.get(f"/v1/declarations/{unpaid}/payment-order", headers=auth(OPS))
    assert r.json()["status"] == "expired"

    # Money taken after the deadline is refused (to be refunded); the order stays expired.
    after = iso(deadline + timedelta(seconds=1))
    r = await callback(pay, payment(orders[unpaid], paid_at=after))
    assert r.status_code == 409 and r.json()["type"].endswith("payment-after-deadline")
    assert await status_of(pay, unpaid) == "withdrawn"

    # Paid before the deadline but the callback came after the sweep: the payment counts.
    r = await callback(pay, payment(orders[late_callback], paid_at=one_second_before))
    assert r.status_code == 200, r.text
    assert await status_of(pay, late_callback) == "paid"
    [row] = await audit_rows(db, late_callback, "paid")
    assert (row.from_status, row.to_status) == ("withdrawn", "paid")
    assert "撤销逾期放弃" in row.reason
    sent = await notices(db, late_callback)
    assert sent["withdrawn_unpaid"].status == "cancelled"  # not yet sent: never sent
    assert sent["payment_received"].status == "created"


# Production settings with every secret but the payment callback key set.
PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://zhicheng_app:" + "p" * 24 + "@postgres:5432/zhicheng",
    "redis_url": "redis://redis:6379/0",
    "jwt_secret": "x" * 40,
    "s3_secret_key": "s" * 20,
    "pii_keys": "k1:" + base64.b64encode(b"k" * 32).decode(),
    "pii_key_id": "k1",
    "pii_index_key": base64.b64encode(b"i" * 32).decode(),
    "audit_checkpoint_key": "a" * 40,
    "certificate_signing_key": private_key_setting("p1", ed25519.Ed25519PrivateKey.generate()),
    **PRODUCTION_SERVICE_TOKEN_KEYS,
}


def test_production_refuses_the_development_callback_key() -> None:
    with pytest.raises(ValueError, match="payment_callback_key"):
        ApiSettings(**PRODUCTION)
    assert ApiSettings(**PRODUCTION, payment_callback_key=KEY).payment_callback_key == KEY


# The same 工艺美术师, 双定向 (三江).
ARTS_FACTS = {**BASE_ARTS_FACTS, "dual_directed": True}
ARTS_SECTIONS = {
    **BASE_ARTS_SECTIONS,
    "basic_info": {**BASE_ARTS_SECTIONS["basic_info"], "dual_directed": True},
}


async def test_fee_comes_from_the_policy_fee_table(pay) -> None:
    """广西工艺美术 高级: 380元/人次 in the policy (桂价费〔2006〕359号) → 38000 fen."""
    committee = await make_org(pay, "committee_office", "工艺美术评委会所在职改办", None)
    series = await make_org(pay, "series_office", "工艺美术系列职改办", committee, "450000")
    unit = await make_org(pay, "unit", "三江某壮锦厂", series, region="450226")
    tree = Tree(committee, series, None, None, unit)
    tree.tokens = {
        "unit_reviewer": token("unit_reviewer", unit),
        "series_office": token("series_office", series),
        "committee_office": token("committee_office", committee),
    }
    arts = await arts_crafts_2023(pay)
    assert arts["fee_yuan"] is None  # the fee can only come from the policy
    did, applicant = await accepted(
        pay, tree, arts, applicant_facts=ARTS_FACTS, sections=ARTS_SECTIONS
    )
    r = await pay.get(f"/v1/declarations/{did}", headers=auth(applicant))
    assert r.json()["fee_yuan"] == 380
    order = await notice(pay, tree, did)
    assert order["amount_fen"] == 38000


async def test_every_replica_sweeps_and_the_unpaid_is_withdrawn_once(
    pay, db, stack: Stack, rules_url: str
) -> None:
    """Two gateway replicas run the periodic sweep; one withdrawal, one SMS, one audit row."""
    tree = await make_tree(pay, label="多副本", supervisor=False, county=False)
    closes = (await db_now(db)).replace(microsecond=0) + timedelta(seconds=12)
    window = {"opens_at": iso(closes - timedelta(hours=1)), "closes_at": iso(closes)}
    campaign = await make_campaign(pay, windows_override={"payment": {**window, "basis": "测试"}})
    did, _ = await accepted(pay, tree, campaign)
    await notice(pay, tree, did)
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        payment_callback_key=KEY,
        payment_sweep_interval=0.2,
        payment_expiry_grace_seconds=0,
    )
    async with running(build_app(settings)), running(build_app(settings)):
        await until(db, closes)
        for _ in range(100):
            if await status_of(pay, did) == "withdrawn":
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # more sweeps by both replicas
    assert await status_of(pay, did) == "withdrawn"
    [row] = await audit_rows(db, did, "withdrawn_unpaid")
    assert row.actor_sub == "payment-expiry"
    sent = [n for n in (await notices(db, did)).values() if n.template_code == "WITHDRAWN_UNPAID"]
    assert len(sent) == 1


async def test_fees_are_bounded_and_the_largest_one_is_payable(pay) -> None:
    """A fee over the bound is a 422 (it used to overflow into a 500 on create, or on
    every payment notice of the campaign); a fee at the bound goes all the way to an
    order for its amount in fen."""
    for fee in (MAX_FEE_YUAN + 1, 30_000_000, 3_000_000_000):
        r = await post(pay, "/v1/campaigns", OPS, campaign_body(fee_yuan=fee))
        assert r.status_code == 422, r.text
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in problem["errors"]] == ["fee_yuan"], problem
        assert f"上限 {MAX_FEE_YUAN}" in problem["errors"][0]["message"]
    tree = await make_tree(pay, label="缴费上限", supervisor=False, county=False)
    campaign = await make_campaign(pay, fee_yuan=MAX_FEE_YUAN)
    did, _ = await accepted(pay, tree, campaign)
    order = await notice(pay, tree, did)
    assert order["amount_fen"] == MAX_FEE_YUAN * 100
