"""Benchmark the notify worker: outbox → queue → worker → (fake) provider.

    python -m scripts.bench_notify [--count 20000] [--paced-rate 200] [--paced-count 4000]
                                   [--max-jobs 100] [--poll-delay 0.05]

Starts private PostgreSQL and Valkey (unless DATABASE_URL / REDIS_URL are set; a fresh
database is created either way), the fake SMS gateway of the tests on a loopback port and
ONE worker process (`arq services.notify.worker.WorkerSettings`). Then, on that worker:

1. baseline: `count` no-op jobs enqueued at once → jobs/s of the bare worker;
2. burst: `count` notifications committed to the outbox (500 per transaction), then
   relayed at once → messages/s from the relay to the last provider call (the worker's
   capacity; the latency here is mostly time spent waiting in the queue);
3. paced: `paced-count` notifications committed and relayed in small batches at
   `paced-rate`/s, as the gateway does → latency from commit to provider call at that
   load.

Prints the figures and the overhead ratio (no-op jobs/s ÷ messages/s). Loopback only,
bounded in count and time. Targets: ≥ 200 messages/s per worker, p95 ≤ 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from arq import create_pool
from arq.connections import RedisSettings

from scripts.benchsummary import record
from scripts.servers import free_port, given_or_started, port_open
from services.kit.db import make_engine, make_sessionmaker
from services.kit.migrations import upgrade_all
from services.kit.outbox import add_notification, relay
from services.kit.queue import NOOP, NOTIFY_QUEUE
from tests.notify.fakesms import provider_env

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 600


def _wait_port(port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    debug = os.environ.get("BENCH_DEBUG")
    return subprocess.Popen(
        [sys.executable, *argv],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=None if debug else subprocess.DEVNULL,
    )


def _profile() -> list[str]:
    # BENCH_PROFILE=<file>: run the worker under cProfile (written when it stops).
    path = os.environ.get("BENCH_PROFILE")
    return ["-m", "cProfile", "-o", path] if path else []


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _create_db(server_url: str) -> str:
    base, _, _ = server_url.rpartition("/")
    name = f"zhicheng_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(f"{base}/postgres".replace("+asyncpg", ""))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{base}/{name}"


async def _baseline(redis_url: str, count: int) -> float:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        jobs = []
        for _ in range(count):
            jobs.append(await pool.enqueue_job(NOOP, _queue_name=NOTIFY_QUEUE))
        deadline = time.monotonic() + LIMIT_SECONDS
        pending = jobs
        done = []
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError("baseline did not finish")
            await asyncio.sleep(0.5)
            infos = [(j, await j.result_info()) for j in pending]
            done += [info for _, info in infos if info is not None]
            pending = [j for j, info in infos if info is None]
        start = min(r.start_time for r in done).timestamp()
        finish = max(r.finish_time for r in done).timestamp()
        return len(done) / (finish - start)
    finally:
        await pool.aclose()


async def _commit(maker, run: str, first: int, last: int) -> dict[str, float]:
    async with maker() as session:
        ids = [
            await add_notification(
                session,
                event="declaration.payment_due",
                template_code="PAYMENT_DUE",
                phone=f"+86139{i:08d}",
                params={"name": "张三", "deadline": "2023-10-10 18:00", "amount": "230"},
                dedupe_key=f"bench:{run}:{i}",
            )
            for i in range(first, last)
        ]
        await session.commit()
    now = time.time()
    return {str(i): now for i in ids}


async def _notify(maker, redis_url: str, fake: httpx.AsyncClient, *, count: int, rate: float):
    """Burst (rate 0): commit all, then relay all at once. Paced: commit and relay batches
    at `rate`/s, as the gateway would. Returns (messages/s, commit→call latencies)."""
    await fake.post("/_fake/reset")
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    run = uuid.uuid4().hex[:8]
    committed: dict[str, float] = {}
    try:
        if rate <= 0:
            for first in range(0, count, 500):
                committed.update(await _commit(maker, run, first, min(first + 500, count)))
            start = time.time()
            ids = [uuid.UUID(k) for k in committed]
            for first in range(0, count, 500):
                await relay(maker, pool, ids=ids[first : first + 500], limit=500)
        else:
            batch = max(1, int(rate / 20))
            start = time.time()
            clock = time.monotonic()
            for first in range(0, count, batch):
                done = await _commit(maker, run, first, min(first + batch, count))
                committed.update(done)
                await relay(maker, pool, ids=[uuid.UUID(k) for k in done], limit=batch)
                due = clock + (first + batch) / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
        deadline = time.monotonic() + LIMIT_SECONDS
        while (await fake.get("/_fake/stats")).json()["count"] < count:
            if time.monotonic() > deadline:
                raise TimeoutError("not every notice reached the gateway")
            await asyncio.sleep(0.2)
    finally:
        await pool.aclose()
    records = (await fake.get("/_fake/records")).json()["records"]
    calls = {r["out_id"]: r["at"] for r in records if r["out_id"] in committed}
    assert len(calls) == count == len(records), "a notice was lost or sent twice"
    latencies = [calls[k] - committed[k] for k in calls]
    return count / (max(calls.values()) - start), latencies


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-"))
    servers, procs = [], []
    try:
        server_url, redis_url = given_or_started(workdir, servers)
        database_url = await _create_db(server_url)
        await asyncio.to_thread(upgrade_all, database_url)

        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url,
                   ENVIRONMENT="test", LOG_LEVEL="WARNING")  # fmt: skip
        fake_port = free_port()
        fake_proc = _spawn(
            ["-m", "uvicorn", "tests.notify.fakesms:app", "--host", "127.0.0.1",
             "--port", str(fake_port), "--no-access-log", "--log-level", "warning"],
            env,
        )  # fmt: skip
        procs.append(fake_proc)
        _wait_port(fake_port, fake_proc, "fake SMS gateway")
        fake_url = f"http://127.0.0.1:{fake_port}"

        health = free_port()
        worker_env = {
            **env,
            **provider_env(fake_url, '["aliyun"]'),
            "NOTIFY_HEALTH_PORT": str(health),
            "NOTIFY_MAX_JOBS": str(args.max_jobs),
            "NOTIFY_POLL_DELAY": str(args.poll_delay),
            "NOTIFY_DB_POOL_SIZE": str(min(args.max_jobs, 40)),
        }
        worker = _spawn(
            [*_profile(), "-m", "arq", "services.notify.worker.WorkerSettings"], worker_env
        )
        procs.append(worker)
        _wait_port(health, worker, "notify worker")

        engine = make_engine(database_url, pool_size=5)
        maker = make_sessionmaker(engine)
        async with httpx.AsyncClient(base_url=fake_url, trust_env=False, timeout=60) as fake:
            noop_rate = await _baseline(redis_url, args.count)
            print(f"baseline   {args.count} no-op jobs: {noop_rate:8.0f} jobs/s")
            record("notify", "no-op jobs (baseline)", noop_rate, "jobs/s")
            rate, lat = await _notify(maker, redis_url, fake, count=args.count, rate=0)
            print(
                f"burst      {args.count} notices:  {rate:8.0f} messages/s  "
                f"(queue wait included: commit→provider p95 {_pct(lat, 95):.1f}s)"
            )
            record("notify", f"burst of {args.count} notices", rate, "msg/s", ">= 200")
            paced_rate, lat = await _notify(
                maker, redis_url, fake, count=args.paced_count, rate=args.paced_rate
            )
            print(
                f"paced      {args.paced_count} notices at {args.paced_rate:.0f}/s: "
                f"{paced_rate:8.0f} messages/s  commit→provider p50 {_pct(lat, 50):.3f}s "
                f"p95 {_pct(lat, 95):.3f}s max {max(lat):.3f}s"
            )
            record("notify", "paced: commit→provider p95", _pct(lat, 95), "s", "<= 2 s")
            record("notify", "overhead no-op ÷ send", noop_rate / rate, "×")
            print(
                f"overhead   no-op jobs/s ÷ messages/s = {noop_rate / rate:.1f}× "
                f"(max_jobs={args.max_jobs}, poll_delay={args.poll_delay}s, one worker process)"
            )
        await engine.dispose()
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in reversed(servers):
            server.stop(grace=5)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--paced-rate", type=float, default=200.0)
    parser.add_argument("--paced-count", type=int, default=4000)
    parser.add_argument("--max-jobs", type=int, default=100)
    parser.add_argument("--poll-delay", type=float, default=0.05)
    a = parser.parse_args()
    if a.count < 1 or a.count > 100_000 or a.paced_count > 100_000:
        parser.error("count must be between 1 and 100000")
    asyncio.run(main(a))
