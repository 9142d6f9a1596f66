"""复核: the committee office reopens an evaluated declaration with a reason, the experts
present at its session vote again by the same rule and in the same secrecy, and the
office closes the 复核, which replaces the recorded tally.

`004_…` 五（二）: "评审、复核与二次公示阶段" — 复核 comes before the results posting, so a
declaration of a session whose results are posted is not reopened. The panel is the
session's: its active, present seats; the rule is the one recorded on the session
(committee/service.py `vote_rule`), counted by `scoring.tally`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.committee import scoring
from services.api.committee.service import CHOICES, vote_rule
from services.api.declarations import service as declarations
from services.api.http import check_if_match
from services.api.models import (
    CommitteeSession,
    Declaration,
    PanelSeat,
    Recheck,
    RecheckBallot,
    RecheckBallotCast,
    ResultsPosting,
    SessionDeclaration,
)
from services.api.results.problems import (
    NotEvaluated,
    NotSeated,
    RecheckAfterPosting,
    RecheckAlreadyVoted,
    RecheckClosed,
    RecheckNotFound,
    RecheckOpen,
)
from services.api.results.schemas import (
    RecheckBallotCreate,
    RecheckCreate,
    RecheckRead,
    RecheckReceipt,
)
from services.kit.auth import Principal


def read(row: Recheck) -> RecheckRead:
    return RecheckRead.model_validate(row, from_attributes=True)


async def open_recheck(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, body: RecheckCreate
) -> RecheckRead:
    if declaration.status != "evaluated":
        raise NotEvaluated(
            f"这份申报当前状态为“{declaration.status}”，只有评委会已评审（evaluated）的申报"
            "才能复核。",
            status_now=declaration.status,
        )
    placed = await session.get(SessionDeclaration, declaration.id)
    assert placed is not None  # evaluated only by a session's closing
    sitting = await session.get(CommitteeSession, placed.session_id)
    assert sitting is not None
    if str(sitting.office_org_id) != principal.org_id:
        raise RecheckNotFound()
    posted = (
        await session.exec(select(ResultsPosting.id).where(ResultsPosting.session_id == sitting.id))
    ).first()
    if posted is not None:
        raise RecheckAfterPosting()
    held = (
        await session.exec(
            select(Recheck.id).where(
                Recheck.declaration_id == declaration.id, Recheck.status == "open"
            )
        )
    ).first()
    if held is not None:
        raise RecheckOpen()
    now = await clock.db_now(session)
    row = Recheck(
        declaration_id=declaration.id,
        session_id=sitting.id,
        reason=body.reason,
        opened_by=principal.sub,
        opened_at=now,
        previous=placed.outcome or {},
    )
    declarations.touch(declaration, now)
    session.add(declaration)
    await audit.saved(
        session,
        row,
        principal=principal,
        action="recheck_opened",
        declaration_id=declaration.id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=f"复核{row.id}（评审会{sitting.id}）：{body.reason}",
    )
    return read(row)


async def _load(
    session: AsyncSession, principal: Principal, recheck_id: uuid.UUID, *, lock: bool = False
) -> tuple[Recheck, CommitteeSession]:
    query = select(Recheck).where(Recheck.id == recheck_id)
    if lock:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    if row is None:
        raise RecheckNotFound()
    sitting = await session.get(CommitteeSession, row.session_id)
    assert sitting is not None
    if principal.role == "committee_office" and str(sitting.office_org_id) != principal.org_id:
        raise RecheckNotFound()
    return row, sitting


async def get(session: AsyncSession, principal: Principal, recheck_id: uuid.UUID) -> RecheckRead:
    row, _ = await _load(session, principal, recheck_id)
    return read(row)


async def _seats(session: AsyncSession, session_id: uuid.UUID) -> list[PanelSeat]:
    query = select(PanelSeat).where(
        PanelSeat.session_id == session_id, PanelSeat.status == "active"
    )
    return list((await session.exec(query)).all())


async def cast(
    session: AsyncSession, principal: Principal, *, recheck_id: uuid.UUID, body: RecheckBallotCreate
) -> RecheckReceipt:
    """One sealed ballot of an expert present at the session (two rows sharing only the
    复核: that they voted, and a choice under a random id)."""
    row = (await session.exec(select(Recheck).where(Recheck.id == recheck_id))).first()
    seat = None
    if row is not None:
        seat = next(
            (s for s in await _seats(session, row.session_id) if s.expert_sub == principal.sub),
            None,
        )
    if row is None or seat is None:
        raise RecheckNotFound()
    if row.status != "open":
        raise RecheckClosed()
    if not seat.present:
        raise NotSeated()
    if await session.get(RecheckBallotCast, (row.id, seat.expert_id)):
        raise RecheckAlreadyVoted()
    session.add(RecheckBallotCast(recheck_id=row.id, expert_id=seat.expert_id))
    session.add(RecheckBallot(recheck_id=row.id, choice=body.choice))
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="recheck_ballot_cast",
        declaration_id=row.declaration_id,
        reason=f"复核{row.id}：一位评审专家已投票（不记名，票面不记录）",
    )
    return RecheckReceipt(recheck_id=row.id)


async def close(
    session: AsyncSession, principal: Principal, *, recheck_id: uuid.UUID, if_match: str | None
) -> RecheckRead:
    """Count the re-vote by the session's rule; its tally replaces the recorded one."""
    row, sitting = await _load(session, principal, recheck_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.status != "open":
        raise RecheckClosed()
    seats = await _seats(session, sitting.id)
    members, present = len(seats), sum(s.present for s in seats)
    counts = dict(
        (
            await session.exec(
                select(RecheckBallot.choice, func.count())
                .where(RecheckBallot.recheck_id == row.id)
                .group_by(RecheckBallot.choice)
            )
        ).all()
    )
    agree, disagree, abstain = (counts.get(c, 0) for c in CHOICES)
    result = scoring.tally(
        vote_rule(sitting),
        panel=members,
        present=present,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )
    outcome = result.outcome() | {
        "recheck_id": str(row.id),
    }
    now = await clock.db_now(session)
    row.status = "closed"
    row.closed_at = now
    row.outcome = outcome
    row.version += 1
    session.add(row)
    placed = await session.get(SessionDeclaration, row.declaration_id)
    assert placed is not None
    placed.outcome = outcome
    session.add(placed)
    declaration = await session.get(Declaration, row.declaration_id, with_for_update=True)
    assert declaration is not None
    await declarations.transition(
        session,
        principal,
        declaration,
        to_status="evaluated",
        action="recheck_closed",
        reason=f"复核{row.id}不记名投票：{result.reason}"
        f"（复核前：{'通过' if row.previous.get('passed') else '未通过'}）",
        now=now,
    )
    return read(row)
