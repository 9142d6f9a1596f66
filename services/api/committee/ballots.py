"""The secret ballot (不记名投票): each expert on the panel, present at the open session,
casts one ballot per declaration — agree, disagree or abstain.

Two rows are written in one transaction and share nothing but the session and the
declaration: `ballot_cast` (this expert has voted on it: no second vote) and `ballot`
(the choice, under a random id, with no expert, no time and no order). The answer says
that the vote was counted, never what it was; no endpoint reads a ballot, and the
tallies appear only once the office has closed the session.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.committee.problems import AlreadyVoted, NotInSession, NotPresent
from services.api.committee.schemas import BallotCreate, BallotReceipt
from services.api.committee.service import expert_session, my_seat, require
from services.api.models import Ballot, BallotCast, SessionDeclaration
from services.kit.auth import Principal


async def cast(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, body: BallotCreate
) -> BallotReceipt:
    row = await expert_session(session, principal, session_id)
    require(row, "open", action_zh="投票")
    seat = await my_seat(session, principal, row)
    placed = await session.get(SessionDeclaration, body.declaration_id)
    if placed is None or placed.session_id != row.id:
        raise NotInSession()
    if not seat.present:
        raise NotPresent()
    if await session.get(BallotCast, (row.id, body.declaration_id, seat.expert_id)):
        raise AlreadyVoted()
    session.add(
        BallotCast(session_id=row.id, declaration_id=body.declaration_id, expert_id=seat.expert_id)
    )
    session.add(Ballot(session_id=row.id, declaration_id=body.declaration_id, choice=body.choice))
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="ballot_cast",
        declaration_id=body.declaration_id,
        reason=f"评审会{row.id}：一位评审专家已投票（不记名，票面不记录）",
    )
    return BallotReceipt(session_id=row.id, declaration_id=body.declaration_id)
