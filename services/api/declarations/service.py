"""Declarations: visibility, drafts, imports, submission and withdrawal."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import and_, exists, false, func, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import OFFICE_ROLES, REVIEWER_ROLES, ROLE_ORG_KIND, forbidden
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.campaigns.models import Campaign
from services.api.campaigns.service import shanghai
from services.api.clients import rules as rules_client
from services.api.declarations.completeness import missing_items
from services.api.declarations.models import (
    Declaration,
    DeclarationReturn,
    DeclarationSnapshot,
    ReviewStep,
)
from services.api.declarations.schemas import DeclarationCreate, DeclarationUpdate
from services.api.notices import cancel_reminders, notify, title_of
from services.api.orgs import service as orgs
from services.api.orgs.models import Org
from services.kit.auth import Principal
from services.kit.problems import ProblemError

STEP_STATUS = {
    "unit": "unit_review",
    "supervisor": "supervisor_review",
    "county_office": "county_review",
    "series_office": "series_office_review",
    "committee_office": "committee_office_review",
}
EDITABLE = ("draft", "returned")
FINAL = ("withdrawn", "approved", "rejected")


def same_level_twice(year: int) -> ProblemError:
    return ProblemError(
        409,
        "same-level-twice",
        f"您{year}年度已有一份同级别的申报在审，同一年度只能申报一次同级别职称"
        "（桂人社规〔2021〕11号）；如需重新申报，请先撤回原申报。",
    )


def not_found() -> ProblemError:
    return ProblemError(404, "declaration-not-found", "申报不存在或您无权查看。", title="Not found")


def visible(principal: Principal):
    """SQL condition: the declarations this principal may see."""
    if principal.role == "applicant":
        return Declaration.applicant_sub == principal.sub
    if principal.role == "ops":
        return true()
    if principal.role not in REVIEWER_ROLES or not principal.org_id:
        return false()
    org_id = uuid.UUID(principal.org_id)
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
        return and_(Declaration.status != "draft", on_chain)
    # An office sees everything below it in the tree (as it stands now).
    tree = sa_select(Org.id).where(Org.id == org_id).cte("subtree", recursive=True)
    tree = tree.union_all(sa_select(Org.id).where(Org.parent_id == tree.c.id))
    below = Declaration.unit_org_id.in_(sa_select(tree.c.id))
    return and_(Declaration.status != "draft", or_(on_chain, below))


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


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    after: tuple[datetime, str] | None,
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
        query = query.where(
            or_(
                Declaration.created_at > created,
                and_(Declaration.created_at == created, Declaration.id > uuid.UUID(id_)),
            )
        )
    query = query.order_by(Declaration.created_at, Declaration.id).limit(limit)
    return list((await session.exec(query)).all())


def _phone(sections: dict[str, Any]) -> str | None:
    return (sections.get("basic_info") or {}).get("phone")


def _touch(declaration: Declaration, now: datetime) -> None:
    declaration.version += 1
    declaration.updated_at = now


async def _editable_until(
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
        raise ProblemError(
            409,
            "correction-deadline-passed",
            f"补正期限已于{shanghai(deadline) if deadline else '此前'}截止"
            "（一次性告知，逾期未补正的不予受理），"
            f"不能再{action_zh}。",
            deadline=deadline.isoformat() if deadline else None,
        )


async def create(session: AsyncSession, principal: Principal, *, body: DeclarationCreate):
    if principal.role != "applicant":
        raise forbidden()
    campaign = await campaigns.get(session, body.campaign_id)
    now = await campaigns.db_now(session)
    campaigns.check_window(campaign, "submission", now, "新建申报")
    if body.level not in campaign.levels:
        allowed = "、".join(campaign.levels)
        raise ProblemError(422, "level-not-in-campaign", f"该批次只受理以下级别：{allowed}。")
    unit = await session.get(Org, body.unit_org_id)
    if unit is None or unit.kind != "unit":
        raise ProblemError(422, "unit-not-found", "所选用人单位不存在，请先由单位在系统登记。")
    data = body.model_dump(mode="json", exclude_none=False)
    sections = body.sections.model_dump(mode="json", exclude_none=True)
    declaration = Declaration(
        campaign_id=campaign.id,
        applicant_sub=principal.sub,
        applicant_phone=_phone(sections),
        unit_org_id=unit.id,
        year=campaign.year,
        series=campaign.series,
        level=body.level,
        specialty=body.specialty,
        path=body.path,
        committee_code=campaign.committee_code,
        sections=sections,
        attachments=data["attachments"],
        applicant_facts=body.applicant_facts,
        created_at=now,
        updated_at=now,
    )
    session.add(declaration)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="created",
        declaration_id=declaration.id,
        to_status="draft",
    )
    return declaration


async def update(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    body: DeclarationUpdate,
) -> Declaration:
    if principal.role != "applicant":
        raise forbidden()
    if declaration.status not in EDITABLE:
        raise ProblemError(
            409,
            "declaration-not-editable",
            "申报已提交审核，只有草稿或被退回补正的申报可以修改。",
            status_now=declaration.status,
        )
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await campaigns.db_now(session)
    await _editable_until(session, declaration, campaign, now, "修改申报")
    if body.sections is not None:
        given = body.sections.model_dump(mode="json", exclude_unset=True)
        declaration.sections = {**declaration.sections, **given}
        declaration.sections = {k: v for k, v in declaration.sections.items() if v is not None}
        declaration.applicant_phone = _phone(declaration.sections)
    if body.attachments is not None:
        declaration.attachments = [a.model_dump(mode="json") for a in body.attachments]
    if body.applicant_facts is not None:
        declaration.applicant_facts = body.applicant_facts
    if "specialty" in body.model_fields_set:
        declaration.specialty = body.specialty
    if body.path is not None:
        declaration.path = body.path
    _touch(declaration, now)
    session.add(declaration)
    await session.flush()
    return declaration


async def import_from(
    session: AsyncSession, principal: Principal, target: Declaration, *, source: Declaration
) -> Declaration:
    """写入数据: copy an earlier declaration's content into a draft never submitted."""
    if principal.role != "applicant":
        raise forbidden()
    if target.status != "draft" or target.submission_count > 0:
        raise ProblemError(
            409, "import-refused", "目标申报已提交过，不能再写入往年数据；请在草稿阶段写入。"
        )
    if source.id == target.id:
        raise ProblemError(422, "import-same", "不能把申报写入它自己。")
    campaign = await campaigns.get(session, target.campaign_id)
    now = await campaigns.db_now(session)
    campaigns.check_window(campaign, "submission", now, "写入数据")
    target.sections = dict(source.sections)
    target.attachments = list(source.attachments)
    target.applicant_facts = dict(source.applicant_facts)
    target.specialty = source.specialty
    target.applicant_phone = _phone(target.sections)
    target.copied_from_id = source.id
    _touch(target, now)
    session.add(target)
    await session.flush()
    await audit.record(
        session,
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


async def _evaluate(
    session, client: httpx.AsyncClient, declaration: Declaration, unit: Org, campaign: Campaign
) -> dict[str, Any]:
    others = (
        await session.exec(
            select(func.count())
            .select_from(Declaration)
            .where(
                Declaration.applicant_sub == declaration.applicant_sub,
                Declaration.year == declaration.year,
                Declaration.level == declaration.level,
                Declaration.id != declaration.id,
                Declaration.status.not_in(("draft", "withdrawn")),
            )
        )
    ).one()
    if others:
        raise same_level_twice(declaration.year)
    facts = dict(declaration.applicant_facts)
    industry = facts.pop("industry", None)
    basic = declaration.sections.get("basic_info") or {}
    facts.setdefault("employer_type", basic.get("employer_type"))
    facts["same_level_applications_this_year"] = others
    region = unit.region_code
    body = {
        "region": region if region.endswith("0000") else region[:4] + "00",
        "county": None if region.endswith("00") else region,
        "series": declaration.series,
        "level": declaration.level,
        "as_of": campaign.evaluate_on.isoformat(),
        "industry": industry,
        "specialty": declaration.specialty,
        "applicant": facts,
    }
    return await rules_client.evaluate(client, body)


def _snapshot_content(declaration: Declaration, chain: list[ReviewStep]) -> dict[str, Any]:
    return {
        "declaration_id": str(declaration.id),
        "n": declaration.submission_count,
        "campaign_id": str(declaration.campaign_id),
        "unit_org_id": str(declaration.unit_org_id),
        "year": declaration.year,
        "series": declaration.series,
        "level": declaration.level,
        "specialty": declaration.specialty,
        "path": declaration.path,
        "committee_code": declaration.committee_code,
        "sections": declaration.sections,
        "attachments": declaration.attachments,
        "applicant_facts": declaration.applicant_facts,
        "eligibility": declaration.eligibility,
        "chain": [{"position": s.position, "kind": s.kind, "org_id": str(s.org_id)} for s in chain],
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def submit(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    rules: httpx.AsyncClient,
) -> Declaration:
    if principal.role != "applicant":
        raise forbidden()
    if declaration.status not in EDITABLE:
        raise ProblemError(
            409,
            "declaration-not-submittable",
            "该申报当前状态不能提交。",
            status_now=declaration.status,
        )
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await campaigns.db_now(session)
    resubmission = declaration.status == "returned"
    if resubmission:
        await _editable_until(session, declaration, campaign, now, "提交补正材料")
    else:
        campaigns.check_window(campaign, "submission", now, "提交申报")
    unit = await orgs.get(session, declaration.unit_org_id)
    chain = await steps(session, declaration.id)
    new_chain = [] if chain else await orgs.chain_from(session, unit)
    eligibility = await _evaluate(session, rules, declaration, unit, campaign)
    missing = missing_items(declaration, eligibility)
    if missing:
        raise ProblemError(
            422,
            "declaration-incomplete",
            f"申报不能提交，共有{len(missing)}项需要补充或不符合条件，请一次性对照修改："
            + "；".join(m["message"].rstrip("。") for m in missing)
            + "。",
            title="Declaration incomplete",
            errors=missing,
            eligibility=eligibility,
        )
    for position, org in enumerate(new_chain):
        step = ReviewStep(
            declaration_id=declaration.id,
            position=position,
            org_id=org.id,
            org_name=org.name,
            kind=org.kind,
        )
        session.add(step)
        chain.append(step)
    declaration.eligibility = eligibility
    declaration.fee_yuan = eligibility.get("fee_yuan")
    declaration.submission_count += 1
    from_status = declaration.status
    if resubmission:
        open_return = await current_return(session, declaration.id)
        open_return.resolved_at = now
        session.add(open_return)
        await cancel_reminders(session, declaration, "correction_reminder")
    else:
        declaration.current_position = 0
    step = chain[declaration.current_position]
    step.reached_at = now
    step.completed_at = None
    session.add(step)
    declaration.status = STEP_STATUS[step.kind]
    _touch(declaration, now)
    session.add(declaration)
    year = declaration.year  # the object is unusable once a flush failed
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent submission of the same level won the race
        raise same_level_twice(year) from exc
    content = _snapshot_content(declaration, chain)
    session.add(
        DeclarationSnapshot(
            declaration_id=declaration.id,
            n=declaration.submission_count,
            content=content,
            sha256=content_hash(content),
        )
    )
    if resubmission:
        await audit.record(
            session,
            principal=principal,
            action="resubmitted",
            declaration_id=declaration.id,
            from_status=from_status,
            to_status=declaration.status,
            reason=f"补正后重新提交，回到{step.org_name}",
        )
    else:
        await audit.record(
            session,
            principal=principal,
            action="submitted",
            declaration_id=declaration.id,
            from_status="draft",
            to_status="submitted",
            reason="首次提交，资格评估通过，材料齐全",
        )
        await audit.record(
            session,
            principal=principal,
            action="entered_review",
            declaration_id=declaration.id,
            from_status="submitted",
            to_status=declaration.status,
            reason=f"进入{step.org_name}审核",
        )
    await session.flush()
    return declaration


async def withdraw(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, reason: str | None
) -> Declaration:
    if principal.role != "applicant":
        raise forbidden()
    if declaration.status in FINAL or declaration.status in ("paid", "evaluated"):
        raise ProblemError(
            409,
            "declaration-not-withdrawable",
            "该申报当前状态不能撤回。",
            status_now=declaration.status,
        )
    now = await campaigns.db_now(session)
    open_return = await current_return(session, declaration.id)
    if open_return is not None:
        open_return.resolved_at = now
        session.add(open_return)
    from_status = declaration.status
    declaration.status = "withdrawn"
    _touch(declaration, now)
    session.add(declaration)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="withdrawn",
        declaration_id=declaration.id,
        from_status=from_status,
        to_status="withdrawn",
        reason=reason or "申报人撤回",
    )
    await cancel_reminders(session, declaration, "correction_reminder", "payment_reminder")
    if from_status != "draft":
        # DECLARATION_WITHDRAWN is not among the notify worker's templates yet (see report).
        await notify(
            session,
            declaration,
            event="withdrawn",
            template="DECLARATION_WITHDRAWN",
            key="withdrawn",
            params={"title": title_of(declaration)},
        )
    return declaration
