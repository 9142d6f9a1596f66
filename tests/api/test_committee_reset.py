"""工艺美术 中级及以下 campaigns can run; 重置评委会 moves a draft to another campaign or
committee keeping its content and its documents."""

from __future__ import annotations

import uuid

from tests.api.factories import (
    OPS,
    SECTIONS,
    as_read,
    auth,
    campaign_body,
    drafted,
    make_tree,
    new_draft,
    post,
    submit,
    submitted,
    token,
    upload_material,
)

# 桂工信职办〔2023〕6号 二（一）1（2） (seed 004): who reviews 中级 and below.
OTHER_COMMITTEES = (
    "其他具备工艺美术系列职称评审权限的评委会，具体请查阅评委会所在职改办印发的相关通知部署文件。"
)
ARTS_COMMITTEE = "gx-arts-intermediate-and-below"

ARTS_SECTIONS = {
    **SECTIONS,
    "basic_info": {"name": "黄工", "phone": "13800000002", "employer_type": "state_owned"},
    "education": [
        {
            "level": "bachelor",
            "school": "广西艺术学院",
            "major": "工艺美术",
            "graduated_on": "2012-06-30",
        }
    ],
    "current_title": {
        "series": "arts_crafts",
        "level": "assistant",
        "title_name": "助理工艺美术师",
        "obtained_on": "2017-06-01",
    },
    "self_evaluation": {"text": "从事坭兴陶设计十一年，主持多件陶艺作品的造型与装饰设计。"},
}
ARTS_FACTS = {
    "employer_type": "state_owned",
    "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2012-06-30"}],
    "titles": [{"series": "arts_crafts", "level": "assistant", "obtained_on": "2017-06-01"}],
    "professional_work_since": "2012-07-01",
}


async def arts_campaign(client, level: str = "intermediate") -> dict:
    body = {
        **campaign_body(level=level, fee_yuan=230),
        "code": f"test-gx-arts-2023-{uuid.uuid4().hex[:8]}",
        "name": "广西2023年度工艺美术系列中级职称评审（测试）",
        "year": 2023,
        "series": "arts_crafts",
        "committee_code": ARTS_COMMITTEE,
        "committee_name": "具备工艺美术系列职称评审权限的中级及以下评委会",
        "evaluate_on": "2023-09-10",
    }
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_arts_crafts_intermediate_campaign_runs_and_takes_a_declaration(client) -> None:
    r = await client.get(
        "/v1/committees",
        params={
            "region": "450200",
            "series": "arts_crafts",
            "level": "intermediate",
            "as_of": "2023-09-10",
        },
        headers=auth(OPS),
    )
    assert r.status_code == 200, r.text
    assert ARTS_COMMITTEE in [c["code"] for c in r.json()], r.text
    policy = await client.get("/v1/policies/guangxi-arts-crafts-2023", headers=auth(OPS))
    assert OTHER_COMMITTEES in policy.text
    campaign = await arts_campaign(client)
    tree = await make_tree(client, label=f"美{uuid.uuid4().hex[:6]}")
    applicant = token("applicant")
    did = await new_draft(
        client,
        tree,
        campaign,
        applicant,
        level="intermediate",
        sections=ARTS_SECTIONS,
        applicant_facts=ARTS_FACTS,
    )
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"
    assert r.json()["committee_code"] == ARTS_COMMITTEE


async def test_committee_reset_keeps_content_and_documents(client) -> None:
    case = await drafted(client, label=f"重{uuid.uuid4().hex[:6]}")
    url = f"/v1/declarations/{case.did}"
    doc = await upload_material(client, case.did, case.applicant, "photo")
    before = (await client.get(url, headers=auth(case.applicant))).json()
    assert [a["document_id"] for a in before["attachments"]] == [doc["id"]]
    target = await arts_campaign(client)
    body = {"campaign_id": target["id"], "level": "intermediate"}
    # Only the applicant moves their draft: to its unit's reviewer and to another
    # applicant a draft does not exist; ops may not act for the applicant.
    for other in (case.tree.tokens["unit_reviewer"], token("applicant")):
        r = await as_read(client, url + "/committee-resets", other, body)
        assert r.status_code == 404, r.text
    r = await as_read(client, url + "/committee-resets", OPS, body)
    assert r.status_code == 403, r.text
    # A level the campaign does not take is refused.
    r = await as_read(
        client, url + "/committee-resets", case.applicant, {**body, "level": "senior"}
    )
    assert r.status_code == 422 and r.json()["type"].endswith(":level-not-in-campaign")
    r = await as_read(client, url + "/committee-resets", case.applicant, body)
    assert r.status_code == 200, r.text
    moved = r.json()
    assert (moved["campaign_id"], moved["committee_code"], moved["level"]) == (
        target["id"],
        ARTS_COMMITTEE,
        "intermediate",
    )
    assert moved["series"] == "arts_crafts" and moved["year"] == 2023
    assert moved["sections"] == before["sections"]
    assert moved["attachments"] == before["attachments"]
    docs = await client.get(url + "/documents", headers=auth(case.applicant))
    assert doc["id"] in [d["id"] for d in docs.json()], docs.text
    # The attachment still stands: a PATCH naming it is accepted after the move.
    r = await client.patch(
        url,
        json={"attachments": moved["attachments"]},
        headers=auth(case.applicant, **{"If-Match": r.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    # Moving to where it already is: refused by name.
    r = await as_read(client, url + "/committee-resets", case.applicant, body)
    assert r.status_code == 422 and r.json()["type"].endswith(":committee-reset-same")
    trail = await client.get(url + "/audit", headers=auth(case.applicant))
    entries = [e for e in trail.json() if e["action"] == "committee_reset"]
    assert entries and ARTS_COMMITTEE in entries[0]["reason"], trail.text


async def test_a_filed_declaration_cannot_reset_its_committee(client) -> None:
    case = await submitted(client, label=f"交{uuid.uuid4().hex[:6]}")
    target = await arts_campaign(client)
    r = await as_read(
        client,
        f"/v1/declarations/{case.did}/committee-resets",
        case.applicant,
        {"campaign_id": target["id"], "level": "intermediate"},
    )
    assert r.status_code == 409 and r.json()["type"].endswith(":declaration-not-editable"), r.text
