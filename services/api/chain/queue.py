"""The review screen: declarations waiting at the caller's step, riskiest first.

学术风险预警 (桂工信职办〔2023〕6号 二（二）2（3）) is meant to be seen before a
recommendation is signed: declarations with flagged papers come first, then those with
consistency warnings, then the rest in the order they arrived; within each declaration its
flagged papers come first.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import ROLE_ORG_KIND
from services.api.chain import judgements
from services.api.chain.schemas import QueueItem
from services.api.declarations import service as declarations
from services.api.journals import duplicates, flags
from services.api.models import Declaration, ReviewStep
from services.api.registries import risk
from services.kit.auth import Principal


async def waiting(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_id: uuid.UUID | None,
    limit: int,
) -> list[QueueItem]:
    # A reviewer role (the route's allow()), and so an org (every staff token has one).
    query = (
        select(Declaration, ReviewStep.reached_at)
        .join(
            ReviewStep,
            (ReviewStep.declaration_id == Declaration.id)
            & (ReviewStep.position == Declaration.current_position),
        )
        .where(
            declarations.visible(principal),
            ReviewStep.org_id == uuid.UUID(principal.org_id),
            ReviewStep.kind == ROLE_ORG_KIND[principal.role],
            Declaration.status.in_(tuple(declarations.STEP_STATUS.values())),
        )
    )
    if campaign_id:
        query = query.where(Declaration.campaign_id == campaign_id)
    rows = (await session.exec(query)).all()
    found = [d for d, _ in rows]
    reached = {d.id: at for d, at in rows}
    papers = await flags.papers_many(session, found)
    warnings = await risk.consistency_many(session, found)
    shared = await duplicates.counts_many(session, found)
    to_judge = await judgements.open_counts(session, found)
    items = [
        QueueItem(
            declaration_id=d.id,
            name=(d.sections.get("basic_info") or {}).get("name"),
            level=d.level,
            specialty=d.specialty,
            status=d.status,
            submission_count=d.submission_count,
            reached_at=reached[d.id],
            risk=risk.summary(papers[d.id], warnings[d.id], shared[d.id]),
            open_judgements=to_judge[d.id],
            papers=papers[d.id],
        )
        for d in found
    ]
    items.sort(
        key=lambda i: (
            -i.risk.flagged_papers,
            -(i.risk.consistency_warnings or 0),
            -(i.risk.duplicate_claims or 0),
            i.reached_at.timestamp() if i.reached_at else 0.0,
            i.declaration_id,
        )
    )
    return items[:limit]
