"""Acceptance of issue #16: an honest declaration, end to end on the real stack, through
HTTP only, for 柳州 工程 副高, 长治 工程 中级 and 广西 工艺美术 (normal path, judged by
the office the policy names).

Each test reads as the applicant's path: sign in by SMS, find the campaign, draft, ask to
submit with nothing and get the whole list, upload a real generated file for every
material and every entry's evidence the list names, fill the sections, submit; the unit
files its own materials at its step, checks the originals, signs its 承诺书 and passes the
file up; a higher level returns it with a list and a deadline; the applicant replaces a
document, edits a section and resubmits; it climbs to `accepted`. At the end every
attachment names a document the listing shows accepted and in force, and every applicant
document id came from an upload answer.

The seeded campaigns (柳州 2022, 长治 2022 中初级, 广西工艺美术 2023) closed in 2022/2023;
each test copies its seeded campaign (series, region, levels, committee, evaluation date,
fees) into a campaign whose windows are open now, as tests/api/factories.py does for 柳州.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from services.api.declarations.plagiarism import QUOTE
from tests.api.factories import (
    CATCH_ALL_KIND,
    FACTS,
    OPS,
    SECTIONS,
    Tree,
    auth,
    campaign_body,
    complete_unit_step,
    file_of_kind,
    kind_for,
    make_org,
    make_tree,
    post,
    submission,
    token,
    upload_evidence,
    upload_material,
    verified_applicant,
    wanted_evidence,
    wanted_materials,
)
from tests.api.test_judgements import ARTS_FACTS, ARTS_SECTIONS, OFFICE_REVIEW
from tests.api.test_review_chain_e2e import UNIT_REVIEW

PROBLEM = "urn:zhicheng:problem:"
LIUZHOU = "liuzhou-2022-engineering-deputy-senior"
CHANGZHI = "changzhi-2022-engineering-intermediate-initial"
ARTS = "guangxi-2023-arts-crafts-senior"


# --- helpers shared by the three journeys -------------------------------------------


async def open_copy_of(client: httpx.AsyncClient, code: str, level: str) -> dict:
    """The seeded campaign `code`, found in GET /v1/campaigns, re-opened now: the same
    series, region, level, committee, evaluation date and fees, with windows open today
    (the seeded ones closed years ago)."""
    r = await client.get("/v1/campaigns", headers=auth(OPS))
    assert r.status_code == 200, r.text
    seeded = {c["code"]: c for c in r.json()}[code]
    assert level in seeded["levels"]
    body = {
        "code": f"test-{code}-{uuid.uuid4().hex[:8]}"[:80],
        "name": seeded["name"] + "（测试：申报窗口开放中）",
        "year": seeded["year"],
        "series": seeded["series"],
        "region_code": seeded["region_code"],
        "levels": [level],
        "committee_code": seeded["committee_code"],
        "committee_name": seeded["committee_name"],
        "windows": campaign_body()["windows"],
        "evaluate_on": seeded["evaluate_on"],
        "fees_yuan": {k: v for k, v in seeded["fees_yuan"].items() if k == level},
        # 柳州's fee is in no seed: an office setting (the test campaign's own, as make_campaign).
        "fee_yuan": seeded["fee_yuan"] if seeded["fees_yuan"] else 380,
    }
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


class Applicant:
    """An applicant signed in by SMS, and the ids every upload answer gave them."""

    def __init__(self, client: httpx.AsyncClient, tok: str) -> None:
        self.client, self.tok, self.uploaded = client, tok, set()
        self.asked: set[str] = set()  # the materials the first list asked of them

    async def draft(self, campaign: dict, unit: str, level: str, facts: dict) -> str:
        body = {
            "campaign_id": campaign["id"],
            "unit_org_id": unit,
            "level": level,
            "applicant_facts": facts,
        }
        r = await post(self.client, "/v1/declarations", self.tok, body)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "draft"
        return r.json()["id"]

    async def submit(self, did: str) -> httpx.Response:
        return await submission(self.client, f"/v1/declarations/{did}/submissions", self.tok)

    async def upload_materials(self, did: str, materials: list[str]) -> None:
        for material in dict.fromkeys(materials):
            # Every material a pack asks of the applicant has a kind of its own now.
            assert kind_for(material) != CATCH_ALL_KIND, material
            doc = await upload_material(self.client, did, self.tok, material)
            assert doc["status"] == "accepted" and doc["material"] == material, doc
            self.uploaded.add(doc["id"])

    async def upload_evidence(self, did: str, errors: list[dict]) -> None:
        wanted = wanted_evidence(errors)
        docs = await upload_evidence(self.client, did, self.tok, wanted)
        self.uploaded |= {d["id"] for d in docs}

    async def patch(self, did: str, body: dict) -> dict:
        url = f"/v1/declarations/{did}"
        current = await self.client.get(url, headers=auth(self.tok))
        assert current.status_code == 200, current.text
        headers = auth(self.tok, **{"If-Match": current.headers["etag"]})
        r = await self.client.patch(url, json=body, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def answer(self, did: str, errors: list[dict]) -> None:
        """Upload what a `declaration-incomplete` list asks of documents."""
        await self.upload_materials(did, wanted_materials(errors))
        await self.upload_evidence(did, errors)


async def fill_in(
    who: Applicant, did: str, sections: dict, expected: set[str], *, per_entry: bool = True
) -> httpx.Response:
    """Ask to submit with nothing, check the list names every section in `expected` and
    each material at once, upload each material, fill the sections, then upload each
    entry's evidence as the next answer names it; returns the submission's answer."""
    r = await who.submit(did)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "declaration-incomplete"
    errors = problem["errors"]
    assert expected <= {e["section"] for e in errors if e["kind"] == "section"}
    materials = wanted_materials(errors)
    assert materials, errors
    who.asked = set(materials)
    await who.answer(did, errors)
    await who.patch(did, {"sections": sections})
    # With the entries filled in, each paper / achievement / award asks for its own proof
    # where the pack asks for proof per entry (广西: 002 一（二）5（2）、7; 长治 binds its papers
    # in the unit's 十类 dossier instead).
    r = await who.submit(did)
    if not per_entry:
        return r
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    evidence = [e for e in errors if e["kind"] == "evidence"]
    assert evidence and all(e["item"]["section"] in sections for e in evidence), errors
    assert {e["kind"] for e in errors} <= {"evidence", "material"}, errors
    await who.answer(did, errors)
    return await who.submit(did)


async def judgements(client, did: str, tok: str) -> list[dict]:
    r = await client.get(f"/v1/declarations/{did}/progress", headers=auth(tok))
    assert r.status_code == 200, r.text
    return r.json()["judgements"]


async def return_with_list(client, did: str, tok: str, items: list[dict]) -> datetime:
    deadline = (datetime.now(UTC) + timedelta(days=4)).replace(microsecond=0)
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tok,
        {"items": items, "deadline_at": deadline.isoformat()},
    )
    assert r.status_code == 201, r.text
    return deadline


async def fix_and_resubmit(
    who: Applicant,
    did: str,
    items: list[dict],
    section: dict,
    back_to: str,
    *,
    entry: str | None = None,
) -> str:
    """The applicant reads the list in progress, replaces a document (the first one filed
    for a material, or the first proving an entry of section `entry`), edits a section
    and resubmits; returns the replaced document id."""
    client, url = who.client, f"/v1/declarations/{did}"
    r = await client.get(url + "/progress", headers=auth(who.tok))
    assert r.status_code == 200, r.text
    progress = r.json()
    assert progress["status"] == "returned"
    assert progress["open_return"]["items"] == items
    assert progress["open_return"]["deadline_at"]

    attachments = (await client.get(url, headers=auth(who.tok))).json()["attachments"]
    old = next(
        a
        for a in attachments
        if a["document_id"] in who.uploaded and (a.get("item") or {}).get("section") == entry
    )
    kind = old["document_kind"]
    r = await client.post(
        f"{url}/documents/{old['document_id']}/replace",
        data={"kind": kind},
        files={"file": file_of_kind(kind, f"replacement/{kind}")},
        headers=auth(who.tok),
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["status"] == "accepted" and new["replaces_id"] == old["document_id"]
    who.uploaded.add(new["id"])
    attachments = (await client.get(url, headers=auth(who.tok))).json()["attachments"]
    [now] = [a for a in attachments if a["document_id"] == new["id"]]
    assert old["document_id"] not in {a["document_id"] for a in attachments}
    # The replacement serves what the old one served: the same material, the same entry.
    assert (now["kind"], now.get("item")) == (old["kind"], old.get("item"))

    await who.patch(did, {"sections": section})
    r = await who.submit(did)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == back_to  # back at the level that returned it
    return old["document_id"]


async def check_returned_originals(
    who: Applicant, did: str, tok: str, replaced: str, *, try_overwrite: bool = False
) -> None:
    """The level that returned the declaration checks the original of what came back after
    its return (the resubmission does not pass the unit again); the unit's records stand."""
    client, url = who.client, f"/v1/declarations/{did}"
    r = await post(client, url + "/approvals", tok, {"comment": "材料齐全"})
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "originals-unchecked", r.text
    [new_id] = r.json()["document_ids"]
    assert new_id in who.uploaded and new_id != replaced
    if try_overwrite:
        checks = (await client.get(url + "/original-checks", headers=auth(tok))).json()
        earlier = next(c["document_id"] for c in checks if c["checked"])
        r = await client.put(
            f"{url}/original-checks/{earlier}",
            json={"seen_original": False, "note": "改写单位的核实结果"},
            headers=auth(tok),
        )
        assert r.status_code == 409, r.text
        assert r.json()["type"] == PROBLEM + "original-already-checked"
    r = await client.put(
        f"{url}/original-checks/{new_id}",
        json={"seen_original": True, "note": "退回补正后核对原件"},
        headers=auth(tok),
    )
    assert r.status_code == 200, r.text
    assert r.json()["checked"] and r.json()["checked_by"]


