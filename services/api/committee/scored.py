"""Scored sessions (长工信〔2022〕139号 九 — 答辩评价与量化赋分): the experts' 答辩 marks,
the 优/中/差 grades held at 3:6:1, and the 量化赋分 lines with their adjustments.

The seed: "答辩成绩实行百分制，答辩材料学术水平评价占40%，现场答辩评价占60%。严格控制答辩
成绩的优、中、差等次比例（3：6：1），答辩成绩为差的列为淘汰对象。" and "答辩成绩（30%）和量化
评审赋分组成评审成绩。" The arithmetic is scoring.py's; what the close records is
verdicts.py's.

Marks are sealed as ballots are (ballots.py): an expert's mark is written in two rows that
share nothing but the session and the declaration, the answer says it was recorded and
never what it was, and no endpoint reads a mark; after the close only aggregates (the
means, the 答辩成绩) are shown.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.committee import scoring, verdicts
from services.api.committee.problems import (
    AdjustmentInvalid,
    AlreadyMarked,
    GradeRatioBroken,
    GradesInvalid,
    MarksClosed,
    NotInSession,
    NotPresent,
    ScheduleInvalid,
)
from services.api.committee.schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    GradeRead,
    GradesWrite,
    MarkCreate,
    MarkReceipt,
    PointLineRead,
    PointsRead,
    PointsScheduleWrite,
    SessionRead,
)
from services.api.committee.service import (
    bump,
    declaration_ids,
    expert_session,
    load,
    locked,
    my_seat,
    read,
    require,
)
from services.api.models import (
    CommitteeSession,
    Declaration,
    DefenceGrade,
    DefenceMark,
    DefenceMarkCast,
    PointsAdjustment,
    RecheckAdjustment,
    SessionDeclaration,
)
from services.kit.auth import Principal


async def _placed(session: AsyncSession, row: CommitteeSession, declaration_id: uuid.UUID) -> None:
    placed = await session.get(SessionDeclaration, declaration_id)
    if placed is None or placed.session_id != row.id:
        raise NotInSession()


async def mark(
    session: AsyncSession, principal: Principal, *, session_id: uuid.UUID, body: MarkCreate
) -> MarkReceipt:
    """An expert of the panel, present, marks one declaration's defence once."""
    row = await expert_session(session, principal, session_id)
    require(row, "open", action_zh="答辩评分")
    verdicts.scored_model(row)
    seat = await my_seat(session, principal, row)
    await _placed(session, row, body.declaration_id)
    if not seat.present:
        raise NotPresent("会务组尚未登记您到会，到会专家方可答辩评分。")
    if await session.get(DefenceGrade, body.declaration_id):
        # The grades rest on the marks given; a mark after them would leave them stale.
        raise MarksClosed()
    if await session.get(DefenceMarkCast, (row.id, body.declaration_id, seat.expert_id)):
        raise AlreadyMarked()
    session.add(
        DefenceMarkCast(
            session_id=row.id, declaration_id=body.declaration_id, expert_id=seat.expert_id
        )
    )
    session.add(
        DefenceMark(
            session_id=row.id,
            declaration_id=body.declaration_id,
            material=Decimal(body.material),
            live=Decimal(body.live),
        )
    )
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="defence_marked",
        declaration_id=body.declaration_id,
        reason=f"评审会{row.id}：一位评审专家已答辩评分（评分保密，不记录分值）",
    )
    return MarkReceipt(session_id=row.id, declaration_id=body.declaration_id)


def _read(declaration_id: uuid.UUID, grade: str, source: str) -> GradeRead:
    return GradeRead(
        declaration_id=declaration_id,
        grade=grade,
        grade_name=scoring.GRADE_NAMES[grade],
        source=source,
    )


