"""Factories for the gateway tests: an org tree with staff of every role, a campaign,
a draft, a submitted declaration (its materials uploaded as real scans), tokens and
request helpers.

Built through the public API (as callers build them), so each test's data goes through
the same checks as production data.
"""

from __future__ import annotations

import random
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import update
from sqlmodel import select

from services.api.declarations import evidence
from services.documents.kinds import all_kinds
from services.kit.auth import Principal, issue_token
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import PENDING, Notification, cancel_notifications, job_id
from services.kit.queue import NOTIFY_QUEUE
from services.kit.settings import DEV_JWT_SECRET
from tests.documents import corpus

if TYPE_CHECKING:
    from tests.conftest import Stack

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


LOGIN_CODE = "auth.login_code"  # the outbox event of an SMS login code (auth/codes.py)
RADAR_EVENT = "eligibility.radar"  # the eligibility radar's notices (radar/sweep.py)


async def verified_applicant(client: httpx.AsyncClient) -> tuple[str, str]:
    """(access token, phone) of an applicant signed in with an SMS code, as a phone user
    signs in: their account holds the phone they proved. The code is read where the notify
    worker reads it (the outbox). Each comes from an address of its own, so the hourly
    limit per address is not shared between tests."""
    app = client._transport.app  # the app behind the in-process client (tests/support.py)
    phone = "139" + f"{random.randrange(10**8):08d}"
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as own:
        r = await own.post("/v1/auth/sms-codes", json={"phone": phone})
        assert r.status_code == 202, r.text
        async with app.state.sessionmaker() as session:
            query = select(Notification.params).where(
                Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
            )
            [params] = (await session.exec(query)).all()
        r = await own.post("/v1/auth/sms-logins", json={"phone": phone, "code": params["code"]})
        assert r.status_code == 200, r.text
    return r.json()["access_token"], phone


async def withdraw_notices(stack: Stack, where: Any, events: tuple[str, ...] = ()) -> None:
    """Cancel the notices `where` selects and take their jobs off the notify queue, so a
    later suite running a real notify worker sends nothing the tests wrote: a declaration's
    notices of `events` through the outbox's own cancel, and every pending login code and
    eligibility radar notice."""
    engine = make_engine(stack.database_url)
    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(Notification.id, Notification.attempts, Notification.declaration_id)
            rows = (await session.exec(query.where(where))).all()
            for declaration_id in {r[2] for r in rows} - {None}:
                await cancel_notifications(
                    session, declaration_id=declaration_id, events=list(events)
                )
            await session.exec(
                update(Notification)
                .where(
                    Notification.event.in_((LOGIN_CODE, RADAR_EVENT)),
                    Notification.status.in_(PENDING),
                )
                .values(status="cancelled")
            )
            await session.commit()
        for notification_id, attempts, _ in rows:
            jid = job_id(notification_id, attempts)
            await redis.zrem(NOTIFY_QUEUE, jid)
            await redis.delete(f"arq:job:{jid}")
    finally:
        await redis.aclose()
        await engine.dispose()


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
    **extra: str,
) -> str:
    """An org added by ops (`extra`: its duty, or a unit's affiliation)."""
    body = {"kind": kind, "name": name, "region_code": region, "parent_id": parent, **extra}
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


