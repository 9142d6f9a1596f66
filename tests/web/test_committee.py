"""The committee's pages in a real browser, on the real stack.

What happens before the pages goes through the public API (`through_api`, an in-process
gateway over the same database, queue and store): declarations walked up their chain and
paid through the signed provider callback, with real uploads; the experts' accounts
opened by the office, their applications, the office's approvals. Then the committee
office and experts act in the browser; the rest of a panel (those not in a browser) casts
its ballots and marks through the public API, as each expert's own token."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.api.factories import OPS, Tree, auth, make_org, post, token
from tests.api.test_committee_e2e import CHAIN, chain_to_paid, committee_tree, decide, make_expert
from tests.api.test_committee_e2e import PASSWORD as EXPERT_PASSWORD
from tests.api.test_committee_scored_e2e import chain_to_paid as cz_chain_to_paid
from tests.api.test_journey_e2e import CHANGZHI, CZ_SECTIONS, open_copy_of
from tests.web.browsing import (
    DESK,
    PASSWORD,
    UNLABELLED,
    alerts,
    press,
    seen,
    shot,
    staff_signed_in,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_the_committee_office_sees_why_a_session_cannot_be_formed_yet(
    browser, web_url: str, world: dict, artefacts: Path
) -> None:
    """Sessions are formed from paid declarations; none of this campaign is paid, and the
    office reads the gateway's reason in Chinese."""
    ctx = browser.new_context(base_url=web_url, **DESK)
    page = ctx.new_page()
    page.goto("/staff/login")
    page.get_by_label("用户名").fill(world["committee"])
    page.get_by_label("密码").fill(PASSWORD)
    press(page, page.get_by_role("button", name="登录"))
    press(page, page.get_by_role("link", name="评审会"))
    seen(page.get_by_role("heading", name="评审会"))
    # Below the level's minimum panel first: the rule and its clause are named.
    page.get_by_label("批次").select_option(world["campaign"]["id"])
    page.get_by_label("抽取专家人数").fill("9")
    press(page, page.get_by_role("button", name="新建"))
    seen(page.locator(".alert.error").get_by_text("少于本级评审委员会的最低人数"))
    page.get_by_label("抽取专家人数").fill("11")
    press(page, page.get_by_role("button", name="新建"))
    seen(page.locator(".alert.error").get_by_text("没有已缴费"))
    shot(page, artefacts, "desk-07-committee")
    ctx.close()


# ---- helpers ---------------------------------------------------------------------------


def labelled(page) -> None:
    assert page.evaluate(UNLABELLED) == [], page.url


def done(page, text: str) -> None:
    seen(page.locator(".alert.ok").get_by_text(text), alerts(page))


def refused(page, text: str) -> None:
    seen(page.locator(".alert.error").get_by_text(text), alerts(page))


def row_of(page, did: str):
    return page.locator("tbody tr").filter(has_text=did[:8])


