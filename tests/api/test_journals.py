"""学术风险预警 (桂工信职办〔2023〕6号 二（二）2（3）): the journal register loaded by ops from
CSV, papers matched against it and flagged for the applicant and every reviewer, the
决策咨询类信息 conversion, and the same paper claimed first-author by two applicants."""

from __future__ import annotations

import random
import uuid

from services.api.journals.consulting import convert, totals
from services.api.journals.normalise import issn_check, name_key, parse_cn, parse_issn
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    as_read,
    auth,
    complete_unit_step,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)
from tests.api.test_review_chain_e2e import UNIT_REVIEW


def new_issn() -> str:
    first7 = f"{random.randint(0, 9_999_999):07d}"
    return f"{first7[:4]}-{first7[4:]}{issn_check(first7)}"


def new_cn() -> str:
    return f"{random.randint(10, 99)}-{random.randint(1000, 9999)}"


async def import_csv(client, text: str, *, encoding: str = "utf-8-sig", tok: str = OPS):
    return await client.post(
        "/v1/journals/imports",
        content=text.encode(encoding),
        headers=auth(tok, **{"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "text/csv"}),
    )


def test_issn_cn_and_names_are_read_the_way_people_write_them() -> None:
    assert parse_issn("ISSN 0577-6686 CN 11-2187/TH") == "0577-6686"
    assert parse_issn("ISSN：0577－6686") == "0577-6686"  # full-width colon and dash
    assert parse_issn("ISSN 0577-6687") is None  # wrong check digit
    assert parse_issn("ISSN 1004-132X") == "1004-132X"
    assert parse_cn("CN 11-2187/TH") == "11-2187"
    assert parse_cn("cn11－2187") == "11-2187"
    assert name_key("《机械 工程学报》") == name_key("机械工程学报") == "机械工程学报"
    assert name_key("ＡＢＣ Journal") == "abcjournal"


def test_decision_consulting_counts_the_highest_adoption_only() -> None:
    items = [
        {"title": "甲", "adoptions": [{"publication": "central", "adoption": "adopted"}]},
        {"title": "乙", "adoptions": [
            {"publication": "central", "adoption": "adopted", "instruction": "leader"}]},
        {"title": "丙", "adoptions": [{"publication": "central", "adoption": "comprehensive"}]},
        {"title": "丁", "adoptions": [{"publication": "regional", "adoption": "adopted"},
                                      {"publication": "regional", "adoption": "adopted",
                                       "instruction": "principal"}]},
        {"title": "戊", "adoptions": [{"publication": "regional", "adoption": "adopted",
                                       "instruction": "other_leader"}]},
        {"title": "己", "adoptions": [{"publication": "regional", "adoption": "comprehensive"}]},
        {"title": "庚", "adoptions": [{"publication": "regional", "adoption": "comprehensive",
                                       "instruction": "other_leader"}]},
    ]  # fmt: skip
    out = convert(items)
    assert [(c.grade, c.count) for c in out] == [
        ("national_authority", 1),
        ("national_authority", 2),
        ("national_authority", 0.5),
        ("core", 2),  # 采用 then 主要负责同志批示: 2, not 1 + 2
        ("core", 1.5),
        ("public", 1),
        ("core", 0.5),
    ]
    assert "不累计" in out[3].basis and "视为核心期刊2篇" in out[3].basis
    assert totals(out) == {"national_authority": 3.5, "core": 4.0, "public": 1}


async def test_ops_load_the_register_from_csv_and_a_bad_file_stores_nothing(client) -> None:
    issn, cn = new_issn(), new_cn()
    good = (
        "issn,cn,name,status,source,listed_on\n"
        f"{issn},CN {cn}/TH,测试工程学报{issn},legitimate,国家新闻出版署期刊查询,2023-01-05\n"
        ",,,,,\n"  # a blank row is skipped
    )
    r = await import_csv(client, good)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 1, "updated": 0, "unchanged": 0}
    r = await import_csv(client, good)
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 1}
    # The same ISSN, now suspect, in GB18030 as Excel saves it, with a Chinese status.
    changed = good.replace("legitimate", "涉嫌非法出版物")
    r = await import_csv(client, changed, encoding="gb18030")
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 0}
    r = await client.get(f"/v1/journals?q=ISSN {issn}", headers=auth(OPS))
    assert [(j["issn"], j["cn"], j["status"]) for j in r.json()] == [
        (issn, cn, "suspected_illegal")
    ]

    other = new_issn()
    bad = (
        "issn,cn,name,status,source,listed_on\n"
        f"{other},,好刊{other},legitimate,来源,2023-01-01\n"
        f"{other[:-1]}{'0' if other[-1] != '0' else '1'},,坏ISSN,legitimate,来源,2023-01-01\n"
        ",,无名状态,unknown,来源,2023-13-01\n"
        f"{other},,重复,legitimate,来源,2023-01-01\n"
    )
    r = await import_csv(client, bad)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:journal-csv-invalid"
    lines = {e["line"]: e["message"] for e in r.json()["errors"]}
    assert set(lines) == {3, 4, 5}
    assert "校验位" in lines[3] and "状态" in lines[4] and "日期" in lines[4]
    assert "第2行重复" in lines[5]
    r = await client.get(f"/v1/journals?q={other}", headers=auth(OPS))
    assert r.json() == []  # the good row was not stored either
    # An ISSN of one entry and the CN of another cannot be merged into one.
    other_cn = new_cn()
    r = await import_csv(
        client, f"issn,cn,name,status,source,listed_on\n,{other_cn},乙刊,ceased,来源,2023-01-01\n"
    )
    assert r.status_code == 200, r.text
    merged = (
        f"issn,cn,name,status,source,listed_on\n{issn},{other_cn},合并,ceased,来源,2023-01-01\n"
    )
    r = await import_csv(client, merged)
    assert r.status_code == 422 and "不能合并" in r.json()["errors"][0]["message"]
    r = await import_csv(client, "name,issn\n")
    assert r.status_code == 422 and "首行" in r.json()["detail"]
    r = await import_csv(client, good, tok=token("unit_reviewer", uuid.uuid4()))
    assert r.status_code == 403