async def put_schedule(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    body: PointsScheduleWrite,
    if_match: str | None,
) -> SessionRead:
    """量化赋分分值 set by the committee before the session opens, so every expert sees the
    same prefilled points from the start; kept with the session's judging rules."""
    row = await locked(session, principal, session_id, if_match)
    require(row, "created", "drawn", action_zh="设定量化赋分分值")
    model = verdicts.scored_model(row)
    points = {item: rule.model_dump(exclude_defaults=True) for item, rule in body.points.items()}
    try:
        scoring.with_schedule(model, points, source=body.source)
    except scoring.ScoringError as e:
        raise ScheduleInvalid(e.detail) from None
    assert row.judging is not None  # a scored model comes from kept judging rules
    row.judging = {**row.judging, "schedule": {"points": points, "source": body.source}}
    await bump(session, row)
    names = "、".join(model.item(i).name for i in points)
    await audit.record(
        session,
        principal=principal,
        action="points_schedule_set",
        reason=f"评审会{row.id} 量化赋分分值（{body.source}）：{names}",
    )
    return await read(session, row)


async def put_grades(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    body: GradesWrite,
    if_match: str | None,
) -> list[GradeRead]:
    """The 优/中/差 of every declaration: entered by the office, or given by rank of the
    答辩成绩; refused unless they hold 3:6:1, saying per grade by how much."""
    row = await locked(session, principal, session_id, if_match)
    require(row, "open", action_zh="确定答辩成绩等次")
    model = verdicts.scored_model(row)
    ids = await declaration_ids(session, row.id)
    if (body.grades is None) == (not body.by_rank):
        raise GradesInvalid("请二选一：逐人填写等次（grades），或按答辩成绩排序确定（by_rank）。")
    if body.by_rank:
        scores = await verdicts.defence_scores(session, model, row.id, ids)
        try:
            given = scoring.grades_by_rank(model, {str(d): s for d, s in scores.items()})
        except scoring.ScoringError as e:
            raise GradesInvalid(e.detail) from None
        source = "rank"
    else:
        assert body.grades is not None
        given = {str(d): g for d, g in body.grades.items()}
        stray = set(body.grades) - set(ids)
        missing = set(ids) - set(body.grades)
        if stray or missing:
            raise GradesInvalid(
                f"本场评审会共{len(ids)}位申报人，须逐一确定等次："
                f"未填{len(missing)}人，不在本场的{len(stray)}人。",
                missing=sorted(str(d) for d in missing),
                stray=sorted(str(d) for d in stray),
            )
        source = "office"
    try:
        checked = scoring.check_grades(model, given)
    except scoring.GradeRatioBroken as e:
        raise GradeRatioBroken(
            e.detail,
            gaps=e.extra["gaps"],
            counts=e.extra["counts"],
            bounds={g: list(b) for g, b in e.extra["bounds"].items()},
        ) from None
    now = await clock.db_now(session)
    existing = await verdicts.grades(session, row.id)
    for did in ids:
        grade = given[str(did)]
        found = existing.get(did) or DefenceGrade(
            declaration_id=did, session_id=row.id, grade=grade, source=source, set_by="", set_at=now
        )
        found.grade, found.source, found.set_by, found.set_at = grade, source, principal.sub, now
        session.add(found)
    await bump(session, row)
    await session.flush()
    counts = "、".join(f"{scoring.GRADE_NAMES[g]}{n}人" for g, n in checked.counts.items())
    how = "按答辩成绩排序" if source == "rank" else "由评委会确定"
    await audit.record(
        session,
        principal=principal,
        action="defence_grades_set",
        reason=f"评审会{row.id} 答辩成绩等次{how}：{counts}（{checked.basis}）",
    )
    return [_read(did, given[str(did)], source) for did in ids]


