"""One source of facts: what eligibility evaluates is what the reviewers read.

The counts and records the engine reads come from the declaration's sections (and the
registries); what the applicant typed that the sections contradict is ignored and named.
The date rules the seeds state are checks on the sections' items, each with its sentence,
quoted here as the seeds have them:

- 000 四（一）: “只提供任现职以来（如：中级申报副高级，必须是取得中级职称以后）的论文著作、
  专业技术工作经历、业绩成果和获奖情况。”
- 000 四（一）7-1: “专业技术工作经历从取得下一级职称时填起，驻村工作队员的驻村工作经历等同于
  专业工作经历。……各时期前后时间一般应连续不中断。”
- 000 三: “……可提前1年参加相应专业职称评审1次。”
- 003 三（一）4: “任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。”
- 004 一（二）3: “……原则上应按规定办理重新确认后方可申报原系列上一级职称。”
- 004 二（二）2（3）: “对具有等待期的论文发表材料，可凭用稿通知先行申报，并于开评月的上月
  月底前将论文公开发表的材料按规定程序补充报送至评委会所在职改办。”
- 004 一（一）: “申报后出现上述情形的，评审结果不予确认。”
"""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

from tests.api.factories import (
    ARTS_FACTS,
    ARTS_SECTIONS,
    FACTS,
    OPS,
    SECTIONS,
    auth,
    campaign_body,
    changzhi_intermediate,
    make_campaign,
    make_tree,
    new_draft,
    post,
    return_for_correction,
    submission,
    submit,
    submitted,
    token,
)
from tests.api.registries.helpers import arts_crafts_2023
from tests.api.test_judgements import arts_tree
from tests.api.test_payments import accepted

PROBLEM = "urn:zhicheng:problem:"
LZ_SINCE = (
    "只提供任现职以来（如：中级申报副高级，必须是取得中级职称以后）的论文著作、"
    "专业技术工作经历、业绩成果和获奖情况。"
)
LZ_EXPERIENCE = (
    "专业技术工作经历从取得下一级职称时填起，驻村工作队员的驻村工作经历等同于专业工作经历。"
)
LZ_CONTINUOUS = "各时期前后时间一般应连续不中断"
LZ_ONCE = "可提前1年参加相应专业职称评审1次"
CZ_PAPERS = "任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。"
GX_RECONFIRM = "原则上应按规定办理重新确认后方可申报原系列上一级职称"
GX_WAITING = (
    "对具有等待期的论文发表材料，可凭用稿通知先行申报，并于开评月的上月月底前"
    "将论文公开发表的材料按规定程序补充报送至评委会所在职改办"
)
FINDING = {"conduct": "提供虚假业绩证明", "basis": "经查实，业绩证明系伪造"}


