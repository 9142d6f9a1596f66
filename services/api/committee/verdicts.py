"""A scored session's arithmetic on its stored rows (长工信〔2022〕139号 九): the judging
model the session kept, each declaration's 答辩成绩 from the experts' marks, its 量化赋分
lines and adjustments, and at the close its 评审成绩 and outcome. The rules themselves
are scoring.py's; this module only reads what they need.

Marks are read per declaration and only as lists of numbers: a mark row carries no
expert (models/committee.py), and no answer shows a single mark, only aggregates after
the close.
"""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.committee import scoring
from services.api.committee.problems import GradesMissing, MarksMissing, NotScored
from services.api.models import (
    CommitteeSession,
    Declaration,
    DefenceGrade,
    DefenceMark,
    PointsAdjustment,
)

SCORED = "defence_and_points"


def model_of(row: CommitteeSession) -> scoring.JudgingModel:
    """The session's judging model from what it kept (None: the national secret ballot),
    with the committee's 量化赋分 points where it set them."""
    if row.judging is None:
        return scoring.VoteModel(committee=row.committee_code, level=row.level, vote=vote_rule(row))
    model = scoring.judging_model(row.judging, row.committee_code, row.level)
    if isinstance(model, scoring.ScoredModel) and (schedule := row.judging.get("schedule")):
        # The points the committee set before the session opened (scored.put_schedule).
        return scoring.with_schedule(model, schedule["points"], source=schedule["source"])
    return model


def vote_rule(row: CommitteeSession) -> scoring.VoteRule:
    """The committee's ballot rule recorded on the session when it was created."""
    return scoring.VoteRule(
        quorum=Fraction(*row.rule["quorum"]), pass_share=Fraction(*row.rule["pass_mark"])
    )


def scored_model(row: CommitteeSession) -> scoring.ScoredModel:
    model = model_of(row)
    if not isinstance(model, scoring.ScoredModel):
        raise NotScored()
    return model


def summary(row: CommitteeSession) -> dict[str, Any]:
    """How the session judges, for people: the method, and for a scored session its rules
    and the clauses they cite."""
    model = model_of(row)
    if isinstance(model, scoring.VoteModel):
        return {
            "method": "vote",
            "policy": (row.judging or {}).get("id"),
            "basis": scoring.DECREE_40,
            "rule": vote_rule(row).ballot_text(),
        }
    record = scoring.as_record(model)
    record.pop("kind", None)
    return {"method": SCORED, **record}


async def marks(
    session: AsyncSession, session_id: uuid.UUID
) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
    """Per declaration, the experts' 答辩材料学术水平 and 现场答辩 marks (in no order)."""
    query = select(DefenceMark.declaration_id, DefenceMark.material, DefenceMark.live).where(
        DefenceMark.session_id == session_id
    )
    out: dict[uuid.UUID, tuple[list[str], list[str]]] = {}
    for did, material, live in (await session.exec(query)).all():
        pair = out.setdefault(did, ([], []))
        pair[0].append(str(material))
        pair[1].append(str(live))
    return out


async def defence_scores(
    session: AsyncSession, model: scoring.ScoredModel, session_id: uuid.UUID, ids: list
) -> dict[uuid.UUID, Fraction]:
    """Each declaration's 答辩成绩 (the experts' marks averaged, 40 % + 60 %); raises
    `MarksMissing` when a declaration has none."""
    given = await marks(session, session_id)
    missing = [d for d in ids if d not in given]
    if missing:
        raise MarksMissing(
            f"本场评审会尚有{len(missing)}位申报人没有答辩评分，"
            "须全部评分后方可按答辩成绩确定等次或闭会。",
            declaration_ids=[str(d) for d in missing],
        )
    return {d: scoring.defence_score(model, material=given[d][0], live=given[d][1]) for d in ids}


def lines(
    model: scoring.ScoredModel, declaration: Declaration, as_of: date
) -> tuple[scoring.PointLine, ...]:
    """The 量化赋分 lines prefilled from the declaration's sections, attachments and facts."""
    return scoring.quantified_points(
        model,
        sections=declaration.sections or {},
        documents=declaration.attachments or [],
        facts=declaration.applicant_facts or {},
        as_of=as_of,
    )


