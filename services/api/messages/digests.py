"""Staff digests: a reviewer hears in the message centre that declarations reached their
queue, at most once a day per queue.

One message per declaration would bury a unit's reviewer in the days before a deadline
(every applicant files at once), and an SMS to staff is not what the seeds provide for;
so each active staff account of the org whose step a declaration reached gets one
message per queue (org and step) per Beijing day, the first time one arrives that day
(a dedupe key on the message). It says where to look, not who filed: the queue itself
(GET /v1/review-queue) ranks them by risk.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import ROLE_ORG_KIND
from services.api.clock import SHANGHAI
from services.api.models import Message, ReviewStep, StaffAccount

STEP_ROLE = {kind: role for role, kind in ROLE_ORG_KIND.items()}
QUEUE_NAMES = {
    "unit": "用人单位审核推荐",
    "supervisor": "主管部门审核",
    "county_office": "县区职改办审核",
    "series_office": "系列职改办审核",
    "committee_office": "评委会所在职改办审核",
}
TITLE = "待审申报提醒"
EVENT = "staff.queue_digest"


async def queue_reached(session: AsyncSession, step: ReviewStep, now: datetime) -> int:
    """A declaration reached `step`: tell the step's staff once today; returns how many
    messages were written (0 when they were told today already)."""
    role = STEP_ROLE.get(step.kind)
    if role is None:
        return 0
    day = now.astimezone(SHANGHAI).date()
    accounts = (
        await session.exec(
            select(StaffAccount.id).where(
                StaffAccount.org_id == step.org_id,
                StaffAccount.role == role,
                StaffAccount.status == "active",
            )
        )
    ).all()
    if not accounts:
        return 0
    queue = QUEUE_NAMES[step.kind]
    body = (
        f"{day.year}年{day.month}月{day.day}日有新的职称申报进入{step.org_name}的{queue}队列，"
        "请登录查看待审列表（按学术风险预警排序）。同一队列每天只提醒一次。"
    )
    rows = [
        {
            "id": uuid.uuid4(),
            # A staff account's token subject (auth/accounts.py).
            "recipient_sub": f"staff:{account_id}",
            "kind": "digest",
            "title": TITLE,
            "body": body,
            "event": EVENT,
            "params": {"org_id": str(step.org_id), "step": step.kind, "day": day.isoformat()},
            "visible_from": func.now(),
            "dedupe_key": f"digest:staff:{account_id}:{step.org_id}:{step.kind}:{day}",
        }
        for account_id in accounts
    ]
    result = await session.exec(
        insert(Message).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return result.rowcount
