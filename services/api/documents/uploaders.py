"""Who may upload to a declaration, decided before the file travels, and how the
unit's own materials are recorded when it arrives.

The applicant uploads to their draft or returned declaration (documents/service.py).
The unit's reviewer uploads what the unit produces (答辩情况、审议推荐表、公示情况、单位推荐
意见: 申报系统操作注意事项 二) while the declaration sits at the unit's step; nobody else
uploads. A unit material is recorded twice under the declaration's lock: among the
declaration's attachments (what the levels above read) and as a `UnitMaterial` (that the
unit, not the applicant, filed it: only those count at the unit's approval).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import ROLE_ORG_KIND, forbidden
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.declarations import service as declarations
from services.api.declarations.producers import UNIT_PRODUCED
from services.api.documents import service
from services.api.documents.problems import NotAtUnitStep, UnitMaterialKindOnly
from services.api.models import Declaration, UnitMaterial
from services.kit.auth import Principal

UNIT_STATUS = declarations.STEP_STATUS["unit"]


@dataclass(frozen=True)
class Uploader:
    """The decided uploader: whose upload this is, and what the declaration was then."""

    role: Literal["applicant", "unit"]
    status: str  # the declaration's status when decided; the document service is told
    position: int | None = None  # the unit's step, re-checked under the lock

    @property
    def document_role(self) -> str | None:
        """`X-Uploader-Role` for the document service (the applicant's is the default)."""
        return "unit" if self.role == "unit" else None


async def decide(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    action_zh: str,
    applicant_only: bool = False,
) -> Uploader:
    """404 for a declaration the caller may not see, 403 for a role that never uploads,
    409 when it is not the caller's turn (submitted; not at their unit's step)."""
    if principal.role == "unit_reviewer" and not applicant_only:
        declaration = await declarations.load(session, principal, declaration_id)
        position = await _unit_step(session, principal, declaration)
        campaign = await campaigns.get(session, declaration.campaign_id)
        campaigns.check_review_window(
            campaign,
            "unit_review",
            await clock.db_now(session),
            "上传单位材料",
            corrected=declaration.submission_count > 1,
        )
        return Uploader("unit", declaration.status, position)
    declaration = await service.check_editable(
        session, principal, declaration_id, action_zh=action_zh
    )
    return Uploader("applicant", declaration.status)


async def _unit_step(session: AsyncSession, principal: Principal, declaration: Declaration) -> int:
    if declaration.status != UNIT_STATUS or declaration.current_position is None:
        raise NotAtUnitStep(status_now=declaration.status)
    step = (await declarations.steps(session, declaration.id))[declaration.current_position]
    if step.kind != ROLE_ORG_KIND[principal.role] or str(step.org_id) != principal.org_id:
        raise forbidden()
    return step.position


async def attach(
    session: AsyncSession,
    principal: Principal,
    uploader: Uploader,
    declaration_id: uuid.UUID,
    *,
    doc: dict[str, Any],
    kinds: dict[str, str | None],
    **applicants: Any,
) -> Declaration:
    """Record the stored document on the declaration, as its uploader may."""
    if uploader.role == "applicant":
        return await service.attach(
            session, principal, declaration_id, doc=doc, kinds=kinds, **applicants
        )
    material = kinds.get(doc["kind"]) or doc["kind"]
    return await file_unit_material(
        session,
        principal,
        declaration_id,
        material=material,
        document_id=doc["id"],
        note=doc.get("note"),
        source="uploaded",
        position=uploader.position,
    )


async def file_unit_material(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    material: str,
    document_id: str,
    note: str | None,
    source: Literal["uploaded", "generated"],
    position: int | None,
) -> Declaration:
    """Under the declaration's lock: still at the same unit step, a unit material; then
    attached and recorded as the unit's. The caller discards the document when refused."""
    declaration, now = await service.locked_with_clock(session, principal, declaration_id)
    if declaration.status != UNIT_STATUS or declaration.current_position != position:
        raise NotAtUnitStep(status_now=declaration.status)
    if material not in UNIT_PRODUCED:
        raise UnitMaterialKindOnly(kind=material)
    entry: dict[str, Any] = {"document_id": document_id, "kind": material}
    if note:
        entry["note"] = note[:200]
    declaration.attachments = [*declaration.attachments, entry]
    declarations.touch(declaration, now)
    session.add(declaration)
    session.add(
        UnitMaterial(
            declaration_id=declaration.id,
            material=material,
            document_id=uuid.UUID(document_id),
            source=source,
            recorded_by=principal.sub,
            recorded_at=now,
        )
    )
    await session.flush()
    how = "生成" if source == "generated" else "上传"
    await audit.record(
        session,
        principal=principal,
        action="unit_material_filed",
        declaration_id=declaration.id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=f"单位{how}材料 {material}（{document_id}）",
    )
    return declaration
