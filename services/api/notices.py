"""Notices to the applicant, written to the outbox in the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.declarations.models import Declaration
from services.kit.outbox import add_notification


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else "+86" + phone


async def notify(
    session: AsyncSession,
    declaration: Declaration,
    *,
    event: str,
    params: dict[str, Any],
    key: str,
    not_after: datetime | None = None,
) -> None:
    """One notice per dedupe key; its id is relayed to the queue after the commit."""
    if not declaration.applicant_phone:
        return
    notification_id = await add_notification(
        session,
        event=f"declaration.{event}",
        template_code=f"DECLARATION_{event.upper()}",
        phone=e164(declaration.applicant_phone),
        params=params,
        dedupe_key=f"declaration:{declaration.id}:{key}",
        declaration_id=declaration.id,
        not_after=not_after,
    )
    if notification_id is not None:
        session.info.setdefault("notification_ids", []).append(notification_id)
