"""Benchmark of document uploads (prints figures; not a test).

    .venv/bin/python -m scripts.bench_documents [--n 1000] [--concurrency 16]
        [--workers 2] [--gateway-workers 1] [--mode both|gateway|direct]

Uses DATABASE_URL / REDIS_URL / S3_ENDPOINT (+ S3_ACCESS_KEY, S3_SECRET_KEY) when set,
otherwise starts a private PostgreSQL, Valkey and SeaweedFS on free 127.0.0.1 ports.
Runs the document service, the eligibility service and the gateway under uvicorn, then:

1. via the gateway (the public path): `--n` uploads of ~450 KB A4 JPEG scans as
   multipart POST /v1/declarations/{id}/documents with an applicant's token, each to a
   draft of its own (created before the clock starts), from `--concurrency` clients.
   The gateway checks the caller and the draft, streams the body through to the
   document service (every check on), then records the attachment on the declaration.
2. direct: the same uploads straight to the document service (the gateway's cost is
   the difference).
3. Raw S3 PUTs of the same bytes from this process with the same concurrency (minio
   client, one thread per client): PUTs/s. The ratios 1 / 3 and 2 / 3 are the price
   of the service.

Uploads/s, latency percentiles and the ratios are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from scripts.benchsummary import record
from scripts.servers import Postgres, SeaweedS3, Server, Valkey, free_port, port_open
from services.kit.settings import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def _scans(count: int) -> list[bytes]:
    from tests.documents.corpus import bench_scan

    return [bench_scan(seed) for seed in range(1, count + 1)]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _infrastructure(workdir: Path) -> tuple[dict[str, str], list[Server]]:
    env = dict(os.environ)
    started: list[Server] = []
    if "DATABASE_URL" not in env:
        pg = Postgres(workdir / "postgres", free_port(), database="zhicheng_bench").start()
        started.append(pg)
        env["DATABASE_URL"] = pg.url
    if "REDIS_URL" not in env:
        valkey = Valkey(workdir / "valkey", free_port(), persist=False).start()
        started.append(valkey)
        env["REDIS_URL"] = valkey.url
    if "S3_ENDPOINT" not in env:
        access, secret = DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
        s3 = SeaweedS3(workdir / "seaweedfs", free_port(), access, secret).start()
        started.append(s3)
        env.update(S3_ENDPOINT=s3.url, S3_ACCESS_KEY=access, S3_SECRET_KEY=secret)
    env.setdefault("S3_BUCKET", "zhicheng-bench-" + uuid.uuid4().hex[:8])
    env.update(ENVIRONMENT="test", SWEEP_INTERVAL_SECONDS="0", LOG_LEVEL="WARNING")
    return env, started


def _serve(
    target: str, env: dict[str, str], workers: int, *, factory: bool = False
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--no-proxy-headers",
            "--workers",
            str(workers),
            *(["--factory"] if factory else []),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{target} did not start")
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}"


def _as_gateway() -> httpx.Auth:
    """The direct figures call the document service as the gateway does: with a token."""
    from services.kit.service_tokens import DOCUMENTS_AUDIENCE, ServiceAuth
    from services.kit.settings import DocumentsServiceKey

    return ServiceAuth(DocumentsServiceKey().documents_service_key, DOCUMENTS_AUDIENCE)


async def _uploads(
    base: str,
    scans: list[bytes],
    n: int,
    concurrency: int,
    targets: list[str] | None = None,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
) -> tuple[float, list]:
    """`n` uploads from `concurrency` clients; `targets` are declaration ids (one each)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(n))
    limits = httpx.Limits(max_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, auth=auth) as client:

        async def one(i: int) -> None:
            data = scans[i % len(scans)]
            started = time.perf_counter()
            target = targets[i] if targets else f"bench{uuid.uuid4().hex[:16]}"
            response = await client.post(
                f"/v1/declarations/{target}/documents",
                data={"kind": "title_certificate"},
                files={"file": (f"scan{i}.jpg", data, "image/jpeg")},
                headers=headers or {},
            )
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def worker() -> None:
            for i in counter:
                await one(i)

        warm = min(concurrency, 8)
        for i in range(n, n + warm):  # warm-up: connections, pools, imports
            await one(i)
        latencies.clear()
        statuses.clear()
        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - begin
    if set(statuses) != {201}:
        raise SystemExit(f"unexpected answers: {statuses}")
    return wall, latencies


