"""The filed declaration's reads: lists that carry risk, progress, the audit trail."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.chain import judgements
from services.api.chain.schemas import ProgressRead
from services.api.deadlines import service as deadlines
from services.api.deadlines.problems import PLAN_PROBLEMS
from services.api.deadlines.schemas import DeclarationPlanRead
from services.api.declarations import service as declarations
from services.api.declarations.schemas import DeclarationPage, EventRead, ReturnRead, StepRead
from services.api.declarations.shapes import read
from services.api.http import decode_cursor, encode_cursor
from services.api.models import Declaration
from services.api.registries import risk
from services.kit.auth import Principal


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    cursor: str | None,
    limit: int,
    status: str | None,
    campaign_id: uuid.UUID | None,
) -> DeclarationPage:
    """One page of the declarations the caller may see; reviewers' items carry `risk`."""
    after = decode_cursor(cursor) if cursor else None
    rows = await declarations.page(
        session, principal, after=after, limit=limit + 1, status=status, campaign_id=campaign_id
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    items = [read(r, principal) for r in rows]
    summaries = await risk.summaries(session, principal, rows)
    for item in items:
        item.risk = summaries.get(item.id)
    return DeclarationPage(items=items, next_cursor=next_cursor)


async def plan(
    session: AsyncSession, declaration: Declaration
) -> tuple[DeclarationPlanRead | None, str | None]:
    """The declaration's plan as GET /plan answers it, or why there is none: the progress
    shows it (issue #24: "Shown in the declaration's progress"), and a plan that cannot be
    computed never fails the progress."""
    try:
        return await deadlines.for_declaration(session, declaration), None
    except PLAN_PROBLEMS as exc:
        return None, exc.detail


async def progress(session: AsyncSession, declaration: Declaration) -> ProgressRead:
    steps = await declarations.steps(session, declaration.id)
    events = await audit.for_declaration(session, declaration.id)
    open_return = await declarations.current_return(session, declaration.id)
    shown, unavailable = await plan(session, declaration)
    return ProgressRead(
        declaration_id=declaration.id,
        status=declaration.status,
        current_position=declaration.current_position,
        steps=[StepRead.model_validate(s, from_attributes=True) for s in steps],
        events=[EventRead.model_validate(e, from_attributes=True) for e in events],
        open_return=ReturnRead.model_validate(open_return, from_attributes=True)
        if open_return
        else None,
        judgements=await judgements.listed(session, declaration),
        plan=shown,
        plan_unavailable=unavailable,
    )


async def audit_trail(session: AsyncSession, declaration: Declaration) -> list[EventRead]:
    events = await audit.for_declaration(session, declaration.id)
    return [EventRead.model_validate(e, from_attributes=True) for e in events]
