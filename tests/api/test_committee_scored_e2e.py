"""A scored committee end to end on the real stack, through the public API only: the 长治
工程师 session of issue #19 (`003_…` 九, 长工信〔2022〕139号).

Ten 长治 中级 declarations walk the real chain (unit → district 工信局 → city 人社局 → the
committee, paid through the signed provider callback); the office creates a session, whose
judging model comes from the campaign's policy pack; the drawn panel marks each defence
(答辩材料学术水平 and 现场答辩); a grade distribution off 3:6:1 is refused with by how much,
the one given by rank accepted; an expert and the office adjust 量化赋分 items with their
reasons (logged); the 综合评议 votes; the close reproduces the worked example below, 差 is
eliminated, and no endpoint ever shows an expert's mark.

Ten declarations is the fewest that exercise 3:6:1 exactly (3 优, 6 中, 1 差).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import select

from services.api.models import AuditEntry
from tests.api.factories import (
    OPS,
    Tree,
    auth,
    make_org,
    post,
    token,
    verified_applicant,
)
from tests.api.test_committee_e2e import decide, get_urls, make_expert, walk_to_paid
from tests.api.test_journey_e2e import CHANGZHI, CZ_FACTS, CZ_SECTIONS, open_copy_of
from tests.api.test_payments import callback, db, pay, payment  # noqa: F401 (fixtures)

# 长工信〔2022〕139号 九, the sentences the scored model rests on.
SEED_DEFENCE = "答辩成绩实行百分制，答辩材料学术水平评价占40%，现场答辩评价占60%。"
SEED_GRADES = "严格控制答辩成绩的优、中、差等次比例（3：6：1），答辩成绩为差的列为淘汰对象。"
SEED_REVIEW = "答辩成绩（30%）和量化评审赋分组成评审成绩。"
SEED_COMMITTEE = "执行评委会根据评审成绩，进行综合评议，确定申报人员的综合评价结果。"

_HERE = Path(__file__).resolve()
SEED_003 = next(
    (
        p
        for up in _HERE.parents[3:5]
        if (p := up / "shared" / "seeds" / "003_abb6e7983df217bd.txt").exists()
    ),
    _HERE,
)

DECLARATIONS = 10
POOL = PANEL = 11  # a prefecture-level committee's minimum (人社部令第40号, as a setting)
PRESENT = 9  # quorum: 8 of 11
# Who set the 量化赋分 points: the notice gives none, so this test's committee sets them.
SCHEDULE_SOURCE = "执行评委会议定（本测试设定，非长工信〔2022〕139号所载）"
CHAIN = ["unit_reviewer", "county_office", "series_office", "committee_office"]

# The worked example (declaration 0), from the sentences above:
# - 九 "答辩成绩实行百分制，答辩材料学术水平评价占40%，现场答辩评价占60%": the nine experts
#   present mark 答辩材料学术水平 76.25, 83.75 and 80 ×7 (mean 80) and 现场答辩 87.5, 92.5
#   and 90 ×7 (mean 90): 答辩成绩 = 80 × 40% + 90 × 60% = 32 + 54 = 86.
# - 九 "答辩成绩（30%）和量化评审赋分组成评审成绩": the notice gives the 量化赋分 items no
#   points, so the committee sets them before the session opens; this test's schedule (not
#   the notice's) gives 论文论著 3 per paper, at most 6: two papers prefill 6. An expert
#   takes 3 off one of them and the office adds 学术团体任职 +2, each with its reason:
#   量化赋分 6 − 3 + 2 = 5; 评审成绩 = 86 × 30% + 5 = 25.8 + 5 = 30.8.
# - 九 "严格控制答辩成绩的优、中、差等次比例（3：6：1），答辩成绩为差的列为淘汰对象": by rank
#   of the ten 答辩成绩, 86 (declaration 0) and the next two are 优, six 中, the lowest 差 —
#   eliminated, whatever a ballot would say.
# - 九 "执行评委会根据评审成绩，进行综合评议": the others by the 2/3 secret ballot of the nine
#   present (6 agreeing votes needed): 9 for declaration 0 (passes), 5 for declaration 1
#   (fails), 6 for the rest (pass).
MATERIAL_0 = ["76.25", "83.75", *["80"] * 7]
LIVE_0 = ["87.5", "92.5", *["90"] * 7]
SECRET_MARKS = ("76.25", "83.75", "87.5", "92.5")

# 复核 of declaration 1 (it failed the ballot with 5 agreeing votes), re-scored under the
# same 九:
# - the nine present mark anew 答辩材料学术水平 71.25, 68.75 and 70 ×7 (mean 70) and 现场答辩
#   81.5, 78.5 and 80 ×7 (mean 80): 答辩成绩 = 70 × 40% + 80 × 60% = 28 + 48 = 76;
# - its grade stays the 优 the session fixed by rank (setting it to 差 would make two 差
#   and two 优 of ten, off 3:6:1, and is refused);
# - 量化赋分: two papers prefill 6; the office takes 3 off in the 复核, with its reason: 3;
#   评审成绩 = 76 × 30% + 3 = 22.8 + 3 = 25.8;
# - not 差, so the 综合评议 ballot of the 复核 decides: 7 of 9 agree (6 needed): passes.
RE_MATERIAL = ["71.25", "68.75", *["70"] * 7]
RE_LIVE = ["81.5", "78.5", *["80"] * 7]
RE_SECRETS = ("71.25", "68.75", "81.5", "78.5")


def uniform(i: int) -> tuple[str, str]:
    """Declaration i ≥ 1: every expert marks (85 − 3i, 88 − 3i): 答辩成绩 86.8 − 3i."""
    return str(85 - 3 * i), str(88 - 3 * i)


async def chain_to_paid(client, tree: Tree, campaign: dict) -> str:
    applicant, _phone = await verified_applicant(client)
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "intermediate",
        "sections": {**CZ_SECTIONS, "plagiarism_check": {"rate_percent": 12.4}},
        "applicant_facts": CZ_FACTS,
    }
    r = await post(client, "/v1/declarations", applicant, body)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    await walk_to_paid(client, tree, did, applicant, CHAIN)
    return did


async def marks_nowhere(
    client,
    sid: str,
    dids: list[str],
    toks: list[str],
    *,
    secrets: tuple[str, ...] = SECRET_MARKS,
    recheck_id: str = "",
) -> None:
    """Every GET route of the gateway, as each caller given: no body shows a single mark."""
    params = {"session_id": sid, "declaration_id": dids[0], "committee_code": "x"}
    if recheck_id:
        params["recheck_id"] = recheck_id
    for url in get_urls(params):
        for tok in toks:
            r = await client.get(url, headers=auth(tok))
            assert r.status_code < 500, (url, r.text)
            for secret in secrets:
                assert secret not in r.text, (url, secret)
            assert '"material"' not in r.text and '"live"' not in r.text, url


async def test_changzhi_scored_session_end_to_end(pay, db) -> None:  # noqa: F811
    seed = " ".join(SEED_003.read_text(encoding="utf-8").split())
    for sentence in (SEED_DEFENCE, SEED_GRADES, SEED_REVIEW, SEED_COMMITTEE):
        assert sentence in seed, sentence
    client = pay
    label = f"长治评分{uuid.uuid4().hex[:4]}"
    committee = await make_org(client, "committee_office", f"{label}中评委", None, "140400")
    series = await make_org(
        client, "series_office", f"{label}市人社局", committee, "140400", duty="hrss"
    )
    county = await make_org(
        client, "county_office", f"{label}潞州区工信局", series, "140402", duty="industry"
    )
    unit = await make_org(client, "unit", f"{label}某机械厂", county, region="140402")
    office_tok = token("committee_office", committee, sub=f"{label}-committee")
    tree = Tree(committee, series, county, None, unit)
    tree.tokens = {
        "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit"),
        "county_office": token("county_office", county, sub=f"{label}-county"),
        "series_office": token("series_office", series, sub=f"{label}-series"),
        "committee_office": office_tok,
    }
    campaign = await open_copy_of(client, CHANGZHI, "intermediate")
    dids = [await chain_to_paid(client, tree, campaign) for _ in range(DECLARATIONS)]

    experts: dict[str, str] = {}
    for n in range(POOL):
        tok, expert_id = await make_expert(
            client,
            committee,
            office_tok,
            name=f"长治专家{n:02d}",
            employer_name=f"{label}外单位{n}",
            region_code="140400",
        )
        await decide(client, office_tok, expert_id, "approve")
        experts[expert_id] = tok

    # The session: its judging model comes from the campaign's pack, with the seed's words.
    body = {"campaign_id": campaign["id"], "level": "intermediate", "panel_size": PANEL}
    r = await post(client, "/v1/committee-sessions", office_tok, body)
    assert r.status_code == 201, r.text
    sid, etag = r.json()["id"], r.headers["ETag"]
    assert sorted(r.json()["declaration_ids"]) == sorted(dids)
    judging = r.json()["judging"]
    assert judging["method"] == "defence_and_points"
    assert judging["defence"]["material"] == "0.4" and judging["defence"]["live"] == "0.6"
    assert judging["defence_share"] == "0.3"
    assert judging["defence"]["basis"]["text"] == SEED_DEFENCE
    assert judging["grades"]["basis"]["text"] == SEED_GRADES
    assert SEED_REVIEW in judging["review_basis"]["text"]
    s = f"/v1/committee-sessions/{sid}"
    r = await post(client, s + "/draw", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    panel = [
        seat["expert_id"] for seat in (await client.get(s + "/panel", headers=auth(OPS))).json()
    ]
    assert len(panel) == PANEL
    # 量化赋分分值: set by the committee before it opens (the notice gives none).
    url, etag = s + "/points-schedule", r.headers["ETag"]
    schedule = {"points": {"papers": {"each": "3", "cap": "6"}}, "source": SCHEDULE_SOURCE}
    bad = {"points": {"patents": {"each": "1"}}, "source": SCHEDULE_SOURCE}
    r = await client.put(url, json=bad, headers=auth(office_tok, **{"If-Match": etag}))
    assert r.status_code == 422 and r.json()["type"].endswith("points-schedule-invalid"), r.text
    assert "论文论著" in r.json()["detail"]  # names the items there are
    r = await client.put(url, json=schedule, headers=auth(experts[panel[0]], **{"If-Match": etag}))
    assert r.status_code == 403, r.text
    r = await client.put(url, json=schedule, headers=auth(office_tok, **{"If-Match": etag}))
    assert r.status_code == 200, r.text
    assert r.json()["judging"]["schedule_source"] == SCHEDULE_SOURCE
    r = await post(client, s + "/opening", office_tok, **{"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    late = await client.put(
        url, json=schedule, headers=auth(office_tok, **{"If-Match": r.headers["ETag"]})
    )
    assert late.json()["type"].endswith("committee-session-status"), late.text
    present = panel[:PRESENT]
    r = await client.put(
        s + "/attendance",
        json={"present": present},
        headers=auth(office_tok, **{"If-Match": r.headers["ETag"]}),
    )
    assert r.status_code == 200, r.text
    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]

    # Grades by rank need every defence marked.
    r = await client.put(
        s + "/grades", json={"by_rank": True}, headers=auth(office_tok, **{"If-Match": etag})
    )
    assert r.status_code == 409 and r.json()["type"].endswith("defence-marks-missing"), r.text
    # A mark is a decimal on 100 points, never beyond.
    bad = {"declaration_id": dids[0], "material": "100.5", "live": "90"}
    r = await post(client, s + "/marks", experts[present[0]], bad)
    assert r.status_code == 422, r.text
    absent = panel[PRESENT]
    ok = {"declaration_id": dids[0], "material": "80", "live": "90"}
    r = await post(client, s + "/marks", experts[absent], ok)
    assert r.json()["type"].endswith("expert-not-present"), r.text
    for n, expert_id in enumerate(present):
        for i, did in enumerate(dids):
            material, live = (MATERIAL_0[n], LIVE_0[n]) if i == 0 else uniform(i)
            body = {"declaration_id": did, "material": material, "live": live}
            r = await post(client, s + "/marks", experts[expert_id], body)
            assert r.status_code == 201, r.text
            assert r.json() == {"session_id": sid, "declaration_id": did, "recorded": True}
    r = await post(client, s + "/marks", experts[present[0]], ok)
    assert r.json()["type"].endswith("already-marked"), r.text

    # 3:6:1 held: four 优 and no 差 is refused, saying by how much.
    wrong = {did: "excellent" if i < 4 else "medium" for i, did in enumerate(dids)}
    r = await client.put(
        s + "/grades", json={"grades": wrong}, headers=auth(office_tok, **{"If-Match": etag})
    )
    assert r.status_code == 422 and r.json()["type"].endswith("grade-ratio-broken"), r.text
    assert r.json()["gaps"] == {"excellent": 1, "poor": -1}
    assert "优多 1 人" in r.json()["detail"] and "差少 1 人" in r.json()["detail"]
    assert SEED_GRADES.rstrip("。") in r.json()["detail"]
    # Not every declaration graded: refused too.
    r = await client.put(
        s + "/grades",
        json={"grades": {dids[0]: "excellent"}},
        headers=auth(office_tok, **{"If-Match": etag}),
    )
    assert r.status_code == 422 and r.json()["type"].endswith("grades-invalid"), r.text
    # By rank of the 答辩成绩: 3 优, 6 中, 1 差 — accepted.
    r = await client.put(
        s + "/grades", json={"by_rank": True}, headers=auth(office_tok, **{"If-Match": etag})
    )
    assert r.status_code == 200, r.text
    graded = {g["declaration_id"]: g["grade"] for g in r.json()}
    expected = {did: "excellent" if i < 3 else "medium" for i, did in enumerate(dids)}
    expected[dids[9]] = "poor"
    assert graded == expected
    # The grades rest on the marks: none can be added after them.
    late = {"declaration_id": dids[0], "material": "99", "live": "99"}
    r = await post(client, s + "/marks", experts[present[0]], late)
    assert r.json()["type"].endswith("defence-marks-closed"), r.text
    r = await client.get(s + "/grades", headers=auth(OPS))
    assert {g["declaration_id"]: g["source"] for g in r.json()} == dict.fromkeys(dids, "rank")

    # 量化赋分: each line prefilled from the declaration, traceable to its entry and documents.
    r = await client.get(f"{s}/declarations/{dids[0]}/points", headers=auth(experts[present[0]]))
    assert r.status_code == 200, r.text
    points = r.json()
    by_item = {}
    for line in points["lines"]:
        by_item.setdefault(line["item"], []).append(line)
    assert [(x["section"], x["index"]) for x in by_item["papers"]] == [("papers", 0), ("papers", 1)]
    assert CZ_SECTIONS["papers"][1]["title"] in by_item["papers"][1]["note"]
    assert by_item["technical_projects"][0]["section"] == "achievements"
    assert by_item["work_years"][0]["section"] == "facts.professional_work_since"
    # The committee's schedule prices the papers; the notice gives the other items none.
    assert [x["points"] for x in by_item["papers"]] == ["3", "3"]
    assert all(x["points"] is None for x in points["lines"] if x["item"] != "papers")
    assert points["prefilled"] == "6"
    declaration = (await client.get(f"/v1/declarations/{dids[0]}", headers=auth(OPS))).json()
    for line in points["lines"]:
        attached = {
            a["document_id"]
            for a in declaration["attachments"]
            if (a.get("item") or {}).get("section") == line["section"]
            and (a.get("item") or {}).get("index")
            in ((line["index"],) if line["index"] is not None else (None, 0))
        }
        assert set(line["document_ids"]) == attached, line
    # Adjustments: an expert and the office, each with a reason; none without one.
    a = f"{s}/declarations/{dids[0]}/adjustments"
    r = await post(
        client, a, experts[present[0]], {"item": "papers", "points": "6", "reason": "  "}
    )
    assert r.status_code == 422 and r.json()["type"].endswith("points-adjustment-invalid"), r.text
    r = await post(client, a, experts[present[0]], {"item": "papers", "points": "6"})
    assert r.status_code == 422, r.text
    r = await post(
        client, a, experts[present[0]], {"item": "patents", "points": "1", "reason": "专利两项"}
    )
    assert r.status_code == 422 and "论文论著" in r.json()["detail"], r.text
    papers_reason = "第二篇为会议综述，非专业期刊论文，经审阅扣3分"
    r = await post(
        client, a, experts[present[0]], {"item": "papers", "points": "-3", "reason": papers_reason}
    )
    assert r.status_code == 201, r.text
    society_reason = "申报人任市机械工程学会理事，经核实计2分"
    r = await post(
        client,
        a,
        office_tok,
        {"item": "academic_societies", "points": "2", "reason": society_reason},
    )
    assert r.status_code == 201, r.text
    r = await client.get(f"{s}/declarations/{dids[0]}/points", headers=auth(office_tok))
    assert (r.json()["prefilled"], r.json()["adjusted"], r.json()["total"]) == ("6", "-1", "5")
    assert [x["reason"] for x in r.json()["adjustments"]] == [papers_reason, society_reason]

    # The 综合评议: 9 present, 6 agreeing votes pass; 差 needs no ballot.
    agree = {0: 9, 1: 5}
    for i, did in enumerate(dids[:9]):
        yes = agree.get(i, 6)
        for n, expert_id in enumerate(present):
            choice = "agree" if n < yes else "disagree"
            r = await post(
                client,
                s + "/ballots",
                experts[expert_id],
                {"declaration_id": did, "choice": choice},
            )
            assert r.status_code == 201, r.text

    # Before the close no mark is readable anywhere: ops, the office, an expert who marked.
    await marks_nowhere(client, sid, dids, [OPS, office_tok, experts[present[0]]])

    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, s + "/closing", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    outcomes = {t["declaration_id"]: t["outcome"] for t in r.json()}
    # The worked example.
    first = outcomes[dids[0]]
    assert (first["material_mean"], first["live_mean"]) == ("80", "90")
    assert first["defence_score"] == "86"
    assert first["grade"] == "excellent" and first["eliminated"] is False
    assert first["quantified_points"] == "5"
    assert first["review_score"] == "30.8"
    assert first["passed"] is True and (first["agree"], first["needed"]) == (9, 6)
    assert "评审成绩 30.8 分 = 答辩成绩 86 分 × 30%（25.8 分） + 量化赋分 5 分" in first["reason"]
    assert SEED_REVIEW.rstrip("。") in first["reason"]
    # 差 eliminated, whatever a ballot would say; the rest by the ballot.
    last = outcomes[dids[9]]
    assert last["grade"] == "poor" and last["eliminated"] is True and last["passed"] is False
    assert last["defence_score"] == "59.8" and last["agree"] is None
    assert "列为淘汰对象" in last["reason"]
    assert outcomes[dids[1]]["passed"] is False and outcomes[dids[1]]["agree"] == 5
    assert outcomes[dids[1]]["defence_score"] == "83.8"
    for did in dids[2:9]:
        assert outcomes[did]["passed"] is True, outcomes[did]
    for did in dids:
        assert (await client.get(f"/v1/declarations/{did}", headers=auth(OPS))).json()[
            "status"
        ] == "evaluated"
    r = await client.get(s + "/tallies", headers=auth(office_tok))
    assert {t["declaration_id"]: t["outcome"] for t in r.json()} == outcomes
    # After the close, still only aggregates.
    await marks_nowhere(client, sid, dids, [OPS, office_tok])
    r = await post(client, a, office_tok, {"item": "papers", "points": "1", "reason": "闭会后调整"})
    assert r.json()["type"].endswith("committee-session-status"), r.text

    # 复核 of declaration 1, re-scored under the session's model.
    await recheck_scored(client, office_tok, experts, present, sid, dids)

    # The audit chain: marks without their values, adjustments with who and why, grades, close.
    trail = (await client.get(f"/v1/declarations/{dids[0]}/audit", headers=auth(OPS))).json()
    actions = [row["action"] for row in trail]
    assert actions.count("defence_marked") == PRESENT
    adjusted = [row for row in trail if row["action"] == "points_adjusted"]
    assert [papers_reason in adjusted[0]["reason"], society_reason in adjusted[1]["reason"]] == [
        True,
        True,
    ]
    assert "论文论著 -3分" in adjusted[0]["reason"]
    assert "committee_evaluated" in actions
    rows = (
        await db.exec(
            select(AuditEntry.action)
            .where(AuditEntry.reason.contains(sid))
            .execution_options(populate_existing=True)
        )
    ).all()
    assert {"points_schedule_set", "defence_grades_set", "committee_session_closed"} <= set(rows)
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.status_code == 200 and r.json()["first_broken_seq"] is None, r.text


async def recheck_scored(
    client, office_tok: str, experts: dict[str, str], present: list[str], sid: str, dids
) -> None:
    """复核 of a scored declaration: new sealed marks, a logged adjustment, a new ballot,
    the grade the session fixed, and the close re-judging by the session's model."""
    url = f"/v1/declarations/{dids[1]}"
    etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    reason = "申报人对答辩评分提出复核申请，经审核同意复核"
    r = await post(client, url + "/rechecks", office_tok, {"reason": reason}, **{"If-Match": etag})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["previous"]["passed"] is False and r.json()["previous"]["agree"] == 5
    rc = f"/v1/rechecks/{rid}"
    # No close before the marks: the 答辩成绩 is re-derived from the 复核's own marks.
    etag = (await client.get(rc, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, rc + "/closing", office_tok, **{"If-Match": etag})
    assert r.status_code == 409 and r.json()["type"].endswith("defence-marks-missing"), r.text
    absent = next(e for e in experts if e not in present)
    r = await post(client, rc + "/marks", experts[absent], {"material": "80", "live": "80"})
    assert r.json()["type"].endswith("recheck-not-on-panel"), r.text
    r = await post(client, rc + "/marks", office_tok, {"material": "80", "live": "80"})
    assert r.status_code == 403, r.text
    for n, expert_id in enumerate(present):
        body = {"material": RE_MATERIAL[n], "live": RE_LIVE[n]}
        r = await post(client, rc + "/marks", experts[expert_id], body)
        assert r.status_code == 201, r.text
        assert r.json() == {"recheck_id": rid, "recorded": True}
    r = await post(client, rc + "/marks", experts[present[0]], {"material": "99", "live": "99"})
    assert r.json()["type"].endswith("already-marked"), r.text
    r = await post(
        client, rc + "/adjustments", office_tok, {"item": "papers", "points": "-3", "reason": "  "}
    )
    assert r.json()["type"].endswith("points-adjustment-invalid"), r.text
    cut = "复核查明第二篇论文为内部资料，非公开发表，扣3分"
    r = await post(
        client, rc + "/adjustments", office_tok, {"item": "papers", "points": "-3", "reason": cut}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["item_name"], r.json()["points"]) == ("论文论著", "-3")
    for n, expert_id in enumerate(present):
        choice = "agree" if n < 7 else "disagree"
        r = await post(client, rc + "/ballots", experts[expert_id], {"choice": choice})
        assert r.status_code == 201, r.text
    await marks_nowhere(
        client,
        sid,
        dids,
        [OPS, office_tok, experts[present[0]]],
        secrets=RE_SECRETS,
        recheck_id=rid,
    )
    etag = (await client.get(rc, headers=auth(office_tok))).headers["ETag"]
    # 3:6:1 is over the session's grades: 差 for this 优 leaves two 差 and two 优 — refused.
    r = await post(client, rc + "/closing", office_tok, {"grade": "poor"}, **{"If-Match": etag})
    assert r.status_code == 422 and r.json()["type"].endswith("grade-ratio-broken"), r.text
    assert r.json()["counts"] == {"excellent": 2, "medium": 6, "poor": 2}
    r = await post(client, rc + "/closing", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    outcome = r.json()["outcome"]
    assert (outcome["material_mean"], outcome["live_mean"]) == ("70", "80")
    assert outcome["defence_score"] == "76" and outcome["marks"] == PRESENT
    assert (outcome["grade"], outcome["grade_source"]) == ("excellent", "rank")
    assert outcome["quantified_points"] == "3" and outcome["review_score"] == "25.8"
    assert "评审成绩 25.8 分 = 答辩成绩 76 分 × 30%（22.8 分） + 量化赋分 3 分" in outcome["reason"]
    assert (outcome["agree"], outcome["disagree"], outcome["needed"]) == (7, 2, 6)
    assert outcome["passed"] is True and outcome["recheck_id"] == rid
    r = await client.get(f"/v1/committee-sessions/{sid}/tallies", headers=auth(office_tok))
    tallies = {t["declaration_id"]: t["outcome"] for t in r.json()}
    assert tallies[dids[1]] == outcome
    # The other grades stand as the session fixed them.
    r = await client.get(f"/v1/committee-sessions/{sid}/grades", headers=auth(OPS))
    assert {g["declaration_id"]: g["grade"] for g in r.json()}[dids[1]] == "excellent"
    await marks_nowhere(client, sid, dids, [OPS, office_tok], secrets=RE_SECRETS, recheck_id=rid)
    trail = (await client.get(url + "/audit", headers=auth(OPS))).json()
    actions = [row["action"] for row in trail]
    assert actions.count("recheck_marked") == PRESENT
    assert actions.count("recheck_ballot_cast") == PRESENT
    assert actions[-1] == "recheck_closed" and "recheck_opened" in actions
    assert reason in next(x["reason"] for x in trail if x["action"] == "recheck_opened")
    adjusted = next(x for x in trail if x["action"] == "recheck_points_adjusted")
    assert cut in adjusted["reason"] and "论文论著 -3分" in adjusted["reason"]
    closed = next(x for x in trail if x["action"] == "recheck_closed")
    assert "重新评分" in closed["reason"] and "复核前：未通过" in closed["reason"]
    for row in trail:
        for secret in RE_SECRETS:
            assert secret not in (row["reason"] or ""), row