async def climb(client, did: str, steps: list[tuple[str, str]]) -> None:
    for tok, status in steps:
        r = await post(client, f"/v1/declarations/{did}/approvals", tok, {"comment": "材料齐全"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status


async def assert_attachments_are_facts(
    client, did: str, who: Applicant, unit_filed: set[str], replaced: str
) -> None:
    """Every attachment names a document the listing shows accepted and in force; the
    applicant's came from their upload answers, the unit's from its own."""
    url = f"/v1/declarations/{did}"
    declaration = (await client.get(url, headers=auth(who.tok))).json()
    assert declaration["status"] == "accepted"
    r = await client.get(url + "/documents", headers=auth(who.tok))
    assert r.status_code == 200, r.text
    listed = {d["id"]: d for d in r.json()}
    attachments = declaration["attachments"]
    assert attachments
    for a in attachments:
        doc = listed.get(a["document_id"])
        assert doc is not None, a
        assert doc["status"] == "accepted" and doc["superseded_by_id"] is None, doc
        assert doc["kind"] == a["document_kind"], (a, doc)
    ids = {a["document_id"] for a in attachments}
    applicants = {i for i in ids if i not in unit_filed}
    assert applicants <= who.uploaded, applicants - who.uploaded
    assert unit_filed <= ids
    # The replaced document is kept, no longer in force, and no longer attached.
    r = await client.get(url + "/documents?include_inactive=true", headers=auth(who.tok))
    [old] = [d for d in r.json() if d["id"] == replaced]
    assert old["superseded_by_id"] and replaced not in ids


# --- 柳州 工程 副高 ----------------------------------------------------------------------


async def test_liuzhou_engineering_deputy_senior_journey(client) -> None:
    tree = await make_tree(client, label="柳州旅程")  # unit 450206 in 柳州 (450200)
    t = tree.tokens
    campaign = await open_copy_of(client, LIUZHOU, "deputy_senior")
    assert campaign["region_code"] == "450200"
    tok, _phone = await verified_applicant(client)
    who = Applicant(client, tok)
    did = await who.draft(campaign, tree.unit, "deputy_senior", FACTS)
    url = f"/v1/declarations/{did}"
    expected = {"basic_info", "education", "papers", "main_experience", "achievements"}
    r = await fill_in(who, did, SECTIONS, expected)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"
    assert await judgements(client, did, tok) == []

    # The unit's step, spelled out: its review record, then what the check lists.
    unit = t["unit_reviewer"]
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "unit-materials-missing"
    missing = [e["material_id"] for e in r.json()["errors"]]
    # The unit's materials are the unit's: none of them was asked of the applicant.
    assert who.asked.isdisjoint(missing), who.asked & set(missing)
    assert {"defence_record", "panel_recommendation", "public_posting"} <= set(missing)
    unit_filed = set()
    for material in missing:
        if material in ("public_posting", "unit_recommendation"):
            # Generated from what the unit recorded (its posting dates, its recommendation).
            r = await post(client, f"{url}/unit-materials/{material}", unit)
        else:
            kind = kind_for(material)
            r = await client.post(
                url + "/documents",
                data={"kind": kind},
                files={"file": file_of_kind(kind, f"liuzhou-unit/{material}")},
                headers=auth(unit),
            )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "accepted"
        unit_filed.add(r.json()["id"])
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "originals-unchecked", r.text
    # 原件核实 of every document the applicant filed.
    r = await client.get(url + "/original-checks", headers=auth(unit))
    assert r.status_code == 200, r.text
    checked = {c["document_id"] for c in r.json()}
    assert checked == who.uploaded
    for document_id in checked:
        c = await client.put(
            f"{url}/original-checks/{document_id}",
            json={"seen_original": True, "note": "已核对原件"},
            headers=auth(unit),
        )
        assert c.status_code == 200, c.text
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "unit-pledge-unsigned"
    pledge = (await client.get(url + "/unit-pledge", headers=auth(unit))).json()
    r = await post(client, url + "/unit-pledge", unit, {"text_version": pledge["text_version"]})
    assert r.status_code == 200 and r.json()["signed"] is True, r.text
    await climb(
        client,
        did,
        [(unit, "supervisor_review"), (t["supervisor"], "county_review")],
    )

    # The county office returns it with a list and a deadline.
    items = [
        {"section": "papers", "message": "论文封面扫描件不清晰，请重新上传"},
        {"section": "achievements", "message": "业绩描述请写明本人承担的具体工作"},
    ]
    await return_with_list(client, did, t["county_office"], items)
    # Returned, the file is the applicant's to fix, but not the unit's materials in it
    # (申报系统操作注意事项 二): neither replaced, nor deleted, nor taken off.
    defence = next(iter(unit_filed))
    r = await client.post(
        f"{url}/documents/{defence}/replace",
        data={"kind": "defence_record"},
        files={"file": file_of_kind("defence_record", "applicant/defence_record")},
        headers=auth(tok),
    )
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "unit-material-locked", r.text
    r = await client.delete(f"{url}/documents/{defence}", headers=auth(tok))
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "unit-material-locked", r.text
    current = await client.get(url, headers=auth(tok))
    kept = [a for a in current.json()["attachments"] if a["document_id"] != defence]
    r = await client.patch(
        url, json={"attachments": kept}, headers=auth(tok, **{"If-Match": current.headers["etag"]})
    )
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "unit-material-locked", r.text
    listed = (await client.get(url + "/documents", headers=auth(tok))).json()
    assert unit_filed <= {d["id"] for d in listed}
    edited = {
        "achievements": [
            {**SECTIONS["achievements"][0], "content": "主持底盘结构设计，负责有限元分析与试验验证"}
        ]
    }
    replaced = await fix_and_resubmit(who, did, items, edited, "county_review")
    await check_returned_originals(who, did, t["county_office"], replaced, try_overwrite=True)
    await climb(
        client,
        did,
        [
            (t["county_office"], "series_office_review"),
            (t["series_office"], "committee_office_review"),
            (t["committee_office"], "accepted"),
        ],
    )
    await assert_attachments_are_facts(client, did, who, unit_filed, replaced)


# --- 长治 工程 中级 ----------------------------------------------------------------------

CZ_FACTS = {
    "employer_type": "state_owned",
    "education": [{"level": "master", "related_major": True, "graduated_on": "2013-06-30"}],
    "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2016-12-01"}],
    "professional_work_since": "2013-07-01",
    "annual_assessments": [{"year": y, "grade": "qualified"} for y in range(2016, 2022)],
    "papers": 2,
    "achievements": 1,
}
CZ_SECTIONS = {
    **SECTIONS,
    "basic_info": {**SECTIONS["basic_info"], "name": "郝工"},
    "education": [
        {
            "level": "master",
            "school": "太原理工大学",
            "major": "机械工程",
            "graduated_on": "2013-06-30",
        }
    ],
    "current_title": {
        "series": "engineering",
        "level": "assistant",
        "title_name": "助理工程师",
        "obtained_on": "2016-12-01",
    },
    "papers": [
        {"title": "矿用减速器齿轮修形研究", "journal": "煤矿机械", "published_on": "2019-05-01"},
        {
            "title": "带式输送机托辊故障诊断",
            "journal": "机械工程与自动化",
            "published_on": "2021-03-01",
        },
    ],
    "main_experience": [
        {
            "start_on": "2013-07-01",
            "employer": "长治某机械厂",
            "work": "机械设计",
            "position": "技术员",
        }
    ],
    "achievements": [{"name": "减速器改造", "content": "负责齿轮修形设计", "role": "主要完成人"}],
    # 长工信〔2022〕139号 七1: the review paper's plagiarism rate, first as the checker found it.
    "plagiarism_check": {"rate_percent": 25},
    # What is evaluated is what the reviewers read: the assessments come from this section.
    "annual_assessments": CZ_FACTS["annual_assessments"],
}