async def open_office(client, committee: str) -> str:
    """The committee office's own account (ops opens it), for the browser."""
    username = f"committee-{uuid.uuid4().hex[:8]}"
    body = {
        "username": username,
        "password": PASSWORD,
        "role": "committee_office",
        "org_id": committee,
    }
    r = await post(client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    return username


async def open_pool(
    client, committee: str, office_tok: str, label: str, n: int, **profile
) -> dict[str, dict]:
    """`n` experts: accounts the office opens, signed in, applied and approved.
    expert id → {"tok", "username", "name"}."""
    experts = {}
    tag = uuid.uuid4().hex[:6]
    for i in range(n):
        username = f"expert-{tag}-{i:02d}"
        name = f"{label}专家{i:02d}"
        tok, expert_id = await make_expert(
            client,
            committee,
            office_tok,
            name=name,
            employer_name=f"{label}外单位{i}",
            username=username,
            **profile,
        )
        await decide(client, office_tok, expert_id, "approve")
        experts[expert_id] = {"tok": tok, "username": username, "name": name}
    return experts


def panel_of(through_api, sid: str, office_tok: str) -> list[dict]:
    async def read(client):
        r = await client.get(f"/v1/committee-sessions/{sid}/panel", headers=auth(office_tok))
        assert r.status_code == 200, r.text
        return r.json()

    return through_api(read)


def as_panel(through_api, sid: str, acts: list[tuple[str, str, dict]]) -> None:
    """Experts not in a browser act through the public API, each with their own token:
    (token, path under the session, body)."""

    async def run(client):
        for tok, path, body in acts:
            r = await post(client, f"/v1/committee-sessions/{sid}/{path}", tok, body)
            assert r.status_code == 201, r.text

    through_api(run)


def in_the_list(page, code: str) -> str:
    """The session just formed: its id, from the page it landed on."""
    assert "/committee/" in page.url, alerts(page)
    seen(page.get_by_role("heading", name=code))
    return page.url.rstrip("/").split("/committee/")[1]


# ---- a ballot session ------------------------------------------------------------------


def test_a_ballot_session_from_the_draw_to_the_tallies(
    browser, web_url: str, through_api, artefacts: Path
) -> None:
    """柳州 副高, by secret ballot (test_committee_e2e's flow, 11 experts drawn from 12).

    In the browser: the committee office forms the session, draws the panel, reads the
    draw's public verification, schedules a defence, opens the session and records who is
    present; one expert recuses with a reason (a replacement is drawn from the same seed,
    and the verification still agrees); another casts ballots (a second on the same
    declaration is refused in Chinese); the office closes and reads the tallies. The other
    present experts vote through the public API."""
    label = f"网评{uuid.uuid4().hex[:4]}"

    async def setup(client):
        tree, campaign = await committee_tree(client, label)
        committee, office_tok = tree.committee, tree.tokens["committee_office"]
        dids = [await chain_to_paid(client, tree, campaign, CHAIN) for _ in range(2)]
        office = await open_office(client, committee)
        experts = await open_pool(client, committee, office_tok, label, 12)
        return campaign, dids, office, office_tok, experts

    campaign, dids, office, office_tok, experts = through_api(setup)

    # The office forms the session: the campaign's paid declarations, 11 experts.
    octx, page = staff_signed_in(browser, web_url, office, PASSWORD)
    press(page, page.get_by_role("link", name="评审会"))
    page.get_by_label("批次").select_option(campaign["id"])
    page.get_by_label("评审级别").select_option("deputy_senior")
    page.get_by_label("抽取专家人数").fill("11")
    press(page, page.get_by_role("button", name="新建"))
    sid = in_the_list(page, "评审会")
    seen(page.get_by_text("评审方式：不记名投票"))
    seen(page.get_by_text("尚未抽取。"))

    # The draw: the panel, and the draw's public verification from the published seed.
    # A second tab still shows the session as it was before: its draw is refused
    # (If-Match: the version the page showed), not applied a second time.
    stale = octx.new_page()
    stale.goto(f"/committee/{sid}")
    press(page, page.get_by_role("button", name="随机抽取专家"))
    done(page, "评审专家已随机抽取")
    press(stale, stale.get_by_role("button", name="随机抽取专家"))
    refused(stale, "版本不一致")
    stale.close()
    panel_table = page.locator("#panel-h").locator("xpath=..").locator("tbody tr")
    assert panel_table.count() == 11
    shot(page, artefacts, "desk-08-committee-drawn")
    press(page, page.get_by_role("link", name="抽取复核"))
    seen(page.get_by_role("heading", name="复核结论"))
    assert "一致" in page.locator("#seed-verdict").inner_text()
    assert "不一致" not in page.locator("#seed-verdict").inner_text()
    assert "不一致" not in page.locator("#panel-verdict").inner_text()
    assert page.locator("table tbody tr").count() == 11
    shot(page, artefacts, "desk-09-committee-draw-check")
    page.goto(f"/committee/{sid}")

    # A defence slot three days ahead (the applicant gets an SMS).
    at = (datetime.now() + timedelta(days=3)).replace(hour=9, minute=30)
    page.get_by_label("申报人").select_option(dids[0])
    page.get_by_label("开始时间（北京时间）").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("柳州市人才大厦3楼答辩室")
    press(page, page.get_by_role("button", name="安排答辩"))
    done(page, "答辩时间已安排")
    seen(page.get_by_text("柳州市人才大厦3楼答辩室"))
    press(page, page.get_by_role("button", name="开始评审会"))
    done(page, "评审会已开始")
    labelled(page)

    # An expert of the panel recuses, with a reason: the replacement comes from the seed.
    seats = panel_of(through_api, sid, office_tok)
    drawn = [seat["expert_id"] for seat in seats]
    leaving, voter = experts[drawn[-1]], experts[drawn[0]]
    ectx, epage = staff_signed_in(browser, web_url, leaving["username"], EXPERT_PASSWORD)
    assert epage.url.endswith("/committee"), epage.url
    press(epage, epage.get_by_role("link", name=f"{sid[:8]}"))
    epage.get_by_label("回避理由（如与申报人系近亲属、同一单位）").fill("与申报人系近亲属")
    press(epage, epage.get_by_role("button", name="申请回避"))
    done(epage, "已按同一随机种子补抽")
    assert epage.get_by_role("link", name=f"{sid[:8]}").count() == 0  # no longer theirs
    ectx.close()
    seats = panel_of(through_api, sid, office_tok)
    [replacement] = [s["expert_id"] for s in seats if s["round"] == 1]
    assert replacement not in drawn
    page.goto(f"/committee/{sid}/draw")
    assert "不一致" not in page.locator("#panel-verdict").inner_text()
    seen(page.get_by_text(f"第 1 轮补抽：{leaving['name']} 回避"))
    page.goto(f"/committee/{sid}")
    seen(page.get_by_text("回避理由：与申报人系近亲属"))

    # Attendance: nine of the eleven seated (the quorum is two thirds).
    active = [s["expert_id"] for s in seats if s["status"] == "active"]
    present = [voter_id := drawn[0], *[e for e in active if e != drawn[0]][:8]]
    assert voter_id in present and replacement in active
    for expert_id in present:
        page.get_by_label(f"到会：{experts[expert_id]['name']}").check()
    press(page, page.get_by_role("button", name="登记到会专家"))
    done(page, "到会专家已登记（9 人）")
    shot(page, artefacts, "desk-10-committee-open")

    # An expert votes in the browser; a second ballot on the same declaration is refused.
    ectx, epage = staff_signed_in(browser, web_url, voter["username"], EXPERT_PASSWORD)
    press(epage, epage.get_by_role("link", name=f"{sid[:8]}"))
    seen(epage.get_by_text("专家名单由评委会所在职改办掌握"))  # the panel is the office's
    assert epage.get_by_role("link", name="抽取复核").count() == 0
    seen(epage.get_by_text("柳州市人才大厦3楼答辩室"))
    labelled(epage)
    press(epage, row_of(epage, dids[0]).get_by_role("button", name="同意", exact=False).first)
    done(epage, "已投票（不记名）")
    press(epage, row_of(epage, dids[1]).get_by_role("button", name="不同意", exact=False))
    done(epage, "已投票（不记名）")
    shot(epage, artefacts, "desk-11-expert-ballot")
    press(epage, row_of(epage, dids[0]).get_by_role("button", name="弃权", exact=False))
    refused(epage, "不记名投票一经投出不能更改")
    ectx.close()
    # The other eight present: all agree on the first; three of them on the second.
    others = [e for e in present if e != voter_id]
    acts = [
        (experts[e]["tok"], "ballots", {"declaration_id": dids[0], "choice": "agree"})
        for e in others
    ] + [
        (
            experts[e]["tok"],
            "ballots",
            {"declaration_id": dids[1], "choice": "agree" if n < 3 else "disagree"},
        )
        for n, e in enumerate(others)
    ]
    as_panel(through_api, sid, acts)

    # The office closes and reads the tallies: 9 of 9 agree (6 needed); 3 of 9.
    page.goto(f"/committee/{sid}")
    press(page, page.get_by_role("button", name="结束并统计"))
    done(page, "评审会已结束")
    first, second = row_of(page, dids[0]).last, row_of(page, dids[1]).last
    assert "9/0/0（6）" in first.inner_text() and "通过" in first.inner_text()
    assert "3/6/0（6）" in second.inner_text() and "未通过" in second.inner_text()
    assert "9/11" in first.inner_text()
    shot(page, artefacts, "desk-12-committee-tallies")
    octx.close()


# ---- a scored session (长治) ------------------------------------------------------------


def test_a_scored_session_marks_points_grades_and_tallies(
    browser, web_url: str, through_api, artefacts: Path
) -> None:
    """长治 工程师 (长工信〔2022〕139号 九, test_committee_scored_e2e's model): 答辩评价 and
    量化赋分, two declarations, 11 experts drawn, 9 present.

    In the browser: the office forms the session, sets the 量化赋分 points schedule before
    the draw, draws, opens and records attendance; an expert marks both defences (a second
    mark is refused, and no mark is shown back), takes 3 points off a paper with a reason
    and casts ballots; the office adds 学术团体任职 +2 with its reason, is refused a grade
    distribution off 3:6:1 (saying by how much), sets the grades by rank, closes and reads
    the worked example: 答辩成绩 86, 优, 量化赋分 6 − 3 + 2 = 5, 评审成绩 30.8. The other
    eight present mark and vote through the public API."""
    label = f"长治网评{uuid.uuid4().hex[:4]}"

    async def setup(client):
        committee = await make_org(client, "committee_office", f"{label}中评委", None, "140400")
        series = await make_org(
            client, "series_office", f"{label}市人社局", committee, "140400", duty="hrss"
        )
        county = await make_org(
            client, "county_office", f"{label}潞州区工信局", series, "140402", duty="industry"
        )
        unit = await make_org(client, "unit", f"{label}某机械厂", county, region="140402")
        office_tok = token("committee_office", committee, sub=f"{label}-office")
        tree = Tree(committee, series, county, None, unit)
        tree.tokens = {
            "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit"),
            "county_office": token("county_office", county, sub=f"{label}-county"),
            "series_office": token("series_office", series, sub=f"{label}-series"),
            "committee_office": office_tok,
        }
        campaign = await open_copy_of(client, CHANGZHI, "intermediate")
        dids = [await cz_chain_to_paid(client, tree, campaign) for _ in range(2)]
        office = await open_office(client, committee)
        experts = await open_pool(client, committee, office_tok, label, 11, region_code="140400")
        return campaign, dids, office, office_tok, experts

    campaign, dids, office, office_tok, experts = through_api(setup)

    octx, page = staff_signed_in(browser, web_url, office, PASSWORD)
    page.goto("/committee")
    page.get_by_label("批次").select_option(campaign["id"])
    page.get_by_label("评审级别").select_option("intermediate")
    page.get_by_label("抽取专家人数").fill("11")
    press(page, page.get_by_role("button", name="新建"))
    sid = in_the_list(page, "评审会")
    seen(page.get_by_text("评审方式：答辩评价与量化赋分"))

    # 量化赋分分值, before the draw: 论文论著 3 each, at most 6 (the notice gives none).
    press(page, page.get_by_role("link", name="量化赋分分值"))
    page.get_by_label("论文论著每项得分").fill("3")
    page.get_by_label("论文论著最高分").fill("6")
    page.get_by_label("分值的依据（由谁、依据什么设定）").fill("执行评委会议定（本测试设定）")
    labelled(page)
    press(page, page.get_by_role("button", name="保存分值"))
    done(page, "量化赋分分值已设定")
    assert page.get_by_label("论文论著每项得分").input_value() == "3"
    seen(page.get_by_text("现行分值的依据：执行评委会议定（本测试设定）"))
    shot(page, artefacts, "desk-13-points-schedule")

    page.goto(f"/committee/{sid}")
    press(page, page.get_by_role("button", name="随机抽取专家"))
    done(page, "评审专家已随机抽取")
    press(page, page.get_by_role("button", name="开始评审会"))
    done(page, "评审会已开始")
    seats = panel_of(through_api, sid, office_tok)
    present = [seat["expert_id"] for seat in seats][:9]
    for expert_id in present:
        page.get_by_label(f"到会：{experts[expert_id]['name']}").check()
    press(page, page.get_by_role("button", name="登记到会专家"))
    done(page, "到会专家已登记（9 人）")

    # An expert marks both defences in the browser: once each, never shown back.
    marker = experts[present[0]]
    ectx, epage = staff_signed_in(browser, web_url, marker["username"], EXPERT_PASSWORD)
    press(epage, epage.get_by_role("link", name=f"{sid[:8]}"))
    press(epage, row_of(epage, dids[0]).get_by_role("link"))
    seen(epage.get_by_role("heading", name="答辩评分", exact=True))
    # Each 量化赋分 line with its basis: the two papers priced by the schedule.
    papers = epage.locator("tbody tr").filter(has_text="论文论著")
    assert papers.count() == 2
    assert CZ_SECTIONS["papers"][1]["title"] in papers.last.inner_text()
    assert "任现职以来论文、著作情况 第 2 条" in papers.last.inner_text()
    assert "3" in papers.first.locator("td").last.inner_text()
    assert epage.locator("#points-sum").inner_text().split()[1] == "6"
    labelled(epage)
    epage.get_by_label("答辩材料学术水平评价（占40%，满分 100）").fill("80")
    epage.get_by_label("现场答辩评价（占60%，满分 100）").fill("90")
    press(epage, epage.get_by_role("button", name="提交答辩评分"))
    done(epage, "答辩评分已记录")
    assert epage.get_by_label("答辩材料学术水平评价（占40%，满分 100）").input_value() == ""
    epage.get_by_label("答辩材料学术水平评价（占40%，满分 100）").fill("99")
    epage.get_by_label("现场答辩评价（占60%，满分 100）").fill("99")
    press(epage, epage.get_by_role("button", name="提交答辩评分"))
    refused(epage, "评分一经提交不能更改")
    # 量化赋分: the expert takes 3 off one paper, with the reason on record.
    reason = "第二篇为会议综述，非专业期刊论文，经审阅扣3分"
    epage.get_by_label("赋分项目").select_option("papers")
    epage.get_by_label("调整分值（加分写正数，减分写负数，如 -3）").fill("-3")
    epage.get_by_label("调整理由（记录在案）").fill(reason)
    press(epage, epage.get_by_role("button", name="记录调整"))
    done(epage, "量化赋分调整已记录")
    seen(epage.locator("#adjustments").get_by_text(reason))
    assert epage.locator("#points-sum").inner_text().split()[-1] == "3"
    shot(epage, artefacts, "desk-14-expert-marks-points")
    epage.goto(f"/committee/{sid}/declarations/{dids[1]}")
    epage.get_by_label("答辩材料学术水平评价（占40%，满分 100）").fill("70")
    epage.get_by_label("现场答辩评价（占60%，满分 100）").fill("80")
    press(epage, epage.get_by_role("button", name="提交答辩评分"))
    done(epage, "答辩评分已记录")
    # The 综合评议 ballots.
    epage.goto(f"/committee/{sid}")
    press(epage, row_of(epage, dids[0]).get_by_role("button", name="同意", exact=False).first)
    done(epage, "已投票（不记名）")
    press(epage, row_of(epage, dids[1]).get_by_role("button", name="不同意", exact=False))
    done(epage, "已投票（不记名）")
    ectx.close()
    # The other eight present mark (80/90 and 70/80) and vote (all agree; 4 of 8 on the
    # second: 4 of 9 with the browser's, 6 needed).
    others = present[1:]
    acts = []
    for n, e in enumerate(others):
        tok = experts[e]["tok"]
        acts += [
            (tok, "marks", {"declaration_id": dids[0], "material": "80", "live": "90"}),
            (tok, "marks", {"declaration_id": dids[1], "material": "70", "live": "80"}),
            (tok, "ballots", {"declaration_id": dids[0], "choice": "agree"}),
            (
                tok,
                "ballots",
                {"declaration_id": dids[1], "choice": "agree" if n < 4 else "disagree"},
            ),
        ]
    as_panel(through_api, sid, acts)

    # The office adds 学术团体任职 +2, with its reason.
    page.goto(f"/committee/{sid}/declarations/{dids[0]}")
    assert page.get_by_role("heading", name="答辩评分", exact=True).count() == 0
    society = "申报人任市机械工程学会理事，经核实计2分"
    page.get_by_label("赋分项目").select_option("academic_societies")
    page.get_by_label("调整分值（加分写正数，减分写负数，如 -3）").fill("2")
    page.get_by_label("调整理由（记录在案）").fill(society)
    press(page, page.get_by_role("button", name="记录调整"))
    done(page, "量化赋分调整已记录")
    assert page.locator("#points-sum").inner_text().split()[-1] == "5"
    adjustments = page.locator("#adjustments li").all_inner_texts()
    assert reason in adjustments[0] and "评审专家" in adjustments[0]
    assert society in adjustments[1] and "评委会所在职改办" in adjustments[1]

    # Grades: 差 for both misses 3:6:1 (said by how much); by rank: 优 and 中.
    page.goto(f"/committee/{sid}/grades")
    for did in dids:
        page.locator(f"#grade-{did}").select_option("poor")
    labelled(page)
    press(page, page.get_by_role("button", name="按所选保存等次"))
    refused(page, "3：6：1")
    press(page, page.get_by_role("button", name="按排名确定等次"))
    done(page, "答辩成绩等次已确定")
    assert page.locator(f"#grade-{dids[0]}").input_value() == "excellent"
    assert page.locator(f"#grade-{dids[1]}").input_value() == "medium"
    shot(page, artefacts, "desk-15-grades")

    # Close: the worked example, and the second by its ballot (4 of 9, 6 needed).
    page.goto(f"/committee/{sid}")
    press(page, page.get_by_role("button", name="结束并统计"))
    done(page, "评审会已结束")
    first, second = row_of(page, dids[0]).last, row_of(page, dids[1]).last
    cells = first.locator("td").all_inner_texts()
    assert cells[1:5] == ["86", "优", "5", "30.8"], cells
    assert "通过" in cells[-1] and "未通过" not in cells[-1]
    assert "评审成绩 30.8 分 = 答辩成绩 86 分 × 30%（25.8 分） + 量化赋分 5 分" in cells[-1]
    cells = second.locator("td").all_inner_texts()
    assert cells[1:3] == ["76", "中"] and "未通过" in cells[-1], cells
    shot(page, artefacts, "desk-16-scored-tallies")
    octx.close()
