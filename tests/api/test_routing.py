"""The right chain for each declaration, through the public API: the route an applicant
reads before drafting (GET /v1/campaigns/{id}/route) and the chain a submission fixes
depend on the declaration (path, industry, level, the unit's county and affiliation), and
the last step is the campaign's committee office. Each test quotes the seed sentence it
rests on; the sentence is checked against the seeds when they sit beside the checkout."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    answer_incomplete,
    auth,
    campaign_body,
    credit_code,
    make_org,
    post,
    submission,
    submit,
    token,
    upload_materials,
    wanted_materials,
)
from tests.rules.test_routing import _flat, seed_text

PROBLEM = "urn:zhicheng:problem:"


def quoted(seed: str, sentence: str) -> str:
    """`sentence`, checked word for word against seed `seed` when the seeds are here."""
    text = seed_text(seed)
    if text is not None:
        assert _flat(sentence) in text, (seed, sentence)
    return sentence


DUAL = quoted("002", "三江县、融水县申报人选择“双定向”申报的，还必须经过县工信部门（县科工贸局）。")
HOUSING = quoted(
    "000",
    "申报工程系列住建行业、自然资源行业所列专业中、初级职称及交通行业初级职称的相应选择"
    "柳州市建设工程系列中级职称评委会、柳州市建设工程系列初级职称评委会。",
)
HIGH_OFFICES = quoted(
    "000",
    "逐级上报至柳州市经济专业工程技术人员职称改革工作领导小组、柳州市建设工程职称改革工作领导小组。",
)
CHANGZHI = quoted("003", "各县、区申报中级的，经市级人社部门备案后报送中级评委会。")
CHANGZHI_CITY = quoted("003", "市直单位申报中级的，经市级人社部门审核后报中级评委会")
LETTER = quoted(
    "000",
    "确需在我市参加职称评审或委托我市代为评审的，需出具授权或委托函报送柳州市职改办。",
)
LEVELS = quoted(
    "002",
    "如果是县区单位，且县区有职改部门的，还需通过县区职改部门审核后才能上报到系列职改办",
)


async def liuzhou(client, label: str, *, county: str | None = None) -> dict[str, str]:
    """A 柳州 committee office with its 经济 and 建设 series offices; with `county`, that
    county's 职改办 (under the 经济 office) and its 工信部门 (县科工贸局)."""
    o = {"committee": await make_org(client, "committee_office", f"{label}评委会所在职改办", None)}
    o["economic"] = await make_org(
        client, "series_office", f"{label}经济系列职改办", o["committee"], duty="economic"
    )
    o["construction"] = await make_org(
        client, "series_office", f"{label}建设工程职改办", o["committee"], duty="construction"
    )
    if county:
        o["county"] = await make_org(
            client, "county_office", f"{label}县职改办", o["economic"], region=county
        )
        o["industry"] = await make_org(
            client, "county_office", f"{label}县科工贸局", o["economic"], county, duty="industry"
        )
    return o


async def campaign(client, office: str | None, **changes: Any) -> dict:
    body = {**campaign_body(), "office_org_id": office, **changes}
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


async def route(client, campaign_id: str, unit: str, who: str, **params: str):
    return await client.get(
        f"/v1/campaigns/{campaign_id}/route",
        params={"unit_id": unit, "level": "deputy_senior", **params},
        headers=auth(who),
    )


def chain(answer: dict) -> list[tuple[str, str]]:
    return [(s["kind"], s["org_id"]) for s in answer["steps"]]


async def draft_and_submit(client, camp: dict, unit: str, applicant: str, **extra) -> str:
    body = {
        "campaign_id": camp["id"],
        "unit_org_id": unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
        **extra,
    }
    r = await post(client, "/v1/declarations", applicant, body)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    return did


async def progress(client, did: str, who: str) -> list[tuple[str, str]]:
    r = await client.get(f"/v1/declarations/{did}/progress", headers=auth(who))
    assert r.status_code == 200, r.text
    return [(s["kind"], s["org_id"]) for s in r.json()["steps"]]


