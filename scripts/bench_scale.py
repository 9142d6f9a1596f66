"""The scale benchmark (#21): p50/p95 of the lists, queues and reports at 10k, 100k, 1M.

    python -m scripts.bench_scale [--sizes 10000,100000,1000000] [--requests 40]
        [--exports 3] [--export-sizes 10000,100000] [--exports-only]
        [--export-processes 2] [--processes-only]

For each size: a fresh database (private PostgreSQL and Valkey unless DATABASE_URL /
REDIS_URL are set), the orgs, campaign and portal through the API, then the declarations
with their steps, returns, claims, recorded flags and messages COPYed as load data
(tests/api/scale_data.py); the database is dropped once measured (1M is about 2 GB). Each
endpoint is called as the role the issue measured, after a warm-up, `requests` times in
sequence through the in-process gateway; each figure beside the first size's (the ratio;
target within 2×). Figures, not asserts.

Then the exports (posting list CSV and XLSX, recommendation roster and material summary)
at each of `--export-sizes`, on a database of their own where every declaration is in one
unit, so that the posting list has `size` rows (the rosters three quarters of that): each
`exports` times, with /healthz polled every 10 ms beside it; first the same poll with
nothing else running, the baseline the longest /healthz wait is compared with (the machine
may be busy). Each export is run by two gateways on the same data, in turn: one encoding
in a worker thread (EXPORT_PROCESSES=0, as before) and one in `--export-processes` child
processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from minio import Minio

from scripts.bench_documents import _cpu_of, _serve
from scripts.bench_notify import _create_db, _pct
from scripts.benchsummary import record
from scripts.servers import SeaweedS3, free_port, given_or_started
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.migrations import upgrade_all
from services.kit.settings import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
from tests.api.auth_helpers import portal_token
from tests.api.factories import auth, token
from tests.api.scale_data import HealthPoll, build, dsn, load
from tests.support import running

PAGED, REPORT = "≤ 50", "≤ 200"  # ms p95 at 1M: the paged reads, the reports (#21)
# The gateway's periodic sweeps off while the reads are timed: each would run beside
# whichever read is being timed (at 1M the deadline-reminder sweep runs into the 5 s
# statement timeout every 300 s, a PostgreSQL backend busy throughout on this 2-core
# machine). Their cost is the sweeps' own, not a read's.
QUIET = {
    "payment_sweep_interval": 0,
    "return_sweep_interval": 0,
    "reminder_sweep_interval": 0,
    "radar_sweep_interval": 0,
}
APPLICANT = 7  # scale-7: at the committee office, its unit `tree.unit` (scale_data.py)


def _endpoints(world, declaration_id: str) -> list[tuple[str, str, dict, dict, str]]:
    """(label, path, headers, params, target): every list for each role, the review queues,
    the progress, the messages, and the reports."""
    t = world.tree.tokens
    series, unit = auth(t["series_office"]), auth(t["unit_reviewer"])
    committee, portal = auth(t["committee_office"]), auth(world.portal)
    applicant = auth(token("applicant", sub=f"scale-{APPLICANT}"))
    page = {"limit": 50}
    c = f"/v1/campaigns/{world.campaign['id']}"
    d = f"/v1/declarations/{declaration_id}"
    return [
        ("list, applicant", "/v1/declarations", applicant, page, PAGED),
        ("list, unit reviewer", "/v1/declarations", unit, page, PAGED),
        ("list, series office", "/v1/declarations", series, page, PAGED),
        ("list, committee office", "/v1/declarations", committee, page, PAGED),
        ("list, portal 450200", "/v1/declarations", portal, page, PAGED),
        ("list of a campaign, series office", "/v1/declarations",
         series, {**page, "campaign_id": world.campaign["id"]}, PAGED),
        ("review queue, unit reviewer", "/v1/review-queue", unit, page, PAGED),
        ("review queue, series office", "/v1/review-queue", series, page, PAGED),
        ("review queue, committee office", "/v1/review-queue", committee, page, PAGED),
        ("progress, applicant", f"{d}/progress", applicant, {}, PAGED),
        ("progress, unit reviewer", f"{d}/progress", unit, {}, PAGED),
        ("messages, applicant", "/v1/me/messages", applicant, {}, PAGED),
        ("messages, unit reviewer", "/v1/me/messages", unit, page, PAGED),
        ("unread count, unit reviewer", "/v1/me/messages/unread-count", unit, {}, PAGED),
        ("unit calendar, unit reviewer", f"/v1/orgs/{world.tree.unit}/calendar",
         unit, {**page, "campaign_id": world.campaign["id"]}, PAGED),
        ("unit quality, series office", f"{c}/unit-quality", series, {}, REPORT),
        ("problem rates, series office", f"{c}/problem-rates", series, {}, REPORT),
        ("statistics, series office", f"{c}/statistics", series, {}, REPORT),
        ("statistics, committee office", f"{c}/statistics", committee, {}, REPORT),
        ("unit follow-ups, series office", f"{c}/unit-follow-ups", series, {}, REPORT),
    ]  # fmt: skip


async def _drop_db(database_url: str) -> None:
    base, _, name = database_url.rpartition("/")
    conn = await asyncpg.connect(dsn(f"{base}/postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _declaration_of(database_url: str, sub: str) -> str:
    conn = await asyncpg.connect(dsn(database_url))
    try:
        return str(
            await conn.fetchval("SELECT id FROM api.declaration WHERE applicant_sub = $1", sub)
        )
    finally:
        await conn.close()


async def _size(
    server_url: str, redis_url: str, rules: str, n: int, requests: int, first: dict
) -> None:
    """Each endpoint's p50/p95 at `n` declarations; `first` keeps the figures of the first
    size, each later one's p95 is printed and recorded as a ratio of it."""
    database_url = await _create_db(server_url)
    await asyncio.to_thread(upgrade_all, database_url)
    settings = ApiSettings(
        environment="test",
        log_level="WARNING",
        database_url=database_url,
        redis_url=redis_url,
        rules_url=rules,  # the campaign is made through the API, checked against the packs
        **QUIET,
    )
    try:
        await _measure(database_url, settings, n, requests, first)
    finally:
        await _drop_db(database_url)


