"""The unit's public posting list (名册) and the per-unit share of problem declarations."""

from __future__ import annotations

import uuid
from typing import Any

from anyio import to_thread
from sqlalchemy import Text, cast
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from services.api.audit import checkpoints
from services.api.campaigns import service as campaigns
from services.api.campaigns.schemas import UnitQuality
from services.api.chain.lines import HEADER, posting_lines
from services.api.models import Campaign, Declaration
from services.api.models.declaration import GIVEN_UP
from services.api.statistics import service as statistics
from services.api.statistics.exports import Export
from services.kit.auth import Principal


def _flag(share: float) -> tuple[str, str]:
    if share >= 0.2:
        return (
            "rectify",
            "问题比例达到或超过20%：推荐单位须作出说明并报送书面整改方案（2023年度通知 三（一））",
        )
    if share >= 0.1:
        return "explain", "问题比例达到或超过10%：推荐单位须作出说明（2023年度通知 三（一））"
    return "none", "问题比例低于10%"


async def unit_quality(
    session: AsyncSession, campaign: Campaign, principal: Principal
) -> list[UnitQuality]:
    """Recommended = passed the unit step; with problems = later returned by a higher level."""
    out = []
    for unit_id, name, total, problems in await statistics.unit_rows(
        session, principal, campaign, None
    ):
        share = problems / total
        flag, flag_zh = _flag(share)
        out.append(
            UnitQuality(
                unit_org_id=unit_id,
                unit_name=name,
                recommended=total,
                with_problems=problems,
                share=round(share, 4),
                flag=flag,
                flag_zh=flag_zh,
            )
        )
    return sorted(out, key=lambda q: (-q.share, q.unit_name))


def _posting_query(campaign: Campaign, unit_id: uuid.UUID) -> Any:
    """The unit's declarations on its posting list, as plain rows (`posting_lines`)."""
    return (
        select(cast(Declaration.sections, Text), Declaration.level, Declaration.specialty)
        .where(
            Declaration.campaign_id == campaign.id,
            Declaration.unit_org_id == unit_id,
            Declaration.status.not_in(GIVEN_UP),
        )
        .order_by(Declaration.created_at, Declaration.id)
    )


async def posting_rows(session: AsyncSession, campaign: Campaign, unit_id: uuid.UUID) -> list[list]:
    """The whole list at once (the unit's 公示情况 PDF), shaped in a worker thread."""
    rows = (await session.exec(_posting_query(campaign, unit_id))).all()
    return await to_thread.run_sync(posting_lines, rows, 1)


async def posting_export(
    session: AsyncSession, request: Request, *, campaign_id: uuid.UUID, unit_id: uuid.UUID
) -> tuple[Export, str]:
    """The unit's posting list (名册), ending with a blank line and a signed checkpoint of
    the audit chain; with the checkpoint as a header value (`Audit-Checkpoint`)."""
    campaign = await campaigns.get(session, campaign_id)
    checkpoint = await checkpoints.for_export(request)
    footer = checkpoint.printed()
    plan = Export(
        query=_posting_query(campaign, unit_id),
        shape=posting_lines,
        header=HEADER,
        tail=lambda _count: [[], [footer]],
        filename="posting-list",
        sheet_name="公示名册",
        title=f"{campaign.name} 申报人员公示名册",
    )
    return plan, checkpoint.header()