async def test_dual_directed_goes_via_the_county_industry_office(client) -> None:
    o = await liuzhou(client, f"三江{uuid.uuid4().hex[:4]}", county="450226")
    unit = await make_org(client, "unit", "三江某林场", o["county"], region="450226")
    camp = await campaign(client, o["committee"])
    applicant = token("applicant")

    # Shown before drafting: the 双定向 route passes the county 工信部门 after the county
    # 职改办, then the series office, and ends at the campaign's committee office.
    r = await route(client, camp["id"], unit, applicant, path="dual_directed")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert chain(answer) == [
        ("unit", unit),
        ("county_office", o["county"]),
        ("county_office", o["industry"]),
        ("series_office", o["economic"]),
        ("committee_office", o["committee"]),
    ]
    step = answer["steps"][2]
    assert step["action"] == "审核" and DUAL in step["clause"]["text"]
    assert "县工信部门" in step["why"] and "县科工贸局" in answer["explanation"]
    assert LEVELS in answer["steps"][1]["clause"]["text"]
    # On the normal path the 工信部门 is not on the chain.
    normal = (await route(client, camp["id"], unit, applicant)).json()
    assert o["industry"] not in [s["org_id"] for s in normal["steps"]]

    # The submitted 双定向 declaration climbs the same chain.
    facts = {**FACTS, "dual_directed": True, "poverty_county_years": 6}
    did = await draft_and_submit(
        client, camp, unit, applicant, path="dual_directed", applicant_facts=facts
    )
    assert await progress(client, did, applicant) == chain(answer)


async def test_housing_declarations_go_to_the_construction_office(client) -> None:
    o = await liuzhou(client, f"住建{uuid.uuid4().hex[:4]}")
    # The unit reports to the 经济 office; its housing declarations go to the 建设 office.
    unit = await make_org(client, "unit", "柳州某建筑公司", o["economic"], region="450202")
    camp = await campaign(client, o["committee"])
    applicant = token("applicant")
    r = await route(client, camp["id"], unit, applicant, industry="housing_construction")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert chain(answer) == [
        ("unit", unit),
        ("series_office", o["construction"]),
        ("committee_office", o["committee"]),
    ]
    assert HIGH_OFFICES in answer["steps"][1]["clause"]["text"]
    # The other industries: the 经济 office.
    other = (await route(client, camp["id"], unit, applicant, industry="automotive")).json()
    assert other["steps"][1]["org_id"] == o["economic"]

    facts = {**FACTS, "industry": "housing_construction"}
    did = await draft_and_submit(client, camp, unit, applicant, applicant_facts=facts)
    assert await progress(client, did, applicant) == chain(answer)


async def test_a_housing_intermediate_declaration_is_not_the_economic_committees(client) -> None:
    o = await liuzhou(client, f"中级{uuid.uuid4().hex[:4]}")
    unit = await make_org(client, "unit", "柳州某市政公司", o["economic"], region="450202")
    camp = await campaign(
        client,
        o["committee"],
        levels=["intermediate"],
        committee_code="lz-eng-intermediate",
        committee_name="工程系列柳州市中级评委会",
    )
    r = await client.get(
        f"/v1/campaigns/{camp['id']}/route",
        params={"unit_id": unit, "level": "intermediate", "industry": "housing_construction"},
        headers=auth(token("applicant")),
    )
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "route-committee-mismatch"
    assert "柳州市建设工程系列中级职称评委会" in problem["detail"]
    assert HOUSING in problem["detail"]


async def changzhi_campaign(client, office: str) -> dict:
    r = await client.get("/v1/campaigns", headers=auth(OPS))
    seeded = next(c for c in r.json() if c["region_code"] == "140400")
    body = {
        **campaign_body(level="intermediate"),
        "region_code": "140400",
        "committee_code": seeded["committee_code"],
        "committee_name": seeded["committee_name"],
        "evaluate_on": seeded["evaluate_on"],
        "office_org_id": office,
    }
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_changzhi_county_intermediate_files_with_the_city_hrss(client) -> None:
    label = f"长治{uuid.uuid4().hex[:4]}"
    committee = await make_org(client, "committee_office", f"{label}市工信局编制人事科", None)
    hrss = await make_org(
        client, "series_office", f"{label}市人社局", committee, "140400", duty="hrss"
    )
    county = await make_org(
        client, "county_office", f"{label}襄垣县工信局", hrss, "140423", duty="industry"
    )
    unit = await make_org(client, "unit", f"{label}襄垣某煤机厂", county, region="140423")
    city_unit = await make_org(client, "unit", f"{label}市直某研究所", hrss, region="140400")
    camp = await changzhi_campaign(client, committee)
    applicant = token("applicant")

    r = await route(client, camp["id"], unit, applicant, level="intermediate")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert chain(answer) == [
        ("unit", unit),
        ("county_office", county),
        ("series_office", hrss),
        ("committee_office", committee),
    ]
    filing = answer["steps"][2]
    assert filing["action"] == "备案" and CHANGZHI in filing["clause"]["text"]
    assert "市人社局备案" in answer["steps"][1]["clause"]["text"]  # 六1
    # A 市直 unit's 中级 is reviewed (审核) there, not filed.
    city = (await route(client, camp["id"], city_unit, applicant, level="intermediate")).json()
    assert chain(city)[1:] == [("series_office", hrss), ("committee_office", committee)]
    assert city["steps"][1]["action"] == "审核"
    assert CHANGZHI_CITY in city["steps"][1]["clause"]["text"]


