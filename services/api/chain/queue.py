"""The review screen: declarations waiting at the caller's step, riskiest first.

学术风险预警 (桂工信职办〔2023〕6号 二（二）2（3）) is meant to be seen before a
recommendation is signed: declarations whose latest submission recorded flagged papers come
first, then those sharing claimed papers or achievements with other applicants, then the
rest in the order they reached the step; within each declaration its flagged papers come
first. The rank (papers flagged at submission, claims shared with others) is stored on the
waiting step and kept by triggers in the transaction that changes it (api_0032), and the
page is cut by the index in the queue's order, so the queue costs the same at 100 waiting
as at 300 000; the page then shows each declaration's full risk (today's register,
consistency warnings), which does not reorder it.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import ROLE_ORG_KIND
from services.api.chain import judgements
from services.api.chain.schemas import QueueItem
from services.api.declarations import service as declarations
from services.api.http import invalid_cursor
from services.api.journals import duplicates, flags
from services.api.models import Declaration, ReviewStep
from services.api.registries import risk
from services.kit.auth import Principal


def encode_cursor(flagged: int, shared: int, reached_at: datetime | None, id_: uuid.UUID) -> str:
    raw = json.dumps([flagged, shared, reached_at.isoformat() if reached_at else None, str(id_)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int, datetime | None, uuid.UUID]:
    """The rank a page ended at; anything else, a cursor not of our making."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        flagged, shared, reached, id_ = json.loads(raw)
        after = (
            flagged,
            shared,
            datetime.fromisoformat(reached) if reached is not None else None,
            uuid.UUID(id_),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise invalid_cursor() from exc
    if not all(type(v) is int and v >= 0 for v in after[:2]):
        raise invalid_cursor()
    if after[2] is not None and after[2].tzinfo is None:  # ours always carry their offset
        raise invalid_cursor()
    return after


def _after(flagged, shared, reached, id_, cursor: str):
    """SQL: the rows ranked after the cursor's (flagged desc, shared desc, reached_at asc
    nulls first, id asc)."""
    f, s, r, i = decode_cursor(cursor)
    if r is None:
        tail = or_(reached.is_not(None), and_(reached.is_(None), id_ > i))
    else:
        tail = or_(reached > r, and_(reached == r, id_ > i))
    return or_(flagged < f, and_(flagged == f, shared < s), and_(flagged == f, shared == s, tail))


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def page_query(
    principal: Principal, *, campaign_id: uuid.UUID | None, cursor: str | None, limit: int
) -> Any:
    """SQL: the keys of a page and the next one's first (limit + 1 rows). The rank is stored
    on the waiting step (api_0032: kept by triggers in the transaction that changes it), so
    a page is the first rows of the index review_step_queue."""
    # A reviewer role (the route's allow()), and so an org (every staff token has one).
    flagged = col(ReviewStep.risk_flagged).label("flagged")
    shared = col(ReviewStep.risk_shared).label("shared")
    id_ = col(ReviewStep.declaration_id).label("id")
    page = (
        select(id_, ReviewStep.reached_at, flagged, shared)
        .join(
            Declaration,
            (ReviewStep.declaration_id == Declaration.id)
            & (ReviewStep.position == Declaration.current_position),
        )
        .where(
            # No declarations.visible(principal): the caller's own reached step, at its
            # org and kind, is what visible() tests for a reviewer (its EXISTS), and the
            # statuses below are never a draft, so every row here is visible. Spelt out,
            # the EXISTS made the planner expect 1 row in 140 to pass and start parallel
            # workers for a unit's page (50 ms before the first row at 1M).
            ReviewStep.org_id == uuid.UUID(principal.org_id),
            ReviewStep.kind == ROLE_ORG_KIND[principal.role],
            # The step a declaration waits at was reached and is never completed
            # (submission reopens it): the partial index holds only these.
            col(ReviewStep.completed_at).is_(None),
            col(ReviewStep.reached_at).is_not(None),
            Declaration.status.in_(tuple(declarations.STEP_STATUS.values())),
        )
    )
    if campaign_id:
        page = page.where(Declaration.campaign_id == campaign_id)
    if cursor:
        page = page.where(
            _after(
                col(ReviewStep.risk_flagged),
                col(ReviewStep.risk_shared),
                col(ReviewStep.reached_at),
                col(ReviewStep.declaration_id),
                cursor,
            )
        )
    return page.order_by(
        col(ReviewStep.risk_flagged).desc(),
        col(ReviewStep.risk_shared).desc(),
        col(ReviewStep.reached_at),
        col(ReviewStep.declaration_id),
    ).limit(limit + 1)


async def waiting(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> QueuePage:
    """Ranked and cut in SQL (`page_query`): only the page's declarations are loaded and
    checked."""
    page = page_query(principal, campaign_id=campaign_id, cursor=cursor, limit=limit)
    keys = list((await session.exec(page)).all())
    more = len(keys) > limit
    keys = keys[:limit]
    # Only the page's rows are loaded whole (a declaration's sections are kilobytes).
    loaded = {
        d.id: d
        for d in (
            await session.exec(
                select(Declaration).where(col(Declaration.id).in_([k.id for k in keys]))
            )
        ).all()
    }
    found = [loaded[k.id] for k in keys]
    reached = {k.id: k.reached_at for k in keys}
    papers = await flags.papers_many(session, found)
    warnings = await risk.consistency_many(session, found)
    counts = await duplicates.counts_many(session, found)
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
            risk=risk.summary(papers[d.id], warnings[d.id], counts[d.id]),
            open_judgements=to_judge[d.id],
            papers=papers[d.id],
        )
        for d in found
    ]
    last = keys[-1] if more else None
    return QueuePage(
        items,
        encode_cursor(last.flagged, last.shared, last.reached_at, last.id) if last else None,
    )
