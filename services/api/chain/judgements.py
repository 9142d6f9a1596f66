"""Open judgements: conditions the eligibility service leaves to a person travel with the
filed declaration to the review level the policy names, which records a decision.

- At each submission the judgement conditions of the declaration's path (`met: null`
  with `decided_by`, declarations/judgeable.py) become rows: new ones open at the step of
  the level the policy names (or at the current step, when a resubmission raises one
  after the chain has passed that level); a rejected one, or one whose path or text
  changed, reopens; an approved one stays approved; one no longer raised is dropped (its decision
  stays in the audit trail).
- The reviewer of that step approves or rejects it, with a reason and a clause; each
  decision is an audit row.
- The step cannot pass the declaration up while one of its judgements is open
  (`judgement-open`) or rejected (`judgement-rejected`). A rejection does not end the
  declaration: 桂工信职办〔2023〕6号 三（三） "经审核，申报材料不符合规定条件的，实行一次性
  告知制度，明确补正材料的内容和时限要求" and "严禁将……推荐对象基本条件不符合……等申报材料
  报送评委会评审": the reviewer returns it to the applicant (POST …/returns), whose
  resubmission reopens the judgement, or the applicant withdraws.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.chain.problems import (
    JudgementNotFound,
    JudgementNotYours,
    JudgementOpen,
    JudgementRejected,
)
from services.api.declarations import service as declarations
from services.api.declarations.judgeable import judgements_of
from services.api.declarations.schemas import JudgementDecisionCreate, JudgementRead
from services.api.models import Declaration, DeclarationJudgement, ReviewStep
from services.kit.auth import Principal

DECISION_STATUS = {"approve": "approved", "reject": "rejected"}


def _position(chain: list[ReviewStep], level: str, current: int) -> int:
    """The step that decides a judgement for `level`: that level's step, unless the chain
    has already passed it (a resubmission after a return from higher up): then the
    current step. Every chain has a unit, a series office and a committee office
    (orgs.checked_chain); a chain without the level falls to the current step too."""
    found = next((s.position for s in chain if s.kind == level), current)
    return max(found, current)


async def _rows(session: AsyncSession, declaration_id: uuid.UUID) -> list[DeclarationJudgement]:
    query = (
        select(DeclarationJudgement)
        .where(DeclarationJudgement.declaration_id == declaration_id)
        .order_by(col(DeclarationJudgement.position), col(DeclarationJudgement.condition_id))
    )
    return list((await session.exec(query)).all())


async def carry(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    chain: list[ReviewStep],
    *,
    eligibility: dict[str, Any],
) -> list[DeclarationJudgement]:
    """At (re)submission: open the path's judgement conditions; audit what was opened."""
    raised = {c["id"]: c for c in judgements_of(eligibility, declaration.path)}
    existing = {j.condition_id: j for j in await _rows(session, declaration.id)}
    gone = [cid for cid in existing if cid not in raised]
    if gone:
        await session.exec(
            delete(DeclarationJudgement).where(
                DeclarationJudgement.declaration_id == declaration.id,
                col(DeclarationJudgement.condition_id).in_(gone),
            )
        )
    current = declaration.current_position or 0
    opened = []
    for cid, cond in raised.items():
        decider = cond["decided_by"]
        row = existing.get(cid)
        if row is None:
            row = DeclarationJudgement(declaration_id=declaration.id, condition_id=cid)
        elif row.status == "approved" and (row.path, row.message) == (
            declaration.path,
            cond.get("message") or cid,
        ):
            continue
        row.path = declaration.path
        row.message = cond.get("message") or cid
        row.clause = cond.get("clause") or ""
        row.level = decider["level"]
        row.level_named = bool(decider.get("named"))
        row.level_basis = decider.get("basis") or ""
        row.position = _position(chain, row.level, current)
        row.raised_in = declaration.submission_count
        row.status = "open"
        row.reason = row.decision_clause = row.decided_by = row.decided_role = None
        row.decided_at = None
        session.add(row)
        opened.append(row)
    if opened:
        await session.flush()
        names = {s.position: s.org_name for s in chain}
        await audit.noted(
            session,
            principal,
            declaration,
            "judgements_opened",
            f"{len(opened)}项条件需人工审核认定，不影响提交："
            + "；".join(f"{j.message.rstrip('。')}（由{names[j.position]}认定）" for j in opened),
        )
    return opened


