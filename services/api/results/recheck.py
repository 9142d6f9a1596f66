"""复核: the committee office reopens an evaluated declaration with a reason, the experts
present at its session vote again by the same rule and in the same secrecy, and the
office closes the 复核, which replaces the recorded tally.

`004_…` 五（二）: "评审、复核与二次公示阶段" — 复核 comes before the results posting, so a
declaration of a session whose results are posted is not reopened. The panel is the
session's: its active, present seats; the rule is the one recorded on the session
(committee/service.py `vote_rule`), counted by `scoring.tally`.

A scored session (长工信〔2022〕139号 九, committee/scored.py) is re-scored under its own
judging model: the experts present give new 答辩 marks for the one declaration, sealed as
the session's are; the 复核's logged 量化赋分 adjustments are added to the session's; and
since scoring.verdict eliminates 差 and leaves the rest to the 综合评议's ballot, the
experts also vote again. The session's 3:6:1 grades stay as they were fixed: the
declaration keeps its grade unless the office sets one at the close, and then the
session's grades with that one replaced must still hold 3:6:1 (九 "严格控制答辩成绩的优、
中、差等次比例（3：6：1）" is a rule over the session's grades, not over one declaration).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.committee import scored, scoring, verdicts
from services.api.committee import service as committee
from services.api.committee.problems import (
    AlreadyMarked,
    GradeRatioBroken,
    MarksMissing,
    NotScored,
)
from services.api.committee.schemas import AdjustmentCreate, AdjustmentRead
from services.api.committee.service import CHOICES, vote_rule
from services.api.declarations import service as declarations
from services.api.http import check_if_match
from services.api.models import (
    CommitteeSession,
    Declaration,
    PanelSeat,
    Recheck,
    RecheckAdjustment,
    RecheckBallot,
    RecheckBallotCast,
    RecheckMark,
    RecheckMarkCast,
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
    RecheckClose,
    RecheckCreate,
    RecheckMarkCreate,
    RecheckMarkReceipt,
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
    # Locked, as the results posting locks it: a posting published at the same moment
    # either sees this 复核 open (recheck-open) or is seen by it (recheck-after-posting).
    sitting = await session.get(CommitteeSession, placed.session_id, with_for_update=True)
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


async def _present_seat(
    session: AsyncSession, principal: Principal, recheck_id: uuid.UUID
) -> tuple[Recheck, PanelSeat]:
    """The open 复核 (locked) and the caller's seat on its session's panel, present.

    Its experts' ballots, marks and changes, and the office's closing, take turns on the
    row: a second ballot of one expert sent at once waits, then finds the first (409, not
    a server error on ballot_cast's key), and none is stored after the count is taken."""
    query = select(Recheck).where(Recheck.id == recheck_id).with_for_update()
    row = (await session.exec(query)).first()
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
    return row, seat


async def _scored(session: AsyncSession, row: Recheck) -> scoring.ScoredModel:
    sitting = await session.get(CommitteeSession, row.session_id)
    assert sitting is not None
    return verdicts.scored_model(sitting)  # NotScored for a vote-only session


async def mark(
    session: AsyncSession, principal: Principal, *, recheck_id: uuid.UUID, body: RecheckMarkCreate
) -> RecheckMarkReceipt:
    """An expert present at a scored session gives new 答辩 marks once, sealed as the
    session's marks are (who marked, and the marks under a random id, apart)."""
    row, seat = await _present_seat(session, principal, recheck_id)
    await _scored(session, row)
    if await session.get(RecheckMarkCast, (row.id, seat.expert_id)):
        raise AlreadyMarked("您已在这项复核中答辩评分，评分一经提交不能更改。")
    session.add(RecheckMarkCast(recheck_id=row.id, expert_id=seat.expert_id))
    session.add(
        RecheckMark(recheck_id=row.id, material=Decimal(body.material), live=Decimal(body.live))
    )
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="recheck_marked",
        declaration_id=row.declaration_id,
        reason=f"复核{row.id}：一位评审专家已答辩评分（评分保密，不记录分值）",
    )
    return RecheckMarkReceipt(recheck_id=row.id)


async def adjust(
    session: AsyncSession, principal: Principal, *, recheck_id: uuid.UUID, body: AdjustmentCreate
) -> AdjustmentRead:
    """An expert present, or the office, changes one 量化赋分 item in the 复核, with a
    reason; added to the session's adjustments and logged with who, what and why."""
    if principal.role == "expert":
        row, _ = await _present_seat(session, principal, recheck_id)
    else:
        row, _ = await _load(session, principal, recheck_id, lock=True)
        if row.status != "open":
            raise RecheckClosed()
    model = await _scored(session, row)
    item, amount = scored.checked_adjustment(model, body)
    added = RecheckAdjustment(
        recheck_id=row.id,
        item=item.id,
        points=Decimal(body.points),
        reason=body.reason.strip(),
        by_sub=principal.sub,
        by_role=principal.role,
    )
    session.add(added)
    await session.flush()
    await session.refresh(added)
    await audit.record(
        session,
        principal=principal,
        action="recheck_points_adjusted",
        declaration_id=row.declaration_id,
        reason=f"复核{row.id} " + scored.adjusted_text(item, amount, added.reason),
    )
    return scored.adjustment_read(added, row.declaration_id, model)