async def grades(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> list[GradeRead]:
    row = await load(session, principal, session_id)
    verdicts.scored_model(row)
    found = await verdicts.grades(session, row.id)
    return [_read(d, g.grade, g.source) for d, g in sorted(found.items(), key=lambda x: x[0])]


def adjustment_read(
    a: PointsAdjustment | RecheckAdjustment, declaration_id: uuid.UUID, model: scoring.ScoredModel
) -> AdjustmentRead:
    """An adjustment, of the session or of a 复核, as it is answered."""
    return AdjustmentRead(
        id=a.id,
        declaration_id=declaration_id,
        item=a.item,
        item_name=model.item(a.item).name,
        points=scoring.shown(scoring.fraction(str(a.points))),
        reason=a.reason,
        by_role=a.by_role,
        created_at=a.created_at,
    )


async def points(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    declaration_id: uuid.UUID,
) -> PointsRead:
    """The declaration's 量化赋分: each prefilled line with the section entry and documents it
    rests on, and every adjustment with its reason."""
    row = await load(session, principal, session_id)
    model = verdicts.scored_model(row)
    await _placed(session, row, declaration_id)
    declaration = await session.get(Declaration, declaration_id)
    assert declaration is not None
    campaign = await campaigns.get(session, row.campaign_id)
    found = verdicts.lines(model, declaration, campaign.evaluate_on)
    adjusted = await verdicts.adjustments(session, row.id, declaration_id)
    prefilled = sum((x.points for x in found if x.points is not None), Fraction(0))
    delta = sum((scoring.fraction(str(a.points)) for a in adjusted), Fraction(0))
    return PointsRead(
        declaration_id=declaration_id,
        lines=[
            PointLineRead(
                item=x.item,
                name=x.name,
                points=None if x.points is None else scoring.shown(x.points),
                section=x.section,
                index=x.index,
                document_ids=list(x.document_ids),
                note=x.note,
            )
            for x in found
        ],
        adjustments=[adjustment_read(a, a.declaration_id, model) for a in adjusted],
        prefilled=scoring.shown(prefilled),
        adjusted=scoring.shown(delta),
        total=scoring.shown(prefilled + delta),
        basis=model.items[0].basis.cite() if model.items else model.review_basis.cite(),
    )


def checked_adjustment(
    model: scoring.ScoredModel, body: AdjustmentCreate
) -> tuple[scoring.QuantItem, Fraction]:
    """The item an adjustment names and its points, or `AdjustmentInvalid` saying why
    (an item the model lacks, a malformed number, no reason)."""
    try:
        item = model.item(body.item)
        amount = scoring.fraction(body.points, f"“{item.name}”的调整分值")
    except scoring.ScoringError as e:
        raise AdjustmentInvalid(e.detail) from None
    if not body.reason.strip():
        raise AdjustmentInvalid(f"调整“{item.name}”的分值须写明理由。")
    return item, amount


def adjusted_text(item: scoring.QuantItem, amount: Fraction, reason: str) -> str:
    """An adjustment as its audit row reads: the item, the signed points, the reason."""
    sign = "+" if amount >= 0 else ""
    return f"量化赋分调整：{item.name} {sign}{scoring.shown(amount)}分，理由：{reason}"


async def adjust(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    declaration_id: uuid.UUID,
    body: AdjustmentCreate,
) -> AdjustmentRead:
    """An expert of the panel (or the office) changes one item's points, with a reason;
    logged in the audit chain with who, what and why."""
    if principal.role == "expert":
        row = await expert_session(session, principal, session_id)
        require(row, "open", action_zh="调整量化赋分")
        await my_seat(session, principal, row)
    else:
        row = await load(session, principal, session_id, lock=True)
        require(row, "open", action_zh="调整量化赋分")
    model = verdicts.scored_model(row)
    await _placed(session, row, declaration_id)
    item, amount = checked_adjustment(model, body)
    added = PointsAdjustment(
        session_id=row.id,
        declaration_id=declaration_id,
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
        action="points_adjusted",
        declaration_id=declaration_id,
        reason=f"评审会{row.id} " + adjusted_text(item, amount, added.reason),
    )
    return adjustment_read(added, declaration_id, model)