async def test_a_suspect_journal_is_flagged_at_submission_and_at_every_level(client) -> None:
    suspect, legit, faked, cn = new_issn(), new_issn(), new_issn(), new_cn()
    tag = uuid.uuid4().hex[:6]
    csv = (
        "issn,cn,name,status,source,listed_on\n"
        f"{suspect},,中外科技博览{tag},suspected_illegal,涉嫌非法出版物名单（测试）,2022-03-01\n"
        f"{legit},CN {cn}/TH,机械工程学报{tag},legitimate,国家新闻出版署期刊查询,2022-01-01\n"
        f",,《现代工程导刊{tag}》,suspected_illegal,涉嫌非法出版物名单（测试）,2022-03-01\n"
        f"{faked},,停刊周刊{tag},ceased,国家新闻出版署期刊查询,2019-12-31\n"
    )
    assert (await import_csv(client, csv)).status_code == 200

    tree = await make_tree(client, label=f"预警{tag}", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    papers = [
        {"title": "正规论文", "journal": f"机械工程学报{tag}", "published_on": "2020-03-01",
         "issn_cn": f"ISSN {legit} CN {cn}/TH"},
        {"title": "风险论文", "journal": f"中外科技博览{tag}", "published_on": "2021-03-01",
         "issn_cn": f"ISSN {suspect}"},
        {"title": "按刊名", "journal": f"现代 工程导刊{tag}", "published_on": "2021-05-01"},
        {"title": "套号论文", "journal": f"工程前沿{tag}", "published_on": "2021-06-01",
         "issn_cn": f"CN {cn}/TH"},
        {"title": "停刊后发表", "journal": f"停刊周刊{tag}", "published_on": "2021-01-01",
         "issn_cn": faked},
    ]  # fmt: skip
    consulting = [
        {"title": "关于加快柳州汽车产业转型的建议", "adoptions": [
            {"publication": "regional", "adoption": "adopted"},
            {"publication": "regional", "adoption": "adopted", "instruction": "principal"}]}
    ]  # fmt: skip
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": {**SECTIONS, "papers": papers, "decision_consulting": consulting},
        "applicant_facts": FACTS,
    }
    r = await post(client, "/v1/declarations", applicant, body)
    assert r.status_code == 201, r.text
    url = f"/v1/declarations/{r.json()['id']}"

    r = await submit(client, r.json()["id"], applicant)
    assert r.status_code == 200, r.text
    flagged = r.json()["academic_risk"]
    assert [p["title"] for p in flagged] == ["风险论文", "按刊名", "套号论文", "停刊后发表"]
    assert {p["basis"] for p in flagged} == {"submission"}
    assert all("请自行核验" in p["message"] for p in flagged)
    assert flagged[0]["matched_by"] == "issn" and flagged[1]["matched_by"] == "name"
    assert flagged[2]["matched_by"] == "cn" and "假冒" in flagged[2]["message"]

    def check(warnings: dict) -> None:
        assert warnings["flagged_papers"] == 4 and warnings["new_flagged_papers"] == 0
        titles = [p["title"] for p in warnings["papers"]]
        assert titles == ["风险论文", "按刊名", "套号论文", "停刊后发表", "正规论文"]
        assert {p["basis"] for p in warnings["papers"]} == {"submission"}
        assert all(p["submission"] == 1 and p["now"] is None for p in warnings["papers"])
        assert warnings["papers"][0]["entry"]["status"] == "suspected_illegal"
        assert "涉嫌非法出版物数据库" in warnings["papers"][0]["message"]
        assert warnings["papers"][-1]["flagged"] is False
        assert [(c["grade"], c["count"]) for c in warnings["decision_consulting"]] == [("core", 2)]

    mine = (await client.get(url + "/warnings", headers=auth(applicant))).json()
    check(mine)
    assert mine["consistency"] is None and mine["duplicates"] is None
    t = tree.tokens
    for role in ("unit_reviewer", "series_office", "committee_office"):
        r = await client.get(url + "/warnings", headers=auth(t[role]))
        assert r.status_code == 200, (role, r.text)
        check(r.json())
        assert r.json()["consistency"] == [] and r.json()["duplicates"] == []
        if role == "unit_reviewer":
            r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(t[role]))
            assert r.status_code == 200, r.text
            await complete_unit_step(client, url.rsplit("/", 1)[1], t[role])
        if role != "committee_office":
            r = await post(client, url + "/approvals", t[role], {"comment": "材料齐全"})
            assert r.status_code == 200, r.text
    # A reviewer of another tree does not see it at all.
    stranger = token("unit_reviewer", uuid.uuid4())
    assert (await client.get(url + "/warnings", headers=auth(stranger))).status_code == 404


