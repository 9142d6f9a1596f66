"""Time the SMS login-code request for known and unknown phones (they must not differ).

    python -m scripts.bench_login [--count 300]

Starts private PostgreSQL and Valkey (unless DATABASE_URL / REDIS_URL are set; a fresh
database is created either way), runs the gateway in-process, creates `count` applicant
accounts, then sends `POST /v1/auth/sms-codes` for `count` known and `count` unknown
phones, interleaved (each phone once). Prints median, p95 and mean per kind and the
difference of the medians; the suite asserts equal answers and equal SQL, never time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from scripts.bench_notify import _create_db, _pct
from scripts.benchsummary import record
from scripts.servers import given_or_started
from services.api.auth.codes import applicant_by_phone
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.migrations import upgrade_all
from tests.support import running


def _phones(count: int) -> list[str]:
    picked = random.sample(range(10**8), 2 * count)
    return [f"137{n:08d}" for n in picked]


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-"))
    servers = []
    try:
        server_url, redis_url = given_or_started(workdir, servers)
        database_url = await _create_db(server_url)
        await asyncio.to_thread(upgrade_all, database_url)
        settings = ApiSettings(
            environment="test",
            log_level="WARNING",
            database_url=database_url,
            redis_url=redis_url,
            sms_ip_per_hour=10**9,
            sms_phone_interval_seconds=0,
            payment_sweep_interval=0,
        )
        app = build_app(settings)
        phones = _phones(args.count)
        known, unknown = phones[: args.count], phones[args.count :]
        async with running(app) as client:
            async with app.state.sessionmaker() as session:
                for phone in known:
                    await applicant_by_phone(session, app.state.pii, phone)
                await session.commit()
            times: dict[str, list[float]] = {"known": [], "unknown": []}
            # Warm up the pool and the code path.
            for phone in _phones(20):
                await client.post("/v1/auth/sms-codes", json={"phone": phone})
            for k, u in zip(known, unknown, strict=True):
                pair = [("known", k), ("unknown", u)]
                random.shuffle(pair)
                for kind, phone in pair:
                    started = time.perf_counter()
                    r = await client.post("/v1/auth/sms-codes", json={"phone": phone})
                    times[kind].append((time.perf_counter() - started) * 1000)
                    assert r.status_code == 202, r.text
        print(f"POST /v1/auth/sms-codes, {args.count} phones of each kind, in-process gateway")
        for kind, values in times.items():
            print(
                f"  {kind:8} median {statistics.median(values):6.2f} ms  "
                f"p95 {_pct(values, 95):6.2f} ms  mean {statistics.mean(values):6.2f} ms"
            )
        diff = statistics.median(times["unknown"]) - statistics.median(times["known"])
        print(f"  median difference (unknown - known): {diff:+.2f} ms")
        record("login", "sms-code median, known phone", statistics.median(times["known"]), "ms")
        record("login", "sms-code median, unknown phone", statistics.median(times["unknown"]), "ms")
        record("login", "median difference", abs(diff), "ms", "≈ 0 (noise)")
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    asyncio.run(main(parser.parse_args()))
