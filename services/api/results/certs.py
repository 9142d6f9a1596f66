"""Certificates after 批复: the public check (id + holder name → genuine / revoked /
unknown only), revocation by the office that approved it, and the applicant's downloads:
the certificate PDF and the 评审表 (the declaration as reviewed, with each level's opinion).

`004_…` 五（四）: "职称电子证书数据归集与核发" and "专技人员可在…个人版系统自行下载评审表".
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, time

from fastapi import Request
from fpdf import FPDF
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.auth.tokens import client_ip
from services.api.certificates import service as certificates
from services.api.certificates.signing import keyring
from services.api.clock import SHANGHAI
from services.api.config import ApiSettings
from services.api.models import (
    Certificate,
    CommitteeSession,
    Declaration,
    Org,
    Recheck,
    ResultsPosting,
    SessionDeclaration,
)
from services.api.ratelimit import hit, too_many
from services.api.results.problems import NoCertificate, ReviewFormUnavailable
from services.api.results.schemas import CertificateStatus, CertificateSummary, RevocationCreate
from services.kit.auth import Principal
from services.kit.vocabulary import LEVEL_NAMES, SERIES_NAMES, title_name

CHECKS_PER_MINUTE = 30
ROLE_NAMES = {
    "applicant": "申报人",
    "unit_reviewer": "用人单位",
    "supervisor": "主管部门",
    "county_office": "县区职改办",
    "series_office": "系列职改办",
    "committee_office": "评委会所在职改办",
    "expert": "评审专家",
    "ops": "运维",
    "service": "系统",
}
PATH_NAMES = {
    "normal": "正常晋升",
    "direct": "直接申报",
    "exceptional": "破格申报",
    "dual_directed": "双定向",
    "high_skill": "高技能人才",
    "former_civil_servant": "公务员流动",
    "engineering_master_early": "工程硕士提前",
    "series_transfer": "转评",
    "no_title": "无职称申报",
}
# The audit actions that are a level's opinion on the declaration.
OPINIONS = (
    "unit_review_recorded",
    "approved",
    "returned",
    "committee_evaluated",
    "recheck_opened",
    "recheck_closed",
    "results_objection_handled",
    "results_not_confirmed",
    "results_approved",
    "results_rejected",
)


async def check(
    session: AsyncSession,
    request: Request,
    *,
    settings: ApiSettings,
    certificate_id: uuid.UUID | None,
    number: str | None = None,
    name: str,
    signature: str | None,
) -> CertificateStatus:
    """By the id in the QR code or the 证书编号 printed on the certificate (one of them)."""
    count, ttl = await hit(
        request.app.state.redis, f"ratelimit:certificate-check:{client_ip(request)}", 60
    )
    if count > CHECKS_PER_MINUTE:
        raise too_many(ttl, "核验过于频繁，请稍后再试。")
    verdict = await certificates.check(
        session,
        keyring=keyring(settings),
        certificate_id=certificate_id,
        number=number,
        holder_name=name,
        presented_signature=signature,
    )
    return CertificateStatus(status=verdict.status)


async def check_pdf(
    session: AsyncSession,
    request: Request,
    *,
    settings: ApiSettings,
    certificate_id: uuid.UUID,
    content: bytes,
) -> CertificateStatus:
    """Is this file the certificate's PDF as issued? The PDF is rendered again from the
    signed record (the same data, signature and font give the same bytes) and compared
    byte for byte; a copy that matches is then genuine or revoked, anything else unknown."""
    count, ttl = await hit(
        request.app.state.redis, f"ratelimit:certificate-check:{client_ip(request)}", 60
    )
    if count > CHECKS_PER_MINUTE:
        raise too_many(ttl, "核验过于频繁，请稍后再试。")
    row = await session.get(Certificate, certificate_id)
    if row is None:
        return CertificateStatus(status="unknown")
    original = await certificates.certificate_pdf(
        session, settings=settings, certificate_id=certificate_id
    )
    if not hmac.compare_digest(hashlib.sha256(original).digest(), hashlib.sha256(content).digest()):
        return CertificateStatus(status="unknown")
    verdict = await certificates.check(
        session,
        keyring=keyring(settings),
        certificate_id=certificate_id,
        holder_name=row.data.get("holder_name", ""),
    )
    return CertificateStatus(status=verdict.status)


async def _office_of(session: AsyncSession, declaration_id: uuid.UUID) -> uuid.UUID | None:
    query = (
        select(CommitteeSession.office_org_id)
        .join(SessionDeclaration, SessionDeclaration.session_id == CommitteeSession.id)
        .where(SessionDeclaration.declaration_id == declaration_id)
    )
    return (await session.exec(query)).first()


async def revoke(
    session: AsyncSession,
    principal: Principal,
    *,
    certificate_id: uuid.UUID,
    body: RevocationCreate,
) -> CertificateSummary:
    """The office that approved it revokes a certificate (e.g. 弄虚作假 found later:
    评审结果无效), with a reason; every later check answers `revoked`."""
    row = await session.get(Certificate, certificate_id)
    office = await _office_of(session, row.declaration_id) if row else None
    if row is None or (principal.role != "ops" and str(office) != principal.org_id):
        raise NoCertificate("没有这本职称电子证书，或不是本职改办核发的。")
    record = await certificates.revoke(
        session,
        principal=principal,
        certificate_id=certificate_id,
        reason=body.reason,
        document_number=body.document_number,
    )
    return CertificateSummary(
        certificate_id=certificate_id, number=record.data.number, revoked=True
    )


async def _certificate_of(session: AsyncSession, declaration: Declaration) -> Certificate:
    query = select(Certificate).where(Certificate.declaration_id == declaration.id)
    row = (await session.exec(query)).first()
    if row is None:
        raise NoCertificate()
    return row


async def summary(session: AsyncSession, declaration: Declaration) -> CertificateSummary:
    row = await _certificate_of(session, declaration)
    return CertificateSummary(
        certificate_id=row.id, number=row.number, revoked=row.revoked_at is not None
    )


async def certificate_pdf(
    session: AsyncSession, declaration: Declaration, *, settings: ApiSettings
) -> bytes:
    row = await _certificate_of(session, declaration)
    return await certificates.certificate_pdf(session, settings=settings, certificate_id=row.id)


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日"


async def review_form(
    session: AsyncSession, declaration: Declaration, *, settings: ApiSettings
) -> bytes:
    """评审表: the declaration as reviewed — who the applicant is, what they applied for,
    each level's opinion from the audit trail, the committee's tally, any 复核, the 批复."""
    if declaration.status not in ("approved", "rejected"):
        raise ReviewFormUnavailable()
    font = settings.certificate_font_path
    basic = declaration.sections.get("basic_info") or {}
    unit = await session.get(Org, declaration.unit_org_id)
    placed = await session.get(SessionDeclaration, declaration.id)
    posting = None
    if placed is not None:
        query = select(ResultsPosting).where(
            ResultsPosting.session_id == placed.session_id, ResultsPosting.kind == "posting"
        )
        posting = (await session.exec(query)).first()
    rechecks = (
        await session.exec(
            select(Recheck)
            .where(Recheck.declaration_id == declaration.id)
            .order_by(Recheck.opened_at)
        )
    ).all()
    trail = [
        e for e in await audit.for_declaration(session, declaration.id) if e.action in OPINIONS
    ]
    outcome = (placed.outcome if placed else None) or {}

    doc = FPDF(orientation="P", unit="mm", format="A4")
    approved_on = posting.approved_on if posting and posting.approved_on else None
    if approved_on:
        doc.set_creation_date(datetime.combine(approved_on, time(0), tzinfo=UTC))
    doc.set_title("专业技术职务任职资格评审表")
    doc.set_creator("zhicheng")
    doc.set_producer("zhicheng")
    doc.add_font("cjk", "", font, collection_font_number=settings.certificate_font_index)
    doc.add_page()
    doc.set_font("cjk", size=18)
    doc.cell(0, 12, "专业技术职务任职资格评审表", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=11)
    lines = [
        ("姓名", basic.get("name", "")),
        ("工作单位", unit.name if unit else ""),
        ("职称系列", SERIES_NAMES.get(declaration.series, declaration.series)),
        (
            "申报资格",
            f"{title_name(declaration.series, declaration.level)}"
            f"（{LEVEL_NAMES.get(declaration.level, declaration.level)}）",
        ),
        ("专业", declaration.specialty or ""),
        ("申报途径", PATH_NAMES.get(declaration.path, declaration.path)),
        ("评审结果", "通过" if declaration.status == "approved" else "未通过"),
    ]
    if posting is not None:
        lines += [
            ("公示期", f"{posting.starts_on.isoformat()}至{posting.ends_on.isoformat()}"),
            (
                "结果确认",
                f"{posting.confirmation_authority or ''} {posting.confirmation_document or ''}",
            ),
            ("批准文号", posting.approval_number or ""),
        ]
    for label, value in lines:
        doc.cell(30, 8, label, border=1)
        doc.multi_cell(0, 8, str(value), border=1, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.cell(0, 8, "评审委员会表决", new_x="LMARGIN", new_y="NEXT")
    if outcome:
        doc.multi_cell(
            0,
            7,
            f"应到{outcome.get('panel')}人，实到{outcome.get('present')}人；同意"
            f"{outcome.get('agree')}票，不同意{outcome.get('disagree')}票，弃权"
            f"{outcome.get('abstain')}票。{outcome.get('reason', '')}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for r in rechecks:
        doc.multi_cell(
            0, 7, f"复核（{_when(r.opened_at)}）：{r.reason}", new_x="LMARGIN", new_y="NEXT"
        )
    doc.ln(3)
    doc.cell(0, 8, "各级审核意见", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    for entry in trail:
        who = ROLE_NAMES.get(entry.actor_role, entry.actor_role)
        doc.multi_cell(
            0,
            6,
            f"{_when(entry.at)} {who}：{entry.reason or entry.action}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(doc.output())