async def test_the_same_paper_claimed_first_author_by_two_applicants_is_flagged(client) -> None:
    tag = uuid.uuid4().hex[:6]
    tree = await make_tree(client, label=f"重复{tag}", supervisor=False, county=False)
    campaign = await make_campaign(client)
    paper = {"title": f"齿轮箱降噪研究{tag}", "journal": "机械传动", "published_on": "2021-01-01"}
    ids = {}
    # 丙 reaches the unit first: 甲 and 乙 are put before it only by their shared claim.
    for who, authorship in (("丙", "other"), ("甲", "first"), ("乙", "sole")):
        applicant = token("applicant")
        papers = [{**paper, "title": f" {paper['title']} ", "authorship": authorship}]
        sections = {**SECTIONS, "papers": papers}
        did = await new_draft(client, tree, campaign, applicant, sections=sections)
        ids[who] = (did, applicant)
        assert (await submit(client, did, applicant)).status_code == 200

    did, applicant = ids["甲"]
    url = f"/v1/declarations/{did}/warnings"
    r = await client.get(url, headers=auth(tree.tokens["unit_reviewer"]))
    [dup] = r.json()["duplicates"]
    assert dup["kind"] == "paper" and dup["other_declarations"] == 1  # 丙 is not first author
    assert dup["other_declaration_ids"] is None  # the unit is not told whose
    assert "独立或第一作者" in dup["message"]
    assert dup["label"] == paper["title"]
    # The series office oversees the units below it and is told which declarations.
    r = await client.get(url, headers=auth(tree.tokens["series_office"]))
    assert r.json()["duplicates"][0]["other_declaration_ids"] == [ids["乙"][0]]
    r = await client.get(url, headers=auth(applicant))
    assert r.json()["duplicates"] is None
    did_c, _ = ids["丙"]
    r = await client.get(
        f"/v1/declarations/{did_c}/warnings", headers=auth(tree.tokens["unit_reviewer"])
    )
    assert r.json()["duplicates"] == []
    # The unit's review screen and list count them, and put 甲 and 乙 before 丙.
    unit = auth(tree.tokens["unit_reviewer"])
    queue = await client.get(
        "/v1/review-queue", params={"campaign_id": campaign["id"]}, headers=unit
    )
    assert queue.status_code == 200, queue.text
    shared = {i["declaration_id"]: i["risk"]["duplicate_claims"] for i in queue.json()}
    assert shared == {ids["甲"][0]: 1, ids["乙"][0]: 1, ids["丙"][0]: 0}
    assert queue.json()[-1]["declaration_id"] == ids["丙"][0]
    listed = await client.get("/v1/declarations", headers=unit)
    counted = {i["id"]: i["risk"]["duplicate_claims"] for i in listed.json()["items"]}
    assert counted == shared
    # Once 乙 withdraws, 甲's claim is no longer duplicated.
    did_b, applicant_b = ids["乙"]
    r = await as_read(client, f"/v1/declarations/{did_b}/withdrawals", applicant_b, {})
    assert r.status_code == 200, r.text
    r = await client.get(url, headers=auth(tree.tokens["unit_reviewer"]))
    assert r.json()["duplicates"] == []
    listed = await client.get("/v1/declarations", headers=unit)
    counted = {i["id"]: i["risk"]["duplicate_claims"] for i in listed.json()["items"]}
    assert counted[did] == 0
    # And the review screen ranks 甲 again by when it arrived: after 丙.
    queue = await client.get(
        "/v1/review-queue", params={"campaign_id": campaign["id"]}, headers=unit
    )
    assert [i["declaration_id"] for i in queue.json()] == [ids["丙"][0], did]


