"""Acceptance of data sharing and academic risk warning (桂工信职办〔2023〕6号 二（二）1（3）–（6）,
2（3）), end to end on the real stack, over the whole chain (unit, supervisor, county office,
series office, committee office):

- found in every registry: none of the four proofs is uploaded and eligibility is
  evaluated from the verified facts (the typed title date would make it ineligible);
- the registries down: the same declaration goes ahead on uploads, with a warning per
  registry, and nothing typed is lost;
- a paper in a journal on the suspect list is flagged at submission and at every level,
  still so after ops clear the journal half-way up the chain.
"""

from __future__ import annotations

import uuid

import pytest

from tests.api.factories import OPS, Tree, auth, complete_unit_step, make_org, post, token
from tests.api.registries.fake import NAMES, FakeRegistries
from tests.api.registries.helpers import (
    ARTS_FACTS,
    arts_crafts_2023,
    arts_person,
    arts_sections,
    draft,
    gateway,
    new_id_number,
    register_identity,
    unit_of,
)
from tests.api.test_journals import new_issn
from tests.api.test_registries import _attach_and_submit, _errors
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import Stack

FOUR = {"education_proof", "title_certificate", "continuing_education", "social_insurance_record"}
CHAIN = ("unit_reviewer", "supervisor", "county_office", "series_office", "committee_office")


@pytest.fixture(scope="module")
def fake():
    registries = FakeRegistries().start()
    yield registries
    registries.stop()


