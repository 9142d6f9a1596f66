"""Which documents may serve a declaration's materials: those the gateway recorded.

An attachment (`Declaration.attachments` entry: `document_id`, `kind` = the policy
material, `document_kind`, `note`, room for more keys such as `item`) names a document
uploaded to this declaration, accepted by the document service's checks and still in
force (not replaced), whose kind serves that material. The records are written only by
`services/api/documents/` under the declaration's lock; this module reads them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.declarations.problems import (
    AttachmentReplaced,
    AttachmentUnknown,
    AttachmentWrongMaterial,
    UnitMaterialLocked,
)
from services.api.models import DeclarationDocument, UnitMaterial
from services.kit.problems import ProblemError


async def recorded(
    session: AsyncSession, declaration_id: uuid.UUID
) -> dict[str, DeclarationDocument]:
    """Every document recorded for the declaration (in force or replaced), by id."""
    rows = await session.exec(
        select(DeclarationDocument).where(DeclarationDocument.declaration_id == declaration_id)
    )
    return {str(r.document_id): r for r in rows.all()}


async def unit_filed(session: AsyncSession, declaration_id: uuid.UUID) -> set[str]:
    """The ids of the documents the unit filed on the declaration at its step."""
    rows = await session.exec(
        select(UnitMaterial.document_id).where(UnitMaterial.declaration_id == declaration_id)
    )
    return {str(d) for d in rows.all()}


async def refuse_if_unit_filed(
    session: AsyncSession, declaration_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    """The applicant may not replace or delete a document the unit filed at its step."""
    filed = select(UnitMaterial.id).where(
        UnitMaterial.declaration_id == declaration_id, UnitMaterial.document_id == document_id
    )
    if (await session.exec(filed)).first() is not None:
        raise UnitMaterialLocked(document_id=str(document_id))


def keep_unit_entries(
    before: Iterable[dict[str, Any]], after: list[dict[str, Any]], unit_docs: set[str]
) -> None:
    """The applicant's edit of the attachments leaves the unit's entries as they were."""
    mine = {e.get("document_id"): e.get("kind") for e in after if e.get("document_id") in unit_docs}
    theirs = {e["document_id"]: e.get("kind") for e in before if e.get("document_id") in unit_docs}
    if mine != theirs:
        changed = sorted(set(mine.items()) ^ set(theirs.items()))
        raise UnitMaterialLocked(document_id=changed[0][0], material=changed[0][1])


def problem(entry: dict[str, Any], records: dict[str, DeclarationDocument]) -> ProblemError | None:
    """Why this entry may not stand as an attachment, or None when it may."""
    document_id, material = str(entry.get("document_id")), entry.get("kind")
    row = records.get(document_id)
    about = {"material": material, "document_id": document_id}
    if row is None:
        return AttachmentUnknown(
            f"材料“{material}”所附的文件 {document_id} 不是本申报已上传并通过检查的材料"
            "（申报系统操作注意事项：“上传的材料必须是原件扫描上传”），请先上传扫描件。",
            **about,
        )
    if row.superseded_by_id is not None:
        return AttachmentReplaced(
            f"材料“{material}”所附的文件 {document_id} 已被 {row.superseded_by_id} 替换，"
            "请改用替换后的材料。",
            **about,
            superseded_by_id=str(row.superseded_by_id),
        )
    # A kind serving no one material (其他证明材料) may serve whichever the applicant
    # names: 桂工信职办〔2023〕6号 二（二）(4) has the 自评表 uploaded there.
    if row.material is not None and row.material != material:
        return AttachmentWrongMaterial(
            f"文件 {document_id} 的类别“{row.document_kind}”只能作为材料“{row.material}”，"
            f"不能作为材料“{material}”。",
            **about,
            serves=row.material,
        )
    return None


def check(entries: Iterable[dict[str, Any]], records: dict[str, DeclarationDocument]) -> None:
    """Refuse the first entry that may not stand (422, naming the material and document)."""
    for entry in entries:
        if (refused := problem(entry, records)) is not None:
            raise refused


def standing(
    entries: Iterable[dict[str, Any]], records: dict[str, DeclarationDocument]
) -> list[dict[str, Any]]:
    """The entries that may stand: all that completeness counts (their materials, and the
    items their documents prove)."""
    return [e for e in entries if problem(e, records) is None]


def standing_problems(
    entries: Iterable[dict[str, Any]], records: dict[str, DeclarationDocument]
) -> list[ProblemError]:
    return [p for e in entries if (p := problem(e, records)) is not None]
