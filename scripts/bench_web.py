"""Time the web front end's pages on the local stack: p50/p95 per page.

    python -m scripts.bench_web [--requests 100]

Starts PostgreSQL, Valkey and SeaweedFS (unless DATABASE_URL / REDIS_URL / S3_ENDPOINT are
set; a fresh database either way), then the eligibility, document, gateway and web
processes under uvicorn on free ports. Through the public API it sets up an org chain, a
campaign, a unit reviewer and an applicant whose declaration is submitted with real scans;
then, through an in-process gateway over the same stores (the tests' factories need the
app behind their client), what tests/web/test_results.py and test_committee.py walk: three
柳州 declarations paid, 11 experts approved, a session voted and closed, a 复核 re-voted,
the results posting, and on a gateway whose clock runs past the posting (`clock_offset`, a
test-only setting) confirmation and 批复 with certificates; and a 长治 scored session of two
declarations, drawn and opened. Each person signs in to the web front end as people do
(the public does not). Each page is then fetched `--requests` times in turn (after a
warm-up) over loopback, as the role that uses it: the time from request to the last byte
of the rendered page, which includes the page's calls to the gateway. Target: under 300 ms.
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
from datetime import date, datetime, timedelta, timezone
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
    Tree,
    auth,
    campaign_body,
    credit_code,
    make_campaign,
    make_org,
    new_draft,
    post,
    submit,
    token,
    verified_applicant,
)
from tests.api.test_committee_e2e import PASSWORD as EXPERT_PASSWORD
from tests.api.test_committee_e2e import (
    closed_ballot_session,
    decide,
    make_expert,
    walk_to_paid,
)
from tests.api.test_committee_scored_e2e import chain_to_paid as cz_chain_to_paid
from tests.api.test_journey_e2e import CHANGZHI, open_copy_of
from tests.api.test_payments import KEY as PAYMENT_KEY
from tests.support import running

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300
STAFF_PASSWORD = "Bench-Staff-2026"  # noqa: S105 (throwaway accounts of the bench)


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


async def _sign_in(web: str, database_url: str, phone: str) -> httpx.AsyncClient:
    """An applicant signed in to the web front end with the SMS code from the outbox."""
    client = httpx.AsyncClient(base_url=web, timeout=60)
    csrf = _csrf((await client.get("/login")).text)
    await client.post("/login/code", data={"csrf": csrf, "phone": phone})
    code = await _code(database_url, phone)
    r = await client.post("/login", data={"csrf": csrf, "phone": phone, "code": code})
    assert r.status_code == 303, r.text
    return client


async def _staff(web: str, username: str, password: str) -> httpx.AsyncClient:
    """A staff member (or an expert) signed in to the web front end."""
    client = httpx.AsyncClient(base_url=web, timeout=60)
    csrf = _csrf((await client.get("/staff/login")).text)
    body = {"csrf": csrf, "username": username, "password": password}
    r = await client.post("/staff/login", data=body)
    assert r.status_code == 303, r.text
    return client


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
        body = {"username": "bench-unit", "password": STAFF_PASSWORD, "role": "unit_reviewer"}
        await _post(gw, "/v1/staff-accounts", {**body, "org_id": unit})
        # The applicant signs in to the web front end (SMS code from the outbox).
        phone = "13912345678"
        applicant = await _sign_in(web, database_url, phone)
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
        staff = await _staff(web, "bench-unit", STAFF_PASSWORD)
        return {"applicant": applicant, "staff": staff, "did": did, "campaign": campaign["id"]}


# ---- after the unit: the committee, the results, the certificate ---------------------------

CHINA = timezone(timedelta(hours=8))
PANEL = 11  # a prefecture committee's minimum
CHAIN = ["unit_reviewer", "supervisor", "series_office", "committee_office"]
RECHECK = "申报人对评审结果提出复核申请，经审核同意复核"
CONFIRMATION = "桂职办〔2026〕21号"
APPROVAL = "柳工职称〔2026〕31号"


def _window() -> tuple[date, date, int]:
    """The results posting's first and last day (next Monday to the Monday after: five
    working days even with a holiday in the week), and the days to the day after it."""
    today = datetime.now(CHINA).date()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    ends = monday + timedelta(days=7)
    return monday, ends, (ends - today).days + 1


def _settings(env: dict[str, str], **overrides):
    """The gateway's settings as its process has them (`overrides`: e.g. clock_offset)."""
    from services.api.config import ApiSettings

    given = {k.lower(): v for k, v in env.items() if k.lower() in ApiSettings.model_fields}
    return ApiSettings(**{**given, **overrides})