async def _register(client, text: str) -> None:
    r = await client.post(
        "/v1/journals/imports",
        content=text.encode(),
        headers=auth(OPS, **{"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "text/csv"}),
    )
    assert r.status_code == 200, r.text


async def _chain(client, tag: str) -> Tree:
    """Every level: a 三江 unit under its supervisor and the county office, then the
    工艺美术 series office and the committee's office."""
    committee = await make_org(client, "committee_office", f"工艺美术评委会{tag}", None)
    series = await make_org(client, "series_office", f"工艺美术职改办{tag}", committee, "450000")
    county = await make_org(client, "county_office", f"三江县职改办{tag}", series, "450226")
    supervisor = await make_org(client, "supervisor", f"三江县文旅局{tag}", county, "450226")
    unit = await make_org(client, "unit", f"三江某壮锦公司{tag}", supervisor, "450226")
    tree = Tree(committee, series, county, supervisor, unit)
    tree.tokens = {
        role: token(role, org, sub=f"{role}-{tag}")
        for role, org in zip(CHAIN, (unit, supervisor, county, series, committee), strict=True)
    }
    return tree


async def test_found_everywhere_down_everywhere_and_a_suspect_journal_up_the_chain(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    fake.reset()
    tag, issn = uuid.uuid4().hex[:6], new_issn()
    row = f"{issn},,中外科技博览{tag},{{}},自治区职改办涉嫌非法出版物名单,2023-03-01\n"
    header = "issn,cn,name,status,source,listed_on\n"
    async with gateway(stack, urls, fake) as client:
        await _register(client, header + row.format("涉嫌非法出版物"))
        tree = await _chain(client, tag)
        t = tree.tokens
        unit = await unit_of(client, tree.unit)
        campaign = await arts_crafts_2023(client)
        suspect = {"title": "壮锦纹样数字化复原", "journal": f"中外科技博览{tag}",
                   "published_on": "2021-04-01", "issn_cn": f"ISSN {issn}"}  # fmt: skip
        sections = arts_sections(unit["name"])
        sections["papers"] = [*sections["papers"], suspect]

        # Found in every registry.
        applicant, number = token("applicant"), new_id_number()
        fake.people[number] = arts_person("黄师傅", unit["credit_code"], unit["name"])
        await register_identity(client, applicant, "黄师傅", number)
        did = await draft(client, applicant, tree, campaign, sections, ARTS_FACTS)
        url = f"/v1/declarations/{did}"
        # Nothing verified or typed yet: not eligible, proofs asked for.
        errors = await _errors(client, url, applicant)
        assert any(e["kind"] == "eligibility" for e in errors), errors
        assert "education_proof" in {e.get("material_id") for e in errors}, errors
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        assert {x["status"] for x in r.json()["registries"]} == {"found"}
        assert set(r.json()["waived_materials"]) >= FOUR
        errors = await _errors(client, url, applicant)
        assert not FOUR & {e.get("material_id") for e in errors}, errors
        assert not [e for e in errors if e["kind"] not in ("material", "evidence")], errors
        r = await _attach_and_submit(client, url, applicant, errors)
        assert r.status_code == 200, r.text
        submitted = r.json()
        assert submitted["eligibility"]["eligible"] is True
        assert {"series": "arts_crafts", "level": "intermediate",
                "obtained_on": "2014-05-01"} in submitted["applicant_facts"]["titles"]  # fmt: skip
        assert submitted["applicant_facts"]["social_insurance_months"] == 24
        assert not FOUR & {a["kind"] for a in submitted["attachments"]}
        [flag] = submitted["academic_risk"]
        assert flag["title"] == suspect["title"] and flag["basis"] == "submission"
        assert "请自行核验" in flag["message"]

        # Up the chain: every level sees the flag recorded at submission, first.
        for role in CHAIN:
            queue = (await client.get("/v1/review-queue", headers=auth(t[role]))).json()
            assert queue[0]["declaration_id"] == did, role
            assert queue[0]["risk"]["flagged_papers"] == 1, role
            assert queue[0]["papers"][0]["title"] == suspect["title"], role
            page = (await client.get("/v1/declarations?limit=100", headers=auth(t[role]))).json()
            [item] = [d for d in page["items"] if d["id"] == did]
            assert item["risk"]["flagged_papers"] == 1, role
            w = (await client.get(url + "/warnings", headers=auth(t[role]))).json()
            top = w["papers"][0]
            assert (top["title"], top["flagged"], top["basis"]) == (
                suspect["title"], True, "submission"
            ), role  # fmt: skip
            assert top["entry"]["status"] == "suspected_illegal", role
            if role == "unit_reviewer":
                r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(t[role]))
                assert r.status_code == 200, r.text
                await complete_unit_step(client, did, t[role])
            if role == "county_office":  # ops clear the journal half-way up
                await _register(client, header + row.format("legitimate"))
            elif role in ("series_office", "committee_office"):
                assert top["now"]["level"] == "none", role
            r = await post(client, url + "/approvals", t[role], {"comment": "已核验"})
            assert r.status_code == 200, (role, r.text)
        assert r.json()["status"] == "accepted"
        await _register(client, header + row.format("涉嫌非法出版物"))

        # The same declaration with every registry down: uploads, a warning each, all kept.
        fake.modes.update(dict.fromkeys(NAMES, "error"))
        other, number = token("applicant"), new_id_number()
        fake.people[number] = arts_person("黄师傅", unit["credit_code"], unit["name"])
        await register_identity(client, other, "黄师傅", number)
        typed = {**sections, **{k: submitted["sections"][k] for k in (
            "education", "current_title", "continuing_education", "social_insurance")}}  # fmt: skip
        facts = {**submitted["applicant_facts"]}
        did = await draft(client, other, tree, campaign, typed, facts)
        url = f"/v1/declarations/{did}"
        before = (await client.get(url, headers=auth(other))).json()
        r = await post(client, url + "/lookups", other)
        assert r.status_code == 200, r.text
        assert {x["status"] for x in r.json()["registries"]} == {"unavailable"}
        assert len(r.json()["warnings"]) == 4
        assert all("请上传" in w for w in r.json()["warnings"])
        after = (await client.get(url, headers=auth(other))).json()
        for key in ("sections", "applicant_facts", "version", "attachments"):
            assert after[key] == before[key], key
        errors = await _errors(client, url, other)
        assert {e.get("material_id") for e in errors} >= FOUR, errors
        r = await _attach_and_submit(client, url, other, errors)
        assert r.status_code == 200, r.text
        assert r.json()["eligibility"]["eligible"] is True
        assert {a["kind"] for a in r.json()["attachments"]} >= FOUR
        assert r.json()["sections"] == before["sections"]
        assert [p["title"] for p in r.json()["academic_risk"]] == [suspect["title"]]
        w = (await client.get(url + "/warnings", headers=auth(t["unit_reviewer"]))).json()
        assert [x["status"] for x in w["registries"]] == ["unavailable"] * 4
        assert all("请上传" in x["warning"] for x in w["registries"])
        fake.reset()
