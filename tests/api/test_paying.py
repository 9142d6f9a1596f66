"""The applicant pays through HTTP: a pay code from the provider, 缴费验证, refunds.

Seed 002 (柳州 职称申报系统操作注意事项): “申报材料经职改办审核通过后，申报人会收到缴费短信通知，
也可以在申报进度查询到缴费通知，在个人版我的首页点击“缴费”扫描缴费码缴费，成功后有提示成功信息，
再到系统中进行缴费验证，缴费完成。”

The provider is a real local HTTP server (tests/api/fakepay.py) that checks our
signatures and signs its answers; the test plays the applicant (it "scans and pays" at
the fake) and the network (it delivers the provider's signed callback when it chooses).
"""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from datetime import datetime

import httpx
import pytest
import segno
from PIL import Image

from services.api.config import DEV_PAYMENT_PROVIDER_KEY, ApiSettings
from services.api.main import build_app
from tests.api import fakepay
from tests.api.factories import OPS, as_read, auth, make_campaign, make_tree, post, token
from tests.api.test_payments import (
    PRODUCTION,
    accepted,
    audit_rows,
    db,
    notice,
    notices,
    status_of,
)
from tests.conftest import Stack
from tests.support import running

__all__ = ["db"]  # the fixture, shared with test_payments

LIUZHOU_PAYING = (
    "申报材料经职改办审核通过后，申报人会收到缴费短信通知，也可以在申报进度查询到缴费通知，"
    "在个人版我的首页点击“缴费”扫描缴费码缴费，成功后有提示成功信息，再到系统中进行缴费验证，"
    "缴费完成。"
)


class FakePay:
    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, trust_env=False, timeout=10)

    def reset(self) -> None:
        self.client.post("/_fake/reset").raise_for_status()

    def mode(self, **body) -> None:
        self.client.post("/_fake/mode", json=body).raise_for_status()

    def pay(self, out_trade_no: str, **body) -> dict:
        r = self.client.post("/_fake/pay", json={"out_trade_no": out_trade_no, **body})
        r.raise_for_status()
        return r.json()

    def records(self) -> dict:
        answer = self.client.get("/_fake/records").json()
        assert answer["rejected"] == [], "the fake refused a signature"
        return answer

    async def refunds(self, n: int) -> list[dict]:
        """The refunds asked for, once there are n (they are asked after the answer)."""
        for _ in range(100):
            found = self.records()["refunds"]
            if len(found) >= n:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"the provider was asked for {len(found)} refunds, not {n}")