async def test_changzhi_engineering_intermediate_journey(client) -> None:
    # 长工信〔2022〕139号 六1: “各县、区由工信局（市直主管部门）审核……市人社局备案后报送至市工信局
    # 编制人事科。” The district's 工信局 reviews, the city's 人社局 files, the committee receives.
    committee = await make_org(client, "committee_office", "长治旅程中评委", None, "140400")
    series = await make_org(
        client, "series_office", "长治旅程市人社局", committee, "140400", duty="hrss"
    )
    county = await make_org(
        client, "county_office", "长治旅程潞州区工信局", series, "140402", duty="industry"
    )
    unit_id = await make_org(client, "unit", "长治旅程某机械厂", county, region="140402")
    tree = Tree(committee, series, county, None, unit_id)
    unit = token("unit_reviewer", unit_id, sub="cz-journey-unit")
    offices = {
        "county_office": token("county_office", county, sub="cz-journey-county"),
        "series_office": token("series_office", series, sub="cz-journey-series"),
        "committee_office": token("committee_office", committee, sub="cz-journey-committee"),
    }
    campaign = await open_copy_of(client, CHANGZHI, "intermediate")
    assert campaign["region_code"] == "140400" and campaign["fees_yuan"]["intermediate"] == 300
    tok, _phone = await verified_applicant(client)
    who = Applicant(client, tok)
    did = await who.draft(campaign, tree.unit, "intermediate", CZ_FACTS)
    url = f"/v1/declarations/{did}"

    # 25 % is not below 25 %: refused with the notice's sentence.
    r = await fill_in(
        who, did, CZ_SECTIONS, {"basic_info", "papers", "plagiarism_check"}, per_entry=False
    )
    assert r.status_code == 422, r.text
    [refusal] = [e for e in r.json()["errors"] if e["section"] == "plagiarism_check"]
    assert refusal["kind"] == "eligibility" and QUOTE in refusal["message"]
    assert "长工信〔2022〕139号 七1" in refusal["message"]
    # Below 25 %: the paper may go to the defence, and the declaration goes in.
    await who.patch(did, {"sections": {"plagiarism_check": {"rate_percent": 12.4}}})
    r = await who.submit(did)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"

    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "unit-materials-missing"
    # 十类 dossier is the unit's (五4), filed at its step.
    assert "dossier" in {e["material_id"] for e in r.json()["errors"]}, r.json()
    assert "dossier" not in who.asked and "plagiarism_check" in who.asked
    unit_filed = set(await complete_unit_step(client, did, unit))
    await climb(
        client, did, [(unit, "county_review"), (offices["county_office"], "series_office_review")]
    )

    items = [{"section": "papers", "message": "第二篇论文请补充期刊目录页"}]
    await return_with_list(client, did, offices["series_office"], items)
    edited = {"basic_info": {**CZ_SECTIONS["basic_info"], "phone": "13800000002"}}
    replaced = await fix_and_resubmit(who, did, items, edited, "series_office_review")
    await check_returned_originals(who, did, offices["series_office"], replaced)
    await climb(
        client,
        did,
        [
            (offices["series_office"], "committee_office_review"),
            (offices["committee_office"], "accepted"),
        ],
    )
    await assert_attachments_are_facts(client, did, who, unit_filed, replaced)


