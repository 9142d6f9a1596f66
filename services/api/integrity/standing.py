"""Is the filed declaration still admissible? Asked before each level acts on it and
before its results are confirmed (桂工信职办〔2023〕6号 一（一）：“申报后出现上述情形的，
评审结果不予确认。”): the integrity register read again, and the proofs of items filed in
their waiting period (用稿通知、课题立项) due by now."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.declarations import facts
from services.api.integrity import service
from services.api.integrity.problems import WaitingProofOverdue
from services.api.models import Declaration
from services.kit.problems import ProblemError


async def problems(
    session: AsyncSession, declaration: Declaration, now: datetime
) -> list[ProblemError]:
    """Every reason the declaration can no longer pass, as the problems a level's action
    would answer (none: it still stands). For a stage that acts on many declarations at
    once (a results confirmation) and records rather than refuses."""
    found: list[ProblemError] = []
    barred = await service.barring(session, declaration, now)
    if barred:
        found.append(service.refusal(*barred))
    late = facts.overdue(declaration.eligibility, service.today(now))
    if late:
        found.append(
            WaitingProofOverdue(
                "；".join(item["message"].rstrip("。") for item in late)
                + f"。已过补充报送期限，本级不能审核通过。依据：{late[0]['clause']}",
                items=late,
            )
        )
    return found


async def recheck(session: AsyncSession, declaration: Declaration, now: datetime) -> None:
    """Raise the first reason the declaration can no longer pass: an entry of the integrity
    register in force (one recorded after submission included), or a waiting-period proof
    past its due date. The one call a level's action or the results stage makes."""
    found = await problems(session, declaration, now)
    if found:
        raise found[0]