async def open_counts(session: AsyncSession, found: list[Declaration]) -> dict[uuid.UUID, int]:
    """For the review queue: how many judgements each declaration's current step must
    still record."""
    if not found:
        return {}
    query = (
        select(DeclarationJudgement.declaration_id, func.count())
        .join(Declaration, col(Declaration.id) == DeclarationJudgement.declaration_id)
        .where(
            col(DeclarationJudgement.declaration_id).in_([d.id for d in found]),
            DeclarationJudgement.status == "open",
            DeclarationJudgement.position == Declaration.current_position,
        )
        .group_by(col(DeclarationJudgement.declaration_id))
    )
    counts = dict((await session.exec(query)).all())
    return {d.id: counts.get(d.id, 0) for d in found}


def _read(row: DeclarationJudgement, names: dict[int, str]) -> JudgementRead:
    return JudgementRead.model_validate(
        {**row.model_dump(), "org_name": names.get(row.position, "")}
    )


async def listed(session: AsyncSession, declaration: Declaration) -> list[JudgementRead]:
    """Every judgement of the declaration and the org that decides it, step by step."""
    rows = await _rows(session, declaration.id)
    if not rows:
        return []
    names = {s.position: s.org_name for s in await declarations.steps(session, declaration.id)}
    return [_read(r, names) for r in rows]


async def decide(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    step: ReviewStep,
    judgement_id: uuid.UUID,
    *,
    body: JudgementDecisionCreate,
    now: datetime,
) -> JudgementRead:
    """The acting step's reviewer approves or rejects one of its judgements (again, while
    the declaration is at that step: the last decision counts, each one is audited)."""
    row = await session.get(DeclarationJudgement, judgement_id)
    if row is None or row.declaration_id != declaration.id:
        raise JudgementNotFound()
    names = {s.position: s.org_name for s in await declarations.steps(session, declaration.id)}
    if row.position != step.position:
        raise JudgementNotYours(
            f"“{row.message.rstrip('。')}”由{names.get(row.position, '其他审核环节')}认定，"
            f"{step.org_name}无权认定。"
        )
    row.status = DECISION_STATUS[body.decision]
    row.reason = body.reason.strip()
    row.decision_clause = body.clause.strip()
    row.decided_by = principal.sub
    row.decided_role = principal.role
    row.decided_at = now
    session.add(row)
    await session.flush()
    verdict = "符合" if body.decision == "approve" else "不符合"
    await audit.noted(
        session,
        principal,
        declaration,
        f"judgement_{row.status}",
        f"{step.org_name}认定“{row.message.rstrip('。')}”{verdict}：{row.reason}"
        f"（依据：{row.decision_clause}）",
    )
    return _read(row, names)


def _listing(rows: list[DeclarationJudgement]) -> list[dict[str, Any]]:
    return [
        {"id": str(j.id), "condition_id": j.condition_id, "message": j.message, "clause": j.clause}
        for j in rows
    ]


async def check_passable(session: AsyncSession, declaration: Declaration, step: ReviewStep) -> None:
    """Refuse to pass the step up while one of its judgements is open or rejected."""
    rows = [
        j
        for j in await _rows(session, declaration.id)
        if j.position == step.position and j.status != "approved"
    ]
    pending = [j for j in rows if j.status == "open"]
    if pending:
        raise JudgementOpen(
            f"以下{len(pending)}项条件须由{step.org_name}作出认定后方可审核通过："
            + "；".join(f"{j.message.rstrip('。')}（{j.clause}）" for j in pending)
            + "。",
            judgements=_listing(pending),
        )
    rejected = [j for j in rows if j.status == "rejected"]
    if rejected:
        raise JudgementRejected(
            f"{step.org_name}已认定以下{len(rejected)}项条件不符合："
            + "；".join(f"{j.message.rstrip('。')}（理由：{j.reason}）" for j in rejected)
            + "。不得报送上一级；请退回申报人一次性告知补正，或由申报人撤回（桂工信职办〔2023〕6号"
            " 三（三）：经审核，申报材料不符合规定条件的，实行一次性告知制度）。",
            judgements=_listing(rejected),
        )
