"""What a declaration lacks before submission, decided without HTTP or a database."""

from __future__ import annotations

import uuid

from services.api.declarations.completeness import ALWAYS, missing_items
from services.api.models import Declaration

# The papers section asks for their scans (academic_output). Which materials a
# declaration's attachments serve is decided against the gateway's record of its
# documents (declarations/attachments.py); here it is given as `served`.
PAPER_SCANS = frozenset({"academic_output"})


def missing(declaration: Declaration, eligibility, served=PAPER_SCANS, **kw) -> list[dict]:
    return missing_items(declaration, eligibility, served=served, **kw)


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
    items = missing(_declaration(), None, served=())
    assert {i["section"] for i in items} >= set(ALWAYS) | {"current_title"}
    assert all(i["kind"] == "section" for i in items)


def test_a_complete_declaration_lacks_nothing() -> None:
    assert missing(_declaration(_filled()), ELIGIBLE) == []


def test_papers_need_their_scans() -> None:
    items = missing(_declaration(_filled()), ELIGIBLE, served=())
    assert [(i["kind"], i["section"]) for i in items] == [("material", "papers")]


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
    served = {*PAPER_SCANS, "title_certificate"}
    assert missing(declaration, eligibility, served=served) == []


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
