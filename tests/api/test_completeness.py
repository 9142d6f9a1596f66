"""What a declaration lacks before submission, decided without HTTP or a database."""

from __future__ import annotations

import uuid

from services.api.declarations.completeness import ALWAYS, missing_items
from services.api.models import Declaration

# Which of a declaration's attachments may stand is decided against the gateway's record
# of its documents (declarations/attachments.py); here they are given as `standing`.
PAPER_SCANS = [{"kind": "academic_output", "document_id": "p"}]


def missing(declaration: Declaration, eligibility, standing=PAPER_SCANS, **kw) -> list[dict]:
    return missing_items(declaration, eligibility, standing=standing, **kw)


def _declaration(sections=None, **kw) -> Declaration:
    fields = {
        "campaign_id": uuid.uuid4(),
        "applicant_sub": "a",
        "unit_org_id": uuid.uuid4(),
        "year": 2026,
        "series": "engineering",
        "level": "intermediate",
        "path": "standard",
        "committee_code": "GX-ENG",
        "sections": sections or {},
        "attachments": [],
        "applicant_facts": {},
    } | kw
    return Declaration(**fields)


def _filled(**extra) -> dict:
    sections = {key: {"x": 1} for key in ALWAYS}
    sections["current_title"] = {"title_name": "助理工程师"}
    return sections | extra


ELIGIBLE = {"eligible": True, "materials": [], "paths": [{"path": "standard", "eligible": True}]}


def test_an_empty_draft_lists_every_section_at_once() -> None:
    items = missing(_declaration(), None, standing=())
    assert {i["section"] for i in items} >= set(ALWAYS) | {"current_title"}
    assert all(i["kind"] == "section" for i in items)


def test_a_complete_declaration_lacks_nothing() -> None:
    assert missing(_declaration(_filled()), ELIGIBLE) == []


def test_each_paper_needs_its_own_scans() -> None:
    # 002 一（二）5（2）: 论文必须同时附上该期刊在国家新闻出版署门户网站上的查询结果截图、
    # 期刊封面、目录、版权页及全文. One upload for the whole section no longer does.
    papers = [
        {"title": "汽车底盘轻量化设计", "journal": "机械工程学报"},
        {"title": "齿轮箱降噪", "journal": "振动工程学报"},
    ]
    liuzhou = ELIGIBLE | {
        "policy": {"id": "guangxi-engineering-2022"},
        "materials": [{"id": "academic_output", "name": "学术成果", "producer": "applicant"}],
    }
    first = [
        {"kind": "academic_output", "document_id": f"d{k}", "document_kind": k}
        | {"item": {"section": "papers", "index": 0}}
        for k in ("paper_cover", "paper_contents", "paper_copyright_page", "paper_full_text")
    ]
    items = missing(_declaration(_filled(papers=papers)), liuzhou, standing=first)
    assert [(i["kind"], i["item"]["index"]) for i in items] == [("evidence", 0), ("evidence", 1)]
    assert items[0]["document_kinds"] == ["journal_lookup_screenshot"]
    assert items[0]["message"].startswith(
        "论文《汽车底盘轻量化设计》缺少：国家新闻出版署期刊查询结果截图"
    )
    assert (
        "论文《齿轮箱降噪》缺少：国家新闻出版署期刊查询结果截图、期刊封面、目录、版权页、全文"
        in (items[1]["message"])
    )
    # Documents without an item (the old way) prove no paper, and the material-level
    # academic_output is not asked for a second time.
    items = missing(_declaration(_filled(papers=papers)), liuzhou)
    assert [i["kind"] for i in items] == ["evidence", "evidence"]


def test_only_the_applicants_own_materials_are_asked_at_submission() -> None:
    # 002 二: 公示情况、答辩情况、审议推荐、推荐意见 are the unit's to record at its step.
    materials = [
        {"id": "work_summary", "name": "专业技术工作总结", "producer": "applicant"},
        {"id": "defence_record", "name": "答辩情况", "producer": "unit"},
        {"id": "public_posting", "name": "公示情况", "producer": "unit"},
        {"id": "derived", "name": "系统生成", "producer": "system"},
        {"id": "older_answer", "name": "未标明提供者"},
    ]
    items = missing(_declaration(_filled()), ELIGIBLE | {"materials": materials})
    assert [i.get("material_id") for i in items] == ["work_summary", "older_answer"]


def test_private_employers_need_the_social_insurance_section() -> None:
    basic = {"basic_info": {"employer_type": "private"}}
    items = missing(_declaration(_filled(**basic)), ELIGIBLE)
    assert [i["section"] for i in items] == ["social_insurance"]
    public = {"basic_info": {"employer_type": "public_institution"}}
    assert missing(_declaration(_filled(**public)), ELIGIBLE) == []


def test_a_material_a_registry_verified_is_not_asked_for() -> None:
    eligibility = ELIGIBLE | {"materials": [{"id": "title_certificate", "name": "职称证书"}]}
    declaration = _declaration(_filled())
    items = missing(declaration, eligibility)
    assert [i.get("material_id") for i in items] == ["title_certificate"]
    assert missing(declaration, eligibility, waived={"title_certificate"}) == []
    standing = [*PAPER_SCANS, {"kind": "title_certificate", "document_id": "d"}]
    assert missing(declaration, eligibility, standing=standing) == []


def test_an_ineligible_case_names_each_blocker_with_its_clause() -> None:
    eligibility = {
        "eligible": False,
        "blockers": [{"id": "years", "message": "任职年限不足。", "clause": "第五条"}],
        "paths": [],
    }
    items = missing(_declaration(_filled()), eligibility)
    assert {"kind": "eligibility", "section": None, "message": "任职年限不足。"} | {
        "clause": "第五条"
    } in items
    assert any("申报途径不适用" in i["message"] for i in items)


def test_a_committee_other_than_the_campaigns_is_named() -> None:
    eligibility = ELIGIBLE | {"committee": {"code": "GX-OTHER", "name": "另一评委会"}}
    items = missing(_declaration(_filled()), eligibility)
    assert len(items) == 1 and "另一评委会" in items[0]["message"]


def test_changzhi_refuses_a_review_paper_of_25_percent_or_more() -> None:
    # 长工信〔2022〕139号 七1「低于 25% 的参与答辩，高于 25% 的取消答辩资格。」
    changzhi = ELIGIBLE | {
        "policy": {"id": "changzhi-engineering-2022"},
        "materials": [{"id": "plagiarism_check", "name": "抄袭率检测", "producer": "applicant"}],
    }
    report = [*PAPER_SCANS, {"kind": "plagiarism_check", "document_id": "r"}]
    papers = [{"title": "矿井通风优化", "journal": "山西煤炭"}]
    high = _filled(papers=papers, plagiarism_check={"rate_percent": 25})
    items = missing(_declaration(high), changzhi, standing=report)
    assert [(i["kind"], i["section"]) for i in items] == [("eligibility", "plagiarism_check")]
    assert "取消答辩资格" in items[0]["message"]
    low = _filled(papers=papers, plagiarism_check={"rate_percent": 8.2})
    # 长治's papers go in the bound dossier: no per-paper scans asked here.
    assert missing(_declaration(low), changzhi, standing=report) == []
    # Unrecorded: asked for, beside the report itself.
    items = missing(_declaration(_filled(papers=papers)), changzhi, standing=[])
    assert {(i["kind"], i.get("material_id") or i["section"]) for i in items} == {
        ("material", "plagiarism_check"),
        ("section", "plagiarism_check"),
    }
