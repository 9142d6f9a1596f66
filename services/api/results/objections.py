"""Objections (异议) to the results posting, taken online while it runs.

Anyone may object, naming the row and giving a name and a phone they prove with an SMS
code (the sign-in code machinery, auth/codes.py: the same throttles and locks). The
phone is kept encrypted and shown masked. The office records how each objection was
handled; `004_…` 五（三） confirms only results "对公示无异议的", so a declaration with an
objection still open cannot be confirmed (`unresolved`).
"""

from __future__ import annotations

import uuid

from fastapi import Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.applicants.identity import OBJECTION_PHONE
from services.api.audit import service as audit
from services.api.auth import codes
from services.api.auth.tokens import client_ip
from services.api.http import check_if_match
from services.api.models import Declaration, ResultsObjection, ResultsPosting
from services.api.ratelimit import hit, too_many
from services.api.results import posting as postings
from services.api.results.problems import (
    ObjectionHandled,
    ObjectionNotFound,
    PostingNotOpen,
    PostingRowUnknown,
)
from services.api.results.schemas import (
    ObjectionHandling,
    ObjectionReceipt,
    ResultsObjectionCreate,
    ResultsObjectionRead,
)
from services.kit.auth import Principal
from services.kit.pii import mask_phone

PER_HOUR = 20  # objections from one address per hour
PUBLIC = "results:public"


def read(row: ResultsObjection) -> ResultsObjectionRead:
    return ResultsObjectionRead(
        id=row.id,
        posting_id=row.posting_id,
        declaration_id=row.declaration_id,
        content=row.content,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone_masked,
        status=row.status,
        version=row.version,
        handling=row.handling,
        handled_at=row.handled_at,
        received_at=row.received_at,
    )


async def submit(
    session: AsyncSession, request: Request, *, posting_id: uuid.UUID, body: ResultsObjectionCreate
) -> ObjectionReceipt:
    count, ttl = await hit(
        request.app.state.redis, f"ratelimit:objection:{client_ip(request)}", 3600
    )
    if count > PER_HOUR:
        raise too_many(ttl, "本网络提交异议过于频繁，请稍后再试。")
    row = await postings.load(session, posting_id)
    now = await clock.db_now(session)
    if not postings.open_for_objections(row, postings.today(now)):
        raise PostingNotOpen(
            f"公示期为{row.starts_on.isoformat()}至{row.ends_on.isoformat()}，已结束，不再受理异议。"
        )
    target = next((r for r in row.rows if r["no"] == body.no), None)
    if target is None:
        raise PostingRowUnknown()
    await codes.check_code(request, body.phone, body.code)
    cipher = request.app.state.pii
    objection = ResultsObjection(
        posting_id=row.id,
        declaration_id=uuid.UUID(target["declaration_id"]),
        content=body.content,
        contact_name=body.contact_name,
        contact_phone_masked=mask_phone(body.phone),
        contact_phone_enc=cipher.encrypt(OBJECTION_PHONE, body.phone),
        received_at=now,
    )
    # The public has no account: the row names the proven phone, masked.
    public = Principal(sub=f"public-objection:{mask_phone(body.phone)}", role="service")
    await audit.saved(
        session,
        objection,
        principal=public,
        action="results_objection_received",
        declaration_id=objection.declaration_id,
        reason=f"二次公示{row.id}第{body.no}号收到异议{objection.id}"
        f"（联系人{body.contact_name}，{mask_phone(body.phone)}）",
    )
    return ObjectionReceipt(id=objection.id, received_at=now)


async def _posting_of_office(
    session: AsyncSession, principal: Principal, posting_id: uuid.UUID
) -> ResultsPosting:
    row = await postings.load(session, posting_id)
    if principal.role != "ops" and str(row.office_org_id) != principal.org_id:
        raise ObjectionNotFound()
    return row


async def listing(
    session: AsyncSession, principal: Principal, *, posting_id: uuid.UUID
) -> list[ResultsObjectionRead]:
    row = await _posting_of_office(session, principal, posting_id)
    query = (
        select(ResultsObjection)
        .where(ResultsObjection.posting_id == row.id)
        .order_by(ResultsObjection.received_at)
    )
    return [read(o) for o in (await session.exec(query)).all()]


async def handle(
    session: AsyncSession,
    principal: Principal,
    *,
    objection_id: uuid.UUID,
    body: ObjectionHandling,
    if_match: str | None,
) -> ResultsObjectionRead:
    query = select(ResultsObjection).where(ResultsObjection.id == objection_id).with_for_update()
    row = (await session.exec(query)).first()
    if row is None:
        raise ObjectionNotFound()
    await _posting_of_office(session, principal, row.posting_id)
    check_if_match(if_match, row.version, required=True)
    if row.status != "open":
        raise ObjectionHandled()
    row.status = body.decision
    row.handling = body.handling
    row.handled_by = principal.sub
    row.handled_at = await clock.db_now(session)
    row.version += 1
    declaration = await session.get(Declaration, row.declaration_id)
    assert declaration is not None
    verdict = "异议属实" if body.decision == "upheld" else "异议不成立"
    await audit.saved(
        session,
        row,
        principal=principal,
        action="results_objection_handled",
        declaration_id=row.declaration_id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=f"异议{row.id}处理：{verdict}。{body.handling}",
    )
    return read(row)


async def unresolved(session: AsyncSession, declaration_id: uuid.UUID) -> int:
    """How many objections against this declaration are still open."""
    query = select(ResultsObjection.id).where(
        ResultsObjection.declaration_id == declaration_id, ResultsObjection.status == "open"
    )
    return len((await session.exec(query)).all())
