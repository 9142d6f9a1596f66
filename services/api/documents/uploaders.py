"""Who may upload to a declaration, decided before the file travels, and how the
unit's own materials are recorded when it arrives.

The applicant uploads to their draft or returned declaration (documents/service.py).
The unit's reviewer uploads what the policy has the unit produce (the eligibility
answer's materials with `producer: unit`, e.g. 答辩情况、审议推荐表、公示情况、单位推荐意见:
申报系统操作注意事项 二; 长治's bound 卷宗) while the declaration sits at the unit's step;
nobody else uploads. A unit material is recorded twice under the declaration's lock: among the
declaration's attachments (what the levels above read) and as a `UnitMaterial` (that the
unit, not the applicant, filed it: only those count at the unit's approval).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import ROLE_ORG_KIND, forbidden
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.declarations import service as declarations
from services.api.declarations.producers import unit_produced
from services.api.documents import service
from services.api.documents.problems import NotAtUnitStep, UnitMaterialKindOnly
from services.api.models import Declaration, DeclarationDocument, UnitMaterial
from services.kit.auth import Principal

UNIT_STATUS = declarations.STEP_STATUS["unit"]


@dataclass(frozen=True)
class Uploader:
    """The decided uploader: whose upload this is, and what the declaration was then."""

    role: Literal["applicant", "unit"]
    status: str  # the declaration's status when decided
    position: int | None = None  # the unit's step, re-checked under the lock
    sections: dict[str, Any] = field(default_factory=dict)  # the entries evidence may name


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
    return Uploader("applicant", declaration.status, sections=declaration.sections)


async def _unit_step(session: AsyncSession, principal: Principal, declaration: Declaration) -> int:
    if declaration.status != UNIT_STATUS or declaration.current_position is None:
        raise NotAtUnitStep(status_now=declaration.status)
    step = (await declarations.steps(session, declaration.id))[declaration.current_position]
    if step.kind != ROLE_ORG_KIND[principal.role] or str(step.org_id) != principal.org_id:
        raise forbidden()
    return step.position


async def record(
    session: AsyncSession,
    principal: Principal,
    uploader: Uploader,
    declaration_id: uuid.UUID,
    *,
    doc: dict[str, Any],
    replaces: uuid.UUID | None = None,
    item: dict[str, Any] | None = None,
) -> Declaration:
    """Record the stored document on the declaration, as its uploader may."""
    if uploader.role == "applicant":
        return await service.record(
            session, principal, declaration_id, doc=doc, replaces=replaces, item=item
        )
    return await file_unit_material(
        session, principal, declaration_id, doc=doc, source="uploaded", position=uploader.position
    )


async def file_unit_material(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    doc: dict[str, Any],
    source: Literal["uploaded", "generated"],
    position: int | None,
) -> Declaration:
    """Under the declaration's lock: still at the same unit step, a material the policy has
    the unit produce; then recorded as the declaration's document (`DeclarationDocument`),
    attached, and recorded as the unit's. The caller discards the document when refused."""
    declaration, now = await service.locked_with_clock(session, principal, declaration_id)
    if declaration.status != UNIT_STATUS or declaration.current_position != position:
        raise NotAtUnitStep(status_now=declaration.status)
    entry = service.entry_for(doc)
    material, document_id = entry["kind"], doc["id"]
    if material not in unit_produced(declaration.eligibility):
        raise UnitMaterialKindOnly(kind=material)
    declaration.attachments = [*declaration.attachments, entry]
    declarations.touch(declaration, now)
    session.add(declaration)
    session.add(
        DeclarationDocument(
            document_id=uuid.UUID(document_id),
            declaration_id=declaration.id,
            document_kind=doc["kind"],
            material=doc.get("material"),
            recorded_at=now,
        )
    )
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
    await audit.noted(
        session,
        principal,
        declaration,
        "unit_material_filed",
        f"单位{how}材料 {material}（{document_id}）",
    )
    return declaration
