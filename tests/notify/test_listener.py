"""Where the worker's HTTP listener (probes, receipts) and its metrics port accept
connections."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import httpx
import pytest

from scripts.servers import free_port
from services.kit.clients import make_redis
from services.kit.db import make_engine
from services.notify.health import start_health_server
from tests.conftest import Stack
from tests.notify.conftest import settings_for


def _outward_address() -> str | None:
    """This machine's address on its default route, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104


def _accepts(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


@pytest.mark.parametrize("host", [None, "0.0.0.0"])  # noqa: S104
async def test_listener_is_loopback_unless_told(stack: Stack, fake, host: str | None) -> None:
    engine = make_engine(stack.database_url)
    redis = make_redis(stack.redis_url)
    port = free_port()
    extra = {"notify_health_port": port}
    if host is not None:
        extra["notify_health_host"] = host
    state = {"engine": engine, "redis": redis}
    server = await start_health_server(settings_for(stack, fake, **extra), state)
    assert server is not None
    try:
        while not server.started:
            assert not state["health_task"].done(), "the listener did not start"
            await asyncio.sleep(0.05)
        bound = {sock.getsockname()[0] for s in server.servers for sock in s.sockets}
        outward = _outward_address()
        assert _accepts("127.0.0.1", port)
        if host is None:  # the default: this machine only
            assert bound == {"127.0.0.1"}
            if outward:
                assert not _accepts(outward, port)
        else:  # the deployment's choice (compose, Kubernetes): every interface
            assert bound == {"0.0.0.0"}  # noqa: S104
            if outward:
                assert _accepts(outward, port)
    finally:
        server.should_exit = True
        await state["health_task"]
        await redis.aclose()
        await engine.dispose()


async def test_metrics_are_on_their_own_port_not_the_receipts_listener(stack: Stack, fake) -> None:
    """The listener the providers' receipts reach answers /metrics with 404; METRICS_PORT
    serves them, until the worker's shutdown stops it."""
    engine = make_engine(stack.database_url)
    redis = make_redis(stack.redis_url)
    port, metrics_port = free_port(), free_port()
    settings = settings_for(stack, fake, notify_health_port=port, metrics_port=metrics_port)
    state = {"engine": engine, "redis": redis}
    server = await start_health_server(settings, state)
    assert server is not None
    try:
        while not server.started:
            assert not state["health_task"].done(), "the listener did not start"
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{port}/metrics")).status_code == 404
            scraped = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert scraped.status_code == 200
        assert "zhicheng_notify_queue_depth" in scraped.text
    finally:
        await state["metrics_server"].stop()
        server.should_exit = True
        await state["health_task"]
        await redis.aclose()
        await engine.dispose()
    assert not _accepts("127.0.0.1", metrics_port)
