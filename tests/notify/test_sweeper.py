"""The sweeper: stale sends become unknown, moot ones expire, silence ends in a state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import update

from services.kit.outbox import Notification
from services.kit.queue import NOTIFY_QUEUE
from services.notify.service import send_notification
from services.notify.sweeper import sweep
from tests.notify.conftest import add, load


async def _set(maker, nid, **values) -> None:
    async with maker() as session:
        await session.exec(update(Notification).where(Notification.id == nid).values(**values))
        await session.commit()


async def test_sweep_moves_every_stuck_row_on(fake, make_sender, maker, arq_redis) -> None:
    sender = make_sender(
        '["aliyun"]', notify_unknown_grace_seconds=0, notify_stale_sending_seconds=30
    )
    now = datetime.now(UTC)
    # A worker died mid-call after the provider took the message.
    crashed = await add(maker)
    fake.mode(provider="aliyun", stall_seconds=0.01, stall_count=0)
    assert await send_notification(sender, crashed) == "sent"
    await _set(maker, crashed, status="sending", updated_at=now - timedelta(minutes=5),
               provider_message_id=None)  # fmt: skip
    # Still in flight on a live worker: left alone.
    live = await add(maker)
    await _set(maker, live, status="sending", provider="aliyun", attempts=1, updated_at=now)
    # Moot before it went out.
    moot = await add(maker, not_after=now - timedelta(minutes=1))
    # Queued once, then Redis lost it.
    lost = await add(maker)
    await _set(maker, lost, enqueued_at=now - timedelta(minutes=3))
    # Sent three days ago, never a receipt.
    silent = await add(maker)
    assert await send_notification(sender, silent) == "sent"
    await _set(maker, silent, sent_at=now - timedelta(hours=73))

    report = await sweep(sender)
    assert report["stale_sending"] >= 1 and report["expired"] >= 1
    crashed_row = await load(maker, crashed)
    assert crashed_row.status == "delivered"  # the provider's query said so
    assert len([r for r in fake.records() if r["out_id"] == str(crashed)]) == 1
    assert (await load(maker, live)).status == "sending"
    assert (await load(maker, moot)).status == "expired"
    assert (await load(maker, silent)).status == "temporary_failure"
    lost_row = await load(maker, lost)
    assert lost_row.enqueued_at > now
    assert await arq_redis.zscore(NOTIFY_QUEUE, f"notification:{lost}:0") is not None
    await arq_redis.delete(NOTIFY_QUEUE)
