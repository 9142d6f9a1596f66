"""The specialty catalogue (职称评审专业目录): a public, cacheable read per series, and the
code a declaration carries, checked against its series' catalogue."""

from __future__ import annotations

from tests.api.factories import (
    FACTS,
    auth,
    drafted,
    make_campaign,
    make_tree,
    post,
    submission,
    token,
)
from tests.api.test_routing import quoted

PROBLEM = "urn:zhicheng:problem:"
# 000 二（一）: the applicant chooses the specialty by the catalogue.
CHOOSE = quoted("000", "申报人应根据自己所从事的专业技术工作按照职称评审专业目录正确选择拟评专业。")
# 000 三（三） 举例1: the catalogue's 机械工程 comes from this sentence.
MECHANICAL = quoted("000", "东风柳汽人员申报机械工程专业副高级职称")


async def test_the_catalogue_is_public_cacheable_and_quotes_its_source(client) -> None:
    r = await client.get("/v1/specialties")
    assert r.status_code == 200, r.text
    by_series = {c["series"]: c for c in r.json()}
    assert set(by_series) == {"engineering", "arts_crafts"}
    engineering = {s["code"]: s for s in by_series["engineering"]["specialties"]}
    mechanical = engineering["eng-mechanical"]
    assert mechanical["name"] == "机械工程"
    assert mechanical["source"]["seed"] == "000" and mechanical["source"]["text"] == MECHANICAL
    assert by_series["engineering"]["series_name"] == "工程系列"
    # 004 refers to 《工艺美术系列职称评审专业目录》 without listing it: nothing invented.
    assert by_series["arts_crafts"]["specialties"] == []
    tag = r.headers["etag"]
    again = await client.get("/v1/specialties", headers={"If-None-Match": tag})
    assert again.status_code == 304
    one = await client.get("/v1/specialties", params={"series": "engineering"})
    assert [c["series"] for c in one.json()] == ["engineering"]
    assert one.headers["etag"] != tag
    bad = await client.get("/v1/specialties", params={"series": "medicine"})
    assert bad.status_code == 422


async def test_a_declaration_carries_a_catalogue_code(client) -> None:
    tree = await make_tree(client, label="专业目录")
    campaign = await make_campaign(client)
    applicant = token("applicant")
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "applicant_facts": FACTS,
    }
    # A name typed in, not a code: refused, pointing at the catalogue.
    r = await post(client, "/v1/declarations", applicant, {**body, "specialty": "机械工程"})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "specialty-unknown"
    assert "eng-mechanical（机械工程）" in problem["detail"] and CHOOSE in problem["detail"]
    r = await post(client, "/v1/declarations", applicant, {**body, "specialty": "eng-civil"})
    assert r.status_code == 201, r.text
    assert r.json()["specialty"] == "eng-civil"
    url = f"/v1/declarations/{r.json()['id']}"
    headers = auth(applicant, **{"If-Match": r.headers["etag"]})
    bad = await client.patch(url, json={"specialty": "eng-bridges"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["type"] == PROBLEM + "specialty-unknown"
    ok = await client.patch(url, json={"specialty": "eng-mechanical"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["specialty"] == "eng-mechanical"


async def test_the_code_is_evaluated_by_its_name(client) -> None:
    # 000 三（三）举例1: 机械工程 in the 汽车 industry goes to the 汽车产业 committee, not the
    # 副高 campaign's 工程系列柳州市副高级评委会: the code reaches the rules as 机械工程.
    case = await drafted(client, label="专业评估")
    url = f"/v1/declarations/{case.did}"
    current = await client.get(url, headers=auth(case.applicant))
    edit = {"specialty": "eng-mechanical", "applicant_facts": {**FACTS, "industry": "automotive"}}
    headers = auth(case.applicant, **{"If-Match": current.headers["etag"]})
    assert (await client.patch(url, json=edit, headers=headers)).status_code == 200
    r = await submission(client, url + "/submissions", case.applicant)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "route-committee-mismatch"
    assert "工程系列柳州汽车产业副高级评委会" in r.json()["detail"]
