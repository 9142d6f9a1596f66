"""Benchmark of the gateway's per-request cost (prints figures; not a test).

    .venv/bin/python -m scripts.bench_gateway [--n 4000] [--concurrency 16] [--rounds 4]

Uses DATABASE_URL / REDIS_URL / S3_ENDPOINT when set, otherwise starts a private
PostgreSQL, Valkey and SeaweedFS on free 127.0.0.1 ports. Runs the eligibility service,
the document service and the gateway under uvicorn with the production command's
settings (deploy/k8s/api.yaml: one process, `--no-access-log --no-proxy-headers`), starts
one applicant's draft through the public API, and then, beside it under the same uvicorn
settings, a bare FastAPI app whose one route returns the same body (and a bare
`/healthz`). Both are loaded by `--concurrency` keep-alive connections from this process:

1. `GET /v1/declarations/{id}` with the applicant's token (the gateway checks the token,
   the caller's access, reads the row and serialises it) against the bare route;
2. `GET /healthz` against the bare `/healthz`.

The load is a minimal HTTP/1.1 client over asyncio streams (one request in flight per
connection), so that the client takes as little of the shared CPU as it can: the
figures are what the servers answer, not what an HTTP library costs. Prints requests/s,
p50/p99 and the gateway/bare ratio (the two alternate in `--rounds` runs each, so the
shared machine's drifting load falls on both), and the new Postgres sessions the gateway
opened per 1 000 reads after a warm-up (`pg_stat_database.sessions`), with the most
backends seen during the run and the sessions the warm-up opened; the CPU per GET of the
gateway, of PostgreSQL and of the bare app, and their CPU ratio (the ratio as it would be
if CPU alone bounded both: on a shared machine the rates also carry its scheduling delays,
which fall on the gateway's round trip to PostgreSQL and not on the bare app).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from scripts.bench_documents import _pct, _serve, gateway_stack
from scripts.benchsummary import record
from scripts.servers import Postgres

ROOT = Path(__file__).resolve().parent.parent
BODY_ENV = "ZHICHENG_BENCH_BODY"


def _bare_app():
    """A FastAPI app with the gateway's body on the same path, and a bare `/healthz`."""
    from fastapi import FastAPI

    body = json.loads(Path(os.environ[BODY_ENV]).read_text(encoding="utf-8"))
    app = FastAPI()

    @app.get("/v1/declarations/{declaration_id}")
    async def declaration(declaration_id: str) -> dict:
        return body

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def bare_app():
    """uvicorn's factory target (`--factory`)."""
    return _bare_app()


async def _connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise SystemExit("an answer without Content-Length: the load client reads only those")
    body = await reader.readexactly(length)
    return status, body


async def load(port: int, path: str, headers: dict[str, str], n: int, concurrency: int):
    """`n` GETs of `path` over `concurrency` keep-alive connections: (wall s, latencies)."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(n))

    async def worker() -> None:
        reader, writer = await _connection(port)
        try:
            for _ in range(3):  # warm-up, not counted
                await _request(reader, writer, raw)
            await ready.wait()
            for _ in counter:
                started = time.perf_counter()
                status, _body = await _request(reader, writer, raw)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    ready = asyncio.Event()
    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(0.5)
    begin = time.perf_counter()
    ready.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - begin
    if set(statuses) != {200}:
        raise SystemExit(f"unexpected answers from {path}: {statuses}")
    return wall, latencies


async def _prepare(gateway: str) -> tuple[str, str]:
    """One applicant's draft, started through the public API: (its id, the token)."""
    import uuid

    import httpx

    from tests.api.factories import make_campaign, make_tree, new_draft, token

    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        tree = await make_tree(client, label="网关", supervisor=False, county=False)
        campaign = await make_campaign(client)
        applicant = token("applicant", sub=f"bench-{uuid.uuid4().hex[:8]}")
        did = await new_draft(client, tree, campaign, applicant)
    return did, applicant