# --- 广西 工艺美术 副高, normal path judged by the series office ---------------------------


async def test_guangxi_arts_crafts_normal_path_journey(client) -> None:
    committee = await make_org(client, "committee_office", "工美旅程评委会所在职改办", None)
    series = await make_org(client, "series_office", "工美旅程系列职改办", committee, "450000")
    unit_id = await make_org(client, "unit", "工美旅程壮锦厂", series, region="450206")
    unit = token("unit_reviewer", unit_id, sub="arts-journey-unit")
    series_tok = token("series_office", series, sub="arts-journey-series")
    committee_tok = token("committee_office", committee, sub="arts-journey-committee")
    campaign = await open_copy_of(client, ARTS, "deputy_senior")
    assert campaign["series"] == "arts_crafts"
    tok, _phone = await verified_applicant(client)
    who = Applicant(client, tok)
    did = await who.draft(campaign, unit_id, "deputy_senior", ARTS_FACTS)
    url = f"/v1/declarations/{did}"
    r = await fill_in(who, did, ARTS_SECTIONS, {"basic_info", "education"})
    # 需人工审核 is submitted, not refused.
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"
    # The applicant sees the open judgement and who makes it.
    [j] = await judgements(client, did, tok)
    assert (j["status"], j["level"], j["path"]) == ("open", "series_office", "normal")
    assert j["org_name"] == "工美旅程系列职改办" and OFFICE_REVIEW in j["level_basis"]

    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    # 桂工信职办〔2023〕6号 三（一）: the unit's defence, its panel's signed form, its internal
    # posting and its recommendation are the unit's to file before it recommends.
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "unit-materials-missing"
    missing = {e["material_id"]: e for e in r.json()["errors"]}
    assert set(missing) == {
        "defence_record",
        "panel_recommendation",
        "public_posting",
        "unit_recommendation",
        "unit_pledge",  # signed in the system (承诺书)
    }, missing
    assert all(e["clause"] == "桂工信职办〔2023〕6号 三（一）" for e in missing.values())
    assert who.asked.isdisjoint(missing)
    unit_filed = set(await complete_unit_step(client, did, unit))
    await climb(client, did, [(unit, "series_office_review")])
    # Passing is refused while the judgement is open.
    r = await post(client, url + "/approvals", series_tok)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "judgement-open", r.text

    items = [{"section": "self_evaluation", "message": "专业技术工作总结请写明代表作品"}]
    await return_with_list(client, did, series_tok, items)
    edited = {"self_evaluation": {"text": "从事壮锦织造设计十八年，代表作品《百鸟朝凤》壮锦屏风。"}}
    replaced = await fix_and_resubmit(
        who, did, items, edited, "series_office_review", entry="papers"
    )
    [j] = await judgements(client, did, tok)
    assert j["status"] == "open"
    r = await post(client, url + "/approvals", series_tok)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "judgement-open", r.text

    reason = "经核对学历、资历证明，符合桂职办〔2022〕45号高级工艺美术师申报条件"
    body = {"decision": "approve", "reason": reason, "clause": "桂工信职办〔2023〕6号 三（三）"}
    r = await post(client, f"{url}/judgements/{j['id']}/decisions", series_tok, body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["reason"] == reason
    await check_returned_originals(who, did, series_tok, replaced)
    await climb(
        client,
        did,
        [(series_tok, "committee_office_review"), (committee_tok, "accepted")],
    )
    [j] = await judgements(client, did, tok)
    assert j["status"] == "approved" and j["decision_clause"] == "桂工信职办〔2023〕6号 三（三）"
    await assert_attachments_are_facts(client, did, who, unit_filed, replaced)
