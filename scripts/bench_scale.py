"""The scale benchmark (#21): p50/p95 of the lists, queues and reports at 10k and 100k.

    python -m scripts.bench_scale [--sizes 10000,100000] [--requests 40] [--exports 3]
                                  [--exports-only] [--export-processes 2]

For each size: a fresh database (private PostgreSQL and Valkey unless DATABASE_URL /
REDIS_URL are set), the orgs, campaign and portal through the API, then the declarations
with their steps, returns, claims and recorded flags COPYed as load data
(tests/api/scale_data.py). Each endpoint is called as the role the issue measured, after a
warm-up, `requests` times in sequence through the in-process gateway. Figures, not asserts.

Then the exports (posting list CSV and XLSX, recommendation roster and material summary),
on a database of their own where every declaration is in one unit, so that the posting
list has `size` rows (the rosters three quarters of that): each `exports` times, with
/healthz polled every 10 ms beside it; first the same poll with nothing else running, the
baseline the longest /healthz wait is compared with (the machine may be busy). Each export
is run by two gateways on the same data, in turn: one encoding in a worker thread
(EXPORT_PROCESSES=0, as before) and one in `--export-processes` child processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from minio import Minio

from scripts.bench_documents import _serve
from scripts.bench_notify import _create_db, _pct
from scripts.benchsummary import record
from scripts.servers import SeaweedS3, free_port, given_or_started
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.migrations import upgrade_all
from services.kit.settings import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
from tests.api.factories import auth
from tests.api.scale_data import HealthPoll, build, load
from tests.support import running


def _endpoints(world, campaign_id: str) -> list[tuple[str, str, dict]]:
    t = world.tree.tokens
    series, unit = auth(t["series_office"]), auth(t["unit_reviewer"])
    return [
        ("GET /v1/declarations?limit=50, series office", "/v1/declarations", series),
        ("GET /v1/declarations?limit=50, portal 450200", "/v1/declarations", auth(world.portal)),
        ("GET /v1/declarations?limit=50, unit reviewer", "/v1/declarations", unit),
        ("GET /v1/review-queue?limit=50, series office", "/v1/review-queue", series),
        ("GET /v1/review-queue?limit=50, unit reviewer", "/v1/review-queue", unit),
        ("unit quality, series office", f"/v1/campaigns/{campaign_id}/unit-quality", series),
        ("problem rates, series office", f"/v1/campaigns/{campaign_id}/problem-rates", series),
    ]


async def _size(server_url: str, redis_url: str, rules: str, n: int, requests: int) -> None:
    database_url = await _create_db(server_url)
    await asyncio.to_thread(upgrade_all, database_url)
    settings = ApiSettings(
        environment="test",
        log_level="WARNING",
        database_url=database_url,
        redis_url=redis_url,
        rules_url=rules,  # the campaign is made through the API, checked against the packs
    )
    async with running(build_app(settings)) as client:
        world = await build(client)
        started = time.perf_counter()
        await load(database_url, world, n)
        print(f"{n:,} declarations COPYed in {time.perf_counter() - started:.1f} s")
        for label, path, headers in _endpoints(world, world.campaign["id"]):
            params = {"limit": 50} if "limit=50" in label else {}
            times = []
            for k in range(requests + 3):
                t0 = time.perf_counter()
                r = await client.get(path, params=params, headers=headers)
                if k >= 3:  # after a warm-up
                    times.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    print(f"  {label}: {r.status_code} {r.text[:200]}")
                    break
            else:
                p50, p95 = _pct(times, 50), _pct(times, 95)
                print(f"  {label:48} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
                record("scale", f"{label}, {n:,}", p95, "ms p95", "≤ 50 (lists, queues)")


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
    server_url: str, redis_url: str, rules: str, s3: dict, n: int, runs: int, processes: int
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
    # Before and after on the same data and the same machine: a gateway encoding in a
    # worker thread (EXPORT_PROCESSES=0) and one encoding in child processes.
    modes = {
        "thread": build_app(settings.model_copy(update={"export_processes": 0})),
        f"{processes} processes": build_app(
            settings.model_copy(update={"export_processes": processes})
        ),
    }
    async with contextlib.AsyncExitStack() as stack:
        clients = {m: await stack.enter_async_context(running(a)) for m, a in modes.items()}
        client = clients["thread"]
        world = await build(client)
        await load(database_url, world, n * 5 // 4, spread=1)  # a fifth are drafts, unlisted
        for app in modes.values():
            await app.state.export_pool.warm()  # the children's start is not measured
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
            for _ in range(runs):
                for mode, client in clients.items():  # alternating, so load hits both
                    poll = HealthPoll(client)
                    t0 = time.perf_counter()
                    r = await poll.during(client.get(path, headers=headers))
                    times[mode].append(time.perf_counter() - t0)
                    waits[mode].extend(poll.latencies)
                    if r.status_code != 200:
                        raise RuntimeError(f"{label}, {mode}: {r.status_code} {r.text[:200]}")
            for mode in modes:
                _print_export(f"{label}, {mode}", rows, times[mode], waits[mode], floor)


def _print_export(label: str, rows: int, times: list, waits: list, floor: float) -> None:
    """The longest /healthz wait, and (on a busy machine, where one descheduling makes the
    longest) its p99 and how many polls of all waited over 50 ms."""
    p50, p95 = _pct(times, 50), _pct(times, 95)
    worst = max(waits, default=float("nan"))
    over = sum(w > 50 for w in waits)
    print(
        f"  {label:38} {rows:>7,} rows  p50 {p50:6.2f} s  p95 {p95:6.2f} s  "
        f"{rows / p50:7,.0f} rows/s  /healthz max {worst:6.1f} ms "
        f"({worst / floor:.1f}× baseline max), p99 {_pct(waits, 99):5.1f} ms, "
        f"{over}/{len(waits)} over 50 ms; {len(times)} runs"
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
        for n in (int(s) for s in args.sizes.split(",")):
            if not args.exports_only:
                await _size(server_url, redis_url, rules, n, args.requests)
            if args.exports:
                await _exports(
                    server_url, redis_url, rules, s3, n, args.exports, args.export_processes
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
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--exports", type=int, default=3, help="runs of each export (0: none)")
    parser.add_argument("--exports-only", action="store_true")
    parser.add_argument(
        "--export-processes", type=int, default=2, help="EXPORT_PROCESSES of the 'after' gateway"
    )
    asyncio.run(main(parser.parse_args()))