def _raw_puts(env: dict[str, str], scans: list[bytes], n: int, concurrency: int) -> float:
    from concurrent.futures import ThreadPoolExecutor

    from services.documents.config import DocumentsSettings
    from services.documents.storage import make_client

    settings = DocumentsSettings(
        s3_endpoint=env["S3_ENDPOINT"],
        s3_access_key=env["S3_ACCESS_KEY"],
        s3_secret_key=env["S3_SECRET_KEY"],
        s3_bucket=env["S3_BUCKET"],
    )
    client = make_client(settings)

    def put(i: int) -> None:
        data = scans[i % len(scans)]
        sha = hashlib.sha256(data).hexdigest()
        key = f"bench-raw/{uuid.uuid4()}/{sha}.jpg"
        client.put_object(
            settings.s3_bucket, key, io.BytesIO(data), len(data), content_type="image/jpeg"
        )

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(put, range(min(concurrency, 8))))
        begin = time.perf_counter()
        list(pool.map(put, range(n)))
        return time.perf_counter() - begin


async def _drafts(gateway: str, count: int, concurrency: int) -> tuple[list[str], str]:
    """An org tree, an open campaign and `count` drafts of one applicant; and its token."""
    from tests.api.factories import make_campaign, make_tree, new_draft, token

    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        tree = await make_tree(client, label="压测", supervisor=False, county=False)
        campaign = await make_campaign(client)
        applicant = token("applicant", sub=f"bench-{uuid.uuid4().hex[:8]}")
        gate = asyncio.Semaphore(concurrency)

        async def one() -> str:
            async with gate:
                return await new_draft(client, tree, campaign, applicant)

        drafts = await asyncio.gather(*(one() for _ in range(count)))
    return list(drafts), applicant


def _report(label: str, n: int, wall: float, lat: list[float]) -> float:
    rate = n / wall
    p50, p95, p99 = (_pct(lat, q) * 1000 for q in (0.5, 0.95, 0.99))
    print(f"  {label:<18} {rate:8.1f} uploads/s   (wall {wall:.1f} s)")
    print(f"  {'':<18} latency ms  p50 {p50:.0f}   p95 {p95:.0f}   p99 {p99:.0f}")
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="document service uvicorn worker processes (default: one per core)",
    )
    parser.add_argument(
        "--gateway-workers", type=int, default=1, help="gateway uvicorn worker processes"
    )
    parser.add_argument("--mode", choices=("both", "gateway", "direct"), default="both")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-docs-"))
    env, started = _infrastructure(workdir)
    procs: list[subprocess.Popen] = []
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "scripts.migrate"], env=env, cwd=ROOT, capture_output=True
        )
        if migrated.returncode != 0:
            raise SystemExit(migrated.stderr.decode(errors="replace"))
        scans = _scans(8)
        size = statistics.mean(len(s) for s in scans) / 1024
        proc, docs = _serve("services.documents.main:app", env, args.workers)
        procs.append(proc)
        rates: dict[str, float] = {}
        print(
            f"documents: {args.n} uploads of {size:.0f} KB A4 JPEG scans, {args.concurrency} "
            f"clients, document service {args.workers} worker(s), {os.cpu_count()} cores"
        )
        if args.mode in ("both", "gateway"):
            proc, rules = _serve("services.rules.main:app", env, 1)
            procs.append(proc)
            gw_env = {**env, "RULES_URL": rules, "DOCUMENTS_URL": docs}
            proc, gateway = _serve("services.api.main:app", gw_env, args.gateway_workers)
            procs.append(proc)
            drafts, applicant = asyncio.run(
                _drafts(gateway, args.n + min(args.concurrency, 8), args.concurrency)
            )
            headers = {"Authorization": f"Bearer {applicant}"}
            wall, lat = asyncio.run(
                _uploads(gateway, scans, args.n, args.concurrency, drafts, headers)
            )
            label = f"via gateway ({args.gateway_workers}w)"
            rates["gateway"] = _report(label, args.n, wall, lat)
            record("documents", "uploads via gateway", rates["gateway"], "uploads/s", ">= 40")
            record("documents", "p95 via gateway", _pct(lat, 0.95) * 1000, "ms")
        if args.mode in ("both", "direct"):
            wall, lat = asyncio.run(
                _uploads(docs, scans, args.n, args.concurrency, auth=_as_gateway())
            )
            rates["direct"] = _report("direct to service", args.n, wall, lat)
            record("documents", "uploads direct to service", rates["direct"], "uploads/s")
        raw_rate = args.n / _raw_puts(env, scans, args.n, args.concurrency)
        print(f"  {'raw S3 PUT':<18} {raw_rate:8.1f} PUTs/s      (same bytes, same concurrency)")
        record("documents", "raw S3 PUT, same bytes", raw_rate, "PUTs/s")
        for name, rate in rates.items():
            print(f"  ratio {name}/raw{'':<{8 - len(name)}}  {rate / raw_rate:8.2f}")
            target = ">= 0.5" if name == "gateway" else ""
            record("documents", f"ratio {name}/raw PUT", rate / raw_rate, "", target)
        if len(rates) == 2:
            print(f"  ratio gateway/direct  {rates['gateway'] / rates['direct']:6.2f}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(20)
        for server in reversed(started):
            server.stop(grace=5)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
