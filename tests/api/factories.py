"""Factories for the gateway tests: an org tree with staff of every role, a campaign,
a draft, a submitted declaration, tokens and request helpers.

Built through the public API (as callers build them), so each test's data goes through
the same checks as production data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx

from services.kit.auth import Principal, issue_token
from services.kit.settings import DEV_JWT_SECRET

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(seed: int) -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    body = f"91450200{seed:09d}"[:17]
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_CHARS[(31 - total % 31) % 31]


def token(role: str, org: str | uuid.UUID | None = None, sub: str | None = None) -> str:
    principal = Principal(
        sub=sub or f"{role}-{uuid.uuid4().hex[:6]}", role=role, org_id=str(org) if org else None
    )
    return issue_token(principal, secret=DEV_JWT_SECRET, ttl_seconds=3600)


def auth(tok: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}", **extra}


async def post(
    client: httpx.AsyncClient,
    url: str,
    tok: str,
    body: Any = None,
    *,
    key: str | None = None,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        url,
        json=body if body is not None else {},
        headers=auth(tok, **{"Idempotency-Key": key or uuid.uuid4().hex}, **headers),
    )


OPS = token("ops", uuid.uuid4(), sub="ops-1")


@dataclass
class Tree:
    committee: str
    series: str
    county: str | None
    supervisor: str | None
    unit: str
    tokens: dict[str, str] = field(default_factory=dict)


async def make_org(
    client,
    kind: str,
    name: str,
    parent: str | None,
    region: str = "450200",
    seed: int | None = None,
) -> str:
    body = {"kind": kind, "name": name, "region_code": region, "parent_id": parent}
    if kind == "unit":
        body["credit_code"] = credit_code(seed if seed is not None else uuid.uuid4().int % 10**9)
    r = await post(client, "/v1/orgs", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def make_tree(
    client,
    *,
    label: str,
    supervisor: bool = True,
    county: bool = True,
    committee: str | None = None,
    series: str | None = None,
) -> Tree:
    committee = committee or await make_org(
        client, "committee_office", f"{label}评委会所在职改办", None
    )
    series = series or await make_org(client, "series_office", f"{label}系列职改办", committee)
    parent = series
    county_id = sup_id = None
    if county:
        county_id = parent = await make_org(
            client, "county_office", f"{label}县区职改办", parent, region="450206"
        )
    if supervisor:
        sup_id = parent = await make_org(client, "supervisor", f"{label}主管部门", parent)
    unit = await make_org(client, "unit", f"{label}用人单位", parent, region="450206")
    tree = Tree(committee, series, county_id, sup_id, unit)
    tree.tokens = {
        "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit"),
        "committee_office": token("committee_office", committee, sub=f"{label}-committee"),
        "series_office": token("series_office", series, sub=f"{label}-series"),
    }
    if county_id:
        tree.tokens["county_office"] = token("county_office", county_id, sub=f"{label}-county")
    if sup_id:
        tree.tokens["supervisor"] = token("supervisor", sup_id, sub=f"{label}-supervisor")
    return tree


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def campaign_body(
    *,
    level: str = "deputy_senior",
    payment: bool = True,
    windows_override: dict | None = None,
    fee_yuan: int = 380,
) -> dict:
    """A 柳州 2022 副高-shaped campaign whose windows are open now (the seeded one is closed)."""
    now = datetime.now(UTC)
    basis = "测试批次（仿柳州市2022年度工程系列申报时间要求）"
    windows = {
        "submission": {
            "opens_at": iso(now - timedelta(days=1)),
            "closes_at": iso(now + timedelta(days=2)),
            "basis": basis,
        },
        "unit_review": {"closes_at": iso(now + timedelta(days=2)), "basis": basis},
        "correction": {"closes_at": iso(now + timedelta(days=5)), "basis": basis},
    }
    if payment:
        windows["payment"] = {
            "opens_at": iso(now - timedelta(hours=1)),
            "closes_at": iso(now + timedelta(days=20)),
            "basis": basis,
        }
    windows.update(windows_override or {})
    body = {
        "code": f"test-liuzhou-2022-{uuid.uuid4().hex[:8]}",
        "name": "柳州市2022年度工程系列职称申报（测试）",
        "year": 2022,
        "series": "engineering",
        "region_code": "450200",
        "levels": [level],
        "committee_code": "lz-eng-deputy-senior",
        "committee_name": "工程系列柳州市副高级评委会",
        "windows": windows,
        "evaluate_on": "2022-07-31",
        "fee_yuan": fee_yuan,  # the test campaign's own fee (the policy pack sets none here)
    }
    return body


async def make_campaign(client, **kwargs) -> dict:
    """Create `campaign_body(**kwargs)` as ops."""
    r = await post(client, "/v1/campaigns", OPS, campaign_body(**kwargs))
    assert r.status_code == 201, r.text
    return r.json()


FACTS = {
    "employer_type": "state_owned",
    "education": [{"level": "master", "related_major": True, "graduated_on": "2009-06-30"}],
    "titles": [
        {"series": "engineering", "level": "assistant", "obtained_on": "2011-12-01"},
        {"series": "engineering", "level": "intermediate", "obtained_on": "2017-05-01"},
    ],
    "professional_work_since": "2009-07-01",
}

SECTIONS = {
    "basic_info": {"name": "韦工", "phone": "13800000001", "employer_type": "state_owned"},
    "education": [
        {"level": "master", "school": "广西大学", "major": "机械工程", "graduated_on": "2009-06-30"}
    ],
    "current_title": {
        "series": "engineering",
        "level": "intermediate",
        "title_name": "工程师",
        "obtained_on": "2017-05-01",
    },
    "continuing_education": {"public_course_year": 2022, "public_course_passed": True},
    "papers": [
        {"title": "汽车底盘轻量化设计", "journal": "机械工程学报", "published_on": "2020-03-01"}
    ],
    "main_experience": [
        {
            "start_on": "2009-07-01",
            "employer": "柳州某机械厂",
            "work": "机械设计",
            "position": "技术员",
        }
    ],
    "achievements": [{"name": "某型底盘研制", "content": "主持底盘结构设计", "role": "项目负责人"}],
    "professional_experience": [
        {"name": "底盘项目", "content": "结构设计与试验", "start_on": "2018-01-01"}
    ],
    "annual_assessments": [
        {"year": 2021, "grade": "excellent"},
        {"year": 2020, "grade": "qualified"},
    ],
}


def attachments_for(material_ids: list[str]) -> list[dict]:
    kinds = ["academic_output", *material_ids]
    return [{"document_id": str(uuid.uuid4()), "kind": k} for k in dict.fromkeys(kinds)]


async def new_draft(client, tree: Tree, campaign: dict, applicant: str, **extra) -> str:
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
        **extra,
    }
    r = await post(client, "/v1/declarations", applicant, body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def submit(client, did: str, applicant: str) -> httpx.Response:
    """Submit, first attaching whatever materials the eligibility service asks for."""
    url = f"/v1/declarations/{did}"
    r = await post(client, url + "/submissions", applicant)
    if r.status_code == 422 and r.json()["type"].endswith("declaration-incomplete"):
        kinds = [e["material_id"] for e in r.json()["errors"] if e.get("material_id")]
        current = await client.get(url, headers=auth(applicant))
        body = {"attachments": attachments_for(kinds)}
        headers = auth(applicant, **{"If-Match": current.headers["etag"]})
        assert (await client.patch(url, json=body, headers=headers)).status_code == 200
        r = await post(client, url + "/submissions", applicant)
    return r


async def upload_scan(
    client: httpx.AsyncClient, did: str, tok: str, *, kind: str, seed: int = 1
) -> httpx.Response:
    """A real scan (tests/documents/corpus.py) uploaded through the gateway."""
    from tests.documents import corpus

    return await client.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": kind},
        files={"file": (f"{kind}.jpg", corpus.clean_scan(seed), "image/jpeg")},
        headers=auth(tok),
    )


async def complete_unit_step(client: httpx.AsyncClient, did: str, unit: str) -> None:
    """What the unit does besides its review record before it passes the file up: its
    own materials (答辩记录 and 审议推荐表 scanned for 高级, 公示情况 and 单位推荐意见
    generated), 原件核实 of every applicant document, and its 承诺书."""
    url = f"/v1/declarations/{did}"
    level = (await client.get(url, headers=auth(unit))).json()["level"]
    if level in ("deputy_senior", "senior"):
        for seed, kind in enumerate(("defence_record", "panel_recommendation"), start=41):
            r = await upload_scan(client, did, unit, kind=kind, seed=seed)
            assert r.status_code == 201, r.text
    for material in ("public_posting", "unit_recommendation"):
        r = await post(client, f"{url}/unit-materials/{material}", unit)
        assert r.status_code == 201, r.text
    r = await client.get(url + "/original-checks", headers=auth(unit))
    assert r.status_code == 200, r.text
    for check in r.json():
        body = {"seen_original": True, "note": "已核对原件"}
        c = await client.put(
            f"{url}/original-checks/{check['document_id']}", json=body, headers=auth(unit)
        )
        assert c.status_code == 200, c.text
    version = (await client.get(url + "/unit-pledge", headers=auth(unit))).json()["text_version"]
    r = await post(client, url + "/unit-pledge", unit, {"text_version": version})
    assert r.status_code == 200, r.text


class Case(NamedTuple):
    """An applicant's declaration in a tree of its own, under a fresh campaign."""

    tree: Tree
    campaign: dict
    applicant: str
    did: str


async def drafted(client, **tree: Any) -> Case:
    """A draft in a new tree (make_tree's arguments) and campaign, by a new applicant."""
    made = await make_tree(client, **tree)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    return Case(made, campaign, applicant, await new_draft(client, made, campaign, applicant))


async def submitted(client, **tree: Any) -> Case:
    """The same, submitted: at its unit's review."""
    case = await drafted(client, **tree)
    r = await submit(client, case.did, case.applicant)
    assert r.status_code == 200, r.text
    return case