async def _refused(client, did: str, applicant: str) -> dict:
    r = await submission(client, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "declaration-incomplete", r.text
    return r.json()


def _date_rules(problem: dict, rule: str) -> list[dict]:
    return [e for e in problem["errors"] if e["kind"] == "date_rule" and e["rule"] == rule]


async def _eligibility(client, did: str) -> dict:
    r = await client.get(f"/v1/declarations/{did}", headers=auth(OPS))
    assert r.status_code == 200, r.text
    return r.json()["eligibility"]


async def test_changzhi_papers_count_from_the_sections_since_the_assistant_title(client) -> None:
    """003 三（一）4: a paper of 2015, before the 助理工程师 of 2016-12-01, is refused with
    the sentence; the applicant's typed count (2) is ignored for the one paper that counts,
    so the 论文 condition is not met."""
    tree, campaign = await changzhi_intermediate(client, "长治事实")
    typed = {
        "employer_type": "state_owned",
        "education": [{"level": "master", "related_major": True, "graduated_on": "2013-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2016-12-01"}],
        "professional_work_since": "2013-07-01",
        "papers": 2,
    }
    sections = {
        **SECTIONS,
        "current_title": {
            "series": "engineering",
            "level": "assistant",
            "title_name": "助理工程师",
            "obtained_on": "2016-12-01",
        },
        "papers": [
            {"title": "减速器箱体铸造工艺", "journal": "铸造技术", "published_on": "2015-04-01"},
            {"title": "托辊故障诊断", "journal": "煤矿机械", "published_on": "2019-05-01"},
        ],
        "annual_assessments": [{"year": y, "grade": "qualified"} for y in range(2017, 2022)],
    }
    applicant = token("applicant", sub=f"cz-facts-{uuid.uuid4().hex[:6]}")
    did = await new_draft(
        client, tree, campaign, applicant, level="intermediate",
        applicant_facts=typed, sections=sections,
    )  # fmt: skip
    problem = await _refused(client, did, applicant)
    [early] = _date_rules(problem, "since_current_title")
    assert early["section"] == "papers" and early["index"] == 0
    assert CZ_PAPERS in early["clause"] and "2015-04-01" in early["message"]
    source = problem["eligibility"]["facts_source"]
    [ignored] = [i for i in source["ignored"] if i["fact"] == "papers"]
    assert ignored["typed"] == 2 and ignored["evaluated"] == 1 and ignored["section"] == "papers"
    [path] = [p for p in problem["eligibility"]["paths"] if p["path"] == "normal"]
    [papers] = [c for c in path["conditions"] if c["id"] == "papers"]
    assert papers["met"] is False and papers["actual"] == 1


async def test_items_from_before_the_current_title_are_refused_with_the_sentence(client) -> None:
    """000 四（一）: papers, achievements, awards and experience from before the 工程师 of
    2017-05-01 are each refused, citing the sentence; typed 双定向 and assessments that
    the sections contradict are ignored and named."""
    tree = await make_tree(client, label="任现职以来", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"since-{uuid.uuid4().hex[:6]}")
    sections = copy.deepcopy(SECTIONS)
    sections["papers"].append(
        {"title": "旧论文", "journal": "机械设计", "published_on": "2016-03-01"}
    )
    sections["achievements"].append(
        {"name": "旧项目", "content": "车架设计", "role": "参与", "completed_on": "2016-01-01"}
    )
    sections["awards"] = [{"name": "科技进步奖", "awarded_on": "2015-10-01", "issuer": "柳州市"}]
    sections["professional_experience"].append(
        {"name": "旧经历", "content": "车架", "start_on": "2014-01-01", "end_on": "2016-12-31"}
    )
    typed = {
        **FACTS,
        "dual_directed": True,
        "annual_assessments": [{"year": 2021, "grade": "basic"}],
    }
    did = await new_draft(
        client, tree, campaign, applicant, sections=sections, applicant_facts=typed
    )
    problem = await _refused(client, did, applicant)
    found = {(e["section"], e["index"]) for e in _date_rules(problem, "since_current_title")}
    assert found == {
        ("papers", 1),
        ("achievements", 1),
        ("awards", 0),
        ("professional_experience", 1),
    }
    assert all(LZ_SINCE in e["clause"] for e in _date_rules(problem, "since_current_title"))
    ignored = {i["fact"]: i for i in problem["eligibility"]["facts_source"]["ignored"]}
    assert ignored["dual_directed"]["evaluated"] is False
    assert ignored["dual_directed"]["section"] == "basic_info"
    assert ignored["annual_assessments"]["evaluated"] == SECTIONS["annual_assessments"][::-1]


async def test_experience_gaps_are_flagged_and_a_village_posting_fills_them(client) -> None:
    """000 四（一）7-1: the experience is filled from the lower title on and continuous; a
    gap is flagged to the reviewers (“一般”), and a 驻村 period counts as professional
    experience, so it closes the gap. A paper with only a 用稿通知 does not count (000
    states no waiting period) and is flagged, not refused."""
    eligibilities = []
    for village in (False, True):
        sections = copy.deepcopy(SECTIONS)
        sections["professional_experience"] = [
            {"name": "底盘", "content": "设计", "start_on": "2017-05-01", "end_on": "2018-12-31"},
            {"name": "车桥", "content": "试验", "start_on": "2020-03-01"},
        ]
        sections["papers"].append(
            {
                "title": "待刊",
                "journal": "汽车工程",
                "published_on": "2022-05-01",
                "stage": "accepted",
            }
        )
        if village:
            sections["professional_experience"].append(
                {
                    "name": "驻村工作队",
                    "content": "乡村振兴驻村工作",
                    "start_on": "2019-01-01",
                    "end_on": "2020-02-29",
                    "village_posting": True,
                }
            )
        tree = await make_tree(client, label=f"经历{village}", supervisor=False, county=False)
        campaign = await make_campaign(client)
        applicant = token("applicant", sub=f"exp-{uuid.uuid4().hex[:6]}")
        did = await new_draft(client, tree, campaign, applicant, sections=sections)
        r = await submit(client, did, applicant)
        assert r.status_code == 200, r.text
        eligibilities.append(await _eligibility(client, did))
        # The unit's reviewer sees the same findings among the declaration's warnings.
        r = await client.get(
            f"/v1/declarations/{did}/warnings", headers=auth(tree.tokens["unit_reviewer"])
        )
        assert r.json()["facts_source"] == eligibilities[-1]["facts_source"], r.text
    plain, posted = (e["facts_source"]["findings"] for e in eligibilities)
    [gap] = [f for f in plain if f["rule"] == "experience_gap"]
    assert gap["severity"] == "flag" and "2018-12-31至2020-03-01" in gap["message"]
    assert LZ_EXPERIENCE in gap["clause"] and LZ_CONTINUOUS in gap["clause"]
    assert not [f for f in posted if f["rule"] in ("experience_gap", "village_posting")]
    for findings in (plain, posted):
        [waiting] = [f for f in findings if f["rule"] == "waiting_period"]
        assert waiting["severity"] == "flag" and waiting["index"] == 1


async def test_engineering_master_early_entry_is_used_once(client) -> None:
    """000 三: 工程硕士 may enter one year early “1次”. An applicant whose 助理工程师 is of
    2021-08-01 files for 工程师 a year early in 2022; applying early again in 2023 (still
    short of the two years) is refused: the eligibility service closes the path for one who
    used it (the gateway counts their filed declarations on it)."""
    tree = await make_tree(client, label="工程硕士", supervisor=False, county=False)
    applicant = token("applicant", sub=f"em-{uuid.uuid4().hex[:6]}")
    facts = {
        "employer_type": "state_owned",
        "education": [
            {
                "level": "master",
                "related_major": True,
                "engineering_master_degree": True,
                "graduated_on": "2020-06-30",
            }
        ],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2021-08-01"}],
        "professional_work_since": "2020-07-01",
    }
    sections = copy.deepcopy(SECTIONS)
    sections["current_title"] = {
        "series": "engineering",
        "level": "assistant",
        "title_name": "助理工程师",
        "obtained_on": "2021-08-01",
    }
    sections["papers"][0]["published_on"] = "2022-03-01"
    sections["professional_experience"][0]["start_on"] = "2021-08-01"
    dids = []
    for year, evaluate_on in ((2022, "2022-08-31"), (2023, "2023-07-31")):
        body = campaign_body(level="intermediate")
        body |= {
            "code": f"test-lz-int-{year}-{uuid.uuid4().hex[:8]}",
            "year": year,
            "evaluate_on": evaluate_on,
            "committee_code": "lz-eng-intermediate",
            "committee_name": "工程系列柳州市中级评委会",
        }
        r = await post(client, "/v1/campaigns", OPS, body)
        assert r.status_code == 201, r.text
        dids.append(
            await new_draft(
                client,
                tree,
                r.json(),
                applicant,
                level="intermediate",
                path="engineering_master_early",
                applicant_facts=facts,
                sections=sections,
            )
        )
    r = await submit(client, dids[0], applicant)
    assert r.status_code == 200, r.text
    problem = await _refused(client, dids[1], applicant)
    [once] = [e for e in problem["errors"] if "限1次" in e["message"]]
    assert once["kind"] == "eligibility"
    policy = (await client.get("/v1/policies/guangxi-engineering-2022", headers=auth(OPS))).json()
    [clause] = [c for c in policy["clauses"] if c["ref"] == once["clause"]]
    assert LZ_ONCE in clause["text"]


async def _arts(client, label: str):
    tree = await arts_tree(client, label)
    campaign = await arts_crafts_2023(client)
    applicant = token("applicant", sub=f"{label}-{uuid.uuid4().hex[:6]}")
    return tree, campaign, applicant


async def test_a_title_from_outside_guangxi_needs_reconfirmation_first(client) -> None:
    """004 一（二）3: a 工艺美术师 obtained in 上海 is refused until the 重新确认 is recorded;
    with its date the same declaration is filed."""
    tree, campaign, applicant = await _arts(client, "区外职称")
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["current_title"]["region"] = "310000"
    did = await new_draft(
        client, tree, campaign, applicant, applicant_facts=ARTS_FACTS, sections=sections
    )
    problem = await _refused(client, did, applicant)
    [refusal] = _date_rules(problem, "title_reconfirmation")
    assert GX_RECONFIRM in refusal["clause"] and "310000" in refusal["message"]
    url = f"/v1/declarations/{did}"
    current = await client.get(url, headers=auth(applicant))
    sections["current_title"]["reconfirmed_on"] = "2022-03-01"
    r = await client.patch(
        url,
        json={"sections": {"current_title": sections["current_title"]}},
        headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text


async def test_a_paper_with_only_an_acceptance_notice_past_its_date_is_refused(client) -> None:
    """004 二（二）2（3）: a 用稿通知 counts only until the month before the evaluation month
    (五（二）: November 2023, so 2023-10-31); filed after that date it is refused. A 驻村
    period, on which 004 says nothing, is left to the reviewers."""
    tree, campaign, applicant = await _arts(client, "用稿通知")
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["papers"].append(
        {"title": "壮锦纹样", "journal": "装饰", "published_on": "2023-06-01", "stage": "accepted"}
    )
    sections["professional_experience"].append(
        {
            "name": "驻村工作队",
            "content": "驻村",
            "start_on": "2019-01-01",
            "end_on": "2020-01-01",
            "village_posting": True,
        }
    )
    did = await new_draft(
        client, tree, campaign, applicant, applicant_facts=ARTS_FACTS, sections=sections
    )
    problem = await _refused(client, did, applicant)
    [late] = _date_rules(problem, "waiting_period")
    assert GX_WAITING in late["clause"] and "2023-10-31" in late["message"]
    [village] = [
        f
        for f in problem["eligibility"]["facts_source"]["findings"]
        if f["rule"] == "village_posting"
    ]
    assert village["severity"] == "flag"


async def test_a_record_after_acceptance_stops_the_payment_notice(client) -> None:
    """004 一（一）: “申报后出现上述情形的，评审结果不予确认。” An integrity record made
    after the last approval is read again before the committee's office acts."""
    tree = await make_tree(client, label="受理后失信", supervisor=False, county=False)
    campaign = await make_campaign(client)
    did, _ = await accepted(client, tree, campaign)
    office = tree.tokens["committee_office"]
    r = await post(client, f"/v1/declarations/{did}/integrity-records", office, FINDING)
    assert r.status_code == 201, r.text
    r = await post(client, f"/v1/declarations/{did}/payment-notices", office)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "integrity-record-in-force"
    assert "评审结果不予确认" in r.json()["detail"]


async def test_the_stored_evaluation_is_replayed_from_the_snapshot(client) -> None:
    """The evaluation stored at submission is rebuilt from the snapshot (sections and the
    registry facts of that day) and matches; a record added to the register later does not
    change what the submission was evaluated on. Reviewers and ops read it; applicants not."""
    tree, _campaign, applicant, did = await submitted(
        client, label="复现", supervisor=False, county=False
    )
    url = f"/v1/declarations/{did}/evaluation/replay"
    r = await client.get(url, headers=auth(OPS))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["replayable"] and body["matches"] and body["differences"] == [], body
    assert body["n"] == 1
    # Returned, corrected (an award added to its sections)
    # and filed again: the second submission is replayed from its own snapshot.
    r = await return_for_correction(client, tree, did, within=timedelta(days=1))
    assert r.status_code == 201, r.text
    current = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    awards = [{"name": "青年岗位能手", "awarded_on": "2019-05-04", "issuer": "柳州市"}]
    r = await client.patch(
        f"/v1/declarations/{did}",
        json={"sections": {"awards": awards}},
        headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    r = await client.get(url, headers=auth(OPS))
    assert r.json()["n"] == 2 and r.json()["matches"] is True, r.text
    office = tree.tokens["series_office"]
    r = await post(client, f"/v1/declarations/{did}/integrity-records", office, FINDING)
    assert r.status_code == 201, r.text
    r = await client.get(url, headers=auth(tree.tokens["unit_reviewer"]))
    assert r.status_code == 200 and r.json()["matches"] is True, r.text
    r = await client.get(url, headers=auth(applicant))
    assert r.status_code == 403, r.text
