"""结果确认 and 批复: the results of a posting that ran its course without an open
objection are confirmed by the authority the rules name, then approved under a document
number; each declaration moves to `approved` or `rejected`, its applicant gets one SMS,
each approved declaration its certificate, and the approved list is published (主动公开)
like the posting.

`004_…` 五（三）: "对公示无异议的进行确认结果，并按评审批复审核权限进行批复。高级职称评审结果按
《关于进一步规范高级职称业务线上办理和评审结果确认有关问题的通知》（桂职办〔2020〕113号）等
文件要求报自治区职改办，有关批复根据评审结果确认文件进行，并在…网站职称改革专栏主动公开。"
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.applicants.identity import applicant_identity
from services.api.audit import service as audit
from services.api.certificates import service as certificates
from services.api.certificates.model import DUAL_DIRECTED_COUNTIES
from services.api.certificates.signing import keyring
from services.api.config import ApiSettings
from services.api.declarations import service as declarations
from services.api.http import check_if_match
from services.api.integrity import standing
from services.api.models import (
    Campaign,
    CommitteeSession,
    Declaration,
    Org,
    ResultsObjection,
    ResultsPosting,
    SessionDeclaration,
)
from services.api.notices import notify, title_of
from services.api.results import posting as postings
from services.api.results.problems import (
    AlreadyApproved,
    AlreadyConfirmed,
    ConfirmationDocumentRequired,
    NotAPosting,
    NotConfirmed,
    ObjectionsUnresolved,
    PostingNotFound,
    PostingRunning,
)
from services.api.results.schemas import (
    ApprovalRead,
    ConfirmationCreate,
    PostingRead,
    ResultsApprovalCreate,
)
from services.kit.auth import Principal
from services.kit.pii import PiiCipher
from services.kit.vocabulary import LEVEL_NAMES

SENIOR = ("deputy_senior", "senior")
GUANGXI_AUTHORITY = "广西壮族自治区职称改革工作领导小组办公室（自治区职改办）"
# 桂工信职办〔2023〕6号 一（一）, after the grounds that bar an application (the integrity
# register among them): a result whose holder falls under one after submitting is not
# confirmed.
NOT_CONFIRMED_BASIS = "桂工信职办〔2023〕6号 一（一）：“申报后出现上述情形的，评审结果不予确认。”"
GUANGXI_BASIS = (
    "桂职办〔2020〕113号：高级职称评审结果报自治区职改办，有关批复根据评审结果确认文件进行"
)


@dataclass(frozen=True)
class Authority:
    name: str
    basis: str
    document_required: bool


def authority(*, region_code: str, level: str, committee_name: str) -> Authority:
    """Who confirms a session's results: in 广西, 高级 (副高、正高) results go to the
    自治区职改办 (桂职办〔2020〕113号), whose confirmation document the 批复 follows; other
    results are confirmed by the committee's own office within its approval powers."""
    if region_code.startswith("45") and level in SENIOR:
        return Authority(GUANGXI_AUTHORITY, GUANGXI_BASIS, True)
    return Authority(f"{committee_name}所在职改办", "按评审批复审核权限确认", False)


async def _posting(
    session: AsyncSession, principal: Principal, posting_id: uuid.UUID, if_match: str | None
) -> ResultsPosting:
    query = select(ResultsPosting).where(ResultsPosting.id == posting_id).with_for_update()
    row = (await session.exec(query)).first()
    if row is None or (
        principal.role != "ops" and str(row.office_org_id) != (principal.org_id or "")
    ):
        raise PostingNotFound()
    check_if_match(if_match, row.version, required=True)
    if row.kind != "posting":
        raise NotAPosting()
    return row