async def test_a_register_larger_than_the_body_limit_is_uploaded_as_a_file(client) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = [
        f",,涉嫌非法出版物测试刊名{tag}第{i:05d}号增刊（学术版）,涉嫌非法出版物,自治区职改办名单,2023-03-01"
        for i in range(14_000)
    ]
    text = "issn,cn,name,status,source,listed_on\n" + "\n".join(rows) + "\n"
    assert len(text.encode()) > 1024 * 1024  # over the gateway's JSON/text body cap
    r = await import_csv(client, text)
    assert r.status_code == 413
    r = await client.post(
        "/v1/journals/imports",
        files={"file": ("register.csv", text.encode(), "text/csv")},
        headers=auth(OPS, **{"Idempotency-Key": uuid.uuid4().hex}),
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 14_000, "updated": 0, "unchanged": 0}
    r = await client.get(f"/v1/journals?q=测试刊名{tag}第13999号", headers=auth(OPS))
    assert [j["status"] for j in r.json()] == ["suspected_illegal"]


def test_a_file_that_is_not_csv_is_a_problem_not_a_crash() -> None:
    import pytest

    from services.api.journals.register import parse_csv
    from services.kit.problems import ProblemError

    header = b"issn,cn,name,status,source,listed_on\n"
    for raw in (header + b",,a\x00b,legitimate,s,2023-01-01\n", header + b'"' + b"x" * 200_000):
        with pytest.raises(ProblemError) as caught:
            parse_csv(raw)
        assert caught.value.status == 422
