"""The same paper or achievement claimed as sole/first author by several applicants in
one year: recorded at submission, shown to reviewers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.journals.normalise import fingerprint
from services.api.journals.schemas import DuplicateClaim
from services.api.models import Declaration, DeclarationClaim
from services.api.models.declaration import GIVEN_UP

LEADING = ("sole", "first")
KIND_ZH = {"paper": "论文", "achievement": "业绩成果"}


def claims_of(declaration: Declaration) -> list[DeclarationClaim]:
    found: dict[tuple[str, str], DeclarationClaim] = {}
    s = declaration.sections
    items: list[tuple[str, dict[str, Any], tuple]] = [
        ("paper", p, (p.get("title"), p.get("journal"))) for p in s.get("papers") or []
    ] + [("achievement", a, (a.get("name"),)) for a in s.get("achievements") or []]
    for kind, item, parts in items:
        if item.get("authorship") not in LEADING:
            continue
        fp = fingerprint(*parts)
        found[(kind, fp)] = DeclarationClaim(
            declaration_id=declaration.id,
            kind=kind,
            fingerprint=fp,
            year=declaration.year,
            applicant_sub=declaration.applicant_sub,
            label=str(parts[0]).strip()[:200],
        )
    return list(found.values())


async def record(session: AsyncSession, declaration: Declaration) -> None:
    """Replace the declaration's claims with those of its submitted content."""
    await session.exec(
        delete(DeclarationClaim).where(DeclarationClaim.declaration_id == declaration.id)
    )
    for claim in claims_of(declaration):
        session.add(claim)
    await session.flush()


async def find(
    session: AsyncSession, declaration: Declaration, *, show_ids: bool
) -> list[DuplicateClaim]:
    mine = (
        await session.exec(
            select(DeclarationClaim).where(DeclarationClaim.declaration_id == declaration.id)
        )
    ).all()
    if not mine:
        return []
    other = DeclarationClaim
    rows = (
        await session.exec(
            select(other.kind, other.fingerprint, other.declaration_id)
            .join(Declaration, Declaration.id == other.declaration_id)
            .where(
                other.year == declaration.year,
                other.applicant_sub != declaration.applicant_sub,
                other.fingerprint.in_([c.fingerprint for c in mine]),
                Declaration.status.not_in(GIVEN_UP),
            )
        )
    ).all()
    by_key: dict[tuple[str, str], list[uuid.UUID]] = {}
    for kind, fp, did in rows:
        by_key.setdefault((kind, fp), []).append(did)
    out = []
    for claim in mine:
        others = by_key.get((claim.kind, claim.fingerprint))
        if not others:
            continue
        zh = KIND_ZH[claim.kind]
        out.append(
            DuplicateClaim(
                kind=claim.kind,
                label=claim.label,
                other_declarations=len(others),
                other_declaration_ids=sorted(others) if show_ids else None,
                message=f"{zh}“{claim.label}”在{declaration.year}年度另有{len(others)}份申报"
                "以独立或第一作者（完成人）身份申报，请核实署名情况。",
            )
        )
    return out


async def counts_many(
    session: AsyncSession, declarations: list[Declaration]
) -> dict[uuid.UUID, int]:
    """Per declaration, how many of its claims another applicant's submitted declaration
    of the same year also makes (one query for a whole page; details: `find`)."""
    if not declarations:
        return {}
    mine, other = aliased(DeclarationClaim), aliased(DeclarationClaim)
    rows = (
        await session.exec(
            select(mine.declaration_id, mine.kind, mine.fingerprint)
            .distinct()
            .join(
                other,
                (other.kind == mine.kind)
                & (other.fingerprint == mine.fingerprint)
                & (other.year == mine.year)
                & (other.applicant_sub != mine.applicant_sub),
            )
            .join(Declaration, Declaration.id == other.declaration_id)
            .where(
                mine.declaration_id.in_([d.id for d in declarations]),
                Declaration.status.not_in(GIVEN_UP),
            )
        )
    ).all()
    out = {d.id: 0 for d in declarations}
    for did, _, _ in rows:
        out[did] += 1
    return out