async def changzhi_intermediate(client, label: str) -> tuple[Tree, dict]:
    """A 长治 unit under its district 工信局, the city 人社局 and the 中评委's office (六1:
    “各县、区由工信局（市直主管部门）审核……市人社局备案后报送至市工信局编制人事科。”), and a
    2022 工程师 campaign of 长工信〔2022〕139号 whose windows are open now."""
    committee = await make_org(client, "committee_office", f"{label}中评委", None, "140400")
    series = await make_org(
        client, "series_office", f"{label}市人社局", committee, "140400", duty="hrss"
    )
    county = await make_org(
        client, "county_office", f"{label}潞州区工信局", series, "140402", duty="industry"
    )
    unit = await make_org(client, "unit", f"{label}机械厂", county, region="140402")
    windows = (await make_campaign(client))["windows"]
    body = {
        "code": f"test-changzhi-2022-{uuid.uuid4().hex[:8]}",
        "name": "长治市2022年度工程系列中级评审（测试）",
        "year": 2022,
        "series": "engineering",
        "region_code": "140400",
        "levels": ["intermediate"],
        "committee_code": "cz-eng-intermediate-initial",
        "committee_name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "windows": windows,
        "evaluate_on": "2022-08-25",
    }
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return Tree(committee, series, county, None, unit), r.json()


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
# A 工艺美术师 (中级 since 2014) applying for 高级 (工艺美术 series).
ARTS_FACTS = {
    "employer_type": "state_owned",
    "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2005-06-30"}],
    "titles": [
        {"series": "arts_crafts", "level": "assistant", "obtained_on": "2008-12-01"},
        {"series": "arts_crafts", "level": "intermediate", "obtained_on": "2014-05-01"},
    ],
    "professional_work_since": "2005-07-01",
}
ARTS_SECTIONS = {
    **SECTIONS,
    "basic_info": {**SECTIONS["basic_info"], "name": "覃师傅"},
    "current_title": {
        "series": "arts_crafts",
        "level": "intermediate",
        "title_name": "工艺美术师",
        "obtained_on": "2014-05-01",
    },
    "self_evaluation": {"text": "从事壮锦织造设计十八年，主持多项非遗壮锦纹样复原。"},
}


CATCH_ALL_KIND = "other_proof"  # 其他证明材料: a kind serving no one material


@lru_cache
def kind_for(material: str) -> str:
    """The document kind an applicant uploads for a policy material: one serving it,
    preferring one that takes a PDF (the cheapest file to check), else the smallest page
    asked; else 其他证明材料."""
    serving = [k for k in all_kinds().values() if k.material == material]
    if not serving:
        return CATCH_ALL_KIND
    return min(serving, key=lambda k: (not k.allows_pdf, k.min_width * k.min_height, k.code)).code


@lru_cache
def file_of_kind(kind: str, tag: str) -> tuple[str, bytes, str]:
    """(name, bytes, type): a real file of document kind `kind` that passes the document
    service's checks, distinct for each `tag` (a declaration takes one copy of the same
    bytes).

    A one-page text PDF where the kind takes PDFs (only the PDF checks apply); else a
    150 dpi A4 scan (the page checks: resolution, blank, clarity, upright); a photo for
    the 证件照."""
    seed = 10_000 + zlib.crc32(tag.encode()) % 1_000_000
    name = tag.replace("/", "-")
    spec = all_kinds().get(kind)
    if spec is not None and spec.allows_pdf:
        pdf = corpus.text_pdf(f"Material: {tag}", f"No. {seed}")
        return f"{name}.pdf", pdf, "application/pdf"
    if kind == "photo":
        return f"{name}.jpg", corpus.id_photo(size=(413, 579 + seed % 7)), "image/jpeg"
    return f"{name}.jpg", corpus.clean_scan(seed), "image/jpeg"


def file_for(material: str) -> tuple[str, bytes, str]:
    """A real file for `material`, distinct for each material."""
    return file_of_kind(kind_for(material), material)


