"""The unit's own records at its step: 原件核实 per applicant document, its 承诺书, and
objections received during the public posting, each resolved with a note."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.chain import unit_checks
from services.api.chain.problems import (
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    OriginalAlreadyChecked,
    OriginalNoteRequired,
    PledgeTextOutdated,
)
from services.api.chain.schemas import (
    ObjectionCreate,
    ObjectionRead,
    ObjectionResolve,
    OriginalCheckRead,
    OriginalCheckWrite,
    UnitPledgeRead,
    UnitPledgeWrite,
)
from services.api.chain.service import acting_step, acting_unit_step
from services.api.documents.problems import DocumentNotFound
from services.api.models import Declaration, OriginalCheck, PostingObjection, UnitPledge
from services.kit.auth import Principal

# The unit's 承诺书. 2023年度广西工艺美术系列通知 三（一）: 用人单位要切实履行好推荐申报主体
# 责任……明确审核责任人，签署承诺书，落实审核责任; 长工信〔2022〕139号 十（二）: “双承诺”制.
PLEDGE_VERSION = "2023-1"
PLEDGE_TEXT = (
    "本单位已履行推荐申报主体责任：对申报人的学历、资历、专业技术工作经历、业绩成果和论文著作等"
    "材料审核原件并核实真实性，按规定履行审核审议、公示、推荐程序，推荐材料真实、完整。"
    "如有不实，本单位及审核责任人愿按规定承担相应责任。"
)
PLEDGE_BASIS = (
    "2023年度广西工艺美术系列职称评审工作通知 三（一）："
    "“明确审核责任人，签署承诺书，落实审核责任”；"
    "长工信〔2022〕139号 十（二）：“申报人员及推荐单位对所提交材料的真实性负全责，实行‘双承诺’制”。"
)


def _check_read(attachment: dict, row: OriginalCheck | None) -> OriginalCheckRead:
    return OriginalCheckRead(
        document_id=attachment["document_id"],
        kind=attachment.get("kind", ""),
        checked=row is not None,
        seen_original=row.seen_original if row else None,
        note=row.note if row else None,
        checked_by=row.checked_by if row else None,
        checked_at=row.checked_at if row else None,
    )


async def record_original_check(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    document_id: uuid.UUID,
    body: OriginalCheckWrite,
) -> OriginalCheckRead:
    step, _, now = await acting_step(session, principal, declaration, "填写原件核实结果")
    unit_docs = await unit_checks.unit_documents(session, declaration.id)
    attachment = next(
        (
            a
            for a in unit_checks.applicant_documents(declaration, unit_docs)
            if a["document_id"] == str(document_id)
        ),
        None,
    )
    if attachment is None:
        raise DocumentNotFound()
    note = (body.note or "").strip() or None
    if not body.seen_original and note is None:
        raise OriginalNoteRequired()
    row = await session.get(OriginalCheck, (declaration.id, document_id))
    if row is not None and step.kind != "unit":
        # Above the unit, a level checks only what came back after its return; the unit's
        # record of what it was shown stands.
        raise OriginalAlreadyChecked()
    if row is None:
        row = OriginalCheck(declaration_id=declaration.id, document_id=document_id)
    row.seen_original = body.seen_original
    row.note = note
    row.checked_by = principal.sub
    row.checked_at = now
    session.add(row)
    await session.flush()
    seen = "已核对原件" if body.seen_original else f"未见原件（{note}）"
    await audit.noted(
        session, principal, declaration, "original_checked", f"材料{document_id}{seen}"
    )
    return _check_read(attachment, row)


async def original_checks(
    session: AsyncSession, declaration: Declaration
) -> list[OriginalCheckRead]:
    """Every applicant document, checked or not yet."""
    unit_docs = await unit_checks.unit_documents(session, declaration.id)
    rows = {
        str(r.document_id): r
        for r in (
            await session.exec(
                select(OriginalCheck).where(OriginalCheck.declaration_id == declaration.id)
            )
        ).all()
    }
    return [
        _check_read(a, rows.get(a["document_id"]))
        for a in unit_checks.applicant_documents(declaration, unit_docs)
    ]


def _pledge_read(row: UnitPledge | None) -> UnitPledgeRead:
    return UnitPledgeRead(
        text_version=PLEDGE_VERSION,
        text=PLEDGE_TEXT,
        basis=PLEDGE_BASIS,
        signed=row is not None,
        signed_version=row.text_version if row else None,
        signed_by=row.signed_by if row else None,
        signed_at=row.signed_at if row else None,
    )


async def sign_pledge(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, body: UnitPledgeWrite
) -> UnitPledgeRead:
    _, _, now = await acting_unit_step(session, principal, declaration, "签署承诺书")
    text_version = body.text_version
    if text_version != PLEDGE_VERSION:
        raise PledgeTextOutdated(current=PLEDGE_VERSION)
    row = await session.get(UnitPledge, declaration.id)
    if row is None:
        row = UnitPledge(
            declaration_id=declaration.id,
            text_version=text_version,
            signed_by=principal.sub,
            signed_at=now,
        )
        session.add(row)
        await session.flush()
        reason = f"单位签署承诺书（{text_version}版）"
        await audit.noted(session, principal, declaration, "unit_pledge_signed", reason)
    return _pledge_read(row)


async def pledge(session: AsyncSession, declaration: Declaration) -> UnitPledgeRead:
    return _pledge_read(await session.get(UnitPledge, declaration.id))


def _objection_read(row: PostingObjection) -> ObjectionRead:
    return ObjectionRead(
        id=row.id,
        received_on=row.received_on,
        content=row.content,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        resolved=row.resolved_at is not None,
        resolution=row.resolution,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
    )


async def record_objection(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, body: ObjectionCreate
) -> ObjectionRead:
    _, _, now = await acting_unit_step(session, principal, declaration, "登记公示异议")
    row = PostingObjection(
        declaration_id=declaration.id,
        received_on=body.received_on,
        content=body.content.strip(),
        recorded_by=principal.sub,
        recorded_at=now,
    )
    session.add(row)
    await session.flush()
    reason = f"公示期间收到异议（{body.received_on}）"
    await audit.noted(session, principal, declaration, "posting_objection", reason)
    return _objection_read(row)


async def resolve_objection(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    objection_id: uuid.UUID,
    body: ObjectionResolve,
) -> ObjectionRead:
    _, _, now = await acting_unit_step(session, principal, declaration, "处理公示异议")
    row = await session.get(PostingObjection, objection_id, with_for_update=True)
    if row is None or row.declaration_id != declaration.id:
        raise ObjectionNotFound()
    if row.resolved_at is not None:
        raise ObjectionAlreadyResolved()
    row.resolution = body.resolution.strip()
    row.resolved_by = principal.sub
    row.resolved_at = now
    session.add(row)
    await session.flush()
    reason = f"公示异议已处理：{row.resolution}"
    await audit.noted(session, principal, declaration, "posting_objection_resolved", reason)
    return _objection_read(row)


async def objections(session: AsyncSession, declaration: Declaration) -> list[ObjectionRead]:
    rows = (
        await session.exec(
            select(PostingObjection)
            .where(PostingObjection.declaration_id == declaration.id)
            .order_by(PostingObjection.recorded_at, PostingObjection.id)
        )
    ).all()
    return [_objection_read(r) for r in rows]
