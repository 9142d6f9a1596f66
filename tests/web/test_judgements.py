"""Offices decide the conditions the eligibility service leaves to a person, in a real
browser on the real stack.

广西工艺美术 2023 (桂工信职办〔2023〕6号): on the normal path the level's conditions
(桂职办〔2022〕45号, outside the policy) are judged by the series office; on the exceptional
path "经评委会所在职改办审核同意后方可评审" — by the committee's office. The declarations are
filed and walked up to that office through the public API with real uploads (as the
applicant and the unit would), then the office works in the browser: its queue riskiest
first with the risk summary, the open condition with its clause, the approval refused
while it is open, the decision with a reason; a rejection answered by a return, and the
resubmission reopening it; another office refused, in Chinese, naming the office that
decides or holds it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.factories import (
    ARTS_FACTS,
    ARTS_SECTIONS,
    OPS,
    auth,
    complete_unit_step,
    new_draft,
    post,
    submission,
    submit,
    token,
)
from tests.api.registries.helpers import arts_crafts_2023
from tests.api.test_journals import import_csv, new_issn
from tests.api.test_judgements import EXCEPTIONAL, arts_tree
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.web.browsing import (
    PASSWORD,
    UNLABELLED,
    alerts,
    press,
    seen,
    shot,
    staff_signed_in,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
CHINA = timedelta(hours=8)


async def accounts(client, tree, tag: str, *roles: str) -> dict[str, str]:
    """Ops open a sign-in for each office named (role → username)."""
    orgs = {"series_office": tree.series, "committee_office": tree.committee}
    names = {}
    for role in roles:
        username = f"{role}-{tag}"
        body = {"username": username, "password": PASSWORD, "role": role, "org_id": orgs[role]}
        r = await post(client, "/v1/staff-accounts", OPS, body)
        assert r.status_code == 201, r.text
        names[role] = username
    return names


async def filed(client, tree, campaign, name: str, *, papers=(), **extra) -> tuple[str, str]:
    """(declaration, applicant): filed with real uploads, the unit's step done and passed
    up to the series office."""
    applicant = token("applicant", sub=f"arts-{uuid.uuid4().hex[:8]}")
    sections = {
        **ARTS_SECTIONS,
        "basic_info": {**ARTS_SECTIONS["basic_info"], "name": name},
        "papers": [*ARTS_SECTIONS["papers"], *papers],
    }
    body = {"applicant_facts": ARTS_FACTS, "sections": sections, **extra}
    did = await new_draft(client, tree, campaign, applicant, **body)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    unit, url = tree.tokens["unit_reviewer"], f"/v1/declarations/{did}"
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 200 and r.json()["status"] == "series_office_review", r.text
    return did, applicant


async def judgement(client, did: str, applicant: str) -> dict:
    r = await client.get(f"/v1/declarations/{did}/judgements", headers=auth(applicant))
    assert r.status_code == 200, r.text
    [j] = r.json()
    return j


def sign_in(browser, web_url: str, username: str):
    ctx, page = staff_signed_in(browser, web_url, username)
    assert page.url.endswith("/review"), alerts(page)
    return ctx, page


def judgements_card(page):
    return page.locator("section", has=page.get_by_role("heading", name="待审核认定的条件"))


def decide(page, decision: str, reason: str) -> None:
    page.get_by_label("理由", exact=True).fill(reason)
    press(page, page.get_by_role("button", name=decision))


def test_the_series_office_judges_the_level_conditions_from_its_queue(
    browser, web_url: str, through_api, artefacts: Path
) -> None:
    tag = uuid.uuid4().hex[:6]

    async def setup(client) -> dict:
        tree = await arts_tree(client, f"认定{tag}")
        people = await accounts(client, tree, tag, "series_office", "committee_office")
        campaign = await arts_crafts_2023(client)
        # A journal on the register's 涉嫌非法 list (学术风险预警).
        issn = new_issn()
        register = (
            "issn,cn,name,status,source,listed_on\n"
            f"{issn},,艺苑博览{tag},suspected_illegal,涉嫌非法出版物名单（测试）,2022-03-01\n"
        )
        assert (await import_csv(client, register)).status_code == 200
        # The calm one reaches the series office first; the risky one after it.
        calm, _ = await filed(client, tree, campaign, "韦师傅")
        paper = {
            "title": "壮锦纹样的数字化复原",
            "journal": f"艺苑博览{tag}",
            "published_on": "2021-03-01",
            "issn_cn": f"ISSN {issn}",
        }
        risky, applicant = await filed(client, tree, campaign, "覃师傅", papers=[paper])
        return {
            **people,
            "calm": calm,
            "risky": risky,
            "series_name": f"认定{tag}系列职改办",
            "judgement": await judgement(client, risky, applicant),
        }

    s = through_api(setup)
    j = s["judgement"]
    assert j["level"] == "series_office" and j["status"] == "open", j

    # The series office's queue: the risky one first, with its risk summary and one
    # condition waiting for this level's judgement.
    ctx, page = sign_in(browser, web_url, s["series_office"])
    rows = page.locator("tbody tr")
    assert rows.locator("td:first-child").all_inner_texts() == ["覃师傅", "韦师傅"]
    first = rows.nth(0).locator("td")
    assert "论文存疑 1（新增 0）" in first.nth(6).inner_text()
    assert first.nth(7).inner_text() == "1"
    assert "论文存疑 0" in rows.nth(1).locator("td").nth(6).inner_text()
    shot(page, artefacts, "desk-22-judge-queue")

    # The open condition, with the clause it rests on and who decides it.
    press(page, page.get_by_role("link", name="覃师傅"))
    card = judgements_card(page)
    text = card.inner_text()
    assert "桂职办〔2022〕45号" in text and f"依据：{j['clause']}" in text, text
    assert f"由 {s['series_name']} 认定" in text and "待认定" in text
    assert page.evaluate(UNLABELLED) == []
    # Not passed up while it is open: the gateway's reason.
    press(page, page.get_by_role("button", name="审核通过"))
    refusal = page.locator(".alert.error")
    seen(refusal.get_by_text("桂职办〔2022〕45号"), alerts(page))
    shot(page, artefacts, "desk-23-judge-open-refused")

    reason = "经核对学历、资历证明，符合桂职办〔2022〕45号高级工艺美术师申报条件"
    decide(page, "认定符合", reason)
    seen(page.get_by_text("判断已记录。"), alerts(page))
    text = judgements_card(page).inner_text()
    assert "已认定符合" in text and "待认定" not in text
    assert judgements_card(page).get_by_role("button").count() == 0
    shot(page, artefacts, "desk-24-judge-approved")
    press(page, page.get_by_role("button", name="审核通过"))
    assert page.url.endswith("/review"), alerts(page)
    assert page.locator("tbody tr td:first-child").all_inner_texts() == ["韦师傅"]

    # Another office (the committee's, on the same chain) reads the other declaration's
    # open condition but cannot decide it: the gateway names the office holding it.
    other_ctx, other = sign_in(browser, web_url, s["committee_office"])
    other.goto(f"/review/{s['calm']}")
    seen(judgements_card(other).get_by_text("待认定"), alerts(other))
    decide(other, "认定符合", "评委会办公室认为符合")
    refusal = other.locator(".alert.error")
    seen(refusal, alerts(other))
    assert f"当前由{s['series_name']}审核" in refusal.inner_text(), refusal.inner_text()
    # Said on the declaration's page, the condition still open.
    seen(judgements_card(other).get_by_text("待认定"), alerts(other))
    shot(other, artefacts, "desk-25-judge-not-at-this-level")
    for c in (ctx, other_ctx):
        c.close()


def test_the_committee_office_rejects_an_exceptional_path_and_returns_it(
    browser, web_url: str, through_api, artefacts: Path
) -> None:
    tag = uuid.uuid4().hex[:6]

    async def setup(client) -> dict:
        tree = await arts_tree(client, f"破格{tag}")
        people = await accounts(client, tree, tag, "series_office", "committee_office")
        campaign = await arts_crafts_2023(client)
        facts = {**ARTS_FACTS, "exceptional": True}
        did, applicant = await filed(
            client, tree, campaign, "蓝师傅", path="exceptional", applicant_facts=facts
        )
        committee = f"破格{tag}评委会所在职改办"
        return {**people, "did": did, "applicant": applicant, "committee_name": committee}

    s = through_api(setup)
    # The series office holds it now and reads the condition, but it is the committee's
    # office's to decide: the gateway says whose; the series office passes it up.
    series_ctx, series = sign_in(browser, web_url, s["series_office"])
    press(series, series.get_by_role("link", name="蓝师傅"))
    assert f"由 {s['committee_name']} 认定" in judgements_card(series).inner_text()
    decide(series, "认定符合", "系列职改办认为符合破格条件")
    refusal = series.locator(".alert.error")
    seen(refusal, alerts(series))
    assert s["committee_name"] in refusal.inner_text(), refusal.inner_text()
    assert "待认定" in judgements_card(series).inner_text()
    shot(series, artefacts, "desk-26-judge-not-yours")
    press(series, series.get_by_role("button", name="审核通过"))
    assert series.url.endswith("/review"), alerts(series)
    series_ctx.close()

    ctx, page = sign_in(browser, web_url, s["committee_office"])
    row = page.locator("tbody tr", has=page.get_by_role("link", name="蓝师傅"))
    assert row.locator("td").nth(7).inner_text() == "1"
    press(page, page.get_by_role("link", name="蓝师傅"))
    text = judgements_card(page).inner_text()
    assert EXCEPTIONAL in text and "依据：" in text and "待认定" in text, text

    reason = "破格申报审批表所附业绩证明不足以达到破格条件"
    decide(page, "认定不符合", reason)
    seen(page.get_by_text("判断已记录。"), alerts(page))
    assert "已认定不符合" in judgements_card(page).inner_text()
    # What the gateway makes of a rejection: not passed up; returned, told at once.
    press(page, page.get_by_role("button", name="审核通过"))
    refusal = page.locator(".alert.error")
    seen(refusal.get_by_text("一次性告知"), alerts(page))
    assert reason in refusal.inner_text()
    shot(page, artefacts, "desk-27-judge-rejected")

    # Within the campaign's own correction window (make_campaign: five days from now).
    deadline = (datetime.now(UTC) + CHINA + timedelta(days=3)).date().isoformat()
    page.get_by_label("需要补正的问题（每行一项）").fill(
        f"破格条件认定未通过：{reason}，请补充证明材料"
    )
    page.get_by_label("补正截止日期").fill(deadline)
    press(page, page.get_by_role("button", name="退回申报人"))
    seen(page.get_by_text("已退回补正，并一次性告知申报人。"), alerts(page))
    assert "退回补正" in page.get_by_role("heading", level=1).inner_text()
    shot(page, artefacts, "desk-28-judge-returned")
    page.goto("/review")
    assert page.get_by_role("link", name="蓝师傅").count() == 0

    # The applicant resubmits: back at the committee's office, the condition open again.
    async def resubmit(client) -> str:
        url = f"/v1/declarations/{s['did']}/submissions"
        r = await submission(client, url, s["applicant"])
        assert r.status_code == 200, r.text
        return r.json()["status"]

    assert through_api(resubmit) == "committee_office_review"
    page.goto("/review")
    press(page, page.get_by_role("link", name="蓝师傅"))
    text = judgements_card(page).inner_text()
    assert "待认定" in text and "已认定不符合" not in text, text
    decide(page, "认定符合", "补充材料达到破格条件")
    seen(page.get_by_text("判断已记录。"), alerts(page))
    press(page, page.get_by_role("button", name="审核通过"))
    assert page.url.endswith("/review"), alerts(page)
    ctx.close()
