"""Clients for the shared infrastructure, and the readiness probes that go with them."""

from __future__ import annotations

import ssl
from functools import cache

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis

from services.kit.db import ping as db_ping


@cache
def tls_context() -> ssl.SSLContext:
    """The trust store every outgoing HTTP client of the process verifies servers with
    (httpx's default: certifi's CA bundle), loaded once. Each load costs ~20 ms of CPU,
    which every client made per startup, per registry or per WeChat sign-in paid again."""
    return httpx.create_ssl_context()


def make_redis(url: str) -> Redis:
    # Short timeouts: a dead Valkey must turn /readyz red, not hang it.
    return Redis.from_url(
        url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=10
    )


async def check_database(app: FastAPI) -> None:
    await db_ping(app.state.engine)


async def check_redis(app: FastAPI) -> None:
    await app.state.redis.ping()