async def _measure(database_url: str, settings, n: int, requests: int, first: dict) -> None:
    async with running(build_app(settings)) as client:
        world = await build(client)
        started = time.perf_counter()
        await load(database_url, world, n)
        print(f"{n:,} declarations COPYed in {time.perf_counter() - started:.1f} s", flush=True)
        # A portal token of now: the load can outlast the one made before it (1M on a
        # loaded machine: 20 minutes, and a 401 for the portal's list).
        world.portal = await portal_token(client, world.portal_client, scope="declarations:read")
        declaration = await _declaration_of(database_url, f"scale-{APPLICANT}")
        for label, path, headers, params, target in _endpoints(world, declaration):
            times = []
            for k in range(requests + 3):
                t0 = time.perf_counter()
                r = await client.get(path, params=params, headers=headers)
                if k >= 3:  # after a warm-up
                    times.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    print(f"  {label}: {r.status_code} {r.text[:200]}", flush=True)
                    ms = (time.perf_counter() - t0) * 1000
                    record("scale", f"{label}, {n:,}", ms, f"ms, HTTP {r.status_code}", target)
                    break
            else:
                p50, p95 = _pct(times, 50), _pct(times, 95)
                base = first.setdefault(label, (n, p95))
                ratio = f"  {p95 / base[1]:5.1f}× {base[0]:,}" if base[0] != n else ""
                print(f"  {label:36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{ratio}", flush=True)
                record("scale", f"{label}, {n:,}", p95, "ms p95", target)
                if base[0] != n:
                    within = "≤ 2" if target == PAGED else ""  # the paged reads' target
                    record("scale", f"{label}, {n:,} / {base[0]:,}", p95 / base[1], "× p95", within)