async def upload_material(
    client: httpx.AsyncClient, did: str, applicant: str, material: str
) -> dict:
    """Upload a file for one material through the public API; returns the document."""
    r = await client.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": kind_for(material)},
        files={"file": file_for(material)},
        headers=auth(applicant),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def upload_materials(
    client: httpx.AsyncClient, did: str, applicant: str, material_ids: list[str]
) -> list[dict]:
    """Upload one real file per material; the declaration's attachments then name them.

    A material no document kind serves yet is uploaded as 其他证明材料 and its attachment
    entry named for the material (PATCH), as an applicant does. Returns the attachments.
    """
    url = f"/v1/declarations/{did}"
    catch_all = {}
    for material in dict.fromkeys(material_ids):
        doc = await upload_material(client, did, applicant, material)
        if kind_for(material) == CATCH_ALL_KIND:
            catch_all[doc["id"]] = material
    current = await client.get(url, headers=auth(applicant))
    assert current.status_code == 200, current.text
    attachments = current.json()["attachments"]
    if catch_all:
        attachments = [
            {**a, "kind": catch_all.get(a["document_id"], a["kind"])} for a in attachments
        ]
        headers = auth(applicant, **{"If-Match": current.headers["etag"]})
        r = await client.patch(url, json={"attachments": attachments}, headers=headers)
        assert r.status_code == 200, r.text
        attachments = r.json()["attachments"]
    return attachments


def wanted_materials(errors: list[dict]) -> list[str]:
    """The materials a `declaration-incomplete` problem asks for by name."""
    return [e["material_id"] for e in errors if e.get("material_id")]


def wanted_evidence(errors: list[dict]) -> list[tuple[str, dict]]:
    """(document kind, item) for each document a paper, achievement or award lacks, as a
    `declaration-incomplete` problem's errors of kind "evidence" name them."""
    return [
        (document_kind, e["item"])
        for e in errors
        if e.get("kind") == "evidence"
        for document_kind in e.get("document_kinds") or ()
    ]


async def upload_evidence(
    client: httpx.AsyncClient, did: str, applicant: str, wanted: list[tuple[str, dict]]
) -> list[dict]:
    """Upload one real file per (document kind, item), naming the entry it proves
    (item_section / item_index); returns the documents."""
    docs = []
    for document_kind, item in wanted:
        section, index = item["section"], item["index"]
        r = await client.post(
            f"/v1/declarations/{did}/documents",
            params={"item_section": section, "item_index": index},
            data={"kind": document_kind},
            files={"file": file_of_kind(document_kind, f"{section}/{index}/{document_kind}")},
            headers=auth(applicant),
        )
        assert r.status_code == 201, r.text
        docs.append(r.json())
    return docs


async def evidence_for(
    client: httpx.AsyncClient,
    did: str,
    applicant: str,
    sections: dict,
    policy: str = "guangxi-engineering-2022",
) -> list[dict]:
    """Upload every document each paper, achievement and award of `sections` needs
    (declarations/evidence.py), one real file each; returns the documents."""
    wanted = [
        (kind, {"section": rule.section, "index": index})
        for rule in evidence.BY_POLICY[policy]
        for index, _ in enumerate(sections.get(rule.section) or [])
        for kind, _ in rule.kinds
    ]
    return await upload_evidence(client, did, applicant, wanted)


async def answer_incomplete(
    client: httpx.AsyncClient, did: str, applicant: str, errors: list[dict]
) -> list[dict]:
    """Do what a `declaration-incomplete` problem asks of the applicant's documents: take
    off the attachments naming an entry since removed (a resubmission keeps the rest),
    upload each material it names and each document an entry lacks. Returns the
    attachments."""
    url = f"/v1/declarations/{did}"
    stale = {e["document_id"] for e in errors if e.get("kind") == "evidence" and "document_id" in e}
    if stale:
        current = await client.get(url, headers=auth(applicant))
        kept = [a for a in current.json()["attachments"] if a["document_id"] not in stale]
        headers = auth(applicant, **{"If-Match": current.headers["etag"]})
        r = await client.patch(url, json={"attachments": kept}, headers=headers)
        assert r.status_code == 200, r.text
    await upload_evidence(client, did, applicant, wanted_evidence(errors))
    return await upload_materials(client, did, applicant, wanted_materials(errors))


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


async def submission(
    client: httpx.AsyncClient, url: str, tok: str, body: Any = None, *, key: str | None = None
) -> httpx.Response:
    """POST `…/submissions` as a client does: with the ETag it last read as If-Match."""
    current = await client.get(url.removesuffix("/submissions"), headers=auth(tok))
    tag = current.headers.get("etag", '"0"')
    return await post(client, url, tok, body, key=key, **{"If-Match": tag})


