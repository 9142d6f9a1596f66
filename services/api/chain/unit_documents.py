"""Materials the gateway writes for the unit from what the unit recorded, filed on the
declaration as the unit's own: the 公示情况 (the posting list with its dates and the
objections) and the 单位推荐意见 (the five-aspect appraisal). Each is a text PDF
(textpdf.py) stored by the document service like any upload.

The choreography is upload's (documents/uploads.py): read and write the file with no
lock, release the connection, store it, then lock, check again and record, committing
here so that a failed commit discards the stored file too.
"""

from __future__ import annotations

from typing import Literal

import httpx
from fastapi import Response
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.chain import reports, unit_checks
from services.api.chain.lines import LEVEL_ZH
from services.api.chain.problems import UnitReviewMissing
from services.api.chain.schemas import ASPECTS
from services.api.chain.service import acting_unit_step
from services.api.chain.textpdf import text_pdf
from services.api.clients import documents as client
from services.api.clock import shanghai
from services.api.documents import service as documents
from services.api.documents.uploaders import file_unit_material
from services.api.http import DeferredIdempotency, etag
from services.api.models import Campaign, Declaration, Org, PostingObjection, UnitReview
from services.kit.auth import Principal

Generated = Literal["public_posting", "unit_recommendation"]
TITLES = {"public_posting": "单位公示情况", "unit_recommendation": "单位推荐意见"}


def _who(declaration: Declaration, unit: Org) -> list[str]:
    name = (declaration.sections.get("basic_info") or {}).get("name", "")
    level = LEVEL_ZH.get(declaration.level, declaration.level)
    return [
        f"申报人：{name}　申报级别：{level}　申报专业：{declaration.specialty or '—'}",
        f"用人单位：{unit.name}",
        "",
    ]


async def _posting(
    session: AsyncSession, declaration: Declaration, campaign: Campaign, review: UnitReview
) -> list[str]:
    rows = await reports.posting_rows(session, campaign, declaration.unit_org_id)
    objections = (
        await session.exec(
            select(PostingObjection)
            .where(PostingObjection.declaration_id == declaration.id)
            .order_by(PostingObjection.recorded_at)
        )
    ).all()
    lines = [
        f"公示期：{review.posting_start_on}至{review.posting_end_on}，"
        f"共{review.posting_working_days}个工作日（双休日和节假日不计入）。",
        "依据：公示期不能少于5个工作日（双休日和节假日不计入公示时间），"
        "未经公示的申报材料一律不予受理（申报系统操作注意事项 二、1）。",
        "公示内容：名册、专业技术工作经历、业绩成果及论文、著作等申报材料"
        "（桂人社规〔2021〕11号 第二十条）。",
        "",
        f"公示名册（{campaign.name}）：",
        *("　".join(str(c) for c in row if c != "") for row in rows),
        "",
    ]
    if not objections:
        lines.append("异议情况：公示期内无异议。")
    else:
        lines.append(f"异议情况：公示期内收到异议{len(objections)}条，均已核查处理：")
        lines += [
            f"{i}. {o.received_on} {o.content}　处理情况：{o.resolution}"
            for i, o in enumerate(objections, start=1)
        ]
    return lines


def _recommendation(review: UnitReview) -> list[str]:
    rec = review.recommendation
    lines = [f"{zh}：{rec.get(key, '')}" for key, zh in ASPECTS.items()]
    return [
        *lines,
        "",
        f"推荐结论：{'同意推荐' if review.agree else '不同意推荐'}",
        f"审议：{review.deliberation_on}，审议推荐小组{len(review.panel)}人",
        f"出具日期：{review.recommended_on}",
        "",
        "依据：单位推荐意见应对申报人在“思想品德、工作成绩、专业水平、业务能力、工作态度”等方面"
        "给予评价，明确是否同意推荐（桂人社规〔2021〕11号 第二十条；申报系统操作注意事项 二、6）。",
    ]


async def generate(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    material: Generated,
    http: httpx.AsyncClient,
    idem: DeferredIdempotency,
) -> Response:
    # A retry of a finished request gets the same document, not a second one.
    await idem.replay_if_answered(session)
    _, campaign, now = await acting_unit_step(session, principal, declaration, "生成单位材料")
    review = await session.get(UnitReview, declaration.id)
    if review is None:
        raise UnitReviewMissing()
    # Either says the posting raised no objection still open (公示无异议的方可出具).
    await unit_checks.refuse_if_objection_open(session, declaration.id)
    unit = await session.get(Org, declaration.unit_org_id)
    body = (
        await _posting(session, declaration, campaign, review)
        if material == "public_posting"
        else _recommendation(review)
    )
    title = TITLES[material]
    content = text_pdf(
        title, [*_who(declaration, unit), *body, "", f"系统生成：{shanghai(now)}，{principal.sub}"]
    )
    declaration_id = declaration.id
    position = declaration.current_position
    await documents.release(session)
    response = await client.upload_generated(
        http,
        str(declaration_id),
        kind=material,
        filename=f"{material}.pdf",
        content=content,
        media_type="application/pdf",
        note=f"{title}（系统生成）",
        uploader_id=principal.sub,
    )
    if response.status_code != 201:
        return client.relay(response)
    doc = response.json()
    try:
        claimed = await idem.claim(session)
        declaration = await file_unit_material(
            session, principal, declaration_id, doc=doc, source="generated", position=position
        )
        answer = await claimed.respond(
            doc,
            status_code=201,
            headers={
                "ETag": etag(declaration.version),
                "Location": f"/v1/declarations/{declaration_id}/documents/{doc['id']}",
            },
        )
        await session.commit()
    except Exception:
        await documents.discard(http, doc["id"])
        raise
    return answer
