"""学术风险预警 kept per submission (桂工信职办〔2023〕6号 二（二）2（3））.

At each submission every paper is checked against the register and the check is stored
with the entry as it stood (`api.paper_flag`). Every review level then reads what the
applicant submitted against, even if ops later list or clear the journal; today's register
is checked beside it and a match the submission did not have is shown as new.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Uuid, any_, bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.clock import SHANGHAI
from services.api.journals import register
from services.api.journals.normalise import fingerprint
from services.api.journals.schemas import JournalRead, PaperCheck, PaperNow
from services.api.models import Declaration, PaperFlag

RANK = {"risk": 2, "notice": 1, "none": 0}


def _papers(declaration: Declaration) -> list[dict[str, Any]]:
    return declaration.sections.get("papers") or []


async def record(session: AsyncSession, declaration: Declaration, *, now: datetime) -> None:
    """Store this submission's check of every paper (call after submission_count went up)."""
    for check in await register.check_papers(session, _papers(declaration)):
        entry = check.entry
        session.add(
            PaperFlag(
                declaration_id=declaration.id,
                n=declaration.submission_count,
                paper_index=check.index,
                title=check.title,
                journal=check.journal,
                issn_cn=check.issn_cn,
                level=check.level,
                matched_by=check.matched_by,
                message=check.message,
                journal_id=entry.id if entry else None,
                journal_name=entry.name if entry else None,
                journal_issn=entry.issn if entry else None,
                journal_cn=entry.cn if entry else None,
                journal_status=entry.status if entry else None,
                journal_source=entry.source if entry else None,
                journal_listed_on=entry.listed_on if entry else None,
                recorded_at=now,
            )
        )
    await session.flush()


def _entry(row: PaperFlag) -> JournalRead | None:
    if row.matched_by is None:
        return None
    return JournalRead(
        id=row.journal_id,
        issn=row.journal_issn,
        cn=row.journal_cn,
        name=row.journal_name or "",
        status=row.journal_status,
        source=row.journal_source or "",
        listed_on=row.journal_listed_on,
    )


def _same(row: PaperFlag, now: PaperCheck) -> bool:
    was = _entry(row)
    return (
        row.level == now.level
        and row.matched_by == now.matched_by
        and (was.model_dump() if was else None) == (now.entry.model_dump() if now.entry else None)
    )


def _merge(now: PaperCheck, row: PaperFlag | None) -> PaperCheck:
    """The check shown for one paper: the recorded one, unless today's register says worse."""
    if row is None:  # never submitted in this form: today's register only
        return now
    recorded_on = row.recorded_at.astimezone(SHANGHAI).date()
    if RANK[now.level] > RANK[row.level]:
        was = "未匹配" if row.level == "none" else "仅为提示"
        return now.model_copy(
            update={
                "submitted_level": row.level,
                "new_since_submission": now.flagged,
                "basis_zh": f"第{row.n}次提交时（{recorded_on}）{was}；"
                "按当前期刊名录新增匹配，请重点核验",
            }
        )
    return PaperCheck(
        index=now.index,
        title=row.title,
        journal=row.journal,
        issn_cn=row.issn_cn,
        flagged=row.level == "risk",
        level=row.level,
        matched_by=row.matched_by,
        entry=_entry(row),
        message=row.message,
        basis="submission",
        basis_zh=f"第{row.n}次提交时（{recorded_on}）按当时的期刊名录核对并记录",
        submission=row.n,
        recorded_at=row.recorded_at,
        submitted_level=row.level,
        now=None
        if _same(row, now)
        else PaperNow(
            level=now.level, matched_by=now.matched_by, entry=now.entry, message=now.message
        ),
    )


def _ids(ids: list[uuid.UUID]):
    """One array parameter for any number of ids (`= ANY(:ids)`)."""
    return bindparam("ids", ids, type_=ARRAY(Uuid()))


async def papers_many(
    session: AsyncSession, declarations: list[Declaration]
) -> dict[uuid.UUID, list[PaperCheck]]:
    """Per declaration: each paper's recorded check at its latest submission, or today's
    when that is worse or the paper was not submitted in this form; flagged first."""
    # One array parameter joined on the declaration's own submission count (a literal
    # list of (id, n) pairs fails above a few thousand, one parameter per id above 32 767).
    ids = [d.id for d in declarations if d.submission_count > 0]
    rows: list[PaperFlag] = []
    if ids:
        rows = list(
            (
                await session.exec(
                    select(PaperFlag)
                    .join(
                        Declaration,
                        (col(Declaration.id) == PaperFlag.declaration_id)
                        & (col(Declaration.submission_count) == PaperFlag.n),
                    )
                    .where(col(PaperFlag.declaration_id) == any_(_ids(ids)))
                )
            ).all()
        )
    recorded: dict[uuid.UUID, dict[str, list[PaperFlag]]] = {}
    for row in sorted(rows, key=lambda r: r.paper_index):
        key = fingerprint(row.title, row.journal, row.issn_cn)
        recorded.setdefault(row.declaration_id, {}).setdefault(key, []).append(row)
    todays = await register.check_many(session, [_papers(d) for d in declarations])
    out: dict[uuid.UUID, list[PaperCheck]] = {}
    for declaration, checks in zip(declarations, todays, strict=True):
        papers = _papers(declaration)
        mine = recorded.get(declaration.id, {})
        merged = []
        for now in sorted(checks, key=lambda c: c.index):
            paper = papers[now.index]
            key = fingerprint(paper.get("title"), paper.get("journal"), paper.get("issn_cn"))
            same = mine.get(key)
            merged.append(_merge(now, same.pop(0) if same else None))
        out[declaration.id] = sorted(
            merged,
            key=lambda c: (register.LEVEL_ORDER[c.level], c.basis != "submission", c.index),
        )
    return out


async def papers(session: AsyncSession, declaration: Declaration) -> list[PaperCheck]:
    return (await papers_many(session, [declaration]))[declaration.id]