async def test_a_county_without_the_office_the_route_needs_is_told_so(client) -> None:
    label = f"长治缺{uuid.uuid4().hex[:4]}"
    committee = await make_org(client, "committee_office", f"{label}中评委", None)
    hrss = await make_org(client, "series_office", f"{label}市人社局", committee, duty="hrss")
    unit = await make_org(client, "unit", f"{label}平顺某厂", hrss, region="140425")
    camp = await changzhi_campaign(client, committee)
    r = await route(client, camp["id"], unit, token("applicant"), level="intermediate")
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "route-office-missing"
    assert "工信局" in r.json()["detail"] and "六1" in r.json()["detail"]
    # Registered, but nobody has said it is the county's 工信局: still missing, until ops
    # set the duty of the office that exists (no new org, no declaration touched).
    county = await make_org(client, "county_office", f"{label}平顺县工信局", hrss, "140425")
    r = await route(client, camp["id"], unit, token("applicant"), level="intermediate")
    assert r.json()["type"] == PROBLEM + "route-office-missing", r.text
    r = await client.patch(f"/v1/orgs/{county}", json={"duty": "industry"}, headers=auth(OPS))
    assert r.status_code == 200 and r.json()["duty"] == "industry", r.text
    r = await route(client, camp["id"], unit, token("applicant"), level="intermediate")
    assert r.status_code == 200, r.text
    assert chain(r.json())[:2] == [("unit", unit), ("county_office", county)]
    # A duty is an office's, an affiliation a unit's; an empty change changes nothing.
    for org, body in (
        (unit, {"duty": "industry"}),
        (county, {"affiliation": "central"}),
        (unit, {}),
    ):
        r = await client.patch(f"/v1/orgs/{org}", json=body, headers=auth(OPS))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/v1/orgs/{unit}", headers=auth(OPS))).json()["duty"] is None


async def test_a_central_unit_is_asked_for_its_letter(client) -> None:
    o = await liuzhou(client, f"中直{uuid.uuid4().hex[:4]}")
    unit = await make_org(
        client, "unit", "中直驻柳某公司", o["economic"], region="450202", affiliation="central"
    )
    camp = await campaign(client, o["committee"])
    applicant = token("applicant")
    answer = (await route(client, camp["id"], unit, applicant)).json()
    [letter] = answer["materials"]
    assert letter["id"] == "authorization_letter" and LETTER in letter["clause"]["text"]
    assert "授权或委托函" in answer["explanation"]

    body = {
        "campaign_id": camp["id"],
        "unit_org_id": unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
    }
    did = (await post(client, "/v1/declarations", applicant, body)).json()["id"]
    url = f"/v1/declarations/{did}/submissions"
    r = await submission(client, url, applicant)
    assert r.status_code == 422, r.text
    wanted = wanted_materials(r.json()["errors"])
    assert "authorization_letter" in wanted
    # Everything but the letter: still refused, naming the letter alone.
    errors = [e for e in r.json()["errors"] if e.get("material_id") != "authorization_letter"]
    await answer_incomplete(client, did, applicant, errors)
    r = await submission(client, url, applicant)
    assert r.status_code == 422, r.text
    assert wanted_materials(r.json()["errors"]) == ["authorization_letter"]
    assert "授权或委托函" in r.json()["detail"]
    await upload_materials(client, did, applicant, ["authorization_letter"])
    r = await submission(client, url, applicant)
    assert r.status_code == 200, r.text
    # A local unit is not asked for one.
    local = await make_org(client, "unit", "柳州本地某公司", o["economic"], region="450202")
    assert (await route(client, camp["id"], local, applicant)).json()["materials"] == []


