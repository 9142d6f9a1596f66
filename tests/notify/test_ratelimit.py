"""The per-phone guard on the real Valkey."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from services.notify.ratelimit import admit
from tests.conftest import Stack

CODE = [(60, 1), (3600, 5), (86400, 10)]


async def test_code_limits_per_minute_hour_day(stack: Stack) -> None:
    redis = Redis.from_url(stack.redis_url)
    phone = f"+86138{uuid.uuid4().int % 10**8:08d}"
    t0 = 1_700_000_080.0  # 40 s into a minute, 45 min before the hour ends
    try:
        assert await admit(redis, phone=phone, kind="code", limits=CODE, now=t0) == 0
        # Same minute: refused until the minute ends, and the refusal uses no quota.
        assert await admit(redis, phone=phone, kind="code", limits=CODE, now=t0 + 5) == 15
        sent = 1
        for minute in range(1, 10):
            wait = await admit(redis, phone=phone, kind="code", limits=CODE, now=t0 + 60 * minute)
            sent += wait == 0
        # 5 per hour: one a minute for five minutes, then refused for the rest of the hour.
        assert sent == 5
        hour_end = (int(t0) // 3600 + 1) * 3600
        wait = await admit(redis, phone=phone, kind="code", limits=CODE, now=t0 + 600)
        assert wait == hour_end - (t0 + 600)
        other = f"+86137{uuid.uuid4().int % 10**8:08d}"
        assert await admit(redis, phone=other, kind="code", limits=CODE, now=t0 + 5) == 0
        # Notices are counted apart from login codes.
        limits = [(86400, 50)]
        assert await admit(redis, phone=phone, kind="notice", limits=limits, now=t0 + 5) == 0
    finally:
        await redis.aclose()


async def test_daily_notice_limit(stack: Stack) -> None:
    redis = Redis.from_url(stack.redis_url)
    phone = f"+86136{uuid.uuid4().int % 10**8:08d}"
    t0 = 1_700_006_400.0  # a day boundary (UTC)
    try:
        results = [
            await admit(redis, phone=phone, kind="notice", limits=[(86400, 50)], now=t0 + i)
            for i in range(52)
        ]
        assert results[:50] == [0] * 50
        assert results[50] == 86400 - 50
    finally:
        await redis.aclose()
