"""One send on the real stack against the fake gateway: claim, outcome, exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select, update

from services.kit.outbox import Notification, cancel_notifications, relay
from services.kit.queue import NOTIFY_QUEUE
from services.notify.service import send_notification
from tests.notify.conftest import add, load, phone


def _mine(fake, nid: uuid.UUID) -> list[dict]:
    return [r for r in fake.records() if r["out_id"] == str(nid)]


async def test_sent_once_with_rendered_text(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    nid = await add(maker)
    assert await send_notification(sender, nid) == "sent"
    # arq may run the same job twice: the second run finds nothing to claim.
    assert await send_notification(sender, nid) == "skipped"

    [record] = _mine(fake, nid)
    assert record["provider"] == "aliyun"
    assert record["sign"] == "职称申报"
    assert record["template"] == "PAYMENT_DUE"
    assert record["params"] == {"name": "张三", "deadline": "2023-10-10 18:00", "amount": "230"}
    row = await load(maker, nid)
    assert (row.status, row.attempts, row.provider) == ("sent", 1, "aliyun")
    assert row.provider_message_id == record["message_id"]
    assert row.rendered_text == (
        "【职称申报】张三您好，您的职称申报已审核通过，请于2023-10-10 18:00前缴纳评审费230元，"
        "逾期未缴费视为放弃。"
    )
    assert row.sent_at is not None


async def test_tencent_gets_params_in_template_order(fake, make_sender, maker) -> None:
    sender = make_sender('["tencent"]')
    params = {"place": "南宁市人社局3楼", "time": "2023-11-02 09:00", "name": "李四"}
    nid = await add(maker, template="DEFENCE_SCHEDULED", params=params)
    assert await send_notification(sender, nid) == "sent"
    [record] = _mine(fake, nid)
    assert record["params"] == ["李四", "2023-11-02 09:00", "南宁市人社局3楼"]
    assert (await load(maker, nid)).provider == "tencent"


async def test_permanent_error_is_final(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun","tencent"]')
    fake.mode(provider="aliyun", error_code="isv.MOBILE_NUMBER_ILLEGAL", error_count=1)
    nid = await add(maker)
    assert await send_notification(sender, nid) == "permanent_failure"
    row = await load(maker, nid)
    assert row.status == "permanent_failure"
    assert "MOBILE_NUMBER_ILLEGAL" in row.last_error
    assert _mine(fake, nid) == []  # never tried elsewhere either


async def test_provider_rate_limit_retries_later(fake, make_sender, maker, arq_redis) -> None:
    sender = make_sender('["tencent"]')
    fake.mode(provider="tencent", error_code="LimitExceeded.PhoneNumberOneHourLimit", error_count=1)
    nid = await add(maker)
    assert await send_notification(sender, nid) == "retry"
    row = await load(maker, nid)
    assert row.status == "retry" and row.attempts == 1
    assert row.send_after > datetime.now(UTC) + timedelta(minutes=59)
    # The job queued its own next attempt, deferred to the window's end.
    score = await arq_redis.zscore(NOTIFY_QUEUE, f"notification:{nid}:1")
    assert score is not None and score / 1000 > datetime.now(UTC).timestamp() + 3500
    # Not due: neither the job nor the relay sends it early.
    assert await send_notification(sender, nid) == "skipped"
    assert await relay(maker, arq_redis, ids=[nid], older_than=timedelta(0)) == 0
    await arq_redis.zrem(NOTIFY_QUEUE, f"notification:{nid}:1")


async def test_connection_refused_fails_over(fake, make_sender, maker, arq_redis) -> None:
    # Refused before the request was written: proof it was not taken, so it may be sent
    # again at once, and repeated refusals move notices to the next provider.
    from scripts.servers import free_port

    await arq_redis.delete("notify:breaker:aliyun", "notify:provider-errors:aliyun")
    closed = f"http://127.0.0.1:{free_port()}/aliyun"
    sender = make_sender(
        '["aliyun","tencent"]', notify_failover_after=2, aliyun_sms_base_url=closed
    )
    a, b, c = [await add(maker) for _ in range(3)]
    assert await send_notification(sender, a) == "retry"
    assert await send_notification(sender, b) == "retry"  # second error: breaker opens
    assert await send_notification(sender, c) == "sent"
    assert (await load(maker, c)).provider == "tencent"

    async with maker() as session:  # make the retry due now
        await session.exec(update(Notification).where(Notification.id == a)
                           .values(send_after=None))  # fmt: skip
        await session.commit()
    assert await send_notification(sender, a) == "sent"
    row = await load(maker, a)
    assert (row.provider, row.attempts) == ("tencent", 2)
    assert [r["provider"] for r in _mine(fake, a)] == ["tencent"]
    await arq_redis.delete("notify:breaker:aliyun", "notify:provider-errors:aliyun")


async def test_5xx_is_unknown_and_opens_the_breaker(fake, make_sender, maker, arq_redis) -> None:
    # A 5xx does not prove the provider did not take the message: never sent again,
    # here or elsewhere, until the provider's query says. It still counts against the
    # provider's health.
    from services.notify.sweeper import resolve_unknown

    await arq_redis.delete("notify:breaker:aliyun", "notify:provider-errors:aliyun")
    sender = make_sender(
        '["aliyun","tencent"]', notify_failover_after=2, notify_unknown_grace_seconds=0
    )
    taken, refused, later = [await add(maker) for _ in range(3)]
    fake.mode(provider="aliyun", accept_then="5xx", accept_then_count=1)
    assert await send_notification(sender, taken) == "sending_unknown"  # took it, then 504
    fake.mode(provider="aliyun", fail_5xx_seconds=30)
    assert await send_notification(sender, refused) == "sending_unknown"  # 503, took nothing
    assert await send_notification(sender, later) == "sent"  # the breaker is open
    assert (await load(maker, later)).provider == "tencent"
    # Never resent blindly: repeated jobs find nothing to claim.
    assert await send_notification(sender, taken) == "skipped"
    assert await send_notification(sender, refused) == "skipped"

    fake.mode(provider="aliyun", fail_5xx_seconds=0)  # Aliyun answers its queries again
    await resolve_unknown(sender)
    assert (await load(maker, taken)).status == "delivered"
    assert (await load(maker, refused)).status == "retry"  # not found: it never left
    assert await send_notification(sender, refused) == "sent"
    row = await load(maker, refused)
    assert (row.provider, row.attempts) == ("tencent", 2)
    assert [r["provider"] for r in _mine(fake, taken)] == ["aliyun"]
    assert [r["provider"] for r in _mine(fake, refused)] == ["tencent"]
    await arq_redis.delete("notify:breaker:aliyun", "notify:provider-errors:aliyun")


async def test_reset_after_taking_it_is_unknown(fake, make_sender, maker) -> None:
    from services.notify.sweeper import resolve_unknown

    sender = make_sender('["tencent","aliyun"]', notify_unknown_grace_seconds=0)
    fake.mode(provider="tencent", accept_then="reset", accept_then_count=1)
    nid = await add(maker)
    assert await send_notification(sender, nid) == "sending_unknown"
    await resolve_unknown(sender)
    row = await load(maker, nid)
    assert (row.status, row.attempts) == ("delivered", 1)
    assert [r["provider"] for r in _mine(fake, nid)] == ["tencent"]


async def test_timeout_is_unknown_and_resolved_by_query(fake, make_sender, maker) -> None:
    from services.notify.sweeper import resolve_unknown

    sender = make_sender(
        '["aliyun","tencent"]', notify_provider_timeout=1.0, notify_unknown_grace_seconds=0
    )
    fake.mode(provider="aliyun", stall_seconds=3, stall_count=1)
    nid = await add(maker)
    assert await send_notification(sender, nid) == "sending_unknown"
    row = await load(maker, nid)
    assert (row.status, row.provider) == ("sending_unknown", "aliyun")
    # Never resent blindly: a repeated job finds nothing to claim.
    assert await send_notification(sender, nid) == "skipped"

    counts = await resolve_unknown(sender)
    assert counts.get("delivered", 0) >= 1
    row = await load(maker, nid)
    assert row.status == "delivered"
    assert len(_mine(fake, nid)) == 1


async def test_unknown_not_found_at_provider_is_sent_again(fake, make_sender, maker) -> None:
    from services.notify.sweeper import resolve_unknown

    sender = make_sender('["tencent"]', notify_unknown_grace_seconds=0)
    nid = await add(maker)
    async with maker() as session:  # a worker died before its request left
        await session.exec(update(Notification).where(Notification.id == nid).values(
            status="sending_unknown", provider="tencent", attempts=1,
            updated_at=datetime.now(UTC) - timedelta(seconds=5)))  # fmt: skip
        await session.commit()
    await resolve_unknown(sender)
    assert (await load(maker, nid)).status == "retry"
    assert await send_notification(sender, nid) == "sent"
    assert len(_mine(fake, nid)) == 1
    assert (await load(maker, nid)).attempts == 2


async def test_moot_notice_expires_unsent(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    nid = await add(maker, not_after=datetime.now(UTC) - timedelta(seconds=1))
    assert await send_notification(sender, nid) == "expired"
    assert (await load(maker, nid)).status == "expired"
    assert _mine(fake, nid) == []


async def test_scheduled_reminder_waits_and_cancel_stops_it(fake, make_sender, maker, arq_redis):
    sender = make_sender('["aliyun"]')
    declaration = uuid.uuid4()
    later = datetime.now(UTC) + timedelta(days=2)
    params = {"name": "王五", "deadline": "2023-09-20 18:00"}
    r3 = await add(maker, template="CORRECTION_REMINDER", params=params, send_after=later,
                   event="declaration.correction_reminder", declaration_id=declaration)  # fmt: skip
    r1 = await add(maker, template="CORRECTION_REMINDER", params=params, send_after=later,
                   event="declaration.correction_reminder", declaration_id=declaration)  # fmt: skip
    assert await relay(maker, arq_redis, ids=[r3, r1]) == 0
    assert await send_notification(sender, r3) == "skipped"

    async with maker() as session:  # the applicant resubmitted: in that transaction
        n = await cancel_notifications(
            session, declaration_id=declaration, events=["declaration.correction_reminder"]
        )
        await session.commit()
    assert n == 2
    assert {(await load(maker, r)).status for r in (r3, r1)} == {"cancelled"}
    assert _mine(fake, r3) == _mine(fake, r1) == []


async def test_due_reminder_is_relayed(make_sender, maker, arq_redis) -> None:
    nid = await add(maker, send_after=datetime.now(UTC) - timedelta(seconds=1))
    assert await relay(maker, arq_redis, ids=[nid]) == 1
    await arq_redis.zrem(NOTIFY_QUEUE, f"notification:{nid}:0")


def login_code(code: str) -> dict[str, str]:
    return {"code": code, "minutes": "5"}


async def test_login_codes_are_rate_guarded_per_phone(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    to = phone()
    first = await add(maker, template="LOGIN_CODE", params=login_code("482913"), to=to)
    second = await add(maker, template="LOGIN_CODE", params=login_code("771204"), to=to)
    assert await send_notification(sender, first) == "sent"
    assert await send_notification(sender, second) == "retry"  # 1 per minute
    row = await load(maker, second)
    assert row.send_after <= datetime.now(UTC) + timedelta(seconds=61)
    assert "rate_limited" in row.last_error
    assert len(_mine(fake, second)) == 0


async def test_unrenderable_notice_is_a_technical_failure(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    nid = await add(maker, template="PAYMENT_DUE", params={"name": "张三"})
    assert await send_notification(sender, nid) == "technical_failure"
    row = await load(maker, nid)
    assert "deadline" in row.last_error and row.attempts == 1
    assert _mine(fake, nid) == []


async def test_producer_cannot_put_a_url_in_params(maker) -> None:
    with pytest.raises(ValueError, match="URL"):
        await add(maker, params={"name": "点击 http://example.com", "deadline": "x", "amount": "1"})
    async with maker() as session:
        rows = (await session.exec(select(Notification).where(
            Notification.params["name"].astext.contains("example.com")))).all()  # fmt: skip
    assert rows == []
