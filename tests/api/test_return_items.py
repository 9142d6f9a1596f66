"""退回补正 item by item, through the public API with real uploads.

桂工信职办〔2023〕6号 三（三）: “实行一次性告知制度，明确补正材料的内容和时限要求。逾期未补充的，
视为放弃申报。” The unit's reviewer returns the declaration with one list whose items name
a section or a material of it; the applicant changes one section and replaces the named
document; a resubmission leaving the other named section untouched without a note is
refused, naming it; with a note it passes; the reviewer sees exactly what changed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.api.chain.returns import _leaf_changes, unchanged_targets
from services.api.models import Declaration
from services.kit.db import make_engine
from tests.api.factories import (
    auth,
    complete_unit_step,
    drafted,
    file_of_kind,
    post,
    submission,
    submitted,
)
from tests.conftest import Stack

PROBLEM = "urn:zhicheng:problem:"


def _deadline() -> str:
    return (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()


async def test_a_return_is_answered_item_by_item_and_the_reviewer_sees_only_the_changes(
    client, stack: Stack
) -> None:
    case = await submitted(client, label="逐项补正")
    did, applicant = case.did, case.applicant
    unit = case.tree.tokens["unit_reviewer"]
    url = f"/v1/declarations/{did}"
    declaration = (await client.get(url, headers=auth(applicant))).json()
    # A material document the applicant filed (not an entry's evidence): the one to replace.
    doc = next(a for a in declaration["attachments"] if not a.get("item"))
    material = doc["kind"]

    # Targets are checked against the declaration: each wrong one named by its field.
    bad = {
        "items": [
            {"message": "请补充获奖情况", "target": {"section": "awards"}},
            {"message": "x", "target": {"material": "no_such_material"}},
            {"message": "y", "target": {}},
        ],
        "deadline_at": _deadline(),
    }
    r = await post(client, url + "/returns", unit, bad)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "return-target-unknown"
    assert [e["field"] for e in problem["errors"]] == [
        "items.0.target.section",
        "items.1.target.material",
        "items.2.target",
    ]
    assert "items.0.target.section" in problem["detail"] and "何时何地受何奖励" in problem["detail"]
    assert (await client.get(url + "/returns", headers=auth(unit))).json() == []

    items = [
        {"message": "联系电话有误，请更正", "target": {"section": "basic_info"}},
        {"message": "继续教育学时请核实", "target": {"section": "continuing_education"}},
        {"message": "该证书扫描件不清晰，请重新上传", "target": {"material": material}},
        "其他：请核对个人信息",
    ]
    r = await post(client, url + "/returns", unit, {"items": items, "deadline_at": _deadline()})
    assert r.status_code == 201, r.text
    returned = r.json()
    assert returned["baseline_n"] == 1 and returned["answers"] is None
    assert returned["items"][3] == {"message": "其他：请核对个人信息"}
    assert returned["items"][0] == {**items[0], "section": None}
    return_id = returned["id"]
    changes_url = f"{url}/returns/{return_id}/changes"
    r = await client.get(changes_url, headers=auth(unit))
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "return-not-resubmitted"

    # The applicant changes one section and replaces the named document.
    current = await client.get(url, headers=auth(applicant))
    basic = {**current.json()["sections"]["basic_info"], "phone": "13800000002"}
    r = await client.patch(
        url,
        json={"sections": {"basic_info": basic}},
        headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    kind = doc["document_kind"]
    r = await client.post(
        f"{url}/documents/{doc['document_id']}/replace",
        data={"kind": kind},
        files={"file": file_of_kind(kind, f"returned/{kind}")},
        headers=auth(applicant),
    )
    assert r.status_code == 201, r.text
    new_doc = r.json()

    # No note for the untouched section: refused, naming it; nothing recorded.
    marks = {"addressed": [{"item": 0}, {"item": 2}, {"item": 3}]}
    r = await submission(client, url + "/submissions", applicant, marks)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "return-items-untouched"
    assert [(e["item"], e["unchanged"]) for e in problem["errors"]] == [
        (1, ["section:continuing_education"])
    ]
    assert "第2项“继续教育学时请核实”" in problem["detail"]
    assert "继续教育情况" in problem["detail"] and "联系电话" not in problem["detail"]
    # Marking it addressed changes nothing: it still needs the reason.
    r = await submission(client, url + "/submissions", applicant, {"addressed": [{"item": 1}]})
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "return-items-untouched"
    blank = {"addressed": [{"item": 1, "note": "   "}]}
    r = await submission(client, url + "/submissions", applicant, blank)
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "return-items-untouched"
    r = await submission(client, url + "/submissions", applicant, {"addressed": [{"item": 4}]})
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "return-answer-invalid"
    assert r.json()["errors"][0]["field"] == "addressed.0.item"
    progress = (await client.get(url + "/progress", headers=auth(applicant))).json()
    assert progress["status"] == "returned" and progress["open_return"]["id"] == return_id

    note = "继续教育学时经核实无误，已附学时证明原件备查"
    marks["addressed"].append({"item": 1, "note": note})
    r = await submission(client, url + "/submissions", applicant, marks)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"

    [kept] = (await client.get(url + "/returns", headers=auth(unit))).json()
    assert kept["resolved_at"] is not None
    assert kept["answers"] == [
        {"item": 0, "addressed": True, "note": None, "unchanged": []},
        {
            "item": 1,
            "addressed": True,
            "note": note,
            "unchanged": ["section:continuing_education"],
        },
        {"item": 2, "addressed": True, "note": None, "unchanged": []},
        {"item": 3, "addressed": True, "note": None, "unchanged": []},
    ]

    trail = (await client.get(url + "/audit", headers=auth(unit))).json()
    [resubmitted] = [e for e in trail if e["action"] == "resubmitted"]
    assert resubmitted["reason"].endswith("；补正事项4项，其中第2项未修改，已说明理由")

    # The reviewer sees exactly what changed: the one field, the one document.
    r = await client.get(changes_url, headers=auth(unit))
    assert r.status_code == 200, r.text
    changes = r.json()
    assert (changes["before_submission"], changes["after_submission"]) == (1, 2)
    assert changes["before_sha256"] != changes["after_sha256"]
    assert changes["sections"] == [
        {
            "section": "basic_info",
            "fields": [{"field": "phone", "before": "13800000001", "after": "13800000002"}],
        }
    ]
    [replaced] = changes["replaced_documents"]
    assert replaced["old"]["document_id"] == doc["document_id"]
    assert replaced["new"]["document_id"] == new_doc["id"]
    assert replaced["old"]["material"] == replaced["new"]["material"] == material
    assert replaced["new"]["document_kind"] == kind
    assert replaced["new"]["filename"] == file_of_kind(kind, f"returned/{kind}")[0]
    assert (
        replaced["old"]["filename"] and replaced["old"]["filename"] != replaced["new"]["filename"]
    )
    assert changes["added_documents"] == [] and changes["removed_documents"] == []
    assert changes["answers"] == kept["answers"]

    # What the diff and the answers rest on is kept as issued and as answered.
    engine = make_engine(stack.database_url)
    try:
        for sql in (
            "UPDATE api.declaration_return SET answers = '[]' WHERE id = :r",
            "UPDATE api.declaration_return SET baseline_n = 2 WHERE id = :r",
        ):
            async with engine.begin() as conn:
                with pytest.raises(DBAPIError):
                    await conn.execute(text(sql), {"r": uuid.UUID(return_id)})
                await conn.rollback()
    finally:
        await engine.dispose()

    # The reviewers' view: not the applicant's, not another declaration's return.
    r = await client.get(changes_url, headers=auth(applicant))
    assert r.status_code == 403
    other = await submitted(client, label="逐项补正乙")
    r = await client.get(
        f"/v1/declarations/{other.did}/returns/{return_id}/changes",
        headers=auth(other.tree.tokens["unit_reviewer"]),
    )
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "return-not-found"


async def test_a_first_submission_takes_no_answers(client) -> None:
    """Nothing to answer on a first submission: a bad answer, refused, not ignored."""
    case = await drafted(client, label="首次无补正")
    r = await submission(
        client,
        f"/v1/declarations/{case.did}/submissions",
        case.applicant,
        {"addressed": [{"item": 0, "note": "无"}]},
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEM + "return-answer-invalid"
    r = await client.get(f"/v1/declarations/{case.did}", headers=auth(case.applicant))
    assert r.json()["status"] == "draft"


def _declared(sections: dict, attachments: list[dict]) -> Declaration:
    return Declaration(
        campaign_id=uuid.uuid4(),
        applicant_sub="a",
        unit_org_id=uuid.uuid4(),
        year=2023,
        series="engineering",
        level="intermediate",
        path="normal",
        committee_code="c",
        sections=sections,
        attachments=attachments,
        applicant_facts={},
    )


def test_an_item_naming_a_section_and_a_material_needs_both_changed() -> None:
    before = {
        "sections": {"papers": [{"title": "甲"}]},
        "attachments": [
            {"document_id": "d1", "kind": "academic_output", "document_kind": "paper_cover"}
        ],
    }
    target = {"section": "papers", "material": "paper_cover"}
    edited = _declared({"papers": [{"title": "乙"}]}, before["attachments"])
    assert unchanged_targets(target, before, edited) == ["material:paper_cover"]
    replaced = [{"document_id": "d2", "kind": "academic_output", "document_kind": "paper_cover"}]
    assert unchanged_targets(target, before, _declared(before["sections"], replaced)) == [
        "section:papers"
    ]
    assert unchanged_targets(target, before, _declared({"papers": []}, replaced)) == []
    # The material id (the attachment's kind) names the same documents.
    assert unchanged_targets({"material": "academic_output"}, before, edited) == [
        "material:academic_output"
    ]
    assert unchanged_targets(None, before, edited) == []


def test_leaf_changes_name_each_field_inside_a_section() -> None:
    before = [{"title": "甲", "journal": "J"}]
    after = [{"title": "甲", "journal": "K"}, {"title": "乙"}]
    assert _leaf_changes(before, after) == [
        {"field": "[0].journal", "before": "J", "after": "K"},
        {"field": "[1]", "before": None, "after": {"title": "乙"}},
    ]
    assert _leaf_changes({"phone": "1"}, {"phone": "1"}) == []


async def test_an_item_cannot_name_a_material_only_the_unit_files(client) -> None:
    """The applicant may not replace the unit's own materials (申报系统操作注意事项 二), so
    an item tracked on one could never be answered but by a note: refused at return time."""
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    case = await submitted(client, label="单位材料补正")
    unit = case.tree.tokens["unit_reviewer"]
    url = f"/v1/declarations/{case.did}"
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    filed = set(await complete_unit_step(client, case.did, unit))
    attachments = (await client.get(url, headers=auth(unit))).json()["attachments"]
    material = next(a["kind"] for a in attachments if a["document_id"] in filed)
    body = {
        "items": [{"message": "公示情况请补充", "target": {"material": material}}],
        "deadline_at": _deadline(),
    }
    r = await post(client, url + "/returns", unit, body)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEM + "return-target-unknown"
    assert r.json()["errors"] == [
        {
            "field": "items.0.target.material",
            "message": f"材料“{material}”由单位提交，申报人不能更换",
        }
    ]