def qr_modules(data_uri: str, scale: int = 6, border: int = 4) -> tuple:
    """The dark/light modules read off the QR image the pay-code answer carries."""
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(data_uri[len(prefix) :]))).convert("L")
    side = image.width // scale - 2 * border
    return tuple(
        bytearray(
            image.getpixel(((c + border) * scale + scale // 2, (r + border) * scale + scale // 2))
            < 128
            for c in range(side)
        )
        for r in range(side)
    )


@pytest.fixture(scope="session")
def fakepay_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("tests.api.fakepay:app", stack.env())


@pytest.fixture
def fake(fakepay_url: str):
    f = FakePay(fakepay_url)
    f.reset()
    yield f
    f.reset()
    f.client.close()


def settings(stack: Stack, urls: tuple[str, str], provider_url: str) -> ApiSettings:
    rules_url, documents_url = urls
    return ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_callback_key=fakepay.CALLBACK_KEY,
        payment_sweep_interval=0,
        payment_expiry_grace_seconds=0,
        payment_provider_url=provider_url,
        payment_provider_merchant_id=fakepay.MERCHANT_ID,
        payment_provider_app_id=fakepay.APP_ID,
        payment_provider_key=fakepay.PROVIDER_KEY,
        payment_notify_url="https://gateway.example/v1/payments/callback",
    )


@pytest.fixture
async def gw(stack: Stack, urls: tuple[str, str], fakepay_url: str):
    async with running(build_app(settings(stack, urls, fakepay_url))) as c:
        yield c


async def deliver(client, callback: dict) -> httpx.Response:
    """The provider's signed success callback, as it posts it."""
    return await client.post(
        "/v1/payments/callback",
        content=callback["body"].encode(),
        headers={"Content-Type": "application/json", "X-Payment-Signature": callback["signature"]},
    )


async def verify(client, did: str, applicant: str) -> httpx.Response:
    return await post(client, f"/v1/declarations/{did}/payment-verifications", applicant)


async def pay_code(client, did: str, applicant: str) -> httpx.Response:
    return await post(client, f"/v1/declarations/{did}/payment-code", applicant)


async def refund_once(client, did: str, applicant: str, done) -> dict:
    """The order's one refund, once `done(refund)` holds (it is asked for, and marked,
    after the answer that recorded it)."""
    url = f"/v1/declarations/{did}/payment-order"
    for _ in range(200):
        [refund] = (await client.get(url, headers=auth(applicant))).json()["refunds"]
        if done(refund):
            return refund
        await asyncio.sleep(0.05)
    raise AssertionError(f"the refund stayed {refund}")


async def due(client, label: str) -> tuple[str, str, dict]:
    """A declaration at payment_due: (id, applicant token, order)."""
    tree = await make_tree(client, label=label, supervisor=False, county=False)
    campaign = await make_campaign(client)
    did, applicant = await accepted(client, tree, campaign)
    return did, applicant, await notice(client, tree, did)


async def test_applicant_pays_with_the_code_and_verifies(gw, fake, db) -> None:
    assert "扫描缴费码缴费" in LIUZHOU_PAYING and "缴费验证" in LIUZHOU_PAYING
    did, applicant, order = await due(gw, "缴费码")
    out_trade_no = uuid.UUID(order["id"]).hex

    # Only the applicant asks for the code; another applicant does not see the declaration.
    r = await pay_code(gw, did, token("applicant", sub="someone-else"))
    assert r.status_code == 404, r.text
    r = await pay_code(gw, did, OPS)
    assert r.status_code == 403, r.text

    r = await pay_code(gw, did, applicant)
    assert r.status_code == 200, r.text
    code = r.json()
    assert code["order_id"] == order["id"] and code["amount_fen"] == 38000
    assert code["amount_yuan"] == "380" and code["deadline_at"] == order["deadline_at"]
    trade = fake.records()["trades"][out_trade_no]
    assert code["code_url"] == trade["code_url"]
    assert qr_modules(code["qr_png"]) == segno.make(trade["code_url"], error="m").matrix
    assert trade["amount"] == 38000
    assert datetime.fromisoformat(trade["time_expire"]) == datetime.fromisoformat(
        order["deadline_at"]
    )
    assert trade["notify_url"] == "https://gateway.example/v1/payments/callback"
    assert "评审费" in trade["description"]
    # The same code again, without asking the provider for another order.
    again = await pay_code(gw, did, applicant)
    assert again.status_code == 200 and again.json()["code_url"] == code["code_url"]
    assert len(fake.records()["trades"]) == 1

    # 缴费验证 before paying: nothing booked, the applicant is told what to do.
    r = await verify(gw, did, applicant)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:payment-not-received"
    assert problem["trade_state"] == "NOTPAY" and "缴费验证" in problem["detail"]
    assert await status_of(gw, did) == "payment_due"

    # The applicant scans and pays; the provider's callback has not come (yet).
    paid = fake.pay(out_trade_no)
    r = await verify(gw, did, applicant)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "paid" and r.json()["transaction_id"] == paid["transaction_id"]
    assert "payment-callback-replayed" not in r.headers
    assert await status_of(gw, did) == "paid"
    [row] = await audit_rows(db, did, "paid")
    assert (row.from_status, row.to_status, row.actor_role) == ("payment_due", "paid", "applicant")
    assert "缴费验证" in row.reason and paid["transaction_id"] in row.reason
    # The SMS notice of the payment, once; the reminders are moot.
    sent = await notices(db, did)
    assert sent["payment_received"].template_code == "PAYMENT_RECEIVED"
    assert sent["payment_received"].params["amount"] == "380"
    assert sent["payment_due:reminder:3d"].status == "cancelled"

    # Pressing verify again, and the provider's callback arriving late: the same booking.
    r = await verify(gw, did, applicant)
    assert r.status_code == 200 and r.headers["payment-callback-replayed"] == "true"
    r = await deliver(gw, paid["callback"])
    assert r.status_code == 200 and r.headers["payment-callback-replayed"] == "true"
    assert len(await audit_rows(db, did, "paid")) == 1
    # No code for an order already paid.
    r = await pay_code(gw, did, applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:payment-order-not-pending"
    r = await gw.get(f"/v1/declarations/{did}/payment-order", headers=auth(applicant))
    assert r.json()["code_url"] == code["code_url"] and r.json()["refunds"] == []


async def test_a_second_payment_is_refunded_the_way_it_came(gw, fake, db) -> None:
    did, applicant, order = await due(gw, "重复缴费")
    out_trade_no = uuid.UUID(order["id"]).hex
    assert (await pay_code(gw, did, applicant)).status_code == 200
    first = fake.pay(out_trade_no)
    r = await deliver(gw, first["callback"])
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text

    # The applicant pays a second time (another channel): not booked, refunded.
    second = fake.pay(out_trade_no)
    r = await deliver(gw, second["callback"])
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:payment-already-settled"
    assert "原路退回" in problem["detail"]
    refund_id = problem["refund_id"]

    [asked] = await fake.refunds(1)
    assert asked["out_refund_no"] == uuid.UUID(refund_id).hex
    assert asked["transaction_id"] == second["transaction_id"] and asked["amount"] == 38000
    refund = await refund_once(gw, did, applicant, lambda x: x["status"] != "pending")
    assert refund["id"] == refund_id and refund["cause"] == "duplicate"
    assert refund["status"] == "succeeded" and refund["provider_refund_id"] == asked["refund_id"]
    r = await gw.get(f"/v1/declarations/{did}/payment-order", headers=auth(applicant))
    assert r.json()["transaction_id"] == first["transaction_id"]

    # The provider posts the same callback again: the same answer, no second refund.
    r = await deliver(gw, second["callback"])
    assert r.status_code == 409 and r.json()["refund_id"] == refund_id
    [asked] = fake.records()["refunds"]
    assert asked["asked"] == 1
    [recorded] = await audit_rows(db, did, "refund_recorded")
    assert second["transaction_id"] in recorded.reason and "380元" in recorded.reason
    [refunded] = await audit_rows(db, did, "refunded")
    assert asked["refund_id"] in refunded.reason
    assert await status_of(gw, did) == "paid"
    assert len(await audit_rows(db, did, "paid")) == 1


async def test_a_payment_after_withdrawal_is_refunded(gw, fake, db) -> None:
    """The applicant scanned the code, then withdrew before paying; the money comes back."""
    did, applicant, order = await due(gw, "撤回后缴费")
    assert (await pay_code(gw, did, applicant)).status_code == 200
    r = await as_read(gw, f"/v1/declarations/{did}/withdrawals", applicant, {"reason": "不再申报"})
    assert r.status_code == 200, r.text
    paid = fake.pay(uuid.UUID(order["id"]).hex)
    r = await verify(gw, did, applicant)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:declaration-not-payable"
    [asked] = await fake.refunds(1)
    assert asked["transaction_id"] == paid["transaction_id"]
    r = await gw.get(f"/v1/declarations/{did}/payment-order", headers=auth(applicant))
    assert [x["cause"] for x in r.json()["refunds"]] == ["not_payable"]
    assert await status_of(gw, did) == "withdrawn"


async def test_callback_and_verification_racing_settle_once(gw, fake, db) -> None:
    for n in range(3):
        did, applicant, order = await due(gw, f"竞态{n}")
        assert (await pay_code(gw, did, applicant)).status_code == 200
        paid = fake.pay(uuid.UUID(order["id"]).hex)
        by_callback, by_verify = await asyncio.gather(
            deliver(gw, paid["callback"]), verify(gw, did, applicant)
        )
        assert by_callback.status_code == by_verify.status_code == 200, (
            by_callback.text,
            by_verify.text,
        )
        assert by_callback.json() == by_verify.json()
        replayed = [r.headers.get("payment-callback-replayed") for r in (by_callback, by_verify)]
        assert sorted(replayed, key=str) == [None, "true"]
        assert len(await audit_rows(db, did, "paid")) == 1
        sent = [k for k in await notices(db, did) if k == "payment_received"]
        assert sent == ["payment_received"]
        assert fake.records()["refunds"] == []


async def test_a_provider_down_or_forged_books_nothing(gw, fake, db) -> None:
    did, applicant, order = await due(gw, "机构故障")
    fake.mode(down=True)
    r = await pay_code(gw, did, applicant)
    assert r.status_code == 503, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:payment-provider-unavailable"
    fake.mode(down=False)
    assert (await pay_code(gw, did, applicant)).status_code == 200
    fake.pay(uuid.UUID(order["id"]).hex)
    # An answer saying SUCCESS whose signature is not the provider's is not believed.
    fake.mode(forge=True)
    r = await verify(gw, did, applicant)
    assert r.status_code == 503 and r.json()["reason"] == "answer signature invalid", r.text
    assert await status_of(gw, did) == "payment_due"
    fake.mode(forge=False)
    r = await verify(gw, did, applicant)
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text


async def test_no_provider_connected_is_a_503(stack: Stack, urls: tuple[str, str]) -> None:
    async with running(build_app(settings(stack, urls, ""))) as c:
        did, applicant, _ = await due(c, "未接入")
        r = await pay_code(c, did, applicant)
        assert r.status_code == 503, r.text
        assert r.json()["type"] == "urn:zhicheng:problem:payment-provider-unavailable"


def test_production_refuses_the_development_provider_key() -> None:
    base = {**PRODUCTION, "payment_callback_key": "c" * 40}
    # No provider connected: nothing to sign, nothing refused.
    assert ApiSettings(**base).payment_provider_key == DEV_PAYMENT_PROVIDER_KEY
    provider = {
        "payment_provider_url": "https://pay.example",
        "payment_notify_url": "https://gateway.example/v1/payments/callback",
    }
    with pytest.raises(ValueError, match="payment_provider_key"):
        ApiSettings(**base, **provider)
    with pytest.raises(ValueError, match="payment_provider_key"):
        ApiSettings(**base, **provider, payment_provider_key="short")
    with pytest.raises(ValueError, match="payment_notify_url"):
        ApiSettings(**base, **{**provider, "payment_notify_url": ""}, payment_provider_key="p" * 40)
    ok = ApiSettings(**base, **provider, payment_provider_key="p" * 40)
    assert ok.payment_provider_key == "p" * 40


async def test_a_refund_the_provider_could_not_take_is_asked_again(
    gw, fake, db, stack: Stack, urls: tuple[str, str], fakepay_url: str
) -> None:
    did, applicant, order = await due(gw, "退款重试")
    out_trade_no = uuid.UUID(order["id"]).hex
    assert (await pay_code(gw, did, applicant)).status_code == 200
    assert (await deliver(gw, fake.pay(out_trade_no)["callback"])).status_code == 200
    second = fake.pay(out_trade_no)
    fake.mode(down=True)
    r = await deliver(gw, second["callback"])
    assert r.status_code == 409 and r.json()["refund_status"] == "pending", r.text
    # The request after the answer fails: recorded, still pending.
    refund = await refund_once(gw, did, applicant, lambda x: x["attempts"])
    assert (refund["status"], refund["attempts"]) == ("pending", 1)
    assert fake.records()["refunds"] == []
    fake.mode(down=False)
    # The periodic sweep of a replica asks again.
    retrying = settings(stack, urls, fakepay_url).model_copy(update={"payment_sweep_interval": 0.2})
    async with running(build_app(retrying)):
        refund = await refund_once(gw, did, applicant, lambda x: x["status"] != "pending")
    [asked] = fake.records()["refunds"]  # one refund, however often it was asked
    assert asked["transaction_id"] == second["transaction_id"]
    assert refund["status"] == "succeeded" and refund["provider_refund_id"] == asked["refund_id"]
    assert len(await audit_rows(db, did, "refunded")) == 1
