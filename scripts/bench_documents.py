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

Uploads/s, latency percentiles and the ratios are printed; nothing is asserted. For each
run the CPU time of every process involved (the document service, the gateway, the
eligibility service, PostgreSQL, SeaweedFS, Valkey, with their worker processes, and this
client) is read from /proc before and after the timed part and printed as CPU ms per
accepted upload (per raw PUT for 3): on a shared machine that figure moves far less with
other load than uploads/s does.

`--baseline` runs the same with the previous database pool behaviour (a ping on every
checkout, DB_PING_AFTER_IDLE=0) for comparison in the same run and on the same servers.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds of the process and of its reaped children)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        # After the command: state, ppid, …; utime, stime, cutime, cstime are 14–17 (1-based).
        ticks = sum(int(x) for x in fields[11:15])
        table[int(entry)] = (int(fields[1]), ticks / _TICK)
    return table


def _cpu_of(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process with all its descendants."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name, root in roots.items():
        total, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            if pid in table:
                total += table[pid][1]
                stack.extend(children.get(pid, ()))
        out[name] = total
    return out


class CpuMeter:
    """CPU seconds spent by named process trees (and this process) over a stretch."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.spent: dict[str, float] = {}

    def start(self) -> None:
        self._before = {**_cpu_of(self.roots), "bench client": time.process_time()}

    def stop(self) -> None:
        after = {**_cpu_of(self.roots), "bench client": time.process_time()}
        self.spent = {name: after[name] - self._before[name] for name in after}

    def report(self, count: int, what: str) -> float:
        total = sum(self.spent.values())
        parts = [f"{name} {1000 * sec / count:.1f}" for name, sec in self.spent.items()]
        print(
            f"  {'':<18} CPU ms per {what}: {1000 * total / count:.1f} in all ({', '.join(parts)})"
        )
        return total


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


def _migrate(env: dict[str, str]) -> None:
    migrated = subprocess.run(
        [sys.executable, "-m", "scripts.migrate"], env=env, cwd=ROOT, capture_output=True
    )
    if migrated.returncode != 0:
        raise SystemExit(migrated.stderr.decode(errors="replace"))


def _teardown(procs: list[subprocess.Popen], started: list[Server], workdir: Path) -> None:
    for proc in reversed(procs):
        proc.terminate()
        proc.wait(20)
    for server in reversed(started):
        server.stop(grace=5)
    shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Stack:
    """A benchmark's whole stack: its working directory (removed at the end), its
    settings, the servers it started, its processes (more may be appended; all are stopped
    at the end) and the gateway's URL."""

    workdir: Path
    env: dict[str, str]
    started: list[Server]
    procs: list[subprocess.Popen]
    gateway: str


@contextmanager
def gateway_stack(prefix: str, *, gateway_workers: int = 1) -> Iterator[Stack]:
    """Servers (or the URLs in the environment), migrated, with the eligibility and
    document services and the gateway started in front of them; all gone afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    env, started = _infrastructure(workdir)
    procs: list[subprocess.Popen] = []
    try:
        _migrate(env)
        env = {**env, "PAYMENT_SWEEP_INTERVAL": "0"}
        proc, rules = _serve("services.rules.main:app", env, 1)
        procs.append(proc)
        proc, docs = _serve("services.documents.main:app", env, 1)
        procs.append(proc)
        gw_env = {**env, "RULES_URL": rules, "DOCUMENTS_URL": docs}
        proc, gateway = _serve("services.api.main:app", gw_env, gateway_workers)
        procs.append(proc)
        yield Stack(workdir, env, started, procs, gateway)
    finally:
        _teardown(procs, started, workdir)


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
    from services.kit.settings import ServiceTokenSigner

    return ServiceAuth(ServiceTokenSigner().service_token_key(), DOCUMENTS_AUDIENCE)


async def _uploads(
    base: str,
    scans: list[bytes],
    n: int,
    concurrency: int,
    targets: list[str] | None = None,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
    meter: CpuMeter | None = None,
) -> tuple[float, list, int]:
    """`n` uploads from `concurrency` clients; `targets` are declaration ids (one each).
    Wall time, latencies and how many were accepted."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    refused: list[str] = []
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
            if response.status_code != 201:
                refused.append(f"{response.status_code} {response.text[:300]}")

        async def worker() -> None:
            for i in counter:
                await one(i)

        warm = min(concurrency, 8)
        for i in range(n, n + warm):  # warm-up: connections, pools, imports
            await one(i)
        latencies.clear()
        statuses.clear()
        refused.clear()
        if meter:
            meter.start()
        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - begin
        if meter:
            meter.stop()
    if set(statuses) != {201}:
        # A busy shared machine can push a few past the pool's timeout (503 service-busy):
        # shown, and the run goes on unless they are more than 1 %.
        print(f"  unexpected answers: {statuses}; first: {refused[0]}")
        if len(refused) > n // 100:
            raise SystemExit("too many uploads refused")
    return wall, latencies, statuses.get(201, 0)


def _raw_puts(
    env: dict[str, str], scans: list[bytes], n: int, concurrency: int, meter: CpuMeter
) -> float:
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
        meter.start()
        begin = time.perf_counter()
        list(pool.map(put, range(n)))
        wall = time.perf_counter() - begin
        meter.stop()
        return wall


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


def _gateway_round(
    env: dict[str, str],
    args: argparse.Namespace,
    scans: list[bytes],
    servers: dict[str, int],
    procs: list[subprocess.Popen],
    label: str,
) -> tuple[float, float, str]:
    """Uploads through a gateway and document service of their own: uploads/s, CPU
    seconds per accepted upload, and the document service's URL."""
    proc, docs = _serve("services.documents.main:app", env, args.workers)
    procs.append(proc)
    roots = {"documents": proc.pid}
    proc, rules = _serve("services.rules.main:app", env, 1)
    procs.append(proc)
    gw_env = {**env, "RULES_URL": rules, "DOCUMENTS_URL": docs}
    proc, gateway = _serve("services.api.main:app", gw_env, args.gateway_workers)
    procs.append(proc)
    roots |= {"gateway": proc.pid, "rules": procs[-2].pid, **servers}
    drafts, applicant = asyncio.run(
        _drafts(gateway, args.n + min(args.concurrency, 8), args.concurrency)
    )
    headers = {"Authorization": f"Bearer {applicant}"}
    meter = CpuMeter(roots)
    wall, lat, accepted = asyncio.run(
        _uploads(gateway, scans, args.n, args.concurrency, drafts, headers, meter=meter)
    )
    rate = _report(label, accepted, wall, lat)
    cpu = meter.report(accepted, "accepted upload")
    return rate, cpu / accepted, docs


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
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="first run the gateway figures with a database ping on every pool checkout "
        "(DB_PING_AFTER_IDLE=0, the previous behaviour)",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-docs-"))
    env, started = _infrastructure(workdir)
    servers = {
        {"Postgres": "postgres", "SeaweedS3": "s3", "Valkey": "valkey"}.get(
            type(server).__name__, type(server).__name__
        ): server.proc.pid
        for server in started
        if server.proc is not None
    }
    procs: list[subprocess.Popen] = []
    try:
        _migrate(env)
        scans = _scans(8)
        size = statistics.mean(len(s) for s in scans) / 1024
        rates: dict[str, float] = {}
        print(
            f"documents: {args.n} uploads of {size:.0f} KB A4 JPEG scans, {args.concurrency} "
            f"clients, document service {args.workers} worker(s), {os.cpu_count()} cores"
        )
        if args.mode in ("both", "gateway"):
            if args.baseline:
                old_env = {**env, "DB_PING_AFTER_IDLE": "0"}
                label = "baseline: ping"
                old_rate, old_cpu, _ = _gateway_round(old_env, args, scans, servers, procs, label)
                for proc in procs:
                    proc.terminate()
                    proc.wait(20)
                procs.clear()
            label = f"via gateway ({args.gateway_workers}w)"
            rates["gateway"], cpu, docs = _gateway_round(env, args, scans, servers, procs, label)
            if args.baseline:
                print(
                    f"  {'':<18} against the baseline: uploads/s x{rates['gateway'] / old_rate:.2f}"
                    f", CPU per upload x{cpu / old_cpu:.2f}"
                )
            record("documents", "uploads via gateway", rates["gateway"], "uploads/s", ">= 60")
            record("documents", "CPU per upload via gateway", 1000 * cpu, "ms", "<= 25")
        if args.mode in ("both", "direct"):
            if not procs:
                proc, docs = _serve("services.documents.main:app", env, args.workers)
                procs.append(proc)
            meter = CpuMeter({"documents": procs[0].pid, **servers})
            wall, lat, accepted = asyncio.run(
                _uploads(docs, scans, args.n, args.concurrency, auth=_as_gateway(), meter=meter)
            )
            rates["direct"] = _report("direct to service", accepted, wall, lat)
            meter.report(accepted, "accepted upload")
            record("documents", "uploads direct to service", rates["direct"], "uploads/s")
        meter = CpuMeter(servers)
        raw_rate = args.n / _raw_puts(env, scans, args.n, args.concurrency, meter)
        print(f"  {'raw S3 PUT':<18} {raw_rate:8.1f} PUTs/s      (same bytes, same concurrency)")
        raw_cpu = meter.report(args.n, "PUT") / args.n
        record("documents", "raw S3 PUT, same bytes", raw_rate, "PUTs/s")
        for name, rate in rates.items():
            print(f"  ratio {name}/raw{'':<{8 - len(name)}}  {rate / raw_rate:8.2f}")
            target = ">= 0.5" if name == "gateway" else ""
            record("documents", f"ratio {name}/raw PUT", rate / raw_rate, "", target)
        if "gateway" in rates:
            print(f"  CPU per upload via gateway / per raw PUT  {cpu / raw_cpu:6.2f}")
        if len(rates) == 2:
            print(f"  ratio gateway/direct  {rates['gateway'] / rates['direct']:6.2f}")
    finally:
        _teardown(procs, started, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
