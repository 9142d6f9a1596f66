"""The expert pool (评委库) of a committee office: applications to enter, the office's
decisions (approve, reject, suspend, reinstate, retire), each one audit row.

`004_…` 三（三）: "评委库实行动态调整" — the pool changes over time, and every change is
kept in the audit chain with who decided it and why.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.committee.problems import (
    ExpertApplicationExists,
    ExpertDecisionNotAllowed,
    ExpertNotFound,
)
from services.api.committee.schemas import ExpertApplication, ExpertDecision, ExpertRead
from services.api.http import check_if_match
from services.api.models import Expert, Org
from services.api.orgs.problems import OrgNotFound
from services.api.problems import Forbidden
from services.kit.auth import Principal
from services.kit.db import xact_lock

# decision → (statuses it may be made from, status it leads to)
DECISIONS = {
    "approve": (("pending",), "approved"),
    "reject": (("pending",), "rejected"),
    "suspend": (("approved",), "suspended"),
    "reinstate": (("suspended",), "approved"),
    "retire": (("pending", "approved", "suspended"), "retired"),
}
ACTION = {
    "approve": "expert_approved",
    "reject": "expert_rejected",
    "suspend": "expert_suspended",
    "reinstate": "expert_reinstated",
    "retire": "expert_retired",
}
DECISION_ZH = {
    "approve": "核准入库",
    "reject": "不予入库",
    "suspend": "暂停",
    "reinstate": "恢复",
    "retire": "退出评委库",
}
STATUS_ZH = {
    "pending": "待审核",
    "approved": "在库",
    "rejected": "未核准",
    "suspended": "暂停",
    "retired": "已退出",
}


def read(expert: Expert) -> ExpertRead:
    return ExpertRead.model_validate(expert, from_attributes=True)


async def apply(
    session: AsyncSession, principal: Principal, *, body: ExpertApplication
) -> ExpertRead:
    """The signed-in expert's application to enter their office's pool; one that was
    rejected may be made again (it is then pending once more)."""
    office = await session.get(Org, uuid.UUID(principal.org_id))
    if office is None or office.kind != "committee_office":
        raise Forbidden()  # an expert account belongs to a committee office's pool
    if body.employer_org_id is not None and await session.get(Org, body.employer_org_id) is None:
        raise OrgNotFound()
    # One application of an expert at a time: a second sent at once waits here, then finds
    # the first (409) instead of failing on expert.sub's key with a server error.
    await xact_lock(session, f"api.expert.sub:{principal.sub}")
    found = (await session.exec(select(Expert).where(Expert.sub == principal.sub))).first()
    now = await clock.db_now(session)
    if found is not None and found.status != "rejected":
        raise ExpertApplicationExists()
    expert = found or Expert(sub=principal.sub, office_org_id=uuid.UUID(principal.org_id))
    for key, value in body.model_dump().items():
        setattr(expert, key, value)
    expert.status = "pending"
    expert.decided_by = expert.decision_reason = None
    if found is not None:
        expert.version += 1
    expert.updated_at = now
    await audit.saved(
        session,
        expert,
        principal=principal,
        action="expert_applied",
        reason=f"专家{expert.id}（{body.name}，{body.title}，{body.employer_name}）申请入库："
        f"{body.series} {'、'.join(body.specialties)}",
    )
    return read(expert)


async def mine(session: AsyncSession, principal: Principal) -> ExpertRead:
    found = (await session.exec(select(Expert).where(Expert.sub == principal.sub))).first()
    if found is None:
        raise ExpertNotFound()
    return read(found)


async def listing(
    session: AsyncSession, principal: Principal, *, status: str | None
) -> list[ExpertRead]:
    query = select(Expert)
    if principal.role != "ops":
        query = query.where(Expert.office_org_id == uuid.UUID(principal.org_id))
    if status:
        query = query.where(Expert.status == status)
    rows = await session.exec(query.order_by(Expert.created_at, Expert.id))
    return [read(e) for e in rows.all()]


async def load(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID, *, lock: bool = False
) -> Expert:
    """The expert, if in the caller's office's pool (ops: any); else 404."""
    expert = await session.get(Expert, expert_id, with_for_update=lock)
    if expert is None or (
        principal.role != "ops" and str(expert.office_org_id) != principal.org_id
    ):
        raise ExpertNotFound()
    return expert


async def get(session: AsyncSession, principal: Principal, expert_id: uuid.UUID) -> ExpertRead:
    return read(await load(session, principal, expert_id))


async def decide(
    session: AsyncSession,
    principal: Principal,
    *,
    expert_id: uuid.UUID,
    body: ExpertDecision,
    if_match: str | None,
) -> ExpertRead:
    """The office's decision on an expert of its pool, against the version it saw."""
    expert = await load(session, principal, expert_id, lock=True)
    check_if_match(if_match, expert.version, required=True)
    allowed, to_status = DECISIONS[body.decision]
    if expert.status not in allowed:
        raise ExpertDecisionNotAllowed(
            f"该专家当前为“{STATUS_ZH[expert.status]}”，不能{DECISION_ZH[body.decision]}。",
            status_now=expert.status,
        )
    before = expert.status
    expert.status = to_status
    expert.decided_by = principal.sub
    expert.decision_reason = body.reason
    expert.version += 1
    expert.updated_at = await clock.db_now(session)
    await audit.saved(
        session,
        expert,
        principal=principal,
        action=ACTION[body.decision],
        reason=f"专家{expert.id}（{expert.name}）{DECISION_ZH[body.decision]}："
        f"{STATUS_ZH[before]}→{STATUS_ZH[to_status]}；理由：{body.reason}",
    )
    return read(expert)
