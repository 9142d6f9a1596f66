"""Issuing, revoking, reading and verifying certificates (the results stage calls these).

`issue` gives an approved declaration its certificate: the next serial of the committee
and year, the data signed with the office's key, one audit row. Issuing again for the
same declaration with the same facts returns the certificate already issued (a retried
approval issues once). `revoke` records who revoked it, when (database time) and why,
with one audit row, and every later verification answers `revoked`. The caller checks
that the declaration is approved (or that the revocation is the office's to make); these
functions only flush.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.certificates import pdf
from services.api.certificates.model import (
    CertificateData,
    CertificateRecord,
    DirectedUse,
    Revocation,
    certificate_number,
    masked_id,
)
from services.api.certificates.problems import (
    CertificateRevoked,
)
from services.api.certificates.signing import Keyring
from services.api.certificates.verification import Verdict, verify
from services.api.config import ApiSettings
from services.api.models import Certificate
from services.kit.auth import Principal
from services.kit.vocabulary import Level, Series


async def next_serial(session: AsyncSession, committee_code: str, year: int) -> int:
    """The committee's next serial for the year: 1, 2, 3… (the row stays locked until the
    transaction ends, so two approvals never share a number; a rollback gives it back)."""
    result = await session.exec(
        text(
            "INSERT INTO api.certificate_serial (committee_code, year, last) "
            "VALUES (:code, :year, 1) ON CONFLICT (committee_code, year) "
            "DO UPDATE SET last = api.certificate_serial.last + 1 RETURNING last"
        ).bindparams(code=committee_code, year=year)
    )
    return int(result.scalar_one())


def record_of(row: Certificate) -> CertificateRecord:
    revocation = None
    if row.revoked_at is not None:
        revocation = Revocation(
            reason=row.revocation_reason or "",
            revoked_by=row.revoked_by or "",
            revoked_by_role=row.revoked_by_role or "",
            revoked_at=row.revoked_at,
            document_number=row.revocation_document,
        )
    return CertificateRecord(
        declaration_id=row.declaration_id,
        data=CertificateData.model_validate(row.data),
        signature=row.signature,
        revocation=revocation,
    )


def _same_facts(held: CertificateData, wanted: dict[str, object]) -> bool:
    return all(getattr(held, k) == v for k, v in wanted.items())


async def issue(
    session: AsyncSession,
    *,
    principal: Principal,
    keyring: Keyring,
    declaration_id: uuid.UUID,
    holder_name: str,
    holder_id_number: str,
    series: Series,
    level: Level,
    specialty: str,
    committee_code: str,
    committee_name: str,
    approval_number: str,
    approved_on: date,
    dual_directed_county: str | None = None,
) -> CertificateRecord:
    directed = DirectedUse.of(dual_directed_county) if dual_directed_county else None
    facts: dict[str, object] = {
        "holder_id_masked": masked_id(holder_id_number),
        "series": series,
        "level": level,
        "specialty": specialty,
        "committee_code": committee_code,
        "committee_name": committee_name,
        "approval_number": approval_number,
        "approved_on": approved_on,
        "directed_use": directed,
    }
    held = (
        await session.exec(select(Certificate).where(Certificate.declaration_id == declaration_id))
    ).first()
    if held is not None:
        record = record_of(held)
        wanted = {**facts, "holder_name": CertificateData.normalised_name(holder_name)}
        if not _same_facts(record.data, wanted):
            # Unreachable through the API: a declaration sits in one session, whose one
            # posting is approved once (results/approval.py), so a declaration's certificate
            # is issued once; a second call can only repeat the same approval.
            raise RuntimeError(f"declaration {declaration_id} already has another certificate")
        return record
    year = approved_on.year
    serial = await next_serial(session, committee_code, year)
    data = CertificateData(
        certificate_id=uuid.uuid4(),
        number=certificate_number(committee_code, year, serial),
        holder_name=holder_name,
        **facts,  # type: ignore[arg-type]
    )
    row = Certificate(
        id=data.certificate_id,
        declaration_id=declaration_id,
        number=data.number,
        committee_code=committee_code,
        year=year,
        serial=serial,
        data=data.model_dump(mode="json"),
        signature=keyring.sign(data.canonical_bytes()),
        issued_by=principal.sub,
    )
    await audit.saved(
        session,
        row,
        principal=principal,
        action="certificate.issue",
        declaration_id=declaration_id,
        reason=f"核发职称电子证书 {data.number}（{approval_number}）",
    )
    return record_of(row)


async def _row(session: AsyncSession, certificate_id: uuid.UUID, *, lock: bool) -> Certificate:
    query = select(Certificate).where(Certificate.id == certificate_id)
    if lock:
        query = query.with_for_update()
    # Callers name a certificate they have found (results/certs.py), and none is deleted.
    return (await session.exec(query)).one()


async def get(session: AsyncSession, certificate_id: uuid.UUID) -> CertificateRecord:
    return record_of(await _row(session, certificate_id, lock=False))


async def revoke(
    session: AsyncSession,
    *,
    principal: Principal,
    certificate_id: uuid.UUID,
    reason: str,
    document_number: str | None = None,
) -> CertificateRecord:
    row = await _row(session, certificate_id, lock=True)
    if row.revoked_at is not None:
        raise CertificateRevoked()
    revocation = Revocation(
        reason=reason,
        revoked_by=principal.sub,
        revoked_by_role=principal.role,
        revoked_at=await clock.db_now(session),
        document_number=document_number,
    )
    row.revoked_at = revocation.revoked_at
    row.revoked_by = revocation.revoked_by
    row.revoked_by_role = revocation.revoked_by_role
    row.revocation_reason = revocation.reason
    row.revocation_document = revocation.document_number
    await audit.saved(
        session,
        row,
        principal=principal,
        action="certificate.revoke",
        declaration_id=row.declaration_id,
        reason=f"撤销职称电子证书 {row.number}：{reason}",
    )
    return record_of(row)


async def check(
    session: AsyncSession,
    *,
    keyring: Keyring,
    certificate_id: uuid.UUID | None,
    holder_name: str,
    presented_signature: str | None = None,
    number: str | None = None,
) -> Verdict:
    """Genuine, revoked or unknown (verification.py) for a name and the certificate's id
    or its printed number."""
    key = (
        Certificate.id == certificate_id
        if certificate_id is not None
        else (Certificate.number == number)
    )
    row = (await session.exec(select(Certificate).where(key))).first()
    try:
        record = record_of(row) if row is not None else None
    except ValueError:  # stored data no longer a certificate's: altered
        return Verdict("unknown", "bad_record")
    return verify(
        record,
        holder_name=holder_name,
        keyring=keyring,
        presented_signature=presented_signature,
    )


async def certificate_pdf(
    session: AsyncSession, *, settings: ApiSettings, certificate_id: uuid.UUID
) -> bytes:
    record = await get(session, certificate_id)
    return pdf.render(
        record.data,
        record.signature,
        font_path=settings.certificate_font_path,
        font_index=settings.certificate_font_index,
        verify_url=settings.certificate_verify_url,
    )
