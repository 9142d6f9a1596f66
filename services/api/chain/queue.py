"""The review screen: declarations waiting at the caller's step, riskiest first.

学术风险预警 (桂工信职办〔2023〕6号 二（二）2（3）) is meant to be seen before a
recommendation is signed: declarations whose latest submission recorded flagged papers come
first, then those sharing claimed papers or achievements with other applicants, then the
rest in the order they reached the step; within each declaration its flagged papers come
first. The order is computed and cut in SQL from what is stored (the flags recorded at
submission, the claims), so the queue costs the same at 100 waiting as at 100 000; the page
then shows each declaration's full risk (today's register, consistency warnings), which
does not reorder it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import ROLE_ORG_KIND
from services.api.chain import judgements
from services.api.chain.schemas import QueueItem
from services.api.declarations import service as declarations
from services.api.journals import duplicates, flags
from services.api.models import Declaration, DeclarationClaim, PaperFlag, ReviewStep
from services.api.registries import risk
from services.kit.auth import Principal


def _flagged_at_submission():
    """SQL: how many papers the latest submission's check recorded as risk (flags.py keeps
    what the applicant submitted against; today's register is shown beside it)."""
    return (
        select(func.count())
        .select_from(PaperFlag)
        .where(
            col(PaperFlag.declaration_id) == Declaration.id,
            col(PaperFlag.n) == Declaration.submission_count,
            col(PaperFlag.level) == "risk",
        )
        .correlate(Declaration)
        .scalar_subquery()
    )


def _shared_claims():
    """SQL: how many of its claims another applicant's submitted declaration of the same
    year also makes (duplicates.counts_many, per row)."""
    mine, other, theirs = aliased(DeclarationClaim), aliased(DeclarationClaim), aliased(Declaration)
    elsewhere = (
        exists()
        .where(
            other.kind == mine.kind,
            other.fingerprint == mine.fingerprint,
            other.year == mine.year,
            other.applicant_sub != mine.applicant_sub,
            theirs.id == other.declaration_id,
            theirs.status.not_in(("draft", "withdrawn")),
        )
        .correlate(mine)
    )
    return (
        select(func.count())
        .select_from(mine)
        .where(mine.declaration_id == Declaration.id, elsewhere)
        .correlate(Declaration)
        .scalar_subquery()
    )


async def waiting(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_id: uuid.UUID | None,
    limit: int,
) -> list[QueueItem]:
    """Ranked and cut in SQL: only the page's declarations are loaded and checked."""
    # A reviewer role (the route's allow()), and so an org (every staff token has one).
    flagged, shared = _flagged_at_submission(), _shared_claims()
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
            # The step a declaration waits at is never completed (submission reopens it):
            # the partial index review_step_waiting holds only these.
            col(ReviewStep.completed_at).is_(None),
            Declaration.status.in_(tuple(declarations.STEP_STATUS.values())),
        )
        .order_by(
            flagged.desc(),
            shared.desc(),
            col(ReviewStep.reached_at).asc().nulls_first(),
            Declaration.id,
        )
        .limit(limit)
    )
    if campaign_id:
        query = query.where(Declaration.campaign_id == campaign_id)
    rows = (await session.exec(query)).all()
    found = [d for d, _ in rows]
    reached = {d.id: at for d, at in rows}
    papers = await flags.papers_many(session, found)
    warnings = await risk.consistency_many(session, found)
    counts = await duplicates.counts_many(session, found)
    to_judge = await judgements.open_counts(session, found)
    return [
        QueueItem(
            declaration_id=d.id,
            name=(d.sections.get("basic_info") or {}).get("name"),
            level=d.level,
            specialty=d.specialty,
            status=d.status,
            submission_count=d.submission_count,
            reached_at=reached[d.id],
            risk=risk.summary(papers[d.id], warnings[d.id], counts[d.id]),
            open_judgements=to_judge[d.id],
            papers=papers[d.id],
        )
        for d in found
    ]
