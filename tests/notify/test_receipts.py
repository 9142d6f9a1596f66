"""Delivery receipts on the worker's HTTP listener: signed, forward-only, idempotent."""

from __future__ import annotations

import hashlib
import hmac
import json

from redis.asyncio import Redis

from services.kit.db import make_engine
from services.notify.health import build_health_app
from services.notify.service import send_notification
from tests.conftest import Stack
from tests.notify.conftest import add, load, settings_for
from tests.support import running

KEY = "receipt-key-for-tests"


def _signed(body) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    sig = hmac.new(KEY.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": sig, "Content-Type": "application/json"}


async def _app(stack: Stack, fake):
    settings = settings_for(stack, fake, aliyun_sms_receipt_key=KEY, tencent_sms_receipt_key=KEY)
    engine = make_engine(stack.database_url)
    return build_health_app(settings, {"engine": engine, "redis": Redis.from_url(stack.redis_url)})


async def test_aliyun_receipts_move_forward_once(stack, fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    ok, bad = await add(maker), await add(maker)
    assert await send_notification(sender, ok) == "sent"
    assert await send_notification(sender, bad) == "sent"
    ok_row, bad_row = await load(maker, ok), await load(maker, bad)
    body = [
        {"phone_number": ok_row.phone[3:], "success": True, "err_code": "DELIVERED",
         "biz_id": ok_row.provider_message_id, "out_id": str(ok)},
        {"phone_number": bad_row.phone[3:], "success": False, "err_code": "MOBILE_NOT_ON_SERVICE",
         "biz_id": bad_row.provider_message_id, "out_id": str(bad)},
    ]  # fmt: skip
    async with running(await _app(stack, fake)) as client:
        raw, headers = _signed(body)
        answer = await client.post("/receipts/aliyun", content=raw, headers=headers)
        assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "成功"}
        ok_row, bad_row = await load(maker, ok), await load(maker, bad)
        assert ok_row.status == "delivered" and ok_row.delivered_at is not None
        assert bad_row.status == "permanent_failure"

        # A late contrary receipt does not move a final notice back or sideways.
        raw, headers = _signed([{**body[0], "success": False, "err_code": "UNKNOWN"}])
        assert (await client.post("/receipts/aliyun", content=raw, headers=headers)).is_success
        assert (await load(maker, ok)).status == "delivered"


async def test_tencent_receipt_by_serial_number(stack, fake, make_sender, maker) -> None:
    sender = make_sender('["tencent"]')
    nid = await add(maker)
    assert await send_notification(sender, nid) == "sent"
    row = await load(maker, nid)
    body = [{"user_receive_time": "2023-09-01 10:00:00", "nationcode": "86",
             "mobile": row.phone[3:], "report_status": "FAIL", "errmsg": "MK:0005",
             "description": "用户手机关机", "sid": row.provider_message_id}]  # fmt: skip
    async with running(await _app(stack, fake)) as client:
        raw, headers = _signed(body)
        answer = await client.post("/receipts/tencent", content=raw, headers=headers)
        assert answer.json() == {"result": 0, "errmsg": "OK"}
    row = await load(maker, nid)
    assert row.status == "temporary_failure" and "MK:0005" in row.last_error


async def test_bad_signature_and_bad_body_are_problems(stack, fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    nid = await add(maker)
    assert await send_notification(sender, nid) == "sent"
    body = [{"success": True, "biz_id": (await load(maker, nid)).provider_message_id}]
    async with running(await _app(stack, fake)) as client:
        raw, headers = _signed(body)
        forged = {**headers, "X-Signature": "0" * 64}
        answer = await client.post("/receipts/aliyun", content=raw, headers=forged)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"] == "urn:zhicheng:problem:receipt-signature-invalid"
        assert "签名" in answer.json()["detail"]
        missing = await client.post("/receipts/tencent", content=raw)
        assert missing.status_code == 401

        raw, headers = _signed({"not": "a receipt"})
        answer = await client.post("/receipts/aliyun", content=raw, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["type"] == "urn:zhicheng:problem:receipt-malformed"
        junk = b"not json"
        sig = hmac.new(KEY.encode(), junk, hashlib.sha256).hexdigest()
        answer = await client.post("/receipts/tencent", content=junk, headers={"X-Signature": sig})
        assert answer.status_code == 422
    assert (await load(maker, nid)).status == "sent"  # nothing applied
