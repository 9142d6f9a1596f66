"""Defence slots (专业答辩) of a session: the office schedules each applicant's defence and
the applicant is told by SMS, once, with the time and the place (`004_…` 二（三）: "答辩时间
和地点，在评委会组织答辩前，由会务组通过手机短信方式通知申报人本人"), and reminded the day
before. Experts on the panel see the session's slots while it is open.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.clock import shanghai
from services.api.committee.problems import (
    DefenceAlreadyScheduled,
    DefenceSlotInvalid,
    NotInSession,
)
from services.api.committee.schemas import DefenceSlotCreate, DefenceSlotRead
from services.api.committee.service import load, locked, require
from services.api.models import Declaration, DefenceSlot, SessionDeclaration
from services.api.notices import notify
from services.kit.auth import Principal
from services.kit.sms_templates import by_day

# Minutes per level unless the office says otherwise; 正高 at most 25 (个人准备不超过10分钟、
# 答辩及专家提问不超过15分钟, `004_…` 二（三）).
DEFAULT_MINUTES = {"senior": 25}
OTHER_MINUTES = 20
MAX_MINUTES = {"senior": 25}
REMINDER_BEFORE = timedelta(days=1)


def _name(declaration: Declaration) -> str:
    return (declaration.sections.get("basic_info") or {}).get("name") or "申报人"


def _read(slot: DefenceSlot, declaration: Declaration) -> DefenceSlotRead:
    return DefenceSlotRead(
        id=slot.id,
        declaration_id=slot.declaration_id,
        applicant_name=_name(declaration),
        starts_at=slot.starts_at,
        minutes=slot.minutes,
        place=slot.place,
        video_link=slot.video_link,
    )


async def schedule(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    body: DefenceSlotCreate,
    if_match: str | None,
) -> DefenceSlotRead:
    row = await locked(session, principal, session_id, if_match)
    require(row, "created", "drawn", "open", action_zh="安排答辩")
    placed = await session.get(SessionDeclaration, body.declaration_id)
    if placed is None or placed.session_id != row.id:
        raise NotInSession()
    declaration = await session.get(Declaration, body.declaration_id, with_for_update=True)
    assert declaration is not None
    now = await clock.db_now(session)
    minutes = body.minutes or DEFAULT_MINUTES.get(row.level, OTHER_MINUTES)
    problems = []
    if body.starts_at <= now:
        problems.append("答辩时间须在将来")
    if not (body.place or body.video_link):
        problems.append("须写明答辩地点或视频会议链接")
    if minutes > MAX_MINUTES.get(row.level, 120):
        problems.append(
            f"正高级答辩时间不超过{MAX_MINUTES[row.level]}分钟（个人准备不超过10分钟、"
            "答辩及专家提问不超过15分钟）"
        )
    if problems:
        raise DefenceSlotInvalid("答辩安排有误：" + "；".join(problems) + "。")
    taken = (
        await session.exec(
            select(DefenceSlot).where(DefenceSlot.declaration_id == body.declaration_id)
        )
    ).first()
    if taken is not None:
        raise DefenceAlreadyScheduled()
    slot = DefenceSlot(
        session_id=row.id,
        declaration_id=body.declaration_id,
        starts_at=body.starts_at,
        minutes=minutes,
        place=body.place,
        video_link=body.video_link,
        scheduled_by=principal.sub,
    )
    # The SMS names a place; a video defence says so (the link itself is never in an SMS).
    place = body.place or "线上视频答辩（链接见系统）"
    await audit.saved(
        session,
        slot,
        principal=principal,
        action="committee_defence_scheduled",
        declaration_id=declaration.id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=f"评审会{row.id}答辩：{shanghai(body.starts_at)}，{place}，{minutes}分钟",
    )
    params = {"time": shanghai(body.starts_at), "place": place}
    await notify(
        session,
        declaration,
        event="committee_defence_scheduled",
        template="DEFENCE_SCHEDULED",
        params=params,
        key=f"committee-defence:{slot.id}",
        not_after=body.starts_at,
    )
    # Issue #24: reminders go out "never at night (08:00–21:00 Asia/Shanghai)": one due
    # at night waits for 08:00 the next morning, unless the defence has begun by then.
    remind_at = by_day(body.starts_at - REMINDER_BEFORE)
    if now < remind_at < body.starts_at:
        await notify(
            session,
            declaration,
            event="committee_defence_reminder",
            template="DEFENCE_REMINDER",
            params=params,
            key=f"committee-defence:{slot.id}:1d",
            not_after=body.starts_at,
            send_after=remind_at,
        )
    return _read(slot, declaration)


async def slots(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> list[DefenceSlotRead]:
    """The session's slots in time order: its office, ops, an expert of its open panel."""
    row = await load(session, principal, session_id)
    query = (
        select(DefenceSlot, Declaration)
        .join(Declaration, Declaration.id == DefenceSlot.declaration_id)
        .where(DefenceSlot.session_id == row.id)
        .order_by(DefenceSlot.starts_at, DefenceSlot.id)
    )
    return [_read(s, d) for s, d in (await session.exec(query)).all()]
