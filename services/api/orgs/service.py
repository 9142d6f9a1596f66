"""The organisation tree and the review chain walked up from a unit."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import ROLE_ORG_KIND
from services.api.audit import service as audit
from services.api.models import Org
from services.api.orgs.problems import (
    BranchNotDeclaringUnit,
    ChainIncomplete,
    OrgExists,
    OrgFieldNotApplicable,
    OrgInvalidParent,
    OrgNotFound,
    RegistrationDecided,
    RegistrationNotFound,
    RegistrationParentInvalid,
    RegistrationReasonMissing,
)
from services.api.orgs.schemas import (
    CREDIT_PATTERN,
    ChainLink,
    OrgChange,
    OrgCreate,
    OrgRead,
    RegistrationCreate,
    RegistrationDecision,
    RegistrationRead,
    UnitHit,
)
from services.kit.auth import Principal

# Chain order, lowest first (DESIGN.md "Review chain").
CHAIN_KINDS = ("unit", "supervisor", "county_office", "series_office", "committee_office")
RANK = {kind: i for i, kind in enumerate(CHAIN_KINDS)}


async def get(session: AsyncSession, org_id: uuid.UUID) -> Org:
    org = await session.get(Org, org_id)
    if org is None:
        raise OrgNotFound()
    return org


def _check_parent(kind: str, parent: Org) -> None:
    if kind == "ops" or parent.kind == "ops":
        return
    if RANK[parent.kind] <= RANK[kind]:
        raise OrgInvalidParent()


async def create(session: AsyncSession, *, body: OrgCreate) -> Org:
    if body.parent_id is not None:
        _check_parent(body.kind, await get(session, body.parent_id))
    org = Org(**body.model_dump())
    session.add(org)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise OrgExists() from exc
    return org


async def move(session: AsyncSession, org: Org, *, parent_id: uuid.UUID | None) -> Org:
    if parent_id is not None:
        parent = await get(session, parent_id)
        _check_parent(org.kind, parent)
    org.parent_id = parent_id
    session.add(org)
    await session.flush()
    return org


async def chain_from(session: AsyncSession, unit: Org) -> list[Org]:
    """The unit and every ancestor, in order; missing levels are simply not there."""
    return checked_chain(unit, [unit, *await parents(session, unit)])


def checked_chain(unit: Org, chain: list[Org]) -> list[Org]:
    """The chain as walked, if its levels rise strictly, pass a series office and end at
    the committee's office; else 409 naming what was found."""
    ranks = [RANK[o.kind] for o in chain]
    if (
        ranks != sorted(set(ranks))
        or chain[-1].kind != "committee_office"
        or not any(o.kind == "series_office" for o in chain)
    ):
        raise ChainIncomplete(
            f"{unit.name}的上报链路不完整：须经系列职改办并到达评委会所在职改办，请联系职改办核实机构设置。",
            chain=[{"org_id": str(o.id), "kind": o.kind, "name": o.name} for o in chain],
        )
    return chain


async def register(session: AsyncSession, principal: Principal, *, body: OrgCreate) -> OrgRead:
    """Ops add an org to the tree; the audit trail says who."""
    org = await create(session, body=body)
    await audit.record(
        session, principal=principal, action="org_created", reason=f"{org.id} {org.name}"
    )
    return OrgRead.model_validate(org, from_attributes=True)


async def change(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, body: OrgChange
) -> OrgRead:
    """Ops move an org or set an office's duty or a unit's affiliation; chains already
    fixed on submitted declarations are not rewritten (the next submission takes them)."""
    org = await get(session, org_id)
    sent = body.model_fields_set
    if "duty" in sent and body.duty is not None and org.kind == "unit":
        raise OrgFieldNotApplicable(f"{org.name}是用人单位，职责（duty）只适用于职改办等机构。")
    if "affiliation" in sent and body.affiliation is not None and org.kind != "unit":
        raise OrgFieldNotApplicable(f"{org.name}不是用人单位，没有隶属（affiliation）。")
    changes = []
    if "parent_id" in sent:
        org = await move(session, org, parent_id=body.parent_id)
        changes.append(f"parent {org.parent_id}")
    for field in ("duty", "affiliation"):
        if field in sent:
            setattr(org, field, getattr(body, field))
            changes.append(f"{field} {getattr(body, field)}")
    session.add(org)
    await session.flush()
    await audit.record(
        session,
        principal=principal,
        action="org_moved" if sent == {"parent_id"} else "org_changed",
        reason=f"{org.id} → " + "，".join(changes),
    )
    return OrgRead.model_validate(org, from_attributes=True)