async def confirm(
    session: AsyncSession,
    principal: Principal,
    *,
    posting_id: uuid.UUID,
    body: ConfirmationCreate,
    if_match: str | None,
) -> PostingRead:
    row = await _posting(session, principal, posting_id, if_match)
    if row.confirmed_at is not None:
        raise AlreadyConfirmed()
    now = await clock.db_now(session)
    on = postings.today(now)
    open_ones = (
        await session.exec(
            select(ResultsObjection.id).where(
                ResultsObjection.posting_id == row.id, ResultsObjection.status == "open"
            )
        )
    ).all()
    if open_ones:
        raise ObjectionsUnresolved(
            f"尚有{len(open_ones)}条异议未处理，处理完毕后方可确认评审结果"
            "（对公示无异议的进行确认结果）。",
            open=len(open_ones),
        )
    if on <= row.ends_on:
        raise PostingRunning(
            f"公示期至{row.ends_on.isoformat()}结束，公示期满且无异议后方可确认评审结果"
            "（对公示无异议的进行确认结果）。",
            ends_on=row.ends_on.isoformat(),
        )
    sitting = await session.get(CommitteeSession, row.session_id)
    campaign = await session.get(Campaign, sitting.campaign_id) if sitting else None
    assert sitting is not None and campaign is not None
    who = authority(
        region_code=campaign.region_code,
        level=sitting.level,
        committee_name=campaign.committee_name,
    )
    if who.document_required and not body.document_number:
        raise ConfirmationDocumentRequired()
    withheld = await _withhold(session, principal, sitting, now)
    row.confirmation_authority = who.name
    row.confirmation_document = body.document_number
    row.confirmed_by = principal.sub
    row.confirmed_at = now
    row.version += 1
    await audit.saved(
        session,
        row,
        principal=principal,
        action="results_confirmed",
        reason=f"二次公示{row.id}评审结果确认：{who.name}"
        f"{('，确认文件' + body.document_number) if body.document_number else ''}（{who.basis}）"
        + (f"；不予确认{withheld}人（{NOT_CONFIRMED_BASIS}）" if withheld else ""),
    )
    return postings.read(row, on)


async def _withhold(
    session: AsyncSession, principal: Principal, sitting: CommitteeSession, now: datetime
) -> int:
    """The passed results whose holder no longer stands (an entry of the integrity register
    recorded after submission, a waiting-period proof past due: integrity/standing.py) are
    not confirmed: marked on the session's outcome, so the 批复 rejects them with the
    reason, and one audit row each. The others are confirmed; one holder's standing does
    not hold back everyone's result. Returns how many were withheld."""
    query = (
        select(Declaration, SessionDeclaration)
        .join(SessionDeclaration, SessionDeclaration.declaration_id == Declaration.id)
        .where(SessionDeclaration.session_id == sitting.id)
        .order_by(Declaration.id)
        .with_for_update(of=SessionDeclaration)
    )
    withheld = 0
    for declaration, placed in (await session.exec(query)).all():
        outcome = placed.outcome or {}
        if not outcome.get("passed"):
            continue
        found = await standing.problems(session, declaration, now)
        if not found:
            continue
        reasons = [problem.detail for problem in found]
        placed.outcome = {
            **outcome,
            "not_confirmed": {"reasons": reasons, "basis": NOT_CONFIRMED_BASIS},
        }
        session.add(placed)
        await audit.record(
            session,
            principal=principal,
            action="results_not_confirmed",
            declaration_id=declaration.id,
            reason="评审结果不予确认：" + "；".join(reasons) + f"（{NOT_CONFIRMED_BASIS}）",
        )
        withheld += 1
    return withheld


