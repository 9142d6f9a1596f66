"""The message centre (站内消息): each person's messages, unread count, mark read; and the
offices' campaign-wide announcements (公告).

Notice messages are written with their outbox row (services/api/notices.py); their SMS
state is read from that row, which the notify worker keeps. A scheduled reminder shows
once due, and never if it was cancelled before (the person acted).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, exists, func, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.declarations.service import announced_to
from services.api.http import decode_cursor, encode_cursor
from services.api.messages.problems import AnnouncementNoRecipients, MessageNotFound
from services.api.messages.schemas import (
    AnnouncementCreate,
    AnnouncementRead,
    MessagePage,
    MessageRead,
    ReadAll,
    SmsState,
    UnreadCount,
)
from services.api.models import Announcement, Declaration, Message
from services.kit.auth import Principal
from services.kit.outbox import NO_PHONE, Notification

SMS_STATE: dict[str, SmsState] = {
    "created": "pending",
    "sending": "pending",
    "retry": "pending",
    "sending_unknown": "pending",
    "sent": "sent",
    "delivered": "delivered",
    "permanent_failure": "failed",
    "temporary_failure": "failed",
    "technical_failure": "failed",
    "expired": "not_sent",
}


def _mine(principal: Principal, now: Any):
    """SQL: this person's messages that have reached the centre by `now` (the gateway's
    clock, `clock.sql_now`; a notice cancelled before it was due never does). The
    cancelled notice is tested on its own, not through the join that reads the SMS state:
    the unread count then needs no outbox row per message (an index-only scan of
    ix_message_unread, api_0034)."""
    cancelled = (
        exists()
        .where(Notification.id == Message.notification_id, Notification.status == "cancelled")
        .correlate(Message)
    )
    return and_(
        Message.recipient_sub == principal.sub,
        Message.visible_from <= now,
        ~cancelled,
    )


def _base(*columns: Any):
    return select(*columns).outerjoin(Notification, Notification.id == Message.notification_id)


def _read(message: Message, sms_status: str | None) -> MessageRead:
    sms = None if sms_status in (None, NO_PHONE) else SMS_STATE.get(sms_status, "pending")
    return MessageRead(
        id=message.id,
        kind=message.kind,
        title=message.title,
        body=message.body,
        event=message.event,
        declaration_id=message.declaration_id,
        announcement_id=message.announcement_id,
        at=message.visible_from,
        read_at=message.read_at,
        sms=sms,
    )


def unread_query(principal: Principal, now: Any) -> Any:
    """SQL: how many of this person's messages are unread by `now` (an index-only scan of
    ix_message_unread)."""
    query = select(func.count()).select_from(Message)
    return query.where(_mine(principal, now), Message.read_at.is_(None))


async def _unread(session: AsyncSession, principal: Principal) -> int:
    return (await session.exec(unread_query(principal, clock.sql_now(session)))).one()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    cursor: str | None,
    limit: int,
    unread_only: bool,
) -> MessagePage:
    """Newest first; the cursor is the (time, id) the page ended at."""
    query = _base(Message, Notification.status).where(_mine(principal, clock.sql_now(session)))
    if unread_only:
        query = query.where(Message.read_at.is_(None))
    if cursor:
        at, id_ = decode_cursor(cursor)
        query = query.where(tuple_(Message.visible_from, Message.id) < tuple_(at, id_))
    query = query.order_by(Message.visible_from.desc(), Message.id.desc()).limit(limit + 1)
    rows = (await session.exec(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if more else None
    return MessagePage(
        items=[_read(m, status) for m, status in rows],
        next_cursor=encode_cursor(last.visible_from, last.id) if last else None,
        unread=await _unread(session, principal),
    )


async def unread(session: AsyncSession, principal: Principal) -> UnreadCount:
    return UnreadCount(unread=await _unread(session, principal))


async def mark_read(
    session: AsyncSession, principal: Principal, *, message_id: uuid.UUID
) -> MessageRead:
    """Read once: a second call keeps the first time it was read."""
    row = (
        await session.exec(
            _base(Message, Notification.status)
            .where(_mine(principal, clock.sql_now(session)), Message.id == message_id)
            .with_for_update(of=Message)
        )
    ).first()
    if row is None:
        raise MessageNotFound()
    message, status = row
    if message.read_at is None:
        await session.exec(
            update(Message).where(Message.id == message.id).values(read_at=clock.sql_now(session))
        )
        await session.refresh(message)
    return _read(message, status)


async def mark_all_read(session: AsyncSession, principal: Principal) -> ReadAll:
    """Every message that has reached the centre, read now (a message read before keeps
    its time; a scheduled reminder not yet shown stays unread)."""
    shown = _base(Message.id).where(
        _mine(principal, clock.sql_now(session)), Message.read_at.is_(None)
    )
    result = await session.exec(
        update(Message).where(Message.id.in_(shown)).values(read_at=clock.sql_now(session))
    )
    return ReadAll(marked=result.rowcount, unread=await _unread(session, principal))


async def announce(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_id: uuid.UUID,
    body: AnnouncementCreate,
) -> AnnouncementRead:
    """One message to each person with a declaration in the campaign within the office's
    reach (its tree and its chain, drafts of its units included: `announced_to`), audited."""
    campaign = await campaigns.get(session, campaign_id)
    subs = (
        await session.exec(
            select(Declaration.applicant_sub)
            .where(Declaration.campaign_id == campaign.id, announced_to(principal))
            .distinct()
        )
    ).all()
    if not subs:
        raise AnnouncementNoRecipients()
    row = Announcement(
        campaign_id=campaign.id,
        org_id=uuid.UUID(principal.org_id),
        title=body.title,
        body=body.body,
        posted_by=principal.sub,
        posted_role=principal.role,
        recipients=len(subs),
    )
    await audit.saved(
        session,
        row,
        principal=principal,
        action="announcement_posted",
        reason=f"{campaign.name}公告《{body.title}》，发送{len(subs)}人",
    )
    await session.exec(
        insert(Message).values(
            [
                {
                    "id": uuid.uuid4(),
                    "recipient_sub": sub,
                    "kind": "announcement",
                    "title": body.title,
                    "body": body.body,
                    "params": {},
                    "announcement_id": row.id,
                    "visible_from": clock.sql_now(session),
                }
                for sub in subs
            ]
        )
    )
    await session.refresh(row)
    return AnnouncementRead.model_validate(row, from_attributes=True)
