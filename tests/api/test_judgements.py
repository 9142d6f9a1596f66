"""Judgement calls go to a reviewer, not to a refusal.

Conditions the eligibility service cannot decide (`met: null` with `decided_by`) are
submitted and carried as open judgements to the level the policy names; that level's
reviewer records a decision with its reason and clause (audited), and cannot pass the
declaration up while one is open or rejected. A rejection is answered by a return.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.api.factories import (
    ARTS_FACTS,
    ARTS_SECTIONS,
    FACTS,
    SECTIONS,
    Tree,
    auth,
    changzhi_intermediate,
    complete_unit_step,
    make_campaign,
    make_org,
    new_draft,
    post,
    submission,
    submit,
    submitted,
    token,
    upload_materials,
)
from tests.api.registries.helpers import arts_crafts_2023
from tests.api.test_review_chain_e2e import UNIT_REVIEW

# 桂工信职办〔2023〕6号, quoted as the seed has them.
OFFICE_REVIEW = "重点审核推荐程序、材料完整性和规范性、推荐对象基本条件等"
EXCEPTIONAL = "经评委会所在职改办审核同意后方可评审"
UNIT_CHANGE = "对于6个月内有工作单位变动的，应提供相关情况说明和证明材料"
# 长工信〔2022〕139号 四（二）.
UNIT_APPRAISAL = "鉴定意见中要注明申报人学历、资历、工作能力、业绩成果、学术技术等是否符合申报条件"


async def arts_tree(client, label: str) -> Tree:
    committee = await make_org(client, "committee_office", f"{label}评委会所在职改办", None)
    series = await make_org(client, "series_office", f"{label}系列职改办", committee, "450000")
    unit = await make_org(client, "unit", f"{label}工艺厂", series, region="450206")
    tree = Tree(committee, series, None, None, unit)
    tree.tokens = {
        "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit"),
        "series_office": token("series_office", series, sub=f"{label}-series"),
        "committee_office": token("committee_office", committee, sub=f"{label}-committee"),
    }
    return tree


async def arts_submitted(client, label: str, **extra) -> tuple[Tree, str, str]:
    tree = await arts_tree(client, label)
    campaign = await arts_crafts_2023(client)
    applicant = token("applicant", sub=f"{label}-{uuid.uuid4().hex[:6]}")
    body = {"applicant_facts": ARTS_FACTS, "sections": ARTS_SECTIONS, **extra}
    did = await new_draft(client, tree, campaign, applicant, **body)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    return tree, did, applicant


async def judgements(client, did: str, tok: str) -> list[dict]:
    r = await client.get(f"/v1/declarations/{did}/progress", headers=auth(tok))
    assert r.status_code == 200, r.text
    listed = await client.get(f"/v1/declarations/{did}/judgements", headers=auth(tok))
    assert listed.status_code == 200 and listed.json() == r.json()["judgements"]
    return r.json()["judgements"]


async def decide(client, did: str, jid: str, tok: str, decision: str, reason: str):
    body = {"decision": decision, "reason": reason, "clause": "桂工信职办〔2023〕6号 三（三）"}
    return await post(client, f"/v1/declarations/{did}/judgements/{jid}/decisions", tok, body)


async def test_arts_normal_path_is_submitted_and_judged_by_the_series_office(client) -> None:
    """工艺美术 正常晋升: the level's conditions (桂职办〔2022〕45号, not in the policy) are
    submitted, not refused, and the series office records the judgement before passing it."""
    tree, did, applicant = await arts_submitted(client, "工美正常")
    t = tree.tokens
    url = f"/v1/declarations/{did}"
    eligibility = (await client.get(url, headers=auth(applicant))).json()["eligibility"]
    assert eligibility["eligible"] is False  # the contract's answer is unchanged
    # The applicant sees what awaits judgement, and by whom.
    [j] = await judgements(client, did, applicant)
    assert j["condition_id"] == "series_conditions" and j["path"] == "normal"
    assert j["status"] == "open" and j["level"] == "series_office" and j["level_named"]
    assert j["org_name"] == "工美正常系列职改办"
    assert OFFICE_REVIEW in j["level_basis"] and "桂职办〔2022〕45号" in j["message"]

    # Not the unit's to decide; the unit passes it up.
    r = await decide(client, did, j["id"], t["unit_reviewer"], "approve", "单位认为符合条件")
    assert r.status_code == 403
    assert r.json()["type"] == "urn:zhicheng:problem:judgement-not-yours"
    assert "工美正常系列职改办" in r.json()["detail"]
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(t["unit_reviewer"]))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, t["unit_reviewer"])
    r = await post(client, url + "/approvals", t["unit_reviewer"])
    assert r.status_code == 200 and r.json()["status"] == "series_office_review", r.text

    # The series office sees it waiting with one judgement of its own to record ...
    queue = await client.get("/v1/review-queue", headers=auth(t["series_office"]))
    [item] = [i for i in queue.json() if i["declaration_id"] == did]
    assert item["open_judgements"] == 1
    # ... and cannot pass it up while the judgement is open.
    r = await post(client, url + "/approvals", t["series_office"])
    assert r.status_code == 409
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:judgement-open"
    assert [x["id"] for x in problem["judgements"]] == [j["id"]]
    assert "桂职办〔2022〕45号" in problem["detail"]

    reason = "经核对学历、资历证明，符合桂职办〔2022〕45号高级工艺美术师申报条件"
    r = await decide(client, did, j["id"], t["series_office"], "approve", reason)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved" and decided["reason"] == reason
    assert decided["decided_role"] == "series_office" and decided["decided_at"]
    r = await post(client, url + "/approvals", t["series_office"])
    assert r.status_code == 200 and r.json()["status"] == "committee_office_review", r.text
    r = await post(client, url + "/approvals", t["committee_office"])
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text

    [j] = await judgements(client, did, applicant)
    assert j["status"] == "approved" and j["decision_clause"] == "桂工信职办〔2023〕6号 三（三）"
    events = (await client.get(url + "/audit", headers=auth(applicant))).json()
    actions = [e["action"] for e in events]
    assert actions.index("judgements_opened") < actions.index("judgement_approved")
    [row] = [e for e in events if e["action"] == "judgement_approved"]
    assert reason in row["reason"] and row["actor_role"] == "series_office"


async def test_arts_exceptional_is_judged_by_the_committee_office_and_a_rejection_returns(
    client,
) -> None:
    """工艺美术 破格: "经评委会所在职改办审核同意后方可评审" — the committee's office decides;
    its rejection stops the chain until the declaration is returned and resubmitted."""
    tree, did, applicant = await arts_submitted(
        client,
        "工美破格",
        path="exceptional",
        applicant_facts={**ARTS_FACTS, "exceptional": True},
    )
    t = tree.tokens
    url = f"/v1/declarations/{did}"
    [j] = await judgements(client, did, applicant)
    assert j["condition_id"] == "exceptional_review" and j["level"] == "committee_office"
    assert j["org_name"] == "工美破格评委会所在职改办" and EXCEPTIONAL in j["level_basis"]
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(t["unit_reviewer"]))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, t["unit_reviewer"])
    for role in ("unit_reviewer", "series_office"):  # no judgement of theirs: they pass it
        r = await post(client, url + "/approvals", t[role])
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "committee_office_review"
    r = await post(client, url + "/approvals", t["committee_office"])
    assert r.status_code == 409 and r.json()["type"].endswith(":judgement-open")

    reason = "破格申报审批表所附业绩证明不足以达到破格条件"
    r = await decide(client, did, j["id"], t["committee_office"], "reject", reason)
    assert r.status_code == 200 and r.json()["status"] == "rejected", r.text
    r = await post(client, url + "/approvals", t["committee_office"])
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:judgement-rejected"
    assert reason in r.json()["detail"] and "一次性告知" in r.json()["detail"]

    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    items = [{"message": f"破格条件认定未通过：{reason}，请补充证明材料"}]
    r = await post(
        client, url + "/returns", t["committee_office"], {"items": items, "deadline_at": deadline}
    )
    assert r.status_code == 201, r.text
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 200 and r.json()["status"] == "committee_office_review", r.text
    [j] = await judgements(client, did, applicant)
    assert j["status"] == "open" and j["raised_in"] == 2 and j["reason"] is None

    r = await decide(client, did, j["id"], t["committee_office"], "approve", "补充材料达到破格条件")
    assert r.status_code == 200, r.text
    r = await post(client, url + "/approvals", t["committee_office"])
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    events = (await client.get(url + "/audit", headers=auth(applicant))).json()
    actions = [e["action"] for e in events]
    assert actions.count("judgements_opened") == 2
    assert actions.index("judgement_rejected") < actions.index("judgement_approved")


async def test_unit_change_with_an_explanation_is_a_judgement_not_a_refusal(client) -> None:
    """柳州 2022 四（一）/ 桂工信职办〔2023〕6号 二（二）1（6）: "民营企业申报人员原则上应有在申报
    单位连续6个月以上（不含申报当月）个人社保缴费记录；对于6个月内有工作单位变动的，应提供相关
    情况说明和证明材料" — three months with the explanation go to the series office."""
    committee = await make_org(client, "committee_office", "社保变动评委会所在职改办", None)
    series = await make_org(client, "series_office", "社保变动系列职改办", committee)
    unit = await make_org(client, "unit", "社保变动民营企业", series, region="450206")
    tree = Tree(committee, series, None, None, unit)
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"si-{uuid.uuid4().hex[:6]}")
    facts = {**FACTS, "employer_type": "private", "social_insurance_months": 3}
    sections = {
        **SECTIONS,
        "basic_info": {**SECTIONS["basic_info"], "employer_type": "private"},
        "social_insurance": {"months": 3},
    }
    did = await new_draft(
        client, tree, campaign, applicant, applicant_facts=facts, sections=sections
    )
    url = f"/v1/declarations/{did}"
    r = await submit(client, did, applicant)  # without the explanation: still refused
    assert r.status_code == 422, r.text
    [blocker] = [e for e in r.json()["errors"] if e["kind"] == "eligibility"]
    assert "现3个月" in blocker["message"] and "情况说明" in blocker["message"]

    await upload_materials(client, did, applicant, ["unit_change_explanation"])
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 200, r.text
    [j] = await judgements(client, did, applicant)
    assert j["condition_id"] == "social_insurance" and j["level"] == "series_office"
    assert not j["level_named"] and "未载明" in j["level_basis"]
    assert UNIT_CHANGE in j["level_basis"] and "已提供工作单位变动的情况说明" in j["message"]


