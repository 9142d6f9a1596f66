"""Declarations: visibility, drafts, edits and imports; the chain's rows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, false, or_, true, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import (
    OFFICE_ROLES,
    REVIEWER_ROLES,
    ROLE_ORG_KIND,
    portal_jurisdiction,
)
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.campaigns.problems import LevelNotInCampaign
from services.api.clock import shanghai
from services.api.declarations import attachments
from services.api.declarations.problems import (
    CorrectionDeadlinePassed,
    DeclarationNotEditable,
    DeclarationNotFound,
    ImportRefused,
    ImportSame,
    SameLevelTwice,
)
from services.api.declarations.schemas import DeclarationCreate, DeclarationRead, DeclarationUpdate
from services.api.models import (
    Campaign,
    CommitteeSession,
    Declaration,
    DeclarationReturn,
    Org,
    PanelSeat,
    ReviewStep,
    SessionDeclaration,
)
from services.api.orgs.problems import UnitNotApproved, UnitNotFound
from services.api.specialties import service as specialties
from services.kit.auth import Principal
from services.kit.db import Prepared, fetch_one
from services.kit.problems import ProblemError

STEP_STATUS = {
    "unit": "unit_review",
    "supervisor": "supervisor_review",
    "county_office": "county_review",
    "series_office": "series_office_review",
    "committee_office": "committee_office_review",
}
EDITABLE = ("draft", "returned")
# Final: nothing moves it again. `abandoned` (视为放弃: a return left unanswered past its
# deadline, chain/lapses.py) extends the status list of the design.
FINAL = ("withdrawn", "abandoned", "approved", "rejected")


def same_level_twice(year: int) -> ProblemError:
    return SameLevelTwice(
        f"您{year}年度已有一份同级别的申报在审，同一年度只能申报一次同级别职称"
        "（桂人社规〔2021〕11号）；如需重新申报，请先撤回原申报。",
    )


def not_found() -> ProblemError:
    return DeclarationNotFound()


def visible(principal: Principal):
    """SQL condition: the declarations this principal may see. It depends on the principal
    alone (no clock, no settings): `fetch_visible` keeps its compiled SQL per caller."""
    if principal.role == "applicant":
        return Declaration.applicant_sub == principal.sub
    if principal.role == "ops":
        return true()
    if principal.role == "portal":
        return portal_jurisdiction(principal)
    if principal.role == "expert":
        return _before_my_panel(principal)
    if principal.role not in REVIEWER_ROLES or not principal.org_id:
        return false()
    return and_(Declaration.status != "draft", _reviewers_reach(principal))


def announced_to(principal: Principal):
    """SQL: the declarations whose authors an office's campaign announcement (公告) reaches:
    every one it sees, and the drafts of the units below it too (a draft is no reviewer's
    to read, but its author has a declaration in the campaign, as do those withdrawn or
    abandoned: an announcement is a message in the centre, no SMS)."""
    if principal.role not in OFFICE_ROLES or not principal.org_id:
        return visible(principal)
    return _reviewers_reach(principal)


def _reviewers_reach(principal: Principal):
    """SQL: the declarations on a reviewer's chain (a step of its org reached), and for an
    office everything below it in the tree, whatever their status."""
    org_id = uuid.UUID(principal.org_id or "")
    step = aliased(ReviewStep)
    on_chain = (
        exists()
        .where(
            step.declaration_id == Declaration.id,
            step.org_id == org_id,
            step.kind == ROLE_ORG_KIND[principal.role],
            step.reached_at.is_not(None),
        )
        .correlate(Declaration)
    )
    if principal.role not in OFFICE_ROLES:
        return on_chain
    # An office sees everything below it in the tree (as it stands now). The subtree is a
    # hashed set tested first, so a first page in (created_at, id) order walks that index,
    # probes the step only for a declaration from outside the tree, and stops at the limit.
    tree = sa_select(Org.id).where(Org.id == org_id).cte("subtree", recursive=True)
    tree = tree.union_all(sa_select(Org.id).where(Org.parent_id == tree.c.id))
    below = Declaration.unit_org_id.in_(sa_select(tree.c.id))
    return or_(below, on_chain)


def _before_my_panel(principal: Principal):
    """SQL: the declarations of an open committee session this expert sits on (an active
    seat); none once it closes (`004_…` 三（三）: experts see only what a session assigns)."""
    return (
        exists()
        .where(
            SessionDeclaration.declaration_id == Declaration.id,
            CommitteeSession.id == SessionDeclaration.session_id,
            CommitteeSession.status == "open",
            PanelSeat.session_id == CommitteeSession.id,
            PanelSeat.expert_sub == principal.sub,
            PanelSeat.status == "active",
        )
        .correlate(Declaration)
    )


async def load(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, *, lock: bool = False
) -> Declaration:
    query = select(Declaration).where(Declaration.id == declaration_id, visible(principal))
    if lock:
        query = query.with_for_update()
    found = (await session.exec(query)).first()
    if found is None:
        raise not_found()
    return found


# What a read of one declaration answers: DeclarationRead's columns (not the phone the
# notices use), of the id given per read and visible to the caller.
_table = Declaration.__table__
_READ = sa_select(*[column for column in _table.c if column.name in DeclarationRead.model_fields])
_READ_ID = bindparam("declaration_id", required=False)
# That SELECT made ready per caller (a caller reads again and again: a page that polls),
# keyed on every field of the principal, so that nothing `visible` reads is left out.
_READS: dict[tuple, Prepared] = {}
_MOST_READS = 4096


def _read_for(engine: AsyncEngine, principal: Principal) -> Prepared:
    # Every field by name, written out: the principal holds text, numbers, None and lists
    # of text, whose repr is the value itself.
    key = (engine.dialect.name, type(principal), repr(principal.__dict__))
    prepared = _READS.get(key)
    if prepared is None:
        query = _READ.where(_table.c.id == _READ_ID, visible(principal))
        prepared = Prepared(engine.dialect, query)
        if len(_READS) >= _MOST_READS:
            _READS.clear()
        _READS[key] = prepared
    return prepared


async def fetch_visible(
    engine: AsyncEngine, principal: Principal, declaration_id: uuid.UUID
) -> Mapping[str, Any]:
    """The declaration's read columns if this principal may see it (as `load`, 404
    otherwise), in one SELECT outside any transaction (services/kit/db.py `fetch_one`)."""
    prepared = _read_for(engine, principal)
    found = await fetch_one(engine, prepared, declaration_id=declaration_id)
    if found is None:
        raise not_found()
    return found


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    status: str | None,
    campaign_id: uuid.UUID | None,
) -> list[Declaration]:
    query = select(Declaration).where(visible(principal))
    if status:
        query = query.where(Declaration.status == status)
    if campaign_id:
        query = query.where(Declaration.campaign_id == campaign_id)
    if after:
        created, id_ = after
        # A row comparison: the (created_at, id) index starts right after the cursor.
        query = query.where(tuple_(Declaration.created_at, Declaration.id) > tuple_(created, id_))
    query = query.order_by(Declaration.created_at, Declaration.id).limit(limit)
    return list((await session.exec(query)).all())


def touch(declaration: Declaration, now: datetime) -> None:
    declaration.version += 1
    declaration.updated_at = now


async def transition(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    to_status: str,
    action: str,
    reason: str,
    now: datetime,
) -> None:
    """Move a declaration to another state: a new version and its one audit row."""
    from_status = declaration.status
    declaration.status = to_status
    touch(declaration, now)
    await audit.saved(
        session,
        declaration,
        principal=principal,
        action=action,
        declaration_id=declaration.id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


async def editable_until(
    session: AsyncSession,
    declaration: Declaration,
    campaign: Campaign,
    now: datetime,
    action_zh: str,
) -> None:
    if declaration.status == "draft":
        campaigns.check_window(campaign, "submission", now, action_zh)
        return
    open_return = await current_return(session, declaration.id)
    if open_return is None or now > open_return.deadline_at:
        deadline = open_return.deadline_at if open_return else None
        raise CorrectionDeadlinePassed(
            f"补正期限已于{shanghai(deadline) if deadline else '此前'}截止"
            "（一次性告知，逾期未补正的不予受理），"
            f"不能再{action_zh}。",
            deadline=deadline.isoformat() if deadline else None,
        )


async def start(
    session: AsyncSession, principal: Principal, *, body: DeclarationCreate
) -> Declaration:
    """A new draft, filled from an earlier declaration when the applicant asks."""
    source = None
    if body.copy_from_declaration_id is not None:
        source = await load(session, principal, body.copy_from_declaration_id)
    declaration = await create(session, principal, body=body)
    if source is not None:
        declaration = await import_from(session, principal, declaration, source=source)
    return declaration


async def create(
    session: AsyncSession, principal: Principal, *, body: DeclarationCreate
) -> Declaration:
    campaign = await campaigns.get(session, body.campaign_id)
    now = await clock.db_now(session)
    campaigns.check_window(campaign, "submission", now, "新建申报")
    if body.level not in campaign.levels:
        allowed = "、".join(campaign.levels)
        raise LevelNotInCampaign(f"该批次只受理以下级别：{allowed}。")
    unit = await session.get(Org, body.unit_org_id)
    if unit is None or unit.kind != "unit":
        raise UnitNotFound("所选用人单位不存在，请先由单位在系统登记。")
    if unit.status != "approved":
        raise UnitNotApproved(status_now=unit.status)
    specialties.check(campaign.series, body.specialty)
    data = body.model_dump(mode="json", exclude_none=False)
    # A new declaration holds no documents yet: any attachment given is refused, by name.
    attachments.check(data["attachments"], {})
    sections = body.sections.model_dump(mode="json", exclude_none=True)
    declaration = Declaration(
        campaign_id=campaign.id,
        applicant_sub=principal.sub,
        unit_org_id=unit.id,
        year=campaign.year,
        series=campaign.series,
        level=body.level,
        specialty=body.specialty,
        path=body.path,
        committee_code=campaign.committee_code,
        sections=sections,
        attachments=[],
        applicant_facts=body.applicant_facts,
        created_at=now,
        updated_at=now,
    )
    await audit.saved(
        session,
        declaration,
        principal=principal,
        action="created",
        declaration_id=declaration.id,
        to_status="draft",
    )
    return declaration


async def update(
    session: AsyncSession, declaration: Declaration, *, body: DeclarationUpdate
) -> Declaration:
    if declaration.status not in EDITABLE:
        raise DeclarationNotEditable(status_now=declaration.status)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    await editable_until(session, declaration, campaign, now, "修改申报")
    if body.sections is not None:
        given = body.sections.model_dump(mode="json", exclude_unset=True)
        declaration.sections = {**declaration.sections, **given}
        declaration.sections = {k: v for k, v in declaration.sections.items() if v is not None}
    if body.attachments is not None:
        entries = [a.model_dump(mode="json", exclude_none=True) for a in body.attachments]
        records = await attachments.recorded(session, declaration.id)
        attachments.check(entries, records)
        unit_docs = await attachments.unit_filed(session, declaration.id)
        attachments.keep_unit_entries(declaration.attachments, entries, unit_docs)
        # The document's kind is the record's, whatever the caller wrote.
        declaration.attachments = [
            {**e, "document_kind": records[e["document_id"]].document_kind} for e in entries
        ]
    if body.applicant_facts is not None:
        declaration.applicant_facts = body.applicant_facts
    if "specialty" in body.model_fields_set:
        specialties.check(declaration.series, body.specialty)
        declaration.specialty = body.specialty
    if body.path is not None:
        declaration.path = body.path
    touch(declaration, now)
    session.add(declaration)
    await session.flush()
    return declaration


async def import_into(
    session: AsyncSession, principal: Principal, target: Declaration, *, source_id: uuid.UUID
) -> Declaration:
    """写入数据 into a locked draft, from an earlier declaration the applicant may see."""
    source = await load(session, principal, source_id)
    return await import_from(session, principal, target, source=source)


async def import_from(
    session: AsyncSession, principal: Principal, target: Declaration, *, source: Declaration
) -> Declaration:
    """写入数据: copy an earlier declaration's content into a draft never submitted."""
    if target.status != "draft" or target.submission_count > 0:
        raise ImportRefused("目标申报已提交过，不能再写入往年数据；请在草稿阶段写入。")
    if source.id == target.id:
        raise ImportSame("不能把申报写入它自己。")
    campaign = await campaigns.get(session, target.campaign_id)
    now = await clock.db_now(session)
    campaigns.check_window(campaign, "submission", now, "写入数据")
    target.sections = dict(source.sections)
    # Not the attachments: they name the source's documents, which serve that declaration
    # only; the draft's materials are uploaded to it.
    target.applicant_facts = dict(source.applicant_facts)
    target.specialty = source.specialty
    target.copied_from_id = source.id
    touch(target, now)
    await audit.saved(
        session,
        target,
        principal=principal,
        action="imported",
        declaration_id=target.id,
        from_status="draft",
        to_status="draft",
        reason=f"写入申报 {source.id} 的数据",
    )
    return target


async def current_return(session: AsyncSession, declaration_id: uuid.UUID):
    query = select(DeclarationReturn).where(
        DeclarationReturn.declaration_id == declaration_id, DeclarationReturn.resolved_at.is_(None)
    )
    return (await session.exec(query)).first()


async def steps(session: AsyncSession, declaration_id: uuid.UUID) -> list[ReviewStep]:
    query = select(ReviewStep).where(ReviewStep.declaration_id == declaration_id)
    return list((await session.exec(query.order_by(ReviewStep.position))).all())