async def approve(
    session: AsyncSession,
    principal: Principal,
    *,
    posting_id: uuid.UUID,
    body: ResultsApprovalCreate,
    if_match: str | None,
    settings: ApiSettings,
    cipher: PiiCipher,
) -> ApprovalRead:
    """批复: every declaration of the session moves to approved or rejected (one audit row
    and one SMS each), each approved one gets its certificate, and the approved list is
    published."""
    row = await _posting(session, principal, posting_id, if_match)
    if row.confirmed_at is None:
        raise NotConfirmed()
    if row.approved_at is not None:
        raise AlreadyApproved()
    now = await clock.db_now(session)
    sitting = await session.get(CommitteeSession, row.session_id)
    campaign = await session.get(Campaign, sitting.campaign_id) if sitting else None
    assert sitting is not None and campaign is not None
    ring = keyring(settings)
    approved: list[uuid.UUID] = []
    rejected: list[uuid.UUID] = []
    issued: dict[str, str] = {}
    query = (
        select(Declaration, SessionDeclaration.outcome, Org.region_code)
        .join(SessionDeclaration, SessionDeclaration.declaration_id == Declaration.id)
        .join(Org, Org.id == Declaration.unit_org_id)
        .where(SessionDeclaration.session_id == sitting.id)
        .order_by(Declaration.id)
        .with_for_update(of=Declaration)
    )
    for declaration, outcome, unit_region in (await session.exec(query)).all():
        withheld = (outcome or {}).get("not_confirmed")
        passed = bool((outcome or {}).get("passed")) and not withheld
        to_status = "approved" if passed else "rejected"
        verdict = "评审通过" if passed else "评审未通过"
        if withheld:
            verdict = (
                "评审结果不予确认：" + "；".join(withheld["reasons"]) + f"（{withheld['basis']}）"
            )
        await declarations.transition(
            session,
            principal,
            declaration,
            to_status=to_status,
            action=f"results_{to_status}",
            reason=f"评审结果批复（{body.document_number}）：{verdict}",
            now=now,
        )
        await notify(
            session,
            declaration,
            event=f"results_{to_status}",
            template="RESULT_APPROVED" if passed else "RESULT_REJECTED",
            params={"title": title_of(declaration), "number": body.document_number},
            key="results",
        )
        if not passed:
            rejected.append(declaration.id)
            continue
        approved.append(declaration.id)
        basic = declaration.sections.get("basic_info") or {}
        identity = await applicant_identity(session, cipher, declaration.applicant_sub)
        record = await certificates.issue(
            session,
            principal=principal,
            keyring=ring,
            declaration_id=declaration.id,
            holder_name=identity.name if identity else basic.get("name", ""),
            # An account with no real-name record: the certificate says so, never blank.
            holder_id_number=identity.id_number if identity else "未登记",
            series=declaration.series,
            level=declaration.level,
            specialty=declaration.specialty or "未注明",
            committee_code=campaign.committee_code,
            committee_name=campaign.committee_name,
            approval_number=body.document_number,
            approved_on=body.approved_on,
            # 双定向: the county the unit is in (the eight counties; eligibility saw to it).
            dual_directed_county=(
                unit_region
                if declaration.path == "dual_directed" and unit_region in DUAL_DIRECTED_COUNTIES
                else None
            ),
        )
        issued[str(declaration.id)] = record.data.number
    row.approval_number = body.document_number
    row.approved_on = body.approved_on
    row.approved_by = principal.sub
    row.approved_at = now
    row.version += 1
    session.add(row)
    await audit.record(
        session,
        principal=principal,
        action="results_approved_batch",
        reason=f"二次公示{row.id}批复（{body.document_number}）：通过{len(approved)}人，"
        f"未通过{len(rejected)}人",
    )
    on = postings.today(now)
    passed_rows = [
        {**r, "result": "通过"} for r in row.rows if uuid.UUID(r["declaration_id"]) in set(approved)
    ]
    for n, r in enumerate(passed_rows, start=1):
        r["no"] = n
    title = (
        f"{campaign.committee_name}{LEVEL_NAMES.get(sitting.level, sitting.level)}"
        f"职称评审通过人员名单（{body.document_number}）"
    )
    publication = await postings.freeze(
        session,
        principal,
        sitting=sitting,
        kind="publication",
        title=title,
        starts_on=on,
        ends_on=on,
        working_days=0,
        rows=passed_rows,
        settings=settings,
        now=now,
        approval_number=body.document_number,
        approved_on=body.approved_on,
    )
    return ApprovalRead(
        posting=postings.read(row, on),
        publication=postings.read(publication, on),
        approved=approved,
        rejected=rejected,
        certificates=issued,
    )
