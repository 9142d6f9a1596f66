"""A login code leaves storage once it is no longer needed: sent, final or moot.

On the real stack: the outbox rows the gateway writes, the worker's send path, its
sweeper, delivery receipts and, last, a real worker process.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import select, update

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.outbox import Notification, job_id
from services.kit.queue import NOTIFY_QUEUE
from services.notify.receipts import Receipt, apply_receipts
from services.notify.service import send_notification
from services.notify.sms.templates import MASK
from services.notify.sweeper import resolve_unknown, sweep
from tests.notify.conftest import add, load
from tests.notify.test_faults import _env, _relay, _wait, valkey, workers
from tests.support import running

__all__ = ["valkey", "workers"]
CODE = "482913"


def _code(maker, *, code: str = CODE, minutes: float = 5, **kwargs):
    not_after = datetime.now(UTC) + timedelta(minutes=minutes)
    params = {"code": code, "minutes": "5"}
    return add(maker, template="LOGIN_CODE", params=params, event="auth.login_code",
               not_after=not_after, **kwargs)  # fmt: skip


async def _set(maker, nid, **values) -> None:
    async with maker() as session:
        await session.exec(update(Notification).where(Notification.id == nid).values(**values))
        await session.commit()


async def _clean(maker, nid, code: str = CODE) -> Notification:
    """The row, asserting that the code is nowhere in it."""
    row = await load(maker, nid)
    assert row.params == {"code": MASK, "minutes": "5"}, row.params
    assert code not in json.dumps(row.model_dump(mode="json"), ensure_ascii=False)
    return row


def _sent_to(fake, nid) -> list[dict]:
    return [r for r in fake.records() if r["out_id"] == str(nid)]


async def test_the_code_goes_to_the_phone_and_not_into_storage(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    nid, notice = await _code(maker), await add(maker)
    # Pending, the code is still needed.
    assert (await load(maker, nid)).params == {"code": CODE, "minutes": "5"}
    assert await send_notification(sender, nid) == "sent"
    assert await send_notification(sender, notice) == "sent"
    [record] = _sent_to(fake, nid)
    assert record["params"] == {"code": CODE, "minutes": "5"}
    row = await _clean(maker, nid)
    assert row.rendered_text == "【职称申报】您的登录验证码为******，5分钟内有效，请勿告诉他人。"
    # Templates without secrets keep their params.
    assert (await load(maker, notice)).params["name"] == "张三"


async def test_failed_and_resolved_sends_are_scrubbed(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]', notify_unknown_grace_seconds=0)
    fake.mode(provider="aliyun", error_code="isv.MOBILE_NUMBER_ILLEGAL", error_count=1)
    failed = await _code(maker)
    assert await send_notification(sender, failed) == "permanent_failure"
    await _clean(maker, failed)

    # The provider took it, the worker died before recording it: in doubt, the code is
    # kept (the query might say "never arrived" and it is sent again) until resolved.
    doubted = await _code(maker, code="730512")
    assert await send_notification(sender, doubted) == "sent"
    await _set(maker, doubted, status="sending_unknown", params={"code": "730512", "minutes": "5"},
               updated_at=datetime.now(UTC) - timedelta(seconds=5))  # fmt: skip
    assert (await resolve_unknown(sender)).get("delivered", 0) >= 1
    assert (await load(maker, doubted)).status == "delivered"
    await _clean(maker, doubted, "730512")

    # A receipt for a send in doubt.
    receipted = await _code(maker, code="118204")
    await _set(maker, receipted, status="sending_unknown", provider="aliyun", attempts=1)
    receipt = Receipt(message_id=None, out_id=str(receipted), delivered=True, error=None)
    assert await apply_receipts(maker, provider="aliyun", receipts=[receipt]) == 1
    await _clean(maker, receipted, "118204")

    # Never arrived: it is sent again, so the code stays until then.
    lost = await _code(maker, code="550917")
    await _set(maker, lost, status="sending_unknown", provider="aliyun", attempts=1,
               updated_at=datetime.now(UTC) - timedelta(seconds=5))  # fmt: skip
    await resolve_unknown(sender)
    row = await load(maker, lost)
    assert (row.status, row.params) == ("retry", {"code": "550917", "minutes": "5"})


async def test_sweeper_expires_and_scrubs_codes_past_their_life(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]', notify_unknown_grace_seconds=3600)
    stale = await _code(maker, minutes=-1)
    waiting = await _code(maker, code="661023", minutes=-1)
    await _set(maker, waiting, status="retry")
    in_doubt = await _code(maker, code="904417", minutes=-1)
    doubt_since = datetime.now(UTC) - timedelta(minutes=2)
    await _set(maker, in_doubt, status="sending_unknown", provider="aliyun", attempts=1,
               updated_at=doubt_since)  # fmt: skip
    fresh = await _code(maker, code="271846")
    moot_notice = await add(maker, not_after=datetime.now(UTC) - timedelta(minutes=1))

    report = await sweep(sender)
    assert report["expired"] >= 3 and report["scrubbed"] >= 1
    assert (await _clean(maker, stale)).status == "expired"
    assert (await _clean(maker, waiting, "661023")).status == "expired"
    # Still in doubt (the provider is asked later), but the code can never be resent.
    row = await _clean(maker, in_doubt, "904417")
    assert row.status == "sending_unknown" and row.updated_at == doubt_since
    assert (await load(maker, fresh)).params == {"code": "271846", "minutes": "5"}
    moot = await load(maker, moot_notice)
    assert moot.status == "expired" and moot.params["name"] == "张三"
    assert not any(_sent_to(fake, n) for n in (stale, waiting, in_doubt))


async def test_code_from_the_gateway_signs_in_and_is_gone(stack, fake, make_sender, maker):
    settings = ApiSettings(
        **stack.settings_kwargs(), sms_ip_per_hour=10_000, sms_phone_interval_seconds=0
    )
    phone = "139" + str(uuid.uuid4().int)[:8]
    app = build_app(settings)
    async with running(app) as client:
        assert (await client.post("/v1/auth/sms-codes", json={"phone": phone})).status_code == 202
        async with maker() as session:
            query = select(Notification).where(Notification.phone == "+86" + phone)
            [row] = (await session.exec(query)).all()
        await app.state.redis.zrem(NOTIFY_QUEUE, job_id(row.id, 0))
        assert await send_notification(make_sender('["aliyun"]'), row.id) == "sent"
        [record] = _sent_to(fake, row.id)
        code = record["params"]["code"]
        await _clean(maker, row.id, code)
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.text


async def test_real_worker_scrubs_sent_and_stale_codes(stack, fake, valkey, workers, maker):
    workers(_env(stack, fake, valkey)).start()
    fresh, stale = await _code(maker, code="385120"), await _code(maker, minutes=-1)
    await _relay(maker, valkey, [fresh])
    await _wait(maker, [fresh], within=60)
    await _wait(maker, [stale], states=("expired",), within=30)  # the sweeper's doing
    await _clean(maker, fresh, "385120")
    await _clean(maker, stale)
    assert [r["params"] for r in _sent_to(fake, fresh)] == [{"code": "385120", "minutes": "5"}]
    assert _sent_to(fake, stale) == []
