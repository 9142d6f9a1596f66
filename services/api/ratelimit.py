"""Counters in Redis (Valkey): fixed windows for rate limits and throttles.

A window is `INCR key; EXPIRE key window NX` in one round trip; the caller compares the
count with its limit and, when over, answers 429 with `Retry-After` = the window's TTL.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import ParamSpec, TypeVar

from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.api import revocation
from services.kit.problems import ProblemError

PORTAL_WINDOW_SECONDS = 60
P = ParamSpec("P")
T = TypeVar("T")


@asynccontextmanager
async def valkey() -> AsyncIterator[None]:
    """Counters, codes and tickets live in Valkey: its outage is a 503, never a 500."""
    try:
        yield
    except RedisError as exc:
        raise limiter_unavailable() from exc


def limiter_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "limiter-unavailable",
        "登录与限流服务暂不可用，请稍后重试。",
        title="Service unavailable",
        headers={"Retry-After": "5"},
    )


async def hit(redis: Redis, key: str, window: int) -> tuple[int, int]:
    """Count one event in the window; returns (count so far, seconds until it resets)."""
    async with valkey(), redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        pipe.ttl(key)
        count, _, ttl = await pipe.execute()
    return int(count), max(int(ttl), 1)


def guarded(endpoint: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """An endpoint whose Valkey outage answers 503 (the signature stays FastAPI's to read)."""

    @functools.wraps(endpoint)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        async with valkey():
            return await endpoint(*args, **kwargs)

    return wrapper


RATE_LIMITED = "rate-limited"
# How a throttle's 429 is listed in the OpenAPI of the routes it guards (each throttle
# says which limit in its own words, with its own Retry-After).
THROTTLED = ProblemError(
    429, RATE_LIMITED, "请求过于频繁，请按 Retry-After 稍后再试。", title="Too many requests"
)


def too_many(retry_after: int, detail: str, code: str = "rate-limited") -> ProblemError:
    return ProblemError(
        429,
        code,
        detail,
        title="Too many requests",
        headers={"Retry-After": str(retry_after)},
    )


async def check_portal(request: Request, client_id: str, limit: int) -> None:
    """Every call of a portal counts against its per-minute limit; a revoked client stops.

    The client's revocation state comes with the count (one round trip); on a miss,
    Postgres answers (services/api/revocation.py).
    """
    key = f"ratelimit:portal:{client_id}"
    async with valkey(), request.app.state.redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, PORTAL_WINDOW_SECONDS, nx=True)
        pipe.ttl(key)
        pipe.get(revocation.client_key(client_id))
        count, _, ttl, state = await pipe.execute()
    if await revocation.client_revoked(request, client_id, state):
        raise ProblemError(
            401,
            "invalid-token",
            "该接入客户端已被吊销，令牌不再有效。请联系运维。",
            title="Invalid token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if int(count) > limit:
        raise portal_rate_limited(max(int(ttl), 1), limit)


def portal_rate_limited(retry_after: int = PORTAL_WINDOW_SECONDS, limit: int = 600) -> ProblemError:
    return too_many(
        retry_after,
        f"接入客户端调用过于频繁（每分钟上限 {limit} 次），请按 Retry-After 稍后重试。",
    )
