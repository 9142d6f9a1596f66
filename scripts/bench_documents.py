"""Benchmark of the document service (prints figures; not a test).

    .venv/bin/python -m scripts.bench_documents [--n 1000] [--concurrency 16] [--workers 1]

Uses DATABASE_URL / S3_ENDPOINT (+ S3_ACCESS_KEY, S3_SECRET_KEY) when set, otherwise
starts a private PostgreSQL and SeaweedFS on free 127.0.0.1 ports. Runs the document
service under uvicorn, then:

1. `--n` uploads of ~450 KB A4 JPEG scans (multipart POST, every check on, each to a
   declaration of its own so none is a duplicate) from `--concurrency` clients:
   uploads/s and latency percentiles.
2. Raw S3 PUTs of the same bytes from this process with the same concurrency (minio
   client, one thread per client): PUTs/s. The ratio 1 / 2 is the price of the service.

The upload goes straight to the document service; the gateway route that forwards to it
(`services/api/clients/documents.py`) is not measured here.
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

from scripts.servers import Postgres, SeaweedS3, Server, free_port, port_open
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
    if "S3_ENDPOINT" not in env:
        access, secret = DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
        s3 = SeaweedS3(workdir / "seaweedfs", free_port(), access, secret).start()
        started.append(s3)
        env.update(S3_ENDPOINT=s3.url, S3_ACCESS_KEY=access, S3_SECRET_KEY=secret)
    env.setdefault("S3_BUCKET", "zhicheng-bench-" + uuid.uuid4().hex[:8])
    env.update(ENVIRONMENT="test", SWEEP_INTERVAL_SECONDS="0", LOG_LEVEL="WARNING")
    return env, started


def _serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "services.documents.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the document service did not start")
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}"


async def _uploads(base: str, scans: list[bytes], n: int, concurrency: int) -> tuple[float, list]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(n))
    limits = httpx.Limits(max_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(i: int) -> None:
            data = scans[i % len(scans)]
            started = time.perf_counter()
            response = await client.post(
                f"/v1/declarations/bench{uuid.uuid4().hex[:16]}/documents",
                data={"kind": "title_certificate"},
                files={"file": (f"scan{i}.jpg", data, "image/jpeg")},
            )
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def worker() -> None:
            for i in counter:
                await one(i)

        for i in range(min(concurrency, 8)):  # warm-up: connections, pools, imports
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn worker processes (default: one per core)",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-docs-"))
    env, started = _infrastructure(workdir)
    proc = None
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "scripts.migrate"], env=env, cwd=ROOT, capture_output=True
        )
        if migrated.returncode != 0:
            raise SystemExit(migrated.stderr.decode(errors="replace"))
        scans = _scans(8)
        size = statistics.mean(len(s) for s in scans) / 1024
        proc, base = _serve(env, args.workers)
        wall, lat = asyncio.run(_uploads(base, scans, args.n, args.concurrency))
        rate = args.n / wall
        raw_wall = _raw_puts(env, scans, args.n, args.concurrency)
        raw_rate = args.n / raw_wall
        print(
            f"documents: {args.n} uploads of {size:.0f} KB A4 JPEG scans, "
            f"{args.concurrency} clients, {args.workers} uvicorn worker(s), {os.cpu_count()} cores"
        )
        print(f"  service uploads/s   {rate:8.1f}   (wall {wall:.1f} s)")
        p50, p95, p99 = (_pct(lat, q) * 1000 for q in (0.5, 0.95, 0.99))
        print(f"  latency ms          p50 {p50:.0f}   p95 {p95:.0f}   p99 {p99:.0f}")
        print(
            f"  raw S3 PUTs/s       {raw_rate:8.1f}   (same bytes, same concurrency, this process)"
        )
        print(f"  ratio service/raw   {rate / raw_rate:8.2f}")
        print("  path: client → document service (the gateway route is not in this path yet)")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
        for server in reversed(started):
            server.stop(grace=5)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
