"""学术风险预警 recorded at submission (桂工信职办〔2023〕6号 二（二）2（3））: every level reads
what the applicant submitted against, even after the register changes; a match only today's
register makes is shown as new; reviewers' lists count the risks and put them first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from tests.api.factories import (
    SECTIONS,
    auth,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    token,
)
from tests.api.test_journals import import_csv, new_issn
from tests.conftest import Stack

HEADER = "issn,cn,name,status,source,listed_on\n"


async def _declaration(client, tree, campaign, applicant: str, papers: list[dict]) -> str:
    return await new_draft(
        client, tree, campaign, applicant, sections={**SECTIONS, "papers": papers}
    )


async def test_flags_recorded_at_submission_survive_a_register_change_and_new_ones_show(
    client, stack: Stack
) -> None:
    tag = uuid.uuid4().hex[:6]
    listed, later = new_issn(), new_issn()
    first = (
        HEADER
        + f"{listed},,科技博览{tag},suspected_illegal,涉嫌非法出版物名单（测试）,2022-03-01\n"
        + f"{later},,工程导报{tag},legitimate,国家新闻出版署期刊查询,2020-01-01\n"
    )
    assert (await import_csv(client, first)).status_code == 200
    tree = await make_tree(client, label=f"记录{tag}", supervisor=False, county=False)
    unit = tree.tokens["unit_reviewer"]
    campaign = await make_campaign(client)
    applicant = token("applicant")
    papers = [
        {"title": "清白论文", "journal": "机械工程学报", "published_on": "2020-03-01"},
        {"title": "后来被列入", "journal": f"工程导报{tag}", "published_on": "2021-02-01",
         "issn_cn": f"ISSN {later}"},
        {"title": "提交时已列入", "journal": f"科技博览{tag}", "published_on": "2021-03-01",
         "issn_cn": f"ISSN {listed}"},
    ]  # fmt: skip
    did = await _declaration(client, tree, campaign, applicant, papers)
    url = f"/v1/declarations/{did}"
    # A second declaration of the same unit, with nothing flagged, arrives first.
    other = token("applicant")
    calm = await _declaration(client, tree, campaign, other, papers[:1])
    assert (await submit(client, calm, other)).status_code == 200

    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    assert [p["title"] for p in r.json()["academic_risk"]] == ["提交时已列入"]

    # Ops clear the first journal and list the second.
    second = first.replace("suspected_illegal", "TMP").replace("legitimate", "suspected_illegal")
    second = second.replace("TMP", "legitimate")
    assert (await import_csv(client, second)).status_code == 200

    w = (await client.get(url + "/warnings", headers=auth(unit))).json()
    assert w["flagged_papers"] == 2 and w["new_flagged_papers"] == 1
    recorded, new, clean = w["papers"]
    assert recorded["title"] == "提交时已列入" and recorded["basis"] == "submission"
    assert recorded["flagged"] and recorded["entry"]["status"] == "suspected_illegal"
    assert recorded["entry"]["source"] == "涉嫌非法出版物名单（测试）"
    assert recorded["entry"]["listed_on"] == "2022-03-01"
    assert "第1次提交时" in recorded["basis_zh"] and "请自行核验" in recorded["message"]
    assert recorded["now"]["level"] == "none"
    assert recorded["now"]["entry"]["status"] == "legitimate"
    assert new["title"] == "后来被列入" and new["basis"] == "current"
    assert new["flagged"] and new["new_since_submission"] and new["submitted_level"] == "none"
    assert "新增匹配" in new["basis_zh"]
    assert clean["flagged"] is False and clean["basis"] == "submission"
    # The applicant sees the same flags.
    mine = (await client.get(url + "/warnings", headers=auth(applicant))).json()
    assert [p["title"] for p in mine["papers"] if p["flagged"]] == ["提交时已列入", "后来被列入"]

    # What was stored: every paper of submission 1, the entry as it stood then.
    conn = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch(
            "SELECT paper_index, level, journal_status, journal_source FROM api.paper_flag "
            "WHERE declaration_id = $1 AND n = 1 ORDER BY paper_index",
            uuid.UUID(did),
        )
    finally:
        await conn.close()
    assert [(r["paper_index"], r["level"], r["journal_status"]) for r in rows] == [
        (0, "none", None),
        (1, "none", "legitimate"),
        (2, "risk", "suspected_illegal"),
    ]

    # The reviewers' list counts the risks; the applicant's does not carry them.
    listed_items = (await client.get("/v1/declarations?limit=100", headers=auth(unit))).json()
    by_id = {d["id"]: d for d in listed_items["items"]}
    assert by_id[did]["risk"] == {
        "flagged_papers": 2,
        "new_flagged_papers": 1,
        "consistency_warnings": 0,
        "duplicate_claims": 0,
    }
    own = (await client.get("/v1/declarations", headers=auth(applicant))).json()
    assert [d["risk"] for d in own["items"]] == [None]

    # The review screen: the flagged declaration first, its flagged papers first.
    r = await client.get("/v1/review-queue", headers=auth(unit))
    assert r.status_code == 200, r.text
    queue = r.json()
    assert queue[0]["declaration_id"] == did
    assert [p["title"] for p in queue[0]["papers"]] == ["提交时已列入", "后来被列入", "清白论文"]
    assert queue[0]["risk"]["flagged_papers"] == 2
    assert [q["declaration_id"] for q in queue] == [did, calm]
    r = await client.get("/v1/review-queue", headers=auth(applicant))
    assert r.status_code == 403

    # Returned, corrected (the listed paper dropped), resubmitted: submission 2 is recorded.
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"items": [{"section": "papers", "message": "请核实论文刊物"}], "deadline_at": deadline}
    r = await post(client, url + "/returns", unit, body)
    assert r.status_code == 201, r.text
    current = await client.get(url, headers=auth(applicant))
    patch = {"sections": {"papers": papers[:2]}}
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    assert (await client.patch(url, json=patch, headers=headers)).status_code == 200
    w = (await client.get(url + "/warnings", headers=auth(unit))).json()
    assert [(p["title"], p["basis"]) for p in w["papers"]] == [
        ("后来被列入", "current"),
        ("清白论文", "submission"),
    ]
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    w = (await client.get(url + "/warnings", headers=auth(unit))).json()
    assert w["flagged_papers"] == 1 and w["new_flagged_papers"] == 0
    top = w["papers"][0]
    assert (top["title"], top["basis"], top["submission"]) == ("后来被列入", "submission", 2)