def _export_paths(world, campaign_id: str) -> list[tuple[str, str, dict, float]]:
    """(label, path, headers, rows per posting-list row)"""
    t = world.tree.tokens
    unit, series = auth(t["unit_reviewer"]), auth(t["series_office"])
    c = f"/v1/campaigns/{campaign_id}"
    return [
        ("posting list CSV, unit", f"{c}/posting-list?format=csv", unit, 1),
        ("posting list XLSX, unit", f"{c}/posting-list?format=xlsx", unit, 1),
        ("recommendation roster XLSX", f"{c}/exports/recommendation-roster", series, 0.75),
        ("material summary XLSX", f"{c}/exports/material-summary", series, 0.75),
    ]


def _s3(workdir: Path, servers: list) -> dict[str, str]:
    """Where the posting list's audit checkpoint is anchored: `S3_ENDPOINT` when given,
    else a SeaweedFS S3 gateway started under `workdir`."""
    if os.environ.get("S3_ENDPOINT"):
        return {}
    access, secret = DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
    s3 = SeaweedS3(workdir / "seaweedfs", free_port(), access, secret).start()
    servers.append(s3)
    return {"s3_endpoint": s3.url, "s3_access_key": access, "s3_secret_key": secret}


def _bucket(s3: dict[str, str]) -> dict[str, str]:
    """A bucket of each database's own: its audit chain starts again at seq 1."""
    settings = ApiSettings(environment="test", **s3)
    bucket = "zhicheng-bench-" + uuid.uuid4().hex[:8]
    Minio(
        settings.s3_endpoint.split("://", 1)[1],
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_endpoint.startswith("https"),
    ).make_bucket(bucket)
    return {**s3, "s3_bucket": bucket}


async def _exports(
    server_url: str,
    redis_url: str,
    rules: str,
    s3: dict,
    n: int,
    runs: int,
    processes: int,
    thread: bool = True,
) -> None:
    database_url = await _create_db(server_url)
    await asyncio.to_thread(upgrade_all, database_url)
    settings = ApiSettings(
        environment="test",
        log_level="WARNING",
        database_url=database_url,
        redis_url=redis_url,
        rules_url=rules,
        **await asyncio.to_thread(_bucket, s3),
    )
    try:
        await _measure_exports(database_url, settings, n, runs, processes, thread)
    finally:
        await _drop_db(database_url)


def _cpu(pids: list[int]) -> tuple[float, float]:
    """CPU seconds so far of this process (both gateways run in it, with their clients and
    the /healthz polls) and of the export processes `pids` (Linux: /proc)."""
    return time.process_time(), sum(_cpu_of({str(pid): pid for pid in pids}).values())