class Sessions:
    """New Postgres sessions on the benchmark's database (`pg_stat_database.sessions`), read
    over one connection of our own held open across the run (so it is not counted)."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://")
        self.conn = None
        self.most_backends = 0
        self._watch: asyncio.Task | None = None

    async def open(self) -> None:
        import asyncpg

        self.conn = await asyncpg.connect(self.url)

    async def total(self) -> int:
        await asyncio.sleep(1.2)  # backends report their statistics about once a second
        await self.conn.execute("SELECT pg_stat_clear_snapshot()")
        return await self.conn.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        )

    async def backends(self) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

    def watch(self) -> None:
        async def run() -> None:
            while True:
                self.most_backends = max(self.most_backends, await self.backends())
                await asyncio.sleep(0.1)

        self.most_backends = 0
        self._watch = asyncio.create_task(run())

    async def unwatch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch

    async def close(self) -> None:
        await self.conn.close()


def _print(label: str, n: int, wall: float, lat: list[float]) -> dict[str, float]:
    rate = n / wall
    p50, p99 = (_pct(lat, q) * 1000 for q in (0.5, 0.99))
    print(f"  {label:<34} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    return {"rate": rate, "p50": p50, "p99": p99}


class Cpu:
    """CPU seconds used by processes (and their children) while the gateway is loaded."""

    def __init__(self, pids: dict[str, int]) -> None:
        import psutil

        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.used = dict.fromkeys(pids, 0.0)

    def _now(self) -> dict[str, float]:
        import psutil

        def total(proc) -> float:
            seconds = 0.0
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):  # a backend that ended
                    times = p.cpu_times()
                    seconds += times.user + times.system
            return seconds

        return {name: total(proc) for name, proc in self.procs.items()}

    @contextlib.asynccontextmanager
    async def counting(self):
        before = self._now()
        yield
        after = self._now()
        for name in self.used:
            self.used[name] += after[name] - before[name]


async def _compare(
    args,
    gw_port: int,
    bare_port: int,
    path: str,
    headers: dict[str, str],
    cpu: Cpu,
    bare_cpu: Cpu | None = None,
):
    """`--rounds` alternating runs of the gateway and the bare app (the shared machine's
    load drifts; alternating spreads it over both), pooled per side."""
    per_round = max(args.n // args.rounds, args.concurrency)
    walls = {"gateway": 0.0, "bare": 0.0}
    lats: dict[str, list[float]] = {"gateway": [], "bare": []}
    for _ in range(args.rounds):
        async with cpu.counting():
            wall, lat = await load(gw_port, path, headers, per_round, args.concurrency)
        walls["gateway"] += wall
        lats["gateway"] += lat
        async with bare_cpu.counting() if bare_cpu else contextlib.nullcontext():
            wall, lat = await load(bare_port, path, {}, per_round, args.concurrency)
        walls["bare"] += wall
        lats["bare"] += lat
    return per_round * args.rounds, walls, lats


async def _run(
    args, env: dict[str, str], gateway: str, bare: str, did: str, tok: str, pids: dict[str, int]
) -> None:
    gw_port, bare_port = int(gateway.rsplit(":", 1)[1]), int(bare.rsplit(":", 1)[1])
    path = f"/v1/declarations/{did}"
    auth = {"Authorization": f"Bearer {tok}"}
    sessions = Sessions(env["DATABASE_URL"])
    await sessions.open()
    try:
        print(
            f"gateway: {args.n} GETs each in {args.rounds} alternating rounds, "
            f"{args.concurrency} keep-alive connections, {os.cpu_count()} cores "
            "(shared: compare the ratios, not the rates)"
        )
        start = await sessions.total()
        # Warm-up (not counted): the pool opens the connections it keeps.
        await load(gw_port, path, auth, args.concurrency * 8, args.concurrency)
        before = await sessions.total()
        sessions.watch()
        served = {name: pid for name, pid in pids.items() if name != "bare"}
        cpu = Cpu(served)
        bare_cpu = Cpu({"bare": pids["bare"]})
        n, walls, lats = await _compare(args, gw_port, bare_port, path, auth, cpu, bare_cpu)
        await sessions.unwatch()
        after = await sessions.total()
        gw = _print("gateway GET /v1/declarations/{id}", n, walls["gateway"], lats["gateway"])
        bare_fig = _print("bare FastAPI, same body", n, walls["bare"], lats["bare"])
        ratio = gw["rate"] / bare_fig["rate"]
        per_1000 = (after - before) / n * 1000
        print(f"  {'ratio gateway/bare':<34} {ratio:8.3f}")
        print(
            f"  new Postgres sessions per 1 000 GETs {per_1000:6.1f}"
            f"   (most backends during the run: {sessions.most_backends};"
            f" {before - start} opened by the warm-up's {args.concurrency * 8} GETs)"
        )
        print(
            "  CPU ms per gateway GET            "
            + "   ".join(f"{name} {used / n * 1000:.2f}" for name, used in cpu.used.items())
        )
        # What the ratio would be if CPU were all that bounded both (the shared machine's
        # scheduling delays left out): the bare app's CPU per GET over the gateway's and
        # its database's.
        bare_ms = bare_cpu.used["bare"] / n * 1000
        cpu_ratio = bare_ms / (sum(cpu.used.values()) / n * 1000)
        print(f"  CPU ms per bare GET               bare {bare_ms:.2f}")
        print(f"  {'CPU ratio bare/(gateway+postgres)':<34} {cpu_ratio:8.3f}")
        n, walls, lats = await _compare(args, gw_port, bare_port, "/healthz", {}, Cpu(served))
        hz = _print("gateway /healthz", n, walls["gateway"], lats["gateway"])
        bare_hz = _print("bare /healthz", n, walls["bare"], lats["bare"])
        hz_ratio = hz["rate"] / bare_hz["rate"]
        print(f"  {'ratio gateway/bare /healthz':<34} {hz_ratio:8.3f}")
    finally:
        await sessions.close()
    record("gateway", "GET declaration rps ratio gateway/bare", ratio, "", ">= 0.3")
    record("gateway", "GET declaration p99", gw["p99"], "ms", "<= 15")
    record("gateway", "new Postgres sessions per 1 000 GETs", per_1000, "", "< 5")
    record("gateway", "GET declaration CPU ratio bare/(gateway+postgres)", cpu_ratio, "")
    record("gateway", "/healthz rps ratio gateway/bare", hz_ratio, "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4000, help="GETs per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4, help="alternating runs per side")
    args = parser.parse_args(argv)
    with gateway_stack("zhicheng-bench-gateway-") as stack:
        env, gateway = stack.env, stack.gateway
        pids = {"gateway": stack.procs[-1].pid}
        did, tok = asyncio.run(_prepare(gateway))
        import httpx

        answer = httpx.get(
            f"{gateway}/v1/declarations/{did}", headers={"Authorization": f"Bearer {tok}"}
        )
        answer.raise_for_status()
        body_file = stack.workdir / "body.json"
        body_file.write_bytes(answer.content)
        proc, bare = _serve(
            "scripts.bench_gateway:bare_app", {**env, BODY_ENV: str(body_file)}, 1, factory=True
        )
        stack.procs.append(proc)
        pids["bare"] = proc.pid
        for server in stack.started:
            if isinstance(server, Postgres) and server.proc is not None:
                pids["postgres"] = server.proc.pid
        asyncio.run(_run(args, env, gateway, bare, did, tok, pids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
