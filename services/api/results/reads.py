"""Two reads of one declaration from the records the results stage keeps: its 复核, and
its final result once 批复 happened (the 批复文号 and date as the approved posting holds
them, and the certificate issued with it)."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.models import (
    Certificate,
    CommitteeSession,
    Declaration,
    Recheck,
    ResultsPosting,
    SessionDeclaration,
)
from services.api.results.problems import ResultNotYet
from services.api.results.recheck import read
from services.api.results.schemas import CertificateSummary, RecheckRead, ResultRead
from services.kit.auth import Principal

FINAL = ("approved", "rejected")


async def rechecks(
    session: AsyncSession, principal: Principal, declaration: Declaration
) -> list[RecheckRead]:
    """The declaration's 复核, newest first. A committee office sees those of its own
    sessions, as it does one by one (GET /v1/rechecks/{id}); ops see all."""
    query = select(Recheck).where(Recheck.declaration_id == declaration.id)
    if principal.role == "committee_office":
        office = uuid.UUID(principal.org_id) if principal.org_id else None
        query = query.join(CommitteeSession, CommitteeSession.id == Recheck.session_id).where(
            CommitteeSession.office_org_id == office
        )
    query = query.order_by(Recheck.opened_at.desc(), Recheck.id.desc())
    return [read(row) for row in (await session.exec(query)).all()]


async def result(session: AsyncSession, declaration: Declaration) -> ResultRead:
    """The result 批复 gave: the outcome the declaration moved to, the document number and
    date stored on the approved posting, and the certificate issued, if any."""
    placed = await session.get(SessionDeclaration, declaration.id)
    posting = None
    if placed is not None and declaration.status in FINAL:
        query = select(ResultsPosting).where(
            ResultsPosting.session_id == placed.session_id,
            ResultsPosting.kind == "posting",
            ResultsPosting.approved_at.is_not(None),
        )
        posting = (await session.exec(query)).first()
    if posting is None or posting.approval_number is None or posting.approved_on is None:
        raise ResultNotYet()
    query = select(Certificate).where(Certificate.declaration_id == declaration.id)
    cert = (await session.exec(query)).first()
    return ResultRead(
        declaration_id=declaration.id,
        outcome=declaration.status,
        document_number=posting.approval_number,
        approved_on=posting.approved_on,
        approved_at=posting.approved_at,
        posting_id=posting.id,
        certificate=(
            CertificateSummary(
                certificate_id=cert.id, number=cert.number, revoked=cert.revoked_at is not None
            )
            if cert is not None
            else None
        ),
    )
