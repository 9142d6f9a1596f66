"""The results stage's certificate routes on the real stack: the public verification
endpoint (id + holder name → genuine / revoked / unknown, nothing else, rate-limited),
revocation with a reason reflected at once, and the holder's PDF download.

A certificate is issued here with `certificates.service.issue` on a real draft, as the
certificate core's own tests do: reaching 批复 through the API needs a results posting
that has run its five working days, which the real clock cannot give a test (see
tests/api/test_results_e2e.py, which walks the path up to the refusal to confirm early).
`004_…` 五（四）: "职称证书数据归集与核发阶段".
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import date

import httpx
from pypdf import PdfReader
from sqlmodel import select

from services.api.certificates import pdf as certificate_pdf
from services.api.certificates import service
from services.api.certificates.signing import keyring
from services.api.config import ApiSettings
from services.api.models import AuditEntry
from services.kit.auth import Principal
from tests.api.factories import OPS, auth, drafted, post, token
from tests.api.test_committee_e2e import SEED_004

RING = keyring(ApiSettings())
OFFICE = Principal(sub="office-results", role="committee_office")
CHECK = "/v1/public/certificates/verification"
SEED_CERT = "职称证书数据归集与核发阶段"


async def test_verify_revoke_and_download(client, maker) -> None:
    assert SEED_CERT in SEED_004.read_text(encoding="utf-8")
    case = await drafted(client, label="证书核验")
    committee = f"lz-eng-mid-{uuid.uuid4().hex[:6]}"
    async with maker() as session:
        record = await service.issue(
            session,
            principal=OFFICE,
            keyring=RING,
            declaration_id=uuid.UUID(case.did),
            holder_name="覃小梅",
            holder_id_number="450226199203041526",
            series="engineering",
            level="intermediate",
            specialty="建筑工程",
            committee_code=committee,
            committee_name="柳州市工程系列中级评审委员会",
            approval_number="柳职改办〔2026〕21号",
            approved_on=date(2026, 12, 3),
            dual_directed_county="450226",
        )
        await session.commit()
    cid = str(record.data.certificate_id)

    # The holder downloads it; text extracted: holder, number, 文号, 定向使用.
    r = await client.get(
        f"/v1/declarations/{case.did}/certificate.pdf", headers=auth(case.applicant)
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    original = r.content
    reader = PdfReader(io.BytesIO(original))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("覃小梅", record.data.number, "柳职改办〔2026〕21号", "定向使用"):
        assert expected in text, expected
    payload = reader.metadata["/Keywords"]
    pid, signature = certificate_pdf.parse_qr_payload(payload)
    assert str(pid) == cid
    r = await client.get(f"/v1/declarations/{case.did}/certificate", headers=auth(case.applicant))
    assert r.json() == {"certificate_id": cid, "number": record.data.number, "revoked": False}
    r = await client.get(
        f"/v1/declarations/{case.did}/certificate.pdf", headers=auth(token("applicant"))
    )
    assert r.status_code == 404

    # Genuine with the id and the name (spaces ignored) and the QR's signature; unknown
    # for another name, another id, or a signature that is not the office's.
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=client._transport.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as public:
        answers = []
        for params in (
            {"certificate_id": cid, "name": "覃小梅"},
            {"certificate_id": cid, "name": "覃 小 梅", "sig": signature},
            {"certificate_id": cid, "name": "覃小海"},
            {"certificate_id": str(uuid.uuid4()), "name": "覃小梅"},
            {"certificate_id": cid, "name": "覃小梅", "sig": signature[:-4] + "AAAA"},
        ):
            r = await public.get(CHECK, params=params)
            assert r.status_code == 200, r.text
            assert set(r.json()) == {"status"}  # nothing else is told
            answers.append(r.json()["status"])
        assert answers == ["genuine", "genuine", "unknown", "unknown", "unknown"]
        # A copy of the PDF checks against the original; a tampered one does not: one
        # byte of the drawing changed, or the file cut short.
        pdf_check = f"/v1/public/certificates/{cid}/pdf-verification"
        octets = {"Content-Type": "application/pdf"}
        r = await public.post(pdf_check, content=original, headers=octets)
        assert r.status_code == 200 and r.json() == {"status": "genuine"}, r.text
        at = original.index(b"re f") if b"re f" in original else len(original) // 2
        tampered = original[:at] + bytes([original[at] ^ 1]) + original[at + 1 :]
        for copy in (tampered, original[:-100]):
            r = await public.post(pdf_check, content=copy, headers=octets)
            assert r.json() == {"status": "unknown"}, r.text
        r = await public.post(
            f"/v1/public/certificates/{uuid.uuid4()}/pdf-verification",
            content=original,
            headers=octets,
        )
        assert r.json() == {"status": "unknown"}

        # Revocation: not by an office that did not issue it; by ops with a reason.
        body = {"reason": "弄虚作假，评审结果无效", "document_number": "柳职改办〔2026〕30号"}
        stranger = token("committee_office", uuid.uuid4())
        r = await post(client, f"/v1/certificates/{cid}/revocation", stranger, body)
        assert r.status_code == 404 and r.json()["type"].endswith("no-certificate"), r.text
        r = await post(client, f"/v1/certificates/{cid}/revocation", OPS, {"reason": "x"})
        assert r.status_code == 422
        r = await post(client, f"/v1/certificates/{cid}/revocation", OPS, body)
        assert r.status_code == 200 and r.json()["revoked"] is True, r.text
        r = await public.get(CHECK, params={"certificate_id": cid, "name": "覃小梅"})
        assert r.json() == {"status": "revoked"}  # at once
        r = await public.get(CHECK, params={"certificate_id": cid, "name": "覃小海"})
        assert r.json() == {"status": "unknown"}  # revoked is only told to the right name
        r = await post(client, f"/v1/certificates/{cid}/revocation", OPS, body)
        assert r.json()["type"].endswith("certificate-already-revoked"), r.text

        # Rate-limited like the other public endpoints: 30 a minute from one address.
        statuses = [
            (await public.get(CHECK, params={"certificate_id": cid, "name": "覃小梅"})).status_code
            for _ in range(30)
        ]
        assert 429 in statuses and statuses[0] == 200
        r = await public.get(CHECK, params={"certificate_id": cid, "name": "覃小梅"})
        assert r.status_code == 429 and "Retry-After" in r.headers
        assert r.headers["content-type"].startswith("application/problem+json")

    async with maker() as session:
        rows = (
            await session.exec(
                select(AuditEntry.reason).where(
                    AuditEntry.action == "certificate.revoke",
                    AuditEntry.declaration_id == uuid.UUID(case.did),
                )
            )
        ).all()
    assert len(rows) == 1 and "弄虚作假" in rows[0]