async def cast(
    session: AsyncSession, principal: Principal, *, recheck_id: uuid.UUID, body: RecheckBallotCreate
) -> RecheckReceipt:
    """One sealed ballot of an expert present at the session (two rows sharing only the
    复核: that they voted, and a choice under a random id)."""
    row, seat = await _present_seat(session, principal, recheck_id)
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
    session: AsyncSession,
    principal: Principal,
    *,
    recheck_id: uuid.UUID,
    if_match: str | None,
    body: RecheckClose | None = None,
) -> RecheckRead:
    """Count the re-vote by the session's rule (and, in a scored session, re-score by its
    judging model); the result replaces the recorded one."""
    row, sitting = await _load(session, principal, recheck_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.status != "open":
        raise RecheckClosed()
    grade = body.grade if body else None
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
    votes = tuple(counts.get(c, 0) for c in CHOICES)
    declaration = await session.get(Declaration, row.declaration_id, with_for_update=True)
    assert declaration is not None
    if isinstance(verdicts.model_of(sitting), scoring.ScoredModel):
        outcome, how = await _rescore(
            session, row, sitting, declaration, grade, members, present, votes
        )
    else:
        if grade is not None:
            raise NotScored()
        agree, disagree, abstain = votes
        result = scoring.tally(
            vote_rule(sitting),
            panel=members,
            present=present,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
        )
        outcome, how = result.outcome(), f"不记名投票：{result.reason}"
    outcome = outcome | {"recheck_id": str(row.id)}
    now = await clock.db_now(session)
    row.status = "closed"
    row.closed_at = now
    row.outcome = outcome
    row.version += 1
    session.add(row)
    before = "通过" if row.previous.get("passed") else "未通过"
    await committee.evaluated(
        session,
        principal,
        declaration,
        outcome,
        now,
        action="recheck_closed",
        reason=f"复核{row.id}{how}（复核前：{before}）",
    )
    return read(row)


async def _rescore(
    session: AsyncSession,
    row: Recheck,
    sitting: CommitteeSession,
    declaration: Declaration,
    grade: str | None,
    members: int,
    present: int,
    votes: tuple[int, ...],
) -> tuple[dict, str]:
    """A scored session's 复核: 答辩成绩 from the 复核's marks, the grade the session fixed
    (or the office's, checked with the session's others against 3:6:1), the session's and
    the 复核's adjustments, and the 复核's ballot — judged as the session's close does."""
    model = verdicts.scored_model(sitting)
    found = (
        await session.exec(
            select(RecheckMark.material, RecheckMark.live).where(RecheckMark.recheck_id == row.id)
        )
    ).all()
    if not found:
        raise MarksMissing("这项复核尚无答辩评分，到会专家须重新答辩评分后方可闭会。")
    marks = ([str(m) for m, _ in found], [str(v) for _, v in found])
    fixed = await verdicts.grades(session, sitting.id)
    source = fixed[row.declaration_id].source
    if grade is not None and grade != fixed[row.declaration_id].grade:
        given = {str(d): g.grade for d, g in fixed.items()} | {str(row.declaration_id): grade}
        try:
            scoring.check_grades(model, given)
        except scoring.GradeRatioBroken as e:
            raise GradeRatioBroken(
                e.detail,
                gaps=e.extra["gaps"],
                counts=e.extra["counts"],
                bounds={g: list(b) for g, b in e.extra["bounds"].items()},
            ) from None
        source = "recheck"
    adjusted = [
        scoring.Adjustment(item=a.item, points=str(a.points), reason=a.reason, by=a.by_sub)
        for a in await verdicts.adjustments(session, sitting.id, row.declaration_id)
    ]
    query = (
        select(RecheckAdjustment)
        .where(RecheckAdjustment.recheck_id == row.id)
        .order_by(RecheckAdjustment.created_at, RecheckAdjustment.id)
    )
    adjusted += [
        scoring.Adjustment(item=a.item, points=str(a.points), reason=a.reason, by=a.by_sub)
        for a in (await session.exec(query)).all()
    ]
    campaign = await campaigns.get(session, sitting.campaign_id)
    outcome, reason = verdicts.judge(
        model,
        vote_rule(sitting),
        declaration,
        campaign.evaluate_on,
        marks=marks,
        defence=scoring.defence_score(model, material=marks[0], live=marks[1]),
        grade=grade or fixed[row.declaration_id].grade,
        grade_source=source,
        adjustments=adjusted,
        members=members,
        present=present,
        votes=votes,
    )
    return outcome, f"重新评分：{reason}"
