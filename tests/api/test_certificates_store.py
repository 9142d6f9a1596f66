"""Certificates kept in the database, through the service functions the results stage
calls (issue, revoke, check, the PDF).

Unit-style on purpose: what the store itself promises (a number sequence per committee
and year, one certificate per declaration, the verdicts after revocation or tampering, a
双定向 county on the PDF) is checked here on real drafts made through the API, calling
the certificate service directly. The certificates a user could meet come only from 批复:
tests/api/test_results_e2e.py walks that path (confirmation → 批复 → issue → download →
the public verification endpoint → revocation) through the public API.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from services.api.audit import service as audit
from services.api.certificates import pdf, service
from services.api.certificates.problems import CertificateRevoked
from services.api.certificates.signing import keyring
from services.api.config import ApiSettings
from services.kit.auth import Principal
from tests.api.factories import drafted

SETTINGS = ApiSettings()
RING = keyring(SETTINGS)
OFFICE = Principal(sub="office-1", role="committee_office")


async def draft_id(client, label: str) -> uuid.UUID:
    """A real draft made through the API (the certificate's declaration)."""
    return uuid.UUID((await drafted(client, label=f"证书{label}")).did)


def facts(committee: str, **change: object) -> dict[str, object]:
    return {
        "holder_name": "覃 小 梅",
        "holder_id_number": "450226199203041526",
        "series": "engineering",
        "level": "intermediate",
        "specialty": "建筑工程",
        "committee_code": committee,
        "committee_name": "柳州市工程系列中级评审委员会",
        "approval_number": "柳职改办〔2026〕21号",
        "approved_on": date(2026, 12, 3),
        "dual_directed_county": "450226",
        **change,
    }


async def test_issue_numbers_signs_audits_and_issues_once(client, maker) -> None:
    dids = [await draft_id(client, f"编号{n}") for n in range(3)]
    committee = f"lz-eng-mid-{uuid.uuid4().hex[:6]}"
    other = f"lz-eng-mid-{uuid.uuid4().hex[:6]}"
    async with maker() as session:
        first = await service.issue(
            session, principal=OFFICE, keyring=RING, declaration_id=dids[0], **facts(committee)
        )
        second = await service.issue(
            session, principal=OFFICE, keyring=RING, declaration_id=dids[1], **facts(committee)
        )
        elsewhere = await service.issue(
            session, principal=OFFICE, keyring=RING, declaration_id=dids[2], **facts(other)
        )
        await session.commit()
    prefix = committee.upper()
    assert first.data.number == f"{prefix}-2026-000001"
    assert second.data.number == f"{prefix}-2026-000002"
    assert elsewhere.data.number == f"{other.upper()}-2026-000001"
    assert first.data.holder_name == "覃小梅"
    assert first.data.holder_id_masked == "4502**********1526"
    assert first.data.directed_use is not None
    assert first.data.directed_use.county_name == "三江侗族自治县"
    assert RING.verify(first.signature, first.data.canonical_bytes()) == "dev1"

    async with maker() as session:
        # The same approval again: the same certificate, no new number.
        again = await service.issue(
            session, principal=OFFICE, keyring=RING, declaration_id=dids[0], **facts(committee)
        )
        assert again == first
        with pytest.raises(RuntimeError, match="already has another certificate"):
            await service.issue(
                session,
                principal=OFFICE,
                keyring=RING,
                declaration_id=dids[0],
                **facts(committee, specialty="市政工程"),
            )
        await session.rollback()
    async with maker() as session:
        third = await service.issue(
            session,
            principal=OFFICE,
            keyring=RING,
            declaration_id=await draft_id(client, "编号3"),
            **facts(committee),
        )
        await session.commit()
        assert third.data.number == f"{prefix}-2026-000003"
        entries = await audit.for_declaration(session, dids[0])
    issued = [e for e in entries if e.action == "certificate.issue"]
    assert len(issued) == 1 and issued[0].actor_sub == "office-1"
    assert first.data.number in (issued[0].reason or "")


async def test_verdicts_follow_revocation_and_tampering(client, maker) -> None:
    did = await draft_id(client, "核验")
    committee = f"lz-eng-mid-{uuid.uuid4().hex[:6]}"
    async with maker() as session:
        record = await service.issue(
            session, principal=OFFICE, keyring=RING, declaration_id=did, **facts(committee)
        )
        await session.commit()
    cid = record.data.certificate_id

    async def status(name: str = "覃小梅", presented: str | None = None) -> str:
        async with maker() as session:
            verdict = await service.check(
                session,
                keyring=RING,
                certificate_id=cid,
                holder_name=name,
                presented_signature=presented,
            )
        return verdict.status

    assert await status() == "genuine"
    assert await status(presented=record.signature) == "genuine"
    assert await status("覃小兰") == "unknown"
    async with maker() as session:
        assert (
            await service.check(
                session, keyring=RING, certificate_id=uuid.uuid4(), holder_name="覃小梅"
            )
        ).reason == "no_record"

    # The PDF from the store: its text and its QR payload.
    async with maker() as session:
        body = await service.certificate_pdf(session, settings=SETTINGS, certificate_id=cid)
    reader = PdfReader(io.BytesIO(body))
    shown = reader.pages[0].extract_text()
    for part in [
        "覃小梅",
        record.data.number,
        "柳职改办〔2026〕21号",
        "定向使用：限在三江侗族自治县使用",
    ]:
        assert part in shown, part
    got_id, got_signature = pdf.parse_qr_payload(reader.metadata["/Keywords"])
    assert got_id == cid
    assert await status(presented=got_signature) == "genuine"

    # Revoked (弄虚作假 found later: 评审结果无效): audited, at once revoked.
    async with maker() as session:
        revoked = await service.revoke(
            session,
            principal=OFFICE,
            certificate_id=cid,
            reason="弄虚作假，评审结果无效",
            document_number="柳职改办〔2027〕3号",
        )
        await session.commit()
    assert revoked.revocation is not None
    assert revoked.revocation.revoked_by == "office-1"
    assert revoked.revocation.revoked_at.tzinfo is not None
    assert await status() == "revoked"
    async with maker() as session:
        with pytest.raises(CertificateRevoked):
            await service.revoke(session, principal=OFFICE, certificate_id=cid, reason="再次")
        entries = await audit.for_declaration(session, did)
    revokes = [e for e in entries if e.action == "certificate.revoke"]
    assert len(revokes) == 1 and "评审结果无效" in (revokes[0].reason or "")

    # Someone with the database rewrites the kept data: the signature no longer holds.
    async with maker() as session:
        await session.exec(
            text(
                "UPDATE api.certificate SET data = jsonb_set(data, '{level}', '\"senior\"'), "
                "revoked_at = NULL, revoked_by = NULL, revoked_by_role = NULL, "
                "revocation_reason = NULL WHERE id = :id"
            ).bindparams(id=cid)
        )
        await session.commit()
    assert await status() == "unknown"
    async with maker() as session:
        await session.exec(
            text("UPDATE api.certificate SET data = data - 'series' WHERE id = :id").bindparams(
                id=cid
            )
        )
        await session.commit()
    assert await status() == "unknown"