SEARCH_LIMIT = 20


async def parents(session: AsyncSession, org: Org) -> list[Org]:
    """The offices above an org, nearest first, as the tree stands (not checked)."""
    found: list[Org] = []
    node = org
    while node.parent_id is not None and len(found) < len(CHAIN_KINDS):
        node = await get(session, node.parent_id)
        if node.kind == "ops":
            break
        found.append(node)
    return found


async def search_units(session: AsyncSession, *, q: str) -> list[UnitHit]:
    """Approved units whose credit code is `q` exactly, or whose name contains it."""
    q = q.strip()
    code = q.upper()
    query = select(Org).where(Org.kind == "unit", Org.status == "approved")
    if re.fullmatch(CREDIT_PATTERN, code):
        query = query.where(Org.credit_code == code)
    else:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Org.name).ilike(f"%{escaped}%", escape="\\"))
    query = query.order_by(func.length(Org.name), Org.name).limit(SEARCH_LIMIT)
    hits = []
    for unit in (await session.exec(query)).all():
        chain = [ChainLink(id=o.id, kind=o.kind, name=o.name) for o in await parents(session, unit)]
        hits.append(
            UnitHit(
                id=unit.id,
                name=unit.name,
                region_code=unit.region_code,
                credit_code=unit.credit_code,
                chain=chain,
            )
        )
    return hits


def registration(org: Org) -> RegistrationRead:
    return RegistrationRead.model_validate(org, from_attributes=True)


async def register_unit(
    session: AsyncSession, principal: Principal, *, body: RegistrationCreate
) -> RegistrationRead:
    """A unit's contact registers it under its parent office, pending that office's
    decision. A branch without legal personality is refused (seed 004 二（一）2)."""
    if not body.independent_legal_person and not body.liable_branch:
        raise BranchNotDeclaringUnit()
    parent = await session.get(Org, body.parent_id)
    if parent is None or parent.kind in ("unit", "ops") or parent.status != "approved":
        raise RegistrationParentInvalid()
    org = Org(
        kind="unit",
        name=body.name,
        region_code=body.region_code,
        credit_code=body.credit_code,
        parent_id=parent.id,
        status="pending",
        registered_by=principal.sub,
        contact_name=body.contact_name,
        affiliation=body.affiliation,
    )
    session.add(org)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise OrgExists() from exc
    await audit.record(
        session,
        principal=principal,
        action="org_registered",
        reason=f"{org.id} {org.name} {org.credit_code} → {parent.id} {parent.name}",
    )
    return registration(org)


def _own(principal: Principal, parent_id: uuid.UUID | None, kind: str | None) -> bool:
    """The caller acts for this office: its org, with the role of that kind of org."""
    return (
        parent_id is not None
        and principal.org_id == str(parent_id)
        and ROLE_ORG_KIND.get(principal.role) == kind
    )


async def pending_for(session: AsyncSession, principal: Principal) -> list[RegistrationRead]:
    """The registrations waiting for the caller's office."""
    try:
        office = uuid.UUID(principal.org_id or "")
    except ValueError:
        return []
    query = select(Org).where(
        Org.kind == "unit", Org.status == "pending", col(Org.parent_id) == office
    )
    return [registration(o) for o in (await session.exec(query.order_by(Org.created_at))).all()]


async def decide(
    session: AsyncSession,
    principal: Principal,
    org_id: uuid.UUID,
    *,
    body: RegistrationDecision,
) -> RegistrationRead:
    """The parent office approves a pending unit or rejects it with its reason; audited.
    Any other caller is answered as if the registration did not exist."""
    org = await session.get(Org, org_id, with_for_update=True)
    if org is None or org.registered_by is None:
        raise RegistrationNotFound()
    parent = await session.get(Org, org.parent_id) if org.parent_id else None
    if not _own(principal, org.parent_id, parent.kind if parent else None):
        raise RegistrationNotFound()
    if org.status != "pending":
        raise RegistrationDecided(status_now=org.status)
    reason = (body.reason or "").strip() or None
    if not body.approve and reason is None:
        raise RegistrationReasonMissing()
    now = await clock.db_now(session)
    org.status = "approved" if body.approve else "rejected"
    org.decided_by = principal.sub
    org.decided_at = now
    org.decision_reason = reason
    await audit.saved(
        session,
        org,
        principal=principal,
        action="org_registration_approved" if body.approve else "org_registration_rejected",
        reason=f"{org.id} {org.name}" + (f"：{reason}" if reason else ""),
    )
    return registration(org)
