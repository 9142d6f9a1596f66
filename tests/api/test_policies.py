"""Policy in force today: a campaign finds the pack in force on its evaluation date (a year
under unchanged rules needs no new pack; a year with none is refused when the campaign is
created), and the packs are public reads on the gateway, cacheable with ETag."""

from __future__ import annotations

import uuid

from tests.api.factories import (
    OPS,
    auth,
    campaign_body,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)

GX = "guangxi-engineering-2022"
PROBLEM = "urn:zhicheng:problem:"


def _campaign(year: int, evaluate_on: str, **changes) -> dict:
    body = campaign_body()
    body.update(
        code=f"test-liuzhou-{year}-{uuid.uuid4().hex[:8]}",
        name=f"柳州市{year}年度工程系列职称申报（测试）",
        year=year,
        evaluate_on=evaluate_on,
        **changes,
    )
    return body


async def test_a_campaign_for_a_year_with_no_pack_in_force_is_refused_when_created(
    client,
) -> None:
    # The 柳州 pack comes into force on 2022-01-01 (the 2022年度 of 柳工职办〔2022〕1号):
    # a 2021 campaign has no rules to evaluate against, and is refused now, not at its
    # first submission.
    r = await post(client, "/v1/campaigns", OPS, _campaign(2021, "2021-07-31"))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "campaign-no-policy"
    assert "2021-07-31" in problem["detail"] and "没有施行中的评审政策包" in problem["detail"]
    assert {e["field"] for e in problem["errors"]} == {"evaluate_on", "year"}
    # 工艺美术: 桂工信职办〔2023〕6号 “2023年7月20日印发”; the day before, nothing is in force.
    arts = _campaign(
        2023,
        "2023-07-19",
        series="arts_crafts",
        region_code="450000",
        committee_code="gx-arts-senior-deputy-senior",
    )
    r = await post(client, "/v1/campaigns", OPS, arts)
    assert r.status_code == 422
    assert r.json()["type"] == PROBLEM + "campaign-no-policy"


async def test_a_2025_campaign_runs_under_the_2022_liuzhou_rules(client) -> None:
    r = await post(client, "/v1/campaigns", OPS, _campaign(2025, "2025-07-31"))
    assert r.status_code == 201, r.text
    campaign = r.json()
    tree = await make_tree(client, label="柳州2025")
    applicant = token("applicant", sub=f"lz2025-{uuid.uuid4().hex[:6]}")
    did = await new_draft(client, tree, campaign, applicant)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"
    eligibility = r.json()["eligibility"]
    assert eligibility["policy"]["id"] == GX
    assert not eligibility["blockers"]


async def test_policies_are_public_and_cacheable(client) -> None:
    r = await client.get("/v1/policies")
    assert r.status_code == 200, r.text
    listed = {p["id"]: p for p in r.json()}
    assert set(listed) == {GX, "changzhi-engineering-2022", "guangxi-arts-crafts-2023"}
    assert listed[GX]["in_force_from"] == "2022-01-01"
    assert listed[GX]["replaced_on"] is None
    assert listed["guangxi-arts-crafts-2023"]["in_force_from"] == "2023-07-20"
    assert "桂工信职办〔2023〕6号" in listed["guangxi-arts-crafts-2023"]["in_force_basis"]
    tag = r.headers["etag"]
    assert r.headers["cache-control"].startswith("public")
    again = await client.get("/v1/policies", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    r = await client.get(
        "/v1/policies", params={"region": "450206", "series": "engineering", "as_of": "2026-06-01"}
    )
    assert [p["id"] for p in r.json()] == [GX]
    assert r.headers["etag"] != tag


async def test_one_pack_shows_its_documents_paths_clauses_and_materials(client) -> None:
    r = await client.get(f"/v1/policies/{GX}")
    assert r.status_code == 200, r.text
    pack = r.json()
    assert "柳工职办〔2022〕1号" in {d["number"] for d in pack["documents"]}
    levels = {lv["level"]: lv for lv in pack["levels"]}
    assert levels["deputy_senior"]["name"] == "副高级"
    normal = next(p for p in levels["deputy_senior"]["paths"] if p["path"] == "normal")
    row = next(x for x in normal["rows"] if "取得工程师后5年" in x["label"])
    seniority = next(c for c in row["conditions"] if c["kind"] == "years_since_title")
    assert seniority["years"] == 5
    assert seniority["clause"]["ref"].startswith("柳州工程系列2022申报培训")
    assert seniority["clause"]["text"]
    assert pack["materials"] and all(m["name"] and m["clause"]["ref"] for m in pack["materials"])
    integrity = next(x for x in pack["exclusions"] if x["blocker"] == "integrity_record")
    assert integrity["clause"]["ref"] == "桂工信职办〔2023〕6号 一（一）5"
    assert integrity["clause"]["text"] == "记入职称评审诚信档案库，仍在记录期限的（不得申报）。"
    tag = r.headers["etag"]
    again = await client.get(f"/v1/policies/{GX}", headers={"If-None-Match": f'W/{tag}, "x"'})
    assert again.status_code == 304
    # A signed-in caller reads the same.
    r = await client.get(f"/v1/policies/{GX}", headers=auth(token("applicant")))
    assert r.status_code == 200 and r.headers["etag"] == tag


async def test_an_unknown_pack_is_a_404_problem(client) -> None:
    r = await client.get("/v1/policies/hunan-engineering-2022")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == PROBLEM + "policy-not-found"
    assert "hunan-engineering-2022" in r.json()["detail"]
