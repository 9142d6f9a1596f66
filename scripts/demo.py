"""A ready world for a first hour with the API, seeded through the public API only:
`scripts/dev.sh demo` (the run command with `--demo`) calls `seed` once the stack answers.

What it makes, dated today so that everything is open:
- 柳州 (450200): the 工程系列 committee's office, the series office, a county office, a
  supervising department and a unit, with an open 副高级 campaign of this year
  (柳州 2022 通知's committee, the Guangxi engineering pack being in force until replaced);
- 长治 (140400): the 中评委's office, the city 人社局, the 潞州区 工信局 and a unit, with an
  open 中级 campaign of this year (长工信〔2022〕139号's committee);
- a development token for a member of staff of every role (ops, each office, the unit's
  reviewer, an expert), printed, valid for a day;
- an applicant signed in by SMS (the code read from the development SMS inbox) with a
  draft in the 柳州 campaign.

Everything goes through the gateway as a user would (orgs and campaigns by ops, the draft
by the applicant with an Idempotency-Key); only the staff tokens are minted, as
`scripts.devtoken` does (development only). The result is written to <data dir>/demo.json
and a second run with the same data prints it again instead of seeding twice.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from services.kit.auth import Principal, issue_token, signing_key
from services.kit.settings import KitSettings

# The ops organisation of a development stack (README: a development ops token).
OPS_ORG = "00000000-0000-0000-0000-000000000001"
DEMO_PHONE = "13900000001"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TOKEN_TTL = 24 * 3600


def credit_code(region: str, serial: int) -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    body = f"91{region}{serial:09d}"[:17]
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_CHARS[(31 - total % 31) % 31]


def mint(role: str, org: str | None, sub: str) -> str:
    """A development token, as scripts.devtoken mints one (refused in production)."""
    settings = KitSettings()
    if settings.environment == "production":
        raise SystemExit("demo: refused in production")
    return issue_token(
        Principal(sub=sub, role=role, org_id=org),
        secret=signing_key(settings),
        algorithm=settings.jwt_algorithm,
        ttl_seconds=TOKEN_TTL,
    )


def _windows(now: datetime, basis: str) -> dict[str, Any]:
    iso = lambda t: t.astimezone(UTC).isoformat()  # noqa: E731
    return {
        "submission": {"opens_at": iso(now - timedelta(days=1)),
                       "closes_at": iso(now + timedelta(days=30)), "basis": basis},
        "unit_review": {"closes_at": iso(now + timedelta(days=40)), "basis": basis},
        "correction": {"closes_at": iso(now + timedelta(days=45)), "basis": basis},
        "payment": {"opens_at": iso(now - timedelta(hours=1)),
                    "closes_at": iso(now + timedelta(days=60)), "basis": basis},
    }  # fmt: skip


class Refused(RuntimeError):
    pass


async def _post(api: httpx.AsyncClient, url: str, token: str, body: dict) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    r = await api.post(url, json=body, headers=headers)
    if r.status_code not in (200, 201):
        raise Refused(f"POST {url}: {r.status_code} {r.text}")
    return r.json()


async def seed(
    api: httpx.AsyncClient,
    read_code: Callable[[str], Awaitable[str]],
    *,
    today: date | None = None,
    phone: str = DEMO_PHONE,
    label: str = "",
) -> dict[str, Any]:
    """Seed the world above through `api` (the gateway); `read_code(phone)` reads the SMS
    login code sent to the phone. Returns what was made, tokens included."""
    now = datetime.now(UTC)
    today = today or now.date()
    year = today.year
    ops = mint("ops", OPS_ORG, "demo-ops")

    async def org(kind: str, name: str, parent: str | None, region: str, **extra: str) -> str:
        body = {"kind": kind, "name": label + name, "region_code": region, "parent_id": parent}
        if kind == "unit":
            body["credit_code"] = credit_code(region, uuid.uuid4().int % 10**9)
        return (await _post(api, "/v1/orgs", ops, {**body, **extra}))["id"]

    lz_committee = await org("committee_office", "柳州市工程系列评委会办公室", None, "450200")
    lz_series = await org("series_office", "柳州市工程系列职改办", lz_committee, "450200")
    lz_county = await org("county_office", "柳州市柳北区职改办", lz_series, "450205")
    lz_supervisor = await org("supervisor", "柳州市工业和信息化局", lz_county, "450205")
    lz_unit = await org("unit", "柳州示例机械有限公司", lz_supervisor, "450205")
    cz_committee = await org("committee_office", "长治市工程系列中评委办公室", None, "140400")
    cz_series = await org("series_office", "长治市人社局", cz_committee, "140400", duty="hrss")
    cz_county = await org(
        "county_office", "长治市潞州区工信局", cz_series, "140402", duty="industry"
    )
    cz_unit = await org("unit", "长治示例机械厂", cz_county, "140402")

    tag = uuid.uuid4().hex[:6]
    liuzhou = await _post(api, "/v1/campaigns", ops, {
        "code": f"demo-liuzhou-{year}-{tag}",
        "name": f"{label}柳州市{year}年度工程系列副高级职称申报（演示）",
        "year": year, "series": "engineering", "region_code": "450200",
        "levels": ["deputy_senior"], "committee_code": "lz-eng-deputy-senior",
        "committee_name": "工程系列柳州市副高级评委会",
        "windows": _windows(now, "演示批次：申报时间自今日起"),
        "evaluate_on": today.isoformat(), "fee_yuan": 380,
    })  # fmt: skip
    changzhi = await _post(api, "/v1/campaigns", ops, {
        "code": f"demo-changzhi-{year}-{tag}",
        "name": f"{label}长治市{year}年度工程系列中级职称评审（演示）",
        "year": year, "series": "engineering", "region_code": "140400",
        "levels": ["intermediate"], "committee_code": "cz-eng-intermediate-initial",
        "committee_name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "windows": _windows(now, "演示批次：申报时间自今日起"),
        "evaluate_on": today.isoformat(),
    })  # fmt: skip

    staff = {
        "ops": (OPS_ORG, "运维"),
        "committee_office": (lz_committee, "柳州评委会办公室"),
        "series_office": (lz_series, "柳州系列职改办"),
        "county_office": (lz_county, "柳北区职改办"),
        "supervisor": (lz_supervisor, "柳州工信局"),
        "unit_reviewer": (lz_unit, "柳州示例机械 单位审核人"),
        "expert": (lz_committee, "柳州评委会 评审专家"),
    }
    tokens = {
        role: {
            "role": role,
            "org_id": org_id,
            "who": who,
            "token": mint(role, org_id, f"demo-{role}"),
        }
        for role, (org_id, who) in staff.items()
    }
    tokens["changzhi_series_office"] = {
        "role": "series_office", "org_id": cz_series, "who": "长治市人社局",
        "token": mint("series_office", cz_series, "demo-changzhi_series_office"),
    }  # fmt: skip
    tokens["changzhi_unit_reviewer"] = {
        "role": "unit_reviewer", "org_id": cz_unit, "who": "长治示例机械厂 单位审核人",
        "token": mint("unit_reviewer", cz_unit, "demo-changzhi_unit_reviewer"),
    }  # fmt: skip

    # The applicant signs in as anyone would: a code by SMS, read from the dev inbox.
    r = await api.post("/v1/auth/sms-codes", json={"phone": phone})
    if r.status_code != 202:
        raise Refused(f"POST /v1/auth/sms-codes: {r.status_code} {r.text}")
    code = await read_code(phone)
    r = await api.post("/v1/auth/sms-logins", json={"phone": phone, "code": code})
    if r.status_code != 200:
        raise Refused(f"POST /v1/auth/sms-logins: {r.status_code} {r.text}")
    applicant = r.json()["access_token"]
    draft = await _post(api, "/v1/declarations", applicant, {
        "campaign_id": liuzhou["id"], "unit_org_id": lz_unit, "level": "deputy_senior",
    })  # fmt: skip
    return {
        "seeded_on": today.isoformat(),
        "orgs": {
            "liuzhou": {"committee_office": lz_committee, "series_office": lz_series,
                        "county_office": lz_county, "supervisor": lz_supervisor,
                        "unit": lz_unit},
            "changzhi": {"committee_office": cz_committee, "series_office": cz_series,
                         "county_office": cz_county, "unit": cz_unit},
        },
        "campaigns": {"liuzhou": liuzhou["id"], "changzhi": changzhi["id"]},
        "staff": tokens,
        "applicant": {"phone": phone, "token": applicant, "draft_id": draft["id"]},
    }  # fmt: skip


def inbox_reader(notify_url: str) -> Callable[[str], Awaitable[str]]:
    """Read the newest login code of a phone from the development SMS inbox."""

    async def read(phone: str) -> str:
        async with httpx.AsyncClient(base_url=notify_url, timeout=10) as notify:
            for _ in range(100):  # the worker sends within moments of the request
                r = await notify.get("/dev/sms-inbox", params={"phone": phone})
                r.raise_for_status()
                if codes := [m["code"] for m in r.json() if m["code"]]:
                    return codes[0]
                await asyncio.sleep(0.2)
        raise Refused(f"no login code for {phone} in the development SMS inbox")

    return read


def describe(world: dict[str, Any], api_url: str) -> list[str]:
    """The lines `run --demo` prints: who is who, with a token each."""
    lines = [
        f"demo world of {world['seeded_on']}: campaigns 柳州 {world['campaigns']['liuzhou']}, "
        f"长治 {world['campaigns']['changzhi']}",
        f"applicant {world['applicant']['phone']} with draft {world['applicant']['draft_id']} "
        "(token valid 15 minutes; sign in again as the README shows):",
        f"  APPLICANT={world['applicant']['token']}",
    ]
    for role, who in world["staff"].items():
        lines.append(f"{role} ({who['who']}, org {who['org_id']}):")
        lines.append(f"  {role.upper()}={who['token']}")
    lines.append(f"try: curl -s {api_url}/v1/declarations/{world['applicant']['draft_id']} "
                 "-H \"Authorization: Bearer $APPLICANT\"")  # fmt: skip
    return lines


async def seed_once(data_dir: Path, api_url: str, notify_url: str) -> dict[str, Any]:
    """Seed unless this data dir was seeded already; the world either way."""
    saved = data_dir / "demo.json"
    if saved.exists():  # seeded before: the same world, its staff tokens minted afresh
        world = json.loads(saved.read_text(encoding="utf-8"))
        for name, who in world["staff"].items():
            who["token"] = mint(who["role"], who["org_id"], f"demo-{name}")
        return world
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        world = await seed(api, inbox_reader(notify_url))
    saved.write_text(json.dumps(world, ensure_ascii=False, indent=1), encoding="utf-8")
    return world
