"""Time the web front end's pages on the local stack: p50/p95 per page.

    python -m scripts.bench_web [--requests 100]

Starts PostgreSQL, Valkey and SeaweedFS (unless DATABASE_URL / REDIS_URL / S3_ENDPOINT are
set; a fresh database either way), then the eligibility, document, gateway and web
processes under uvicorn on free ports. Through the public API it sets up an org chain, a
campaign, a unit reviewer and an applicant whose declaration is submitted with real scans;
both sign in to the web front end as people do. Each page is then fetched `--requests`
times in turn (after a warm-up) over loopback: the time from request to the last byte of
the rendered page, which includes the page's calls to the gateway. Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlmodel import select

from scripts.bench_notify import _create_db, _pct
from scripts.benchsummary import record
from scripts.servers import SeaweedS3, free_port, given_or_started, port_open
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from services.kit.settings import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
from tests.api.factories import (
    FACTS,
    LOGIN_CODE,
    OPS,
    SECTIONS,
    auth,
    campaign_body,
    credit_code,
    new_draft,
    submit,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300


def _start(target: str, env: dict[str, str], procs: list[subprocess.Popen]) -> str:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--no-access-log", "--log-level", "warning"]
    procs.append(subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL))
    deadline = time.monotonic() + 60
    while not port_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{target} did not start")
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}"


async def _code(database_url: str, phone: str) -> str:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(Notification.params).where(
                Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
            )
            return (await session.exec(query)).all()[-1]["code"]
    finally:
        await engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def _post(gw: httpx.AsyncClient, path: str, body: dict) -> dict:
    r = await gw.post(path, json=body, headers=auth(OPS, **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 201, r.text
    return r.json()


async def _world(gateway: str, web: str, database_url: str) -> dict:
    """The people and the declaration the pages show, made through the public API."""
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as gw:
        org = lambda kind, name, parent, **x: _post(  # noqa: E731
            gw, "/v1/orgs",
            {"kind": kind, "name": name, "region_code": "450200", "parent_id": parent, **x},
        )  # fmt: skip
        committee = (await org("committee_office", "基准评委会所在职改办", None))["id"]
        series = (await org("series_office", "基准系列职改办", committee))["id"]
        unit = (await org("unit", "基准机械厂", series, credit_code=credit_code(4242)))["id"]
        campaign = await _post(gw, "/v1/campaigns", campaign_body())
        password = "Bench-Unit-Reviewer-2026"  # noqa: S105 (a throwaway account of the bench)
        body = {"username": "bench-unit", "password": password, "role": "unit_reviewer"}
        await _post(gw, "/v1/staff-accounts", {**body, "org_id": unit})
        # The applicant signs in to the web front end (SMS code from the outbox).
        phone = "13912345678"
        applicant = httpx.AsyncClient(base_url=web, timeout=60)
        csrf = _csrf((await applicant.get("/login")).text)
        await applicant.post("/login/code", data={"csrf": csrf, "phone": phone})
        code = await _code(database_url, phone)
        r = await applicant.post("/login", data={"csrf": csrf, "phone": phone, "code": code})
        assert r.status_code == 303, r.text
        # The same person, through the API, files a submitted declaration with real scans.
        r = await gw.post("/v1/auth/sms-codes", json={"phone": phone})
        r = await gw.post(
            "/v1/auth/sms-logins", json={"phone": phone, "code": await _code(database_url, phone)}
        )
        token = r.json()["access_token"]
        tree = type("Tree", (), {"unit": unit})
        did = await new_draft(gw, tree, campaign, token, sections=SECTIONS, applicant_facts=FACTS)
        r = await submit(gw, did, token)
        assert r.status_code == 200, r.text
        staff = httpx.AsyncClient(base_url=web, timeout=60)
        csrf = _csrf((await staff.get("/staff/login")).text)
        body = {"csrf": csrf, "username": "bench-unit", "password": password}
        r = await staff.post("/staff/login", data=body)
        assert r.status_code == 303, r.text
        return {"applicant": applicant, "staff": staff, "did": did, "campaign": campaign["id"]}


async def _measure(client: httpx.AsyncClient, path: str, count: int) -> tuple[list, list]:
    """(server times, times seen by the client) in ms: the server's own figure is the
    page's Server-Timing header (its calls to the gateway included)."""
    for _ in range(5):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
    server, seen = [], []
    for _ in range(count):
        started = time.perf_counter()
        r = await client.get(path)
        await r.aread()
        seen.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, path
        server.append(float(r.headers["server-timing"].split("dur=")[1]))
    return server, seen


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-bench-web-"))
    servers: list = []
    procs: list[subprocess.Popen] = []
    try:
        server_url, redis_url = given_or_started(workdir, servers)
        s3 = os.environ.get("S3_ENDPOINT")
        access = os.environ.get("S3_ACCESS_KEY", DEV_S3_ACCESS_KEY)
        secret = os.environ.get("S3_SECRET_KEY", DEV_S3_SECRET_KEY)
        if not s3:
            weed = SeaweedS3(workdir / "seaweedfs", free_port(), access, secret).start()
            servers.append(weed)
            s3 = weed.url
        database_url = await _create_db(server_url)
        env = {
            **os.environ, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url, "REDIS_URL": redis_url, "S3_ENDPOINT": s3,
            "S3_ACCESS_KEY": access, "S3_SECRET_KEY": secret,
            "S3_BUCKET": f"zhicheng-bench-{uuid.uuid4().hex[:8]}",
            "SMS_PHONE_INTERVAL_SECONDS": "0", "SMS_IP_PER_HOUR": "1000000",
            "RETURN_SWEEP_INTERVAL": "0", "SWEEP_INTERVAL_SECONDS": "0",
        }  # fmt: skip
        migrate = [sys.executable, "-m", "scripts.migrate"]
        await asyncio.to_thread(subprocess.run, migrate, env=env, check=True, cwd=ROOT)
        env["RULES_URL"] = _start("services.rules.main:app", env, procs)
        env["DOCUMENTS_URL"] = _start("services.documents.main:app", env, procs)
        env["GATEWAY_URL"] = gateway = _start("services.api.main:app", env, procs)
        web = _start("services.web.main:app", env, procs)
        world = await _world(gateway, web, database_url)
        did = world["did"]
        pages = [
            ("applicant", "/", "我的申报"),
            ("applicant", "/self-check", "资格自测（表单）"),
            ("applicant", f"/declarations/{did}", "申报概览"),
            ("applicant", f"/declarations/{did}/sections/papers", "申报分节表单"),
            ("applicant", f"/declarations/{did}/documents", "上传材料"),
            ("applicant", f"/declarations/{did}/progress", "申报进度"),
            ("applicant", "/messages", "消息"),
            ("staff", "/review", "审核队列"),
            ("staff", f"/review/{did}", "审核申报（含材料）"),
        ]
        print(f"web pages, {args.requests} sequential GETs each over loopback (after 5 warm-up)")
        print("  server time (Server-Timing), and as the client saw it; ms")
        print(f"  {'page':<44} {'p50':>7} {'p95':>7} {'client p50':>11} {'p95':>7}")
        for who, path, label in pages:
            server, seen = await _measure(world[who], path, args.requests)
            p50, p95 = statistics.median(server), _pct(server, 95)
            c50, c95 = statistics.median(seen), _pct(seen, 95)
            shown = re.sub(r"[0-9a-f-]{36}", "{id}", path)
            print(f"  {shown:<44} {p50:7.1f} {p95:7.1f} {c50:11.1f} {c95:7.1f}  {label}")
            record("web", f"{label} p95 (server)", p95, "ms", f"< {TARGET_MS}")
        await world["applicant"].aclose()
        await world["staff"].aclose()
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(20)
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
