"""Load test of the whole stack with locust (prints figures; not a test).

    .venv/bin/python -m scripts.bench_load [--users 16] [--duration 30] [--max-requests 20000]
        [--gateway-workers 1] [--reviews 120]

Uses DATABASE_URL / REDIS_URL / S3_ENDPOINT when set, otherwise starts a private
PostgreSQL, Valkey and SeaweedFS on free 127.0.0.1 ports; runs the eligibility service,
the document service and the gateway under uvicorn; prepares an org tree, an open
campaign, drafts for every simulated applicant and `--reviews` submitted declarations;
then runs locust headless against the gateway on 127.0.0.1 only, bounded by
`--duration` seconds and `--max-requests` requests, whichever comes first.

The mixed workload (scripts/bench_load_locustfile.py), per 5 applicants 1 reviewer:
eligibility checks, declaration reads, edits (read + PATCH with If-Match), ~450 KB scan
uploads; the reviewer records unit reviews and approves, or reads its queue.
Prints throughput, p50/p95/p99 and the error rate, overall and per request kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx

from scripts.bench_documents import gateway_stack
from scripts.benchsummary import ENV, record

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("bench_load_locustfile.py")


async def _prepare(gateway: str, users: int, reviews: int, workdir: Path) -> Path:
    """Everything the simulated users need, written to a JSON seed file."""
    from tests.api.factories import (
        FACTS,
        complete_unit_step,
        make_campaign,
        make_tree,
        new_draft,
        submit,
        token,
    )
    from tests.api.test_review_chain_e2e import UNIT_REVIEW
    from tests.documents.corpus import bench_scan

    scan = workdir / "scan.jpg"
    scan.write_bytes(bench_scan(7))
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
        tree = await make_tree(client, label="负载", supervisor=False, county=False)
        campaign = await make_campaign(client)
        gate = asyncio.Semaphore(8)

        async def applicant() -> dict:
            tok = token("applicant", sub=f"load-{uuid.uuid4().hex[:10]}")
            async with gate:
                drafts = [await new_draft(client, tree, campaign, tok) for _ in range(2)]
            return {"token": tok, "drafts": drafts}

        async def submitted() -> str:
            tok = token("applicant", sub=f"load-review-{uuid.uuid4().hex[:10]}")
            async with gate:
                did = await new_draft(client, tree, campaign, tok)
                r = await submit(client, did, tok)
            if r.status_code != 200:
                raise SystemExit(f"could not submit a declaration to review: {r.text}")
            # The unit's own duties before it may pass the file up (its review record, the
            # materials it produces, 原件核实, 承诺书): the reviewers then record and approve.
            unit = tree.tokens["unit_reviewer"]
            async with gate:
                r = await client.put(
                    f"/v1/declarations/{did}/unit-review",
                    json=UNIT_REVIEW,
                    headers={"Authorization": f"Bearer {unit}"},
                )
                if r.status_code != 200:
                    raise SystemExit(f"could not record the unit's review: {r.text}")
                await complete_unit_step(client, did, unit)
            return did

        applicants = await asyncio.gather(*(applicant() for _ in range(users)))
        queue = await asyncio.gather(*(submitted() for _ in range(reviews)))
    evaluate = {
        "region": "450200",
        "series": "engineering",
        "level": "deputy_senior",
        "as_of": "2022-07-31",
        "applicant": FACTS,
    }
    seed = {
        "applicants": applicants,
        "submitted": queue,
        "reviewer": tree.tokens["unit_reviewer"],
        "unit_review": UNIT_REVIEW,
        "evaluate": evaluate,
        "scan": str(scan),
    }
    path = workdir / "seed.json"
    path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    return path


def _locust(gateway: str, seed: Path, args, workdir: Path) -> list[dict]:
    prefix = workdir / "load"
    cmd = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", gateway, "--users", str(args.users), "--spawn-rate", str(args.users),
        "--run-time", f"{args.duration}s", "--stop-timeout", "10",
        "--json-file", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **{k: v for k, v in os.environ.items() if k != ENV},
        "ZHICHENG_LOAD_SEED": str(seed),
        "ZHICHENG_LOAD_MAX_REQUESTS": str(args.max_requests),
        "PYTHONPATH": str(ROOT),
    }
    # Locust prints its own summary and error report; it exits 1 when a request failed.
    subprocess.run(cmd, cwd=ROOT, env=env, timeout=args.duration + 120, check=False)
    return json.loads(Path(f"{prefix}.json").read_text(encoding="utf-8"))


def _pct(histogram: Counter, q: float) -> float:
    """The q-quantile of locust's response-time histogram (ms, as locust rounds them)."""
    total = sum(histogram.values())
    seen = 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= q * total:
            return float(ms)
    return 0.0


def _figures(entries: list[dict]) -> dict[str, float]:
    histogram: Counter = Counter()
    for e in entries:
        histogram.update({int(k): v for k, v in e["response_times"].items()})
    count = sum(e["num_requests"] for e in entries)
    began = min(e["start_time"] for e in entries)
    ended = max(e["last_request_timestamp"] or began for e in entries)
    return {
        "count": count,
        "failures": sum(e["num_failures"] for e in entries),
        "rate": count / max(ended - began, 1e-9),
        "p50": _pct(histogram, 0.50),
        "p95": _pct(histogram, 0.95),
        "p99": _pct(histogram, 0.99),
    }


def _print(entries: list[dict]) -> dict[str, float]:
    header = ("request", "count", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    table = [header]
    rows = [(f"{e['method']} {e['name']}", [e]) for e in entries] + [("all", entries)]
    total: dict[str, float] = {}
    for name, group in rows:
        f = _figures(group)
        total = f
        table.append(
            (name, f"{f['count']:.0f}", f"{f['failures']:.0f}", f"{f['rate']:.1f}",
             f"{f['p50']:.0f}", f"{f['p95']:.0f}", f"{f['p99']:.0f}")
        )  # fmt: skip
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    print()
    for r in table:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=16, help="simulated users (5:1 applicants)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load at most")
    parser.add_argument("--max-requests", type=int, default=20000, help="requests at most")
    parser.add_argument("--gateway-workers", type=int, default=1)
    parser.add_argument("--reviews", type=int, default=120, help="declarations to review")
    args = parser.parse_args(argv)
    with gateway_stack("zhicheng-bench-load-", gateway_workers=args.gateway_workers) as stack:
        gateway, workdir = stack.gateway, stack.workdir
        seed = asyncio.run(_prepare(gateway, args.users, args.reviews, workdir))
        print(
            f"load: {args.users} locust users against the gateway ({args.gateway_workers} "
            f"worker(s)), at most {args.duration} s or {args.max_requests} requests"
        )
        entries = _locust(gateway, seed, args, workdir)
        if not entries:
            raise SystemExit("locust made no request")
        total = _print(entries)
        errors = total["failures"] / total["count"] * 100
        print(
            f"  throughput {total['rate']:.1f} req/s, error rate {errors:.2f} % of "
            f"{total['count']:.0f} requests (any non-2xx counts as an error)"
        )
        record("load", "mixed workload throughput", total["rate"], "req/s")
        for q in ("p50", "p95", "p99"):
            record("load", f"mixed workload {q}", total[q], "ms")
        record("load", "mixed workload error rate", errors, "%", "0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
