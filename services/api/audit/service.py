"""The audit trail: one append-only row per state change, hash-chained by the database."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC
from typing import Any

from sqlalchemy import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.models import AuditEntry
from services.kit.auth import Principal
from services.kit.logs import request_id_var

GENESIS = "0" * 64


async def record(
    session: AsyncSession,
    *,
    principal: Principal,
    action: str,
    declaration_id: uuid.UUID | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
) -> int:
    stmt = (
        insert(AuditEntry)
        .values(
            declaration_id=declaration_id,
            actor_sub=principal.sub,
            actor_role=principal.role,
            actor_org=uuid.UUID(principal.org_id) if principal.org_id else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            request_id=request_id_var.get(),
        )
        .returning(AuditEntry.seq)
    )
    return (await session.exec(stmt)).scalar_one()


async def saved(
    session: AsyncSession, row: Any, *, principal: Principal, action: str, **entry: Any
) -> int:
    """Add and flush `row`, then record `action` by `principal` in the same transaction
    (`entry`: the audit row's declaration_id, from_status, to_status, reason)."""
    session.add(row)
    await session.flush()
    return await record(session, principal=principal, action=action, **entry)


async def noted(
    session: AsyncSession, principal: Principal, declaration: Any, action: str, reason: str
) -> int:
    """Record `action` on a declaration that stays in the status it is in (a record kept
    at a step: a judgement, the unit's materials, checks and pledge)."""
    return await record(
        session,
        principal=principal,
        action=action,
        declaration_id=declaration.id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=reason,
    )


def entry_hash(entry: AuditEntry) -> str:
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        entry.prev_hash,
        str(entry.seq),
        str(entry.declaration_id or ""),
        entry.actor_sub,
        entry.actor_role,
        str(entry.actor_org or ""),
        at,
        entry.action,
        entry.from_status or "",
        entry.to_status or "",
        entry.reason or "",
        entry.request_id or "",
    ]
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


async def verify_chain(session: AsyncSession) -> tuple[int, int | None, dict[int, str]]:
    """Recompute the whole chain: (rows checked, first broken seq or None, hash by seq)."""
    rows = (await session.exec(select(AuditEntry).order_by(AuditEntry.seq))).all()
    hashes: dict[int, str] = {}
    prev, broken = GENESIS, None
    for row in rows:
        if broken is None and (row.prev_hash != prev or entry_hash(row) != row.hash):
            broken = row.seq
        hashes[row.seq] = row.hash
        prev = row.hash
    return len(rows), broken, hashes


async def for_declaration(session: AsyncSession, declaration_id: uuid.UUID) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.declaration_id == declaration_id)
        .order_by(AuditEntry.seq)
    )
    return list((await session.exec(query)).all())
