"""What must hold before the unit passes a declaration up, beyond its review record:
no open posting objection, the unit's own materials filed, every applicant document's
original checked, the unit's pledge signed."""

from __future__ import annotations

import uuid

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.chain.problems import (
    OriginalsUnchecked,
    PostingObjectionOpen,
    UnitMaterialsMissing,
    UnitPledgeUnsigned,
)
from services.api.declarations.producers import SIGNED_IN_SYSTEM, required_of_unit
from services.api.models import (
    Declaration,
    OriginalCheck,
    PostingObjection,
    UnitMaterial,
    UnitPledge,
)


async def open_objections(session: AsyncSession, declaration_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(PostingObjection)
        .where(
            PostingObjection.declaration_id == declaration_id,
            PostingObjection.resolved_at.is_(None),
        )
    )
    return (await session.exec(query)).one()


async def refuse_if_objection_open(session: AsyncSession, declaration_id: uuid.UUID) -> None:
    if n := await open_objections(session, declaration_id):
        raise PostingObjectionOpen(
            f"公示期间收到的{n}条异议尚未处理完毕，单位不能出具推荐意见或上报。"
            + PostingObjectionOpen.text.split("。", 1)[1],
            open_objections=n,
        )


async def unit_documents(session: AsyncSession, declaration_id: uuid.UUID) -> dict[str, str]:
    """document id -> material, of what the unit itself filed."""
    rows = (
        await session.exec(
            select(UnitMaterial.document_id, UnitMaterial.material).where(
                UnitMaterial.declaration_id == declaration_id
            )
        )
    ).all()
    return {str(d): m for d, m in rows}


def applicant_documents(declaration: Declaration, unit_docs: dict[str, str]) -> list[dict]:
    return [
        a
        for a in declaration.attachments
        if a.get("document_id") and a["document_id"] not in unit_docs
    ]


async def check_ready(session: AsyncSession, declaration: Declaration) -> None:
    """Refuse the unit's approval with the first thing still missing, named."""
    await refuse_if_objection_open(session, declaration.id)
    unit_docs = await unit_documents(session, declaration.id)
    attached = {a.get("document_id") for a in declaration.attachments}
    filed = {m for d, m in unit_docs.items() if d in attached}
    if await session.get(UnitPledge, declaration.id) is not None:
        filed |= SIGNED_IN_SYSTEM
    required = required_of_unit(declaration.eligibility, declaration.level)
    missing = [m for m in required if m["id"] not in filed]
    if missing:
        names = "；".join(m.get("name", m["id"]) for m in missing)
        raise UnitMaterialsMissing(
            f"单位出具的材料不全，不能上报，共缺{len(missing)}项：{names}。"
            "请由单位审核人上传（POST …/documents）或由系统生成（POST …/unit-materials/…）"
            "（申报系统操作注意事项 二）。",
            errors=[
                {"material_id": m["id"], "name": m.get("name"), "clause": m.get("clause")}
                for m in missing
            ],
        )
    await refuse_unchecked_originals(session, declaration, by_unit=True, unit_docs=unit_docs)
    if await session.get(UnitPledge, declaration.id) is None:
        raise UnitPledgeUnsigned()


async def unchecked_originals(
    session: AsyncSession, declaration: Declaration, unit_docs: dict[str, str]
) -> list[str]:
    """The applicant's attached documents with no 原件核实 record yet."""
    checked = {
        str(d)
        for d in (
            await session.exec(
                select(OriginalCheck.document_id).where(
                    OriginalCheck.declaration_id == declaration.id
                )
            )
        ).all()
    }
    return [
        a["document_id"]
        for a in applicant_documents(declaration, unit_docs)
        if a["document_id"] not in checked
    ]


async def refuse_unchecked_originals(
    session: AsyncSession,
    declaration: Declaration,
    *,
    by_unit: bool,
    unit_docs: dict[str, str] | None = None,
) -> None:
    """No level passes a declaration up while an applicant document's original is unchecked:
    the unit for all it was shown; a higher level for what came back after its return."""
    if unit_docs is None:
        unit_docs = await unit_documents(session, declaration.id)
    unchecked = await unchecked_originals(session, declaration, unit_docs)
    if unchecked:
        who = "单位" if by_unit else "本级（退回补正后新提交的材料由退回的审核层级核实原件）"
        raise OriginalsUnchecked(
            f"仍有{len(unchecked)}份申报材料未填写原件核实结果，{who}不能上报。"
            + OriginalsUnchecked.text.split("。", 1)[1],
            document_ids=unchecked,
        )
