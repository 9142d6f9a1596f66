"""Reminders never go out at night; a login code goes out at any hour.

Issue #24: "never at night (08:00–21:00 Asia/Shanghai)". The worker's clock is set by
the test (Sender.now); the claim's own guards still read the database clock, so the
night is placed on a past date: the morning it defers to is due for the database too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import update

from services.kit.outbox import Notification
from services.kit.queue import NOTIFY_QUEUE
from services.kit.sms_templates import BEIJING, QUIET_HOURS
from services.notify.service import send_notification
from tests.notify.conftest import add, load

NIGHT = datetime(2026, 3, 1, 22, 30, tzinfo=BEIJING)
MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=BEIJING)
REMINDER = {"name": "张三", "amount": "230", "deadline": "2026年3月4日17:00"}


def _mine(fake, nid) -> list[dict]:
    return [r for r in fake.records() if r["out_id"] == str(nid)]


def test_the_reminders_are_one_explicit_set() -> None:
    assert {
        "CORRECTION_REMINDER",
        "PAYMENT_REMINDER",
        "SUBMISSION_REMINDER",
        "UNIT_STEP_REMINDER",
        "ELIGIBILITY_REACHED",
        "CAMPAIGN_OPEN_ELIGIBLE",
        "DEFENCE_REMINDER",
    } == QUIET_HOURS


async def test_night_defers_a_reminder_to_eight_and_sends_a_code_at_once(
    fake, make_sender, maker, arq_redis
) -> None:
    sender = make_sender('["aliyun"]')
    sender.now = lambda: NIGHT
    reminder = await add(maker, template="PAYMENT_REMINDER", params=REMINDER)
    code = await add(maker, template="LOGIN_CODE", params={"code": "482913", "minutes": "5"})

    assert await send_notification(sender, reminder) == "deferred"
    row = await load(maker, reminder)
    assert (row.status, row.attempts, row.send_after) == ("created", 0, MORNING)
    assert _mine(fake, reminder) == []
    # Its next job waits for the morning: 9.5 hours by the worker's clock.
    job = f"notification:{reminder}:0:morning:20260302"
    score = await arq_redis.zscore(NOTIFY_QUEUE, job)
    assert score is not None
    assert score / 1000 > datetime.now(BEIJING).timestamp() + 9 * 3600
    await arq_redis.zrem(NOTIFY_QUEUE, job)

    # A login code is not a reminder: it goes out at 22:30.
    assert await send_notification(sender, code) == "sent"
    assert len(_mine(fake, code)) == 1

    # 08:05: the deferred reminder goes out, once.
    sender.now = lambda: MORNING + timedelta(minutes=5)
    assert await send_notification(sender, reminder) == "sent"
    assert await send_notification(sender, reminder) == "skipped"
    [record] = _mine(fake, reminder)
    assert record["template"] == "PAYMENT_REMINDER"
    assert (await load(maker, reminder)).status == "sent"


async def test_a_reminder_moot_by_the_morning_expires(fake, make_sender, maker) -> None:
    sender = make_sender('["aliyun"]')
    sender.now = lambda: NIGHT
    reminder = await add(
        maker,
        template="PAYMENT_REMINDER",
        params=REMINDER,
        not_after=MORNING - timedelta(hours=1),
    )
    assert await send_notification(sender, reminder) == "expired"
    row = await load(maker, reminder)
    assert row.status == "expired" and row.attempts == 0
    # Once final, nothing sends it, night or day.
    sender.now = lambda: MORNING + timedelta(minutes=5)
    assert await send_notification(sender, reminder) == "skipped"
    assert _mine(fake, reminder) == []


async def test_a_retried_reminder_due_at_night_waits_too(
    fake, make_sender, maker, arq_redis
) -> None:
    # The provider said "retry later" at 20:50; the retry's job runs at 21:10.
    sender = make_sender('["tencent"]')
    sender.now = lambda: NIGHT - timedelta(hours=1, minutes=40)
    fake.mode(provider="tencent", error_code="LimitExceeded.PhoneNumberOneHourLimit", error_count=1)
    reminder = await add(maker, template="PAYMENT_REMINDER", params=REMINDER)
    assert await send_notification(sender, reminder) == "retry"
    # The provider's hour passes on the database's clock (set back to 21:10 of that night).
    await arq_redis.zrem(NOTIFY_QUEUE, f"notification:{reminder}:1")
    async with maker() as session:
        await session.exec(
            update(Notification)
            .where(Notification.id == reminder)
            .values(send_after=MORNING - timedelta(hours=10, minutes=50))
        )
        await session.commit()
    sender.now = lambda: NIGHT - timedelta(hours=1, minutes=20)
    assert await send_notification(sender, reminder) == "deferred"
    row = await load(maker, reminder)
    assert (row.status, row.attempts, row.send_after) == ("retry", 1, MORNING)
    await arq_redis.zrem(NOTIFY_QUEUE, f"notification:{reminder}:0:morning:20260302")
    sender.now = lambda: MORNING + timedelta(minutes=5)
    assert await send_notification(sender, reminder) == "sent"
    assert len(_mine(fake, reminder)) == 1