async def _measure_exports(
    database_url: str, settings, n: int, runs: int, processes: int, thread: bool = True
):
    # Before and after on the same data and the same machine: a gateway encoding in a
    # worker thread (EXPORT_PROCESSES=0) and one encoding in child processes. Both run in
    # this process, on one event loop: the thread's workbooks (every cell an object) are
    # garbage this process collects later, during the other gateway's runs too;
    # `--processes-only` leaves the thread's gateway out, as a deployment has it.
    modes = {}
    if thread:
        modes["thread"] = build_app(settings.model_copy(update={"export_processes": 0}))
    modes[f"{processes} processes"] = build_app(
        settings.model_copy(update={"export_processes": processes})
    )
    async with contextlib.AsyncExitStack() as stack:
        clients = {m: await stack.enter_async_context(running(a)) for m, a in modes.items()}
        client = next(iter(clients.values()))
        world = await build(client)
        await load(database_url, world, n * 5 // 4, spread=1)  # a fifth are drafts, unlisted
        for app in modes.values():
            await app.state.export_pool.warm()  # the children's start is not measured
        # The gateways run in this process beside the benchmark's own objects (the world it
        # built, the load's leftovers), which a gateway process as deployed does not hold:
        # out of the collector's sight, as a gateway freezes what it holds at start, so that
        # a full collection over them does not count as the export's wait.
        gc.collect()
        gc.freeze()
        base = HealthPoll(client)
        await base.during(asyncio.sleep(3))
        floor = max(base.latencies)
        print(
            f"exports at {n:,} listed rows; baseline bare /healthz every 10 ms for 3 s: "
            f"p50 {_pct(base.latencies, 50):.1f} ms, p99 {_pct(base.latencies, 99):.1f} ms, "
            f"max {floor:.1f} ms, {sum(w > 50 for w in base.latencies)} over 50 ms"
        )
        for label, path, headers, share in _export_paths(world, world.campaign["id"]):
            rows = round(n * share)
            times: dict[str, list] = {m: [] for m in modes}
            waits: dict[str, list] = {m: [] for m in modes}  # every poll's wait, all runs
            cpus: dict[str, list] = {m: [] for m in modes}  # (gateway, export processes)
            for _ in range(runs):
                for mode, client in clients.items():  # alternating, so load hits both
                    pids = modes[mode].state.export_pool.pids()
                    poll = HealthPoll(client)
                    c0 = _cpu(pids)
                    t0 = time.perf_counter()
                    r = await poll.during(client.get(path, headers=headers))
                    times[mode].append(time.perf_counter() - t0)
                    c1 = _cpu(pids)
                    cpus[mode].append((c1[0] - c0[0], c1[1] - c0[1]))
                    waits[mode].extend(poll.latencies)
                    if r.status_code != 200:
                        raise RuntimeError(f"{label}, {mode}: {r.status_code} {r.text[:200]}")
            for mode in modes:
                _print_export(f"{label}, {mode}", rows, times[mode], waits[mode], floor, cpus[mode])


def _print_export(
    label: str, rows: int, times: list, waits: list, floor: float, cpus: list
) -> None:
    """The longest /healthz wait, and (on a busy machine, where one descheduling makes the
    longest) its p99 and how many polls of all waited over 50 ms."""
    p50, p95 = _pct(times, 50), _pct(times, 95)
    worst = max(waits, default=float("nan"))
    over = sum(w > 50 for w in waits)
    print(
        f"  {label:38} {rows:>7,} rows  p50 {p50:6.2f} s  p95 {p95:6.2f} s  "
        f"{rows / p50:7,.0f} rows/s  /healthz max {worst:6.1f} ms "
        f"({worst / floor:.1f}× baseline max), p99 {_pct(waits, 99):5.1f} ms, "
        f"{over}/{len(waits)} over 50 ms; {len(times)} runs; CPU p50 "
        f"{_pct([c[0] for c in cpus], 50):.2f} s gateway process, "
        f"{_pct([c[1] for c in cpus], 50):.2f} s export processes"
    )
    record("scale", f"{label}, {rows:,} rows", worst, "ms max /healthz", "≤ 50")


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-"))
    servers, procs = [], []
    try:
        server_url, redis_url = given_or_started(workdir, servers)
        s3 = _s3(workdir, servers) if args.exports else {}
        proc, rules = _serve("services.rules.main:app", {**os.environ, "ENVIRONMENT": "test"}, 1)
        procs.append(proc)
        first: dict = {}
        if not args.exports_only:
            for n in (int(s) for s in args.sizes.split(",")):
                await _size(server_url, redis_url, rules, n, args.requests, first)
        for n in (int(s) for s in args.export_sizes.split(",")):
            if args.exports:
                await _exports(
                    server_url,
                    redis_url,
                    rules,
                    s3,
                    n,
                    args.exports,
                    args.export_processes,
                    thread=not args.processes_only,
                )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--exports", type=int, default=3, help="runs of each export (0: none)")
    parser.add_argument("--exports-only", action="store_true")
    parser.add_argument(
        "--export-sizes", default="10000,100000", help="listed rows of each export run"
    )
    parser.add_argument(
        "--export-processes", type=int, default=2, help="EXPORT_PROCESSES of the 'after' gateway"
    )
    parser.add_argument(
        "--processes-only",
        action="store_true",
        help="the exports on the child processes' gateway alone (no thread-mode gateway beside it)",
    )
    asyncio.run(main(parser.parse_args()))
