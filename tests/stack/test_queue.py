"""A job enqueued on the real Valkey is executed by a real notify worker process."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from scripts.servers import free_port, port_open
from services.kit.queue import NOTIFY_QUEUE
from tests.conftest import ROOT, Stack


@pytest.fixture
def worker(stack: Stack):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "arq", "services.notify.worker.WorkerSettings"],
        env=stack.env(NOTIFY_HEALTH_PORT=str(port)),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not port_open(port):
        assert proc.poll() is None, "worker exited during start-up"
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.1)
    yield proc, port
    proc.terminate()
    proc.wait(15)


async def test_enqueued_job_runs_on_the_worker(stack: Stack, worker) -> None:
    proc, _ = worker
    pool = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        message = f"你好 {uuid.uuid4().hex}"
        job = await pool.enqueue_job("ping", {"message": message}, _queue_name=NOTIFY_QUEUE)
        assert job is not None
        result = await job.result(timeout=30)
        assert result["echo"] == message
        assert result["pid"] == proc.pid
    finally:
        await pool.aclose()


async def test_worker_answers_probes(worker) -> None:
    _, port = worker
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_worker_stops_on_sigterm(stack: Stack, worker) -> None:
    proc, port = worker
    proc.terminate()
    assert proc.wait(20) == 0
    assert not port_open(port)
