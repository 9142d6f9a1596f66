"""Faults on the real stack with real worker processes: none lost, none sent twice.

Each test runs `arq services.notify.worker.WorkerSettings` as a subprocess against a
Valkey of its own (so no other worker can take its jobs) and the fake SMS gateway, with
the sweeper's bounds shrunk to seconds. Afterwards every notice of the test is counted
at the gateway (`exactly_once`): each one delivered once, none lost, none twice.

Scenarios: kill -9 of the worker mid-send; Valkey restarted empty (before and under a
running worker); the provider answering 5xx without taking the message, taking it and
then answering 5xx, taking it and then resetting the connection; one provider down
(the breaker moves later notices to the other); Postgres down during sending, and
restarted between two sends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from sqlmodel import select

from scripts.servers import Postgres, Valkey, free_port, port_open
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification, job_id, relay
from services.kit.queue import NOTIFY_QUEUE, SEND_NOTIFICATION
from tests.conftest import ROOT, Stack
from tests.notify.conftest import add

FAST = {
    "NOTIFY_SWEEP_EVERY_SECONDS": "1",
    "NOTIFY_RELAY_OLDER_THAN_SECONDS": "2",
    "NOTIFY_PROVIDER_TIMEOUT": "3",
    "NOTIFY_STALE_SENDING_SECONDS": "4",
    "NOTIFY_UNKNOWN_GRACE_SECONDS": "1",
    "NOTIFY_RETRY_BASE_SECONDS": "0.5",
    "NOTIFY_RETRY_MAX_SECONDS": "2",
    "NOTIFY_FAILOVER_AFTER": "3",
    "NOTIFY_BREAKER_SECONDS": "5",
    "NOTIFY_MAX_ATTEMPTS": "30",
    "LOG_LEVEL": "WARNING",
}


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "arq", "services.notify.worker.WorkerSettings"],
            env={**self.env, "NOTIFY_HEALTH_PORT": str(port)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not port_open(port):
            assert self.proc.poll() is None, "worker exited during start-up"
            assert time.monotonic() < deadline, "worker did not start"
            time.sleep(0.1)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


@pytest.fixture
def valkey(stack: Stack):
    server = Valkey(stack.workdir / f"valkey-{uuid.uuid4().hex[:8]}", free_port(), persist=False)
    server.start()
    yield server
    server.stop(grace=3)


@pytest.fixture
def workers():
    started: list[Worker] = []

    def make(env: dict[str, str]) -> Worker:
        w = Worker(env)
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()


def _env(stack: Stack, fake, valkey: Valkey, providers='["aliyun","tencent"]', **extra):
    return stack.env(REDIS_URL=valkey.url, **fake.env(providers), **{**FAST, **extra})


async def _relay(maker, valkey: Valkey, ids) -> int:
    pool = await create_pool(RedisSettings.from_dsn(valkey.url))
    try:
        return await relay(maker, pool, ids=ids)
    finally:
        await pool.aclose()


async def _statuses(maker, ids) -> dict[uuid.UUID, Notification]:
    async with maker() as session:
        rows = (await session.exec(select(Notification).where(Notification.id.in_(ids)))).all()
    return {r.id: r for r in rows}


async def _wait(maker, ids, states=("sent", "delivered"), within=60.0) -> dict:
    deadline = time.monotonic() + within
    while True:
        rows = await _statuses(maker, ids)
        if all(r.status in states for r in rows.values()):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(Counter(r.status for r in rows.values()))
        await asyncio.sleep(0.3)


def _counts(fake, ids) -> Counter:
    wanted = {str(i) for i in ids}
    return Counter(r["out_id"] for r in fake.records() if r["out_id"] in wanted)


def exactly_once(fake, ids) -> None:
    """Every notice reached the gateway exactly once: 0 lost, 0 duplicated."""
    counts = _counts(fake, ids)
    lost = [str(i) for i in ids if counts[str(i)] == 0]
    twice = {i: n for i, n in counts.items() if n > 1}
    assert not lost and not twice, (
        f"{len(ids)} notices: {len(lost)} lost, {len(twice)} duplicated {twice}"
    )


async def test_kill_9_mid_send(stack, fake, valkey, workers, maker) -> None:
    # The stalled send must still be in flight when the worker dies, however slowly the
    # other eleven go on a loaded machine: a provider timeout (and a stale bound above it)
    # of seconds, not the 3 s of FAST, after which the worker itself would give it up.
    env = _env(stack, fake, valkey, NOTIFY_PROVIDER_TIMEOUT="15", NOTIFY_STALE_SENDING_SECONDS="16")
    ids = [await add(maker) for _ in range(12)]
    held = ids[5]
    fake.mode(provider="aliyun", stall_seconds=60, stall_count=1, stall_out_id=str(held))
    worker = workers(env).start()
    await _relay(maker, valkey, ids)

    # Wait until the gateway has every message and the worker is stuck on one answer.
    others = [i for i in ids if i != held]
    deadline = time.monotonic() + 30
    while True:
        rows = await _statuses(maker, ids)
        if len(_counts(fake, ids)) == 12 and all(rows[i].status == "sent" for i in others):
            break
        assert time.monotonic() < deadline, Counter(r.status for r in rows.values())
        await asyncio.sleep(0.1)
    worker.kill9()
    # The provider took it; the worker died before recording it.
    rows = await _statuses(maker, ids)
    assert rows[held].status == "sending", (rows[held].status, rows[held].last_error)

    # The worker that takes over has the short bounds of FAST: no send of its own is in
    # flight, so the dead worker's send counts as stale after 4 s rather than 16 s.
    workers(_env(stack, fake, valkey)).start()
    rows = await _wait(maker, ids)
    assert rows[held].status == "delivered"  # resolved by the provider's query
    assert rows[held].attempts == 1  # and never sent again
    exactly_once(fake, ids)


async def test_valkey_restart_without_persistence(stack, fake, valkey, workers, maker) -> None:
    env = _env(stack, fake, valkey)
    first = workers(env).start()
    before = [await add(maker) for _ in range(10)]
    await _relay(maker, valkey, before)
    await _wait(maker, before)
    first.stop()

    queued = [await add(maker) for _ in range(10)]
    await _relay(maker, valkey, queued)
    valkey.kill()  # queued jobs, results and rate counters all gone
    valkey.start()
    pool = await create_pool(RedisSettings.from_dsn(valkey.url))
    assert await pool.zcard(NOTIFY_QUEUE) == 0
    await pool.aclose()

    workers(env).start()
    await _wait(maker, queued)  # relayed again by the sweeper
    exactly_once(fake, before + queued)


async def test_provider_5xx_before_taking_it(stack, fake, valkey, workers, maker) -> None:
    # Both providers answer 503 to everything for a while, taking nothing. A 5xx does
    # not prove that, so each notice is in doubt until the provider's query, once it
    # answers again, says "not found"; then it is sent again, once.
    fake.mode(provider="*", fail_5xx_seconds=4)
    workers(_env(stack, fake, valkey)).start()
    ids = [await add(maker) for _ in range(20)]
    await _relay(maker, valkey, ids)
    rows = await _wait(maker, ids, within=90)
    assert fake.stats()["failed_5xx"]["aliyun"] > 0
    assert all(r.attempts >= 2 for r in rows.values())
    exactly_once(fake, ids)


@pytest.mark.parametrize("then", ["5xx", "reset"])
async def test_provider_takes_it_then_fails(stack, fake, valkey, workers, maker, then) -> None:
    # Each provider takes the message and then answers 504, or resets the connection
    # without an answer: the query finds it, and it is never sent again.
    fake.mode(provider="*", accept_then=then, accept_then_count=20)
    workers(_env(stack, fake, valkey)).start()
    ids = [await add(maker) for _ in range(20)]
    await _relay(maker, valkey, ids)
    rows = await _wait(maker, ids, within=90)
    exactly_once(fake, ids)
    assert sum(fake.stats()["accepted_then_failed"].values()) == 20
    assert {r.attempts for r in rows.values()} == {1}
    assert {r.status for r in rows.values()} == {"delivered"}  # by the provider's query


async def test_one_provider_down_fails_over(stack, fake, valkey, workers, maker) -> None:
    # Aliyun answers 503 for a while. The few notices that met it are in doubt (until
    # its query answers again); their 5xx open its breaker, and the rest go to Tencent.
    fake.mode(provider="aliyun", fail_5xx_seconds=8)
    workers(_env(stack, fake, valkey, NOTIFY_BREAKER_SECONDS="30")).start()
    ids = [await add(maker) for _ in range(20)]
    await _relay(maker, valkey, ids)
    rows = await _wait(maker, ids, within=90)
    first_time = [r for r in rows.values() if r.attempts == 1]
    # Only the first few met the dead provider before its breaker opened.
    assert first_time and {r.provider for r in first_time} == {"tencent"}
    assert all(r.provider == "tencent" for r in rows.values())  # breaker still open
    exactly_once(fake, ids)


async def test_valkey_restart_under_a_running_worker(stack, fake, valkey, workers, maker) -> None:
    env = _env(stack, fake, valkey)
    worker = workers(env).start()
    queued = [await add(maker) for _ in range(10)]
    fake.mode(provider="*", fail_5xx_seconds=3)  # keep them in retry across the restart
    await _relay(maker, valkey, queued)
    await asyncio.sleep(1)
    valkey.kill()
    # arq stops its worker when Redis goes away (exit status 1); the orchestrator starts
    # it again (Kubernetes restartPolicy, the local supervisor). Nothing is lost, since
    # Postgres holds every notice.
    assert await asyncio.to_thread(worker.proc.wait, 30) != 0
    valkey.start()
    workers(env).start()
    later = [await add(maker) for _ in range(10)]
    everything = queued + later
    await _wait(maker, everything, within=90)
    exactly_once(fake, everything)


async def test_sigterm_lets_the_running_send_finish(stack, fake, valkey, workers, maker) -> None:
    env = _env(stack, fake, valkey)
    # Shorter than the provider timeout (3 s here), so only a cancel could cut it.
    fake.mode(provider="aliyun", stall_seconds=1.5, stall_count=1)
    worker = workers(env).start()
    ids = [await add(maker)]
    await _relay(maker, valkey, ids)
    deadline = time.monotonic() + 30
    while not _counts(fake, ids):
        assert time.monotonic() < deadline, "the message did not reach the gateway"
        await asyncio.sleep(0.05)
    # The provider holds its answer; the worker is mid-call when it is asked to stop.
    assert worker.proc is not None
    worker.proc.terminate()
    assert await asyncio.to_thread(worker.proc.wait, 30) == 0
    row = (await _statuses(maker, ids))[ids[0]]
    assert row.status == "sent", row.status  # finished, not cancelled into sending_unknown
    exactly_once(fake, ids)


# ------------------------------------------------------------- Postgres of the test's own


@pytest.fixture(scope="module")
def own_pg(stack: Stack, tmp_path_factory):
    """A Postgres these tests may stop and restart, migrated once."""
    pg = Postgres(tmp_path_factory.mktemp("notify-pg") / "pg", free_port()).start()
    try:
        migrate = [sys.executable, "-m", "scripts.migrate"]
        subprocess.run(migrate, env=stack.env(DATABASE_URL=pg.url), check=True, cwd=ROOT)
        yield pg
    finally:
        pg.stop()


@pytest.fixture
async def own_maker(own_pg: Postgres):
    engine = make_engine(own_pg.url, pre_ping=True)  # it reconnects after a restart
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _at_gateway(fake, nid, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not _counts(fake, [nid]):
        assert time.monotonic() < deadline, "the message did not reach the gateway"
        await asyncio.sleep(0.05)


async def _restart(pg: Postgres) -> None:
    await asyncio.to_thread(pg.stop, 10)  # fast shutdown: every connection is cut
    await asyncio.to_thread(pg.start)


@pytest.mark.slow
async def test_postgres_down_during_sending(stack, fake, valkey, workers, own_pg, own_maker):
    env = _env(stack, fake, valkey, DATABASE_URL=own_pg.url,
               NOTIFY_PROVIDER_TIMEOUT="15", NOTIFY_STALE_SENDING_SECONDS="16")  # fmt: skip
    ids = [await add(own_maker) for _ in range(10)]
    held, later = ids[0], ids[5:]
    fake.mode(provider="aliyun", stall_seconds=60, stall_count=1, stall_out_id=str(held))
    workers(env).start()
    await _relay(own_maker, valkey, ids[:5])
    await _at_gateway(fake, held)  # the provider took it; the worker awaits the answer

    await asyncio.to_thread(own_pg.stop, 10)
    pool = await create_pool(RedisSettings.from_dsn(valkey.url))
    try:
        fake.release()  # the answer comes while Postgres is down: it cannot be recorded
        jobs = [job_id(i, 0) for i in later]
        for nid, job in zip(later, jobs, strict=True):  # and these cannot be claimed
            await pool.enqueue_job(
                SEND_NOTIFICATION, str(nid), _job_id=job, _queue_name=NOTIFY_QUEUE
            )
        # Wait until the worker has run into the outage with all of them.
        deadline = time.monotonic() + 30
        for job in [job_id(held, 0), *jobs]:
            while await pool.zscore(NOTIFY_QUEUE, job) is not None or await pool.exists(
                in_progress_key_prefix + job
            ):
                assert time.monotonic() < deadline, f"{job} still queued or running"
                await asyncio.sleep(0.1)
    finally:
        await pool.aclose()
    await asyncio.to_thread(own_pg.start)

    rows = await _wait(own_maker, ids, within=90)
    assert rows[held].attempts == 1  # resolved by the provider's query, not sent again
    exactly_once(fake, ids)


@pytest.mark.slow
async def test_send_after_postgres_restart_is_prompt(
    stack, fake, valkey, workers, own_pg, own_maker
) -> None:
    # The sweeper would pick up a notice left behind only after 10 minutes (unqueued
    # rows, stale sends); each notice here must go out well within one of those.
    env = _env(stack, fake, valkey, DATABASE_URL=own_pg.url,
               NOTIFY_SWEEP_EVERY_SECONDS="60", NOTIFY_RELAY_OLDER_THAN_SECONDS="600",
               NOTIFY_PROVIDER_TIMEOUT="15", NOTIFY_STALE_SENDING_SECONDS="600")  # fmt: skip
    workers(env).start()
    warm = await add(own_maker)
    await _relay(own_maker, valkey, [warm])
    await _wait(own_maker, [warm])  # the worker's pool now holds connections

    # A restart between two sends: the next claim meets a dead pooled connection.
    await _restart(own_pg)
    claim = await add(own_maker)
    await _relay(own_maker, valkey, [claim])
    await _wait(own_maker, [claim], within=60)

    # A restart during a send: recording its outcome meets a dead pooled connection.
    record = await add(own_maker)
    fake.mode(provider="aliyun", stall_seconds=60, stall_count=1, stall_out_id=str(record))
    await _relay(own_maker, valkey, [record])
    await _at_gateway(fake, record)
    await _restart(own_pg)
    fake.release()
    rows = await _wait(own_maker, [record], within=60)
    assert rows[record].status == "sent"  # recorded by the worker, not by the sweeper
    exactly_once(fake, [warm, claim, record])
