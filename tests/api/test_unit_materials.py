"""Every material has a producer: the unit's own materials, 原件核实, its pledge and
posting objections, through the public API with real uploads (the document service
under uvicorn on PostgreSQL + S3) and generated PDFs."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from pypdf import PdfReader

from tests.api.factories import (
    auth,
    complete_unit_step,
    post,
    return_for_correction,
    submitted,
    token,
    upload_scan,
)
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import ROOT
from tests.support import AS_GATEWAY_TO_DOCUMENTS

# The policy seeds sit beside the checkout (shared/seeds/), where they are laid out.
SEEDS = ROOT.parent / "shared" / "seeds"
PROBLEM = "urn:zhicheng:problem:"


def quoted(prefix: str, sentence: str) -> str:
    """`sentence`, checked word for word against seed `prefix` when the seeds are here."""
    for path in Path(SEEDS).glob(f"{prefix}_*.txt"):
        assert sentence in path.read_text(encoding="utf-8"), (prefix, sentence)
    return sentence


async def stored(documents_url: str, did: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=documents_url, auth=AS_GATEWAY_TO_DOCUMENTS) as direct:
        r = await direct.get(
            f"/v1/declarations/{did}/documents", params={"include_inactive": "true"}
        )
        assert r.status_code == 200, r.text
        return r.json()


async def approve(client, did: str, tok: str) -> httpx.Response:
    return await post(client, f"/v1/declarations/{did}/approvals", tok)


async def test_the_unit_files_its_own_materials_before_it_passes_the_file_up(
    client, documents_url
) -> None:
    # 申报系统操作注意事项 二: the unit's 公示情况、答辩情况、审议推荐表、推荐意见.
    quoted("002", "对申报高级职称的应原件扫描上传审议小组推荐表（须审议小组组长签字）")
    quoted("002", "单位可以在系统里生成公示表")
    tree, _campaign, applicant, did = await submitted(
        client, label="单位材料", supervisor=False, county=False
    )
    unit = tree.tokens["unit_reviewer"]
    url = f"/v1/declarations/{did}"
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    before = (await client.get(url, headers=auth(unit))).json()["attachments"]
    applicant_docs = {a["document_id"] for a in before}

    # Whatever the applicant attached under these kinds does not count: the unit files them.
    r = await approve(client, did, unit)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "unit-materials-missing"
    missing = {e["material_id"]: e for e in r.json()["errors"]}
    assert set(missing) == {
        "defence_record",
        "panel_recommendation",
        "public_posting",
        "unit_recommendation",
    }
    assert all(e["clause"] for e in missing.values())
    assert "单位公示情况" in r.json()["detail"]

    # The applicant may not upload after submission, not even the unit's kinds.
    r = await upload_scan(client, did, applicant, kind="defence_record", seed=51)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "declaration-not-editable"
    # The unit may not file the applicant's materials; the file it sent is not kept.
    kept = {d["id"] for d in await stored(documents_url, did)}
    r = await upload_scan(client, did, unit, kind="title_certificate", seed=52)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEM + "unit-material-kind-only"
    assert {d["id"] for d in await stored(documents_url, did)} == kept
    # Another unit's reviewer does not see the declaration at all.
    stranger = token("unit_reviewer", uuid.uuid4())
    r = await upload_scan(client, did, stranger, kind="defence_record", seed=53)
    assert r.status_code == 404

    # The unit's scans: the defence record and the panel's signed form.
    for seed, kind in enumerate(("defence_record", "panel_recommendation"), start=54):
        r = await upload_scan(client, did, unit, kind=kind, seed=seed)
        assert r.status_code == 201, r.text
        # The reviewer's subject, percent-encoded where it is not ASCII (a header).
        # The reviewer's id is kept as it is, non-ASCII too (the `uploader` query parameter).
        assert (r.json()["kind"], r.json()["uploader_id"]) == (kind, "单位材料-unit")
    # The posting record and the recommendation are generated from what the unit recorded.
    generated = {}
    for material in ("public_posting", "unit_recommendation"):
        r = await post(client, f"{url}/unit-materials/{material}", unit)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "accepted"
        assert r.json()["stored_mime"] == "application/pdf"
        generated[material] = r.json()["id"]
    link = await client.get(
        f"{url}/documents/{generated['public_posting']}/download", headers=auth(unit)
    )
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient() as raw:
        pdf = (await raw.get(link.json()["url"])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # The posting with its dates and working days, the 名册 and the objections (none).
    assert "公示期：2022-09-28至2022-10-11" in text and "共5个工作日" in text
    assert "韦工" in text and "公示期内无异议" in text
    attached = (await client.get(url, headers=auth(unit))).json()["attachments"]
    kinds = {a["document_id"]: a["kind"] for a in attached}
    assert kinds[generated["public_posting"]] == "public_posting"
    assert kinds[generated["unit_recommendation"]] == "unit_recommendation"

    # 原件核实: every applicant document, and only those, needs one.
    quoted("004", "由审核推荐单位审核原件并核实真实性后,在申报系统据实填写审核结果")
    quoted("002", "如确实无原件的，材料复印件应加盖核验章和单位公章")
    r = await approve(client, did, unit)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM + "originals-unchecked"
    assert set(r.json()["document_ids"]) == applicant_docs
    checks = (await client.get(url + "/original-checks", headers=auth(unit))).json()
    assert {c["document_id"] for c in checks} == applicant_docs
    assert not any(c["checked"] for c in checks)
    first, *rest = sorted(applicant_docs)
    r = await client.put(
        f"{url}/original-checks/{first}", json={"seen_original": False}, headers=auth(unit)
    )
    assert r.status_code == 422
    assert r.json()["type"] == PROBLEM + "original-note-required"
    r = await client.put(
        f"{url}/original-checks/{generated['public_posting']}",
        json={"seen_original": True},
        headers=auth(unit),
    )
    assert r.status_code == 404  # the unit's own material is not an applicant document
    no_original = {"seen_original": False, "note": "复印件已加盖核验章和单位公章"}
    r = await client.put(f"{url}/original-checks/{first}", json=no_original, headers=auth(unit))
    assert r.status_code == 200, r.text
    assert r.json()["checked"] and r.json()["seen_original"] is False
    mine = auth(applicant)
    r = await client.put(f"{url}/original-checks/{first}", json=no_original, headers=mine)
    assert r.status_code == 403
    for doc in rest:
        r = await client.put(
            f"{url}/original-checks/{doc}", json={"seen_original": True}, headers=auth(unit)
        )
        assert r.status_code == 200, r.text

    # The unit's pledge, on the text it was shown.
    r = await approve(client, did, unit)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "unit-pledge-unsigned"
    quoted("004", "明确审核责任人,签署承诺书,落实审核责任")
    pledge = (await client.get(url + "/unit-pledge", headers=auth(unit))).json()
    assert pledge["signed"] is False and "审核原件" in pledge["text"]
    r = await post(client, url + "/unit-pledge", unit, {"text_version": "old"})
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "pledge-text-outdated"
    r = await post(client, url + "/unit-pledge", unit, {"text_version": pledge["text_version"]})
    assert r.status_code == 200, r.text
    signed = (await client.get(url + "/unit-pledge", headers=auth(applicant))).json()
    assert signed["signed"] and signed["signed_by"] == "单位材料-unit" and signed["signed_at"]

    r = await approve(client, did, unit)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "series_office_review"
    # Past the unit's step the unit uploads nothing more.
    r = await upload_scan(client, did, unit, kind="defence_record", seed=60)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "not-at-unit-step"
    audit = (await client.get(url + "/audit", headers=auth(applicant))).json()
    actions = [e["action"] for e in audit]
    assert actions.count("unit_material_filed") == 4
    assert "unit_pledge_signed" in actions and "original_checked" in actions


async def test_no_recommendation_while_a_posting_objection_is_open(client) -> None:
    # 长工信〔2022〕139号 十（一）.
    rule = quoted("003", "公示期不少于5个工作日，无异议的方可出具鉴定意见")
    quoted("000", "对审议通过且公示无异议的申报人出具单位推荐意见")
    tree, _campaign, _applicant, did = await submitted(
        client, label="公示异议", supervisor=False, county=False
    )
    unit = tree.tokens["unit_reviewer"]
    url = f"/v1/declarations/{did}"
    body = {"received_on": "2022-09-30", "content": "反映其业绩材料中某项目并非本人主持"}
    r = await post(client, url + "/posting-objections", unit, body)
    assert r.status_code == 201, r.text
    objection = r.json()
    assert objection["resolved"] is False

    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "posting-objection-open"
    assert rule in r.json()["detail"]

    resolution = {"resolution": "经核查项目合同和验收报告，申报人为项目负责人，异议不成立"}
    other = await post(client, f"{url}/posting-objections/{uuid.uuid4()}/resolution", unit, {})
    assert other.status_code == 422  # a resolution needs its note
    other = await post(
        client, f"{url}/posting-objections/{uuid.uuid4()}/resolution", unit, resolution
    )
    assert other.status_code == 404
    resolve = f"{url}/posting-objections/{objection['id']}/resolution"
    r = await post(client, resolve, unit, resolution)
    assert r.status_code == 200, r.text
    assert r.json()["resolved"] and r.json()["resolution"].startswith("经核查")
    again = await post(client, resolve, unit, resolution)
    assert again.status_code == 409
    assert again.json()["type"] == PROBLEM + "posting-objection-resolved"
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)

    # An objection that arrives after the recommendation stops the file until resolved.
    late = {"received_on": "2022-10-11", "content": "反映其论文存在署名争议"}
    r = await post(client, url + "/posting-objections", unit, late)
    assert r.status_code == 201, r.text
    late_id = r.json()["id"]
    r = await approve(client, did, unit)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "posting-objection-open"
    assert r.json()["open_objections"] == 1
    r = await post(client, url + "/unit-materials/unit_recommendation", unit)
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "posting-objection-open"
    r = await post(
        client,
        f"{url}/posting-objections/{late_id}/resolution",
        unit,
        {"resolution": "作者本人出具署名说明，合作者书面确认，异议不成立"},
    )
    assert r.status_code == 200, r.text
    listed = (await client.get(url + "/posting-objections", headers=auth(unit))).json()
    assert [o["resolved"] for o in listed] == [True, True]
    r = await approve(client, did, unit)
    assert r.status_code == 200, r.text


async def test_the_applicant_cannot_replace_or_delete_what_the_unit_filed(client) -> None:
    """申报系统操作注意事项 二: the unit's materials are the unit's to issue; returned for
    correction, the applicant may change their own documents but not the unit's."""
    tree, _campaign, applicant, did = await submitted(
        client, label="单位材料归属", supervisor=False, county=False
    )
    unit = tree.tokens["unit_reviewer"]
    filed = await upload_scan(client, did, unit, kind="defence_record", seed=61)
    assert filed.status_code == 201, filed.text
    r = await return_for_correction(client, tree, did, within=timedelta(days=3))
    assert r.status_code == 201, r.text
    doc_url = f"/v1/declarations/{did}/documents/{filed.json()['id']}"
    r = await client.delete(doc_url, headers=auth(applicant))
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:unit-material-locked"
    r = await upload_scan(client, did, applicant, kind="title_certificate", seed=62)
    assert r.status_code == 201, r.text  # a document of their own is still theirs to add
    r = await client.post(
        doc_url + "/replace",
        files={"file": ("x.jpg", b"not read", "image/jpeg")},
        headers=auth(applicant),
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:unit-material-locked"
    attached = (await client.get(f"/v1/declarations/{did}", headers=auth(applicant))).json()
    assert filed.json()["id"] in {a["document_id"] for a in attached["attachments"]}