async def _in_process(env: dict[str, str], fn, **overrides):
    """`await fn(client)` against an in-process gateway over the same database, queue and
    store as the gateway process (the API factories of the tests need the app behind
    their client); `overrides` as in `_settings`."""
    from services.api.main import build_app

    async with running(build_app(_settings(env, **overrides))) as client:
        return await fn(client)


async def _pool(gw, committee: str, office: str, label: str, tag: str) -> dict[str, str]:
    """PANEL experts the office opens accounts for, who apply and are approved: id → token.
    Their accounts: `bench-expert-{tag}-00` and on."""
    experts = {}
    for n in range(PANEL):
        tok, expert_id = await make_expert(
            gw,
            committee,
            office,
            name=f"{label}专家{n:02d}",
            employer_name=f"{label}外单位{n}",
            region_code="140400" if tag == "cz" else "450200",
            username=f"bench-expert-{tag}-{n:02d}",
        )
        await decide(gw, office, expert_id, "approve")
        experts[expert_id] = tok
    return experts


async def _office(gw, committee: str, username: str) -> str:
    """The committee office's own account (ops opens it), signed in: its token."""
    body = {"username": username, "password": STAFF_PASSWORD, "role": "committee_office"}
    r = await post(gw, "/v1/staff-accounts", OPS, {**body, "org_id": committee})
    assert r.status_code == 201, r.text
    body = {"username": username, "password": STAFF_PASSWORD}
    r = await gw.post("/v1/auth/staff-logins", json=body)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def _voted(gw) -> dict:
    """As tests/web/test_results.py: three 柳州 declarations walked up their chain and paid,
    a panel of 11 approved experts, a session drawn, opened, voted (11, 5 and 4 agree) and
    closed; a 复核 of the second, re-voted (9 agree) and closed; the results posting."""
    label = "基准结果"
    committee = await make_org(gw, "committee_office", f"{label}评委会所在职改办", None)
    series = await make_org(gw, "series_office", f"{label}系列职改办", committee)
    sup = await make_org(gw, "supervisor", f"{label}主管部门", series)
    office = await _office(gw, committee, "bench-office")
    campaign = await make_campaign(gw)
    dids, phones = [], []
    for i in range(3):
        unit = await make_org(gw, "unit", f"{label}申报单位{i}", sup, region="450206")
        tree = Tree(committee, series, None, sup, unit)
        tree.tokens = {
            "unit_reviewer": token("unit_reviewer", unit, sub=f"bench-unit-{i}"),
            "supervisor": token("supervisor", sup, sub="bench-sup"),
            "series_office": token("series_office", series, sub="bench-series"),
            "committee_office": office,
        }
        applicant, phone = await verified_applicant(gw)
        did = await new_draft(gw, tree, campaign, applicant)
        await walk_to_paid(gw, tree, did, applicant, CHAIN)
        dids.append(did)
        phones.append(phone)
    experts = await _pool(gw, committee, office, "柳州", "lz")
    plans = dict(zip(dids, (11, 5, 4), strict=True))
    sid, _ = await closed_ballot_session(gw, office, campaign, experts, plans)
    s = f"/v1/committee-sessions/{sid}"
    # 复核 of the second (5 of 11 agreed): the panel re-votes in secret, 9 agree.
    url = f"/v1/declarations/{dids[1]}"
    etag = (await gw.get(url, headers=auth(OPS))).headers["ETag"]
    r = await post(gw, url + "/rechecks", office, {"reason": RECHECK}, **{"If-Match": etag})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for k, tok in enumerate(experts.values()):
        choice = "agree" if k < 9 else "abstain"
        r = await post(gw, f"/v1/rechecks/{rid}/ballots", tok, {"choice": choice})
        assert r.status_code == 201, r.text
    etag = (await gw.get(f"/v1/rechecks/{rid}", headers=auth(office))).headers["ETag"]
    r = await post(gw, f"/v1/rechecks/{rid}/closing", office, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    monday, ends, _ = _window()
    window = {"starts_on": monday.isoformat(), "ends_on": ends.isoformat()}
    r = await post(gw, s + "/results-posting", office, window)
    assert r.status_code == 201, r.text
    return {
        "sid": sid,
        "dids": dids,
        "phones": phones,
        "rid": rid,
        "pid": r.json()["id"],
        "eid": next(iter(experts)),
    }


async def _approved(gw, pid: str) -> None:
    """Days later (the posting over): 结果确认 with its 文号, then 批复, which issues the
    certificates of those who passed."""
    body = {"username": "bench-office", "password": STAFF_PASSWORD}
    office = (await gw.post("/v1/auth/staff-logins", json=body)).json()["access_token"]
    view = f"/v1/results-postings/{pid}"
    etag = (await gw.get(view, headers=auth(office))).headers["ETag"]
    body = {"document_number": CONFIRMATION}
    r = await post(gw, view + "/confirmation", office, body, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    _, ends, _ = _window()
    body = {"document_number": APPROVAL, "approved_on": (ends + timedelta(days=1)).isoformat()}
    r = await post(gw, view + "/approval", office, body, **{"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text


async def _scored(gw) -> dict:
    """As tests/web/test_committee.py: a 长治 工程师 session (答辩评价与量化赋分) of two
    declarations walked to paid, 11 approved experts, drawn and opened."""
    label = "基准长治"
    committee = await make_org(gw, "committee_office", f"{label}中评委", None, "140400")
    series = await make_org(
        gw, "series_office", f"{label}市人社局", committee, "140400", duty="hrss"
    )
    county = await make_org(
        gw, "county_office", f"{label}潞州区工信局", series, "140402", duty="industry"
    )
    unit = await make_org(gw, "unit", f"{label}某机械厂", county, region="140402")
    office = await _office(gw, committee, "bench-cz-office")
    tree = Tree(committee, series, county, None, unit)
    tree.tokens = {
        "unit_reviewer": token("unit_reviewer", unit, sub="bench-cz-unit"),
        "county_office": token("county_office", county, sub="bench-cz-county"),
        "series_office": token("series_office", series, sub="bench-cz-series"),
        "committee_office": office,
    }
    campaign = await open_copy_of(gw, CHANGZHI, "intermediate")
    dids = [await cz_chain_to_paid(gw, tree, campaign) for _ in range(2)]
    await _pool(gw, committee, office, "长治", "cz")
    body = {"campaign_id": campaign["id"], "level": "intermediate", "panel_size": PANEL}
    r = await post(gw, "/v1/committee-sessions", office, body)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    s = f"/v1/committee-sessions/{sid}"
    r = await post(gw, s + "/draw", office, **{"If-Match": r.headers["ETag"]})
    r = await post(gw, s + "/opening", office, **{"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    return {"sid": sid, "dids": dids}


async def _later_world(env: dict[str, str], web: str, database_url: str) -> dict:
    """The committee's, the pool's and the results' people and what they look at."""
    voted = await _in_process(env, _voted)
    *_, days = _window()
    await _in_process(env, lambda gw: _approved(gw, voted["pid"]), clock_offset=timedelta(days))
    scored = await _in_process(env, _scored)
    # The applicant whose 复核 passed reads the result and the certificate's link.
    passed = await _sign_in(web, database_url, voted["phones"][1])
    page = await passed.get(f"/declarations/{voted['dids'][1]}/progress")
    assert APPROVAL in page.text and "certificate.pdf" in page.text, page.text[:2000]
    office = await _staff(web, "bench-office", STAFF_PASSWORD)
    page = await office.get(f"/office/results-postings/{voted['pid']}")
    assert CONFIRMATION in page.text and APPROVAL in page.text, page.text[:2000]
    return {
        "voted": voted,
        "scored": scored,
        "passed": passed,
        "office": office,
        "cz_office": await _staff(web, "bench-cz-office", STAFF_PASSWORD),
        "expert": await _staff(web, "bench-expert-lz-00", EXPERT_PASSWORD),
        "public": httpx.AsyncClient(base_url=web, timeout=60),
    }


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
            "PAYMENT_CALLBACK_KEY": PAYMENT_KEY, "PAYMENT_SWEEP_INTERVAL": "0",
            "REMINDER_SWEEP_INTERVAL": "0", "RADAR_SWEEP_INTERVAL": "0",
            "AUDIT_CHECKPOINT_INTERVAL": "0",
        }  # fmt: skip
        migrate = [sys.executable, "-m", "scripts.migrate"]
        await asyncio.to_thread(subprocess.run, migrate, env=env, check=True, cwd=ROOT)
        env["RULES_URL"] = _start("services.rules.main:app", env, procs)
        env["DOCUMENTS_URL"] = _start("services.documents.main:app", env, procs)
        env["GATEWAY_URL"] = gateway = _start("services.api.main:app", env, procs)
        web = _start("services.web.main:app", env, procs)
        started = time.perf_counter()
        world = await _world(gateway, web, database_url)
        world.update(await _later_world(env, web, database_url))
        print(f"setup through the public API: {time.perf_counter() - started:.0f} s")
        did = world["did"]
        voted, scored = world["voted"], world["scored"]
        sid, zid = voted["sid"], scored["sid"]
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
            ("passed", f"/declarations/{voted['dids'][1]}/progress", "申报进度（评审结果与证书）"),
            ("office", f"/review/{voted['dids'][1]}", "审核申报（评委会办公室）"),
            ("office", "/committee", "评审会列表"),
            ("office", f"/committee/{sid}", "评审会（表决制，已闭会）"),
            ("office", f"/committee/{sid}/draw", "抽取专家验证"),
            ("cz_office", f"/committee/{zid}", "评审会（答辩评价与量化赋分）"),
            ("cz_office", f"/committee/{zid}/points-schedule", "量化赋分分值"),
            ("cz_office", f"/committee/{zid}/grades", "答辩成绩等次"),
            ("cz_office", f"/committee/{zid}/declarations/{scored['dids'][0]}", "申报书评分页"),
            ("office", "/experts", "专家库"),
            ("office", f"/experts/{voted['eid']}", "专家库条目"),
            ("expert", "/experts/me", "专家本人入库信息"),
            ("office", "/office/results", "评审结果（办公室）"),
            ("office", f"/office/sessions/{sid}/results", "评审会的评审结果与公示"),
            ("office", f"/office/rechecks/{voted['rid']}", "复核"),
            ("office", f"/office/results-postings/{voted['pid']}", "公示（已确认、已批复）"),
            ("public", "/public/results-postings", "公示列表（公众）"),
            ("public", f"/public/results-postings/{voted['pid']}", "公示名单（公众）"),
            ("public", "/public/certificates/verification", "证书核验（表单）"),
        ]
        print(f"web pages, {args.requests} sequential GETs each over loopback (after 5 warm-up)")
        print("  server time (Server-Timing), and as the client saw it; ms; target < 300 server")
        print(f"  {'page':<50} {'who':<10} {'p50':>7} {'p95':>7} {'client p95':>11}")
        slowest = (0.0, "")
        for who, path, label in pages:
            server, seen = await _measure(world[who], path, args.requests)
            p50, p95 = statistics.median(server), _pct(server, 95)
            c95 = _pct(seen, 95)
            shown = re.sub(r"[0-9a-f-]{36}", "{id}", path)
            mark = "ok" if p95 < TARGET_MS else "OVER"
            print(f"  {shown:<50} {who:<10} {p50:7.1f} {p95:7.1f} {c95:11.1f}  {mark}  {label}")
            record("web", f"{label} p95 (server)", p95, "ms", f"< {TARGET_MS}")
            slowest = max(slowest, (p95, f"{shown} ({label})"))
        print(f"  slowest by server p95: {slowest[1]}, {slowest[0]:.1f} ms")
        for who in {who for who, _, _ in pages}:
            await world[who].aclose()
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
