"""Risk at a glance for reviewers' lists: flagged papers, consistency warnings and claims
shared with other applicants per declaration, computed for a whole page at once (a few
queries, not a few per row)."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import REVIEWER_ROLES
from services.api.clock import SHANGHAI
from services.api.declarations.schemas import RiskSummary
from services.api.journals import duplicates, flags
from services.api.journals.schemas import PaperCheck
from services.api.models import Declaration, Org, RegistryLookup
from services.api.registries import consistency
from services.api.registries.consistency import ConsistencyWarning
from services.kit.auth import Principal

# Who gets the summary in lists: the consistency warnings name other employers, so not
# the applicant (who reads their own flags in GET …/warnings); portals get none either.
SUMMARY_ROLES = (*REVIEWER_ROLES, "ops")


async def consistency_many(
    session: AsyncSession, declarations: list[Declaration]
) -> dict[uuid.UUID, list[ConsistencyWarning]]:
    """Per declaration, what its stored social-insurance records say against it (empty
    when no record was found)."""
    if not declarations:
        return {}
    ids = [d.id for d in declarations]
    rows = (
        await session.exec(
            select(RegistryLookup).where(
                RegistryLookup.declaration_id.in_(ids),
                RegistryLookup.kind == "social_insurance",
                RegistryLookup.data.is_not(None),
            )
        )
    ).all()
    records = {r.declaration_id: r.data["records"] for r in rows}
    out: dict[uuid.UUID, list[ConsistencyWarning]] = {d.id: [] for d in declarations}
    if not records:
        return out
    unit_ids = {d.unit_org_id for d in declarations if d.id in records}
    units = {o.id: o for o in (await session.exec(select(Org).where(Org.id.in_(unit_ids)))).all()}
    today = (await clock.db_now(session)).astimezone(SHANGHAI).date()
    for d in declarations:
        if d.id not in records:
            continue
        unit = units[d.unit_org_id]
        out[d.id] = consistency.check(
            records=records[d.id],
            sections=d.sections,
            attachments=d.attachments,
            credit_code=unit.credit_code,
            unit_name=unit.name,
            today=today,
        )
    return out


def summary(
    papers: list[PaperCheck],
    warnings: list[ConsistencyWarning] | None,
    duplicate_claims: int | None = None,
) -> RiskSummary:
    return RiskSummary(
        flagged_papers=sum(1 for p in papers if p.flagged),
        new_flagged_papers=sum(1 for p in papers if p.flagged and p.new_since_submission),
        consistency_warnings=None if warnings is None else len(warnings),
        duplicate_claims=duplicate_claims,
    )


async def summaries(
    session: AsyncSession, principal: Principal, declarations: list[Declaration]
) -> dict[uuid.UUID, RiskSummary]:
    """The risk summary of each declaration, for the callers who may see it (else none)."""
    if principal.role not in SUMMARY_ROLES or not declarations:
        return {}
    papers = await flags.papers_many(session, declarations)
    warnings = await consistency_many(session, declarations)
    shared = await duplicates.counts_many(session, declarations)
    return {d.id: summary(papers[d.id], warnings[d.id], shared[d.id]) for d in declarations}