async def as_read(
    client: httpx.AsyncClient, url: str, tok: str, body: Any = None, **headers: str
) -> httpx.Response:
    """POST to a declaration's `url` (…/withdrawals, …/imports, …/committee-resets) as a
    client does: with the declaration's ETag it last read as If-Match (required there)."""
    declaration = "/".join(url.split("/")[:4])  # /v1/declarations/{id}
    current = await client.get(declaration, headers=auth(tok))
    # A caller who may not read it still sends a version: the write's refusal is the test.
    tag = current.headers.get("etag", '"0"')
    return await post(client, url, tok, body, **{"If-Match": tag, **headers})


async def submit(client, did: str, applicant: str) -> httpx.Response:
    """Submit, first attaching whatever materials the eligibility service asks for."""
    url = f"/v1/declarations/{did}/submissions"
    r = await submission(client, url, applicant)
    if r.status_code == 422 and r.json()["type"].endswith("declaration-incomplete"):
        await answer_incomplete(client, did, applicant, r.json()["errors"])
        r = await submission(client, url, applicant)
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


async def complete_unit_step(client: httpx.AsyncClient, did: str, unit: str) -> list[str]:
    """What the unit does besides its review record before it passes the file up: the
    materials the policy has it produce (公示情况 and 单位推荐意见 generated, the others
    uploaded as real files; 审议推荐表 only for 高级), 原件核实 of every applicant document,
    and its 承诺书 (which files the 用人单位承诺书 material). Returns the ids of the
    documents it filed, as the upload and generation answers gave them."""
    url = f"/v1/declarations/{did}"
    filed = []
    declaration = (await client.get(url, headers=auth(unit))).json()
    high = declaration["level"] in ("deputy_senior", "senior")
    for m in (declaration.get("eligibility") or {}).get("materials", []):
        material = m["id"]
        if m.get("producer") != "unit" or material == "unit_pledge":
            continue
        if material == "panel_recommendation" and not high:
            continue
        if material in ("public_posting", "unit_recommendation"):
            r = await post(client, f"{url}/unit-materials/{material}", unit)
        else:
            kind = kind_for(material)
            r = await client.post(
                f"{url}/documents",
                data={"kind": kind},
                files={"file": file_of_kind(kind, f"unit/{material}")},
                headers=auth(unit),
            )
        assert r.status_code == 201, r.text
        filed.append(r.json()["id"])
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
    return filed


class Case(NamedTuple):
    """An applicant's declaration in a tree of its own, under a fresh campaign."""

    tree: Tree
    campaign: dict
    applicant: str
    did: str


async def return_for_correction(
    client,
    tree: Tree,
    did: str,
    *,
    within: timedelta,
    item: str = "补充继续教育证明",
    by: str = "unit_reviewer",
) -> httpx.Response:
    """The unit's reviewer (or the level `by` names, where the declaration is) returns
    the declaration: one item, due `within` from now."""
    deadline = (datetime.now(UTC) + within).isoformat()
    return await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens[by],
        {"items": [{"message": item}], "deadline_at": deadline},
    )


async def drafted(client, *, applicant: str | None = None, **tree: Any) -> Case:
    """A draft in a new tree (make_tree's arguments) and campaign, by a new applicant
    (or the one given)."""
    made = await make_tree(client, **tree)
    campaign = await make_campaign(client)
    applicant = applicant or token("applicant")
    return Case(made, campaign, applicant, await new_draft(client, made, campaign, applicant))


async def submitted(client, *, applicant: str | None = None, **tree: Any) -> Case:
    """The same, submitted: at its unit's review."""
    case = await drafted(client, applicant=applicant, **tree)
    r = await submit(client, case.did, case.applicant)
    assert r.status_code == 200, r.text
    return case