async def test_the_chain_ends_at_the_campaigns_committee_office(client) -> None:
    # The unit's tree ends at another committee office than the campaign's.
    mine = await liuzhou(client, f"本{uuid.uuid4().hex[:4]}")
    theirs = await liuzhou(client, f"他{uuid.uuid4().hex[:4]}")
    unit = await make_org(client, "unit", "柳州某机械公司", theirs["economic"], region="450202")
    camp = await campaign(client, mine["committee"])
    applicant = token("applicant")
    answer = (await route(client, camp["id"], unit, applicant)).json()
    assert answer["steps"][-1]["org_id"] == mine["committee"]
    assert answer["steps"][-1]["kind"] == "committee_office"
    assert answer["steps"][1]["org_id"] == mine["economic"]
    # A committee office with no series office under it: refused, never ended elsewhere.
    bare = await make_org(client, "committee_office", "空评委会所在职改办", None)
    camp2 = await campaign(client, bare)
    r = await route(client, camp2["id"], unit, applicant)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "route-office-missing"
    did_body = {
        "campaign_id": camp2["id"],
        "unit_org_id": unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
    }
    did = (await post(client, "/v1/declarations", applicant, did_body)).json()["id"]
    r = await submission(client, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "route-office-missing"


async def test_the_route_is_refused_for_a_unit_not_approved_or_an_unknown_campaign(client):
    o = await liuzhou(client, f"拒{uuid.uuid4().hex[:4]}")
    camp = await campaign(client, o["committee"])
    applicant = token("applicant")
    r = await route(client, str(uuid.uuid4()), str(uuid.uuid4()), applicant)
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "campaign-not-found"
    r = await route(client, camp["id"], str(uuid.uuid4()), applicant)
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "unit-not-found"
    r = await route(client, camp["id"], o["economic"], applicant, specialty="no-such")
    assert r.status_code == 422
    assert (await client.get(f"/v1/campaigns/{camp['id']}/route")).status_code == 401


async def test_the_construction_intermediate_committee_takes_housing_declarations(client) -> None:
    # 000 三（三）: 住建、自然资源行业中级 → 柳州市建设工程系列中级职称评委会: its campaign opens,
    # and only the declarations of those industries are its.
    o = await liuzhou(client, f"建设{uuid.uuid4().hex[:4]}")
    unit = await make_org(client, "unit", "柳州某测绘院", o["economic"], region="450202")
    camp = await campaign(
        client,
        o["committee"],
        levels=["intermediate"],
        committee_code="lz-construction-intermediate",
        committee_name="柳州市建设工程系列中级职称评委会",
    )
    params = {"unit_id": unit, "level": "intermediate"}
    url = f"/v1/campaigns/{camp['id']}/route"
    who = auth(token("applicant"))
    r = await client.get(url, params={**params, "industry": "natural_resources"}, headers=who)
    assert r.status_code == 200, r.text
    assert chain(r.json())[1:] == [
        ("series_office", o["construction"]),
        ("committee_office", o["committee"]),
    ]
    assert HOUSING in r.json()["committee"]["clause"]["text"]
    r = await client.get(url, params={**params, "industry": "automotive"}, headers=who)
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "route-committee-mismatch"
    assert "工程系列柳州市中级评委会" in r.json()["detail"]


async def test_a_unit_registering_as_an_out_of_city_branch_is_asked_for_the_letter(client):
    # The unit says so when it registers; its parent office approves it as such.
    o = await liuzhou(client, f"外市{uuid.uuid4().hex[:4]}")
    seed = uuid.uuid4().int % 10**9
    body = {
        "name": f"南宁某公司柳州分公司{seed}",
        "credit_code": credit_code(seed),
        "region_code": "450202",
        "parent_id": o["economic"],
        "contact_name": "黄联系",
        "independent_legal_person": True,
        "affiliation": "out_of_city",
    }
    r = await post(client, "/v1/orgs/registrations", token("applicant"), body)
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["affiliation"] == "out_of_city"
    office = token("series_office", o["economic"])
    r = await post(
        client, f"/v1/orgs/registrations/{reg['id']}/decisions", office, {"approve": True}
    )
    assert r.status_code == 200, r.text
    camp = await campaign(client, o["committee"])
    answer = (await route(client, camp["id"], reg["id"], token("applicant"))).json()
    assert [m["id"] for m in answer["materials"]] == ["authorization_letter"]
    assert LETTER in answer["materials"][0]["clause"]["text"]
