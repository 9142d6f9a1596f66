"""重置评委会: a draft or returned declaration moves to another campaign (and so another
committee, year or level), keeping its sections and its documents.

The documents stay valid as they are: an upload is recorded against the declaration's
id (`api.declaration_document`), never against its campaign, and the attachments name
those records. What the new campaign's policy asks for is checked at submission, as for
any draft.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.campaigns import service as campaigns
from services.api.campaigns.problems import LevelNotInCampaign
from services.api.declarations.problems import (
    CommitteeResetSame,
    DeclarationNotEditable,
)
from services.api.declarations.service import EDITABLE, editable_until, transition
from services.api.models import Declaration
from services.kit.auth import Principal


async def reset_committee(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    campaign_id: uuid.UUID,
    level: str | None,
) -> Declaration:
    """Move the locked declaration to `campaign_id` (at `level`, else its own)."""
    if declaration.status not in EDITABLE:
        raise DeclarationNotEditable(status_now=declaration.status)
    target = await campaigns.get(session, campaign_id)
    level = level or declaration.level
    if target.id == declaration.campaign_id and level == declaration.level:
        raise CommitteeResetSame()
    if level not in target.levels:
        allowed = "、".join(target.levels)
        raise LevelNotInCampaign(f"该批次只受理以下级别：{allowed}。")
    now = await clock.db_now(session)
    # A draft moves while the target's submission window is open; a returned one until
    # its correction deadline.
    await editable_until(session, declaration, target, now, "重置评委会")
    before = f"{declaration.committee_code}（批次 {declaration.campaign_id}，{declaration.level}）"
    declaration.campaign_id = target.id
    declaration.committee_code = target.committee_code
    declaration.year = target.year
    declaration.series = target.series
    declaration.level = level
    await transition(
        session,
        principal,
        declaration,
        to_status=declaration.status,
        action="committee_reset",
        reason=f"重置评委会：{before} → {target.committee_code}（批次 {target.id}，{level}）",
        now=now,
    )
    return declaration
