"""Notices to the applicant, written to the outbox in the transaction of the change.

Template codes and their parameters are the notify worker's (services/notify/sms/templates);
each parameter is plain text of at most 35 characters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.clock import shanghai
from services.api.models import Declaration
from services.kit.outbox import add_notification, cancel_notifications
from services.kit.vocabulary import title_name

MAX_PARAM = 35
REMINDERS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else "+86" + phone


def title_of(declaration: Declaration) -> str:
    return title_name(declaration.series, declaration.level)


def _clip(value: Any) -> Any:
    return value[:MAX_PARAM] if isinstance(value, str) else value


async def notify(
    session: AsyncSession,
    declaration: Declaration,
    *,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
) -> None:
    """One notice per dedupe key; its id is relayed to the queue after the commit.

    It goes to the phone the applicant's account proved with an SMS code, stored on the
    declaration at each submission (chain/submission.py), never to the phone typed into
    the form. An applicant without one gets no SMS; the notice is recorded as `no_phone`.
    """
    phone = declaration.applicant_phone
    name = (declaration.sections.get("basic_info") or {}).get("name") or "申报人"
    notification_id = await add_notification(
        session,
        event=f"declaration.{event}",
        template_code=template,
        phone=e164(phone) if phone else None,
        params={k: _clip(v) for k, v in {"name": name, **params}.items()},
        dedupe_key=f"declaration:{declaration.id}:{key}",
        declaration_id=declaration.id,
        not_after=not_after,
        send_after=send_after,
    )
    if notification_id is not None and phone:
        session.info.setdefault("notification_ids", []).append(notification_id)


async def schedule_reminders(
    session: AsyncSession,
    declaration: Declaration,
    *,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    deadline: datetime,
    now: datetime,
) -> None:
    """Reminders 3 days and 1 day before a deadline (those still ahead of now)."""
    for label, before in REMINDERS:
        send_after = deadline - before
        if send_after > now:
            await notify(
                session,
                declaration,
                event=event,
                template=template,
                params={**params, "deadline": shanghai(deadline)},
                key=f"{key}:{label}",
                not_after=deadline,
                send_after=send_after,
            )


async def cancel_reminders(session: AsyncSession, declaration: Declaration, *events: str) -> None:
    await cancel_notifications(
        session, declaration_id=declaration.id, events=[f"declaration.{e}" for e in events]
    )