async def adjustments(
    session: AsyncSession, session_id: uuid.UUID, declaration_id: uuid.UUID
) -> list[PointsAdjustment]:
    query = (
        select(PointsAdjustment)
        .where(
            PointsAdjustment.session_id == session_id,
            PointsAdjustment.declaration_id == declaration_id,
        )
        .order_by(PointsAdjustment.created_at, PointsAdjustment.id)
    )
    return list((await session.exec(query)).all())


async def grades(session: AsyncSession, session_id: uuid.UUID) -> dict[uuid.UUID, DefenceGrade]:
    query = select(DefenceGrade).where(DefenceGrade.session_id == session_id)
    return {g.declaration_id: g for g in (await session.exec(query)).all()}


async def close_scored(
    session: AsyncSession,
    row: CommitteeSession,
    model: scoring.ScoredModel,
    *,
    ids: list[uuid.UUID],
    as_of: date,
    members: int,
    present: int,
    counts: dict[tuple[uuid.UUID, str], int],
) -> dict[uuid.UUID, tuple[dict[str, Any], str]]:
    """Each declaration's outcome under the scored model and the reason to record: 答辩成绩,
    grade, 评审成绩 (30 % + 量化赋分), 差 eliminated, the rest by the 综合评议's ballot."""
    given = await grades(session, row.id)
    if any(d not in given for d in ids):
        raise GradesMissing()
    scores = await defence_scores(session, model, row.id, ids)
    given_marks = await marks(session, row.id)
    rule = vote_rule(row)
    out = {}
    for did in ids:
        declaration = await session.get(Declaration, did)
        assert declaration is not None
        out[did] = judge(
            model,
            rule,
            declaration,
            as_of,
            marks=given_marks[did],
            defence=scores[did],
            grade=given[did].grade,
            grade_source=given[did].source,
            adjustments=[
                scoring.Adjustment(item=a.item, points=str(a.points), reason=a.reason, by=a.by_sub)
                for a in await adjustments(session, row.id, did)
            ],
            members=members,
            present=present,
            votes=tuple(counts.get((did, c), 0) for c in CHOICES),
        )
    return out


def judge(
    model: scoring.ScoredModel,
    rule: scoring.VoteRule,
    declaration: Declaration,
    as_of: date,
    *,
    marks: tuple[list[str], list[str]],
    defence: Fraction,
    grade: str,
    grade_source: str,
    adjustments: list[scoring.Adjustment],
    members: int,
    present: int,
    votes: tuple[int, ...],
) -> tuple[dict[str, Any], str]:
    """One declaration's outcome under the scored model and the reason to record (the
    session's close and a 复核's close both judge by this)."""
    score = scoring.review_score(
        model,
        defence=defence,
        points=lines(model, declaration, as_of),
        adjustments=adjustments,
        grade=grade,
    )
    result = None
    if not score.eliminated:
        agree, disagree, abstain = votes
        result = scoring.tally(
            rule,
            panel=members,
            present=present,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
        )
    judged = scoring.verdict(model, tally=result, score=score)
    material, live = marks
    outcome = {
        "method": SCORED,
        "panel": members,
        "present": present,
        "marks": len(material),
        "material_mean": scoring.as_record(
            sum(map(Fraction, material), Fraction(0)) / len(material)
        ),
        "live_mean": scoring.as_record(sum(map(Fraction, live), Fraction(0)) / len(live)),
        "defence_score": scoring.as_record(score.defence),
        "grade": grade,
        "grade_name": scoring.GRADE_NAMES[grade],
        "grade_source": grade_source,
        "eliminated": score.eliminated,
        "quantified_points": scoring.as_record(score.points),
        "review_score": scoring.as_record(score.total),
        "agree": result.agree if result else None,
        "disagree": result.disagree if result else None,
        "abstain": result.abstain if result else None,
        "needed": result.needed if result else None,
        "quorum_met": result.quorum_met if result else None,
        "passed": judged.passed,
        "reason": judged.reason,
        "verdict": scoring.as_record(judged),
    }
    return outcome, judged.reason


CHOICES = ("agree", "disagree", "abstain")