async def test_an_outright_eligible_declaration_carries_nothing_to_judge(client) -> None:
    """柳州 工程 副高 on its normal path, every condition met: nothing for anyone to judge."""
    tree, _campaign, applicant, did = await submitted(
        client, label="无需认定", supervisor=False, county=False
    )
    assert await judgements(client, did, applicant) == []
    queue = await client.get("/v1/review-queue", headers=auth(tree.tokens["unit_reviewer"]))
    [item] = [i for i in queue.json() if i["declaration_id"] == did]
    assert item["open_judgements"] == 0


async def test_changzhi_high_skill_is_judged_by_the_unit_before_it_passes_up(client) -> None:
    """长治 高技能人才: the standard conditions are in a provincial plan outside the policy;
    the unit's 鉴定意见 says whether they are met (四（二）), so the unit cannot pass it up
    before recording that judgement."""
    # 六1: “各县、区由工信局（市直主管部门）审核……市人社局备案后报送至市工信局编制人事科。”
    tree, campaign = await changzhi_intermediate(client, "长治某")
    unit_tok = token("unit_reviewer", tree.unit, sub="changzhi-unit")
    facts = {
        "employer_type": "state_owned",
        "education": [
            {"level": "technical_secondary", "related_major": True, "graduated_on": "2008-06-30"}
        ],
        "skill_grades": [{"grade": "senior_worker", "obtained_on": "2015-06-01"}],
        "professional_work_since": "2008-07-01",
        "annual_assessments": [{"year": y, "grade": "qualified"} for y in range(2016, 2022)],
    }
    applicant = token("applicant", sub=f"cz-{uuid.uuid4().hex[:6]}")
    # 长工信〔2022〕139号 七1: the review paper's plagiarism rate is recorded before submission.
    sections = {
        **SECTIONS,
        "plagiarism_check": {"rate_percent": 8.5},
        # What is evaluated is what the unit reads: the assessments come from this section.
        "annual_assessments": facts["annual_assessments"],
    }
    did = await new_draft(
        client, tree, campaign, applicant, level="intermediate", path="high_skill",
        applicant_facts=facts, sections=sections,
    )  # fmt: skip
    r = await submit(client, did, applicant)
    assert r.status_code == 200 and r.json()["status"] == "unit_review", r.text
    [j] = await judgements(client, did, applicant)
    assert j["condition_id"] == "high_skill_conditions" and j["level"] == "unit"
    assert j["org_name"] == "长治某机械厂" and UNIT_APPRAISAL in j["level_basis"]

    url = f"/v1/declarations/{did}"
    review = {k: v for k, v in UNIT_REVIEW.items() if k != "defence_on"}
    r = await client.put(url + "/unit-review", json=review, headers=auth(unit_tok))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit_tok)
    r = await post(client, url + "/approvals", unit_tok)
    assert r.status_code == 409 and r.json()["type"].endswith(":judgement-open"), r.text
    r = await decide(client, did, j["id"], unit_tok, "approve", "高级工满7年，符合贯通方案标准条件")
    assert r.status_code == 200, r.text
    r = await post(client, url + "/approvals", unit_tok)
    # Up to the district's 工信局, the next level of its chain.
    assert r.status_code == 200 and r.json()["status"] == "county_review", r.text
