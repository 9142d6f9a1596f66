"""The organisation tree and the review chain walked up from a unit."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.models import Org
from services.api.orgs.problems import ChainIncomplete, OrgExists, OrgNotFound
from services.api.orgs.schemas import OrgCreate, OrgRead
from services.kit.auth import Principal
from services.kit.problems import ProblemError

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
        raise ProblemError(
            422,
            "org-invalid-parent",
            "上级机构须高于本机构的层级（用人单位→主管部门→县区职改办→系列职改办→评委会所在职改办）。",
        )


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
    chain = [unit]
    node = unit
    while node.parent_id is not None and len(chain) <= len(CHAIN_KINDS):
        node = await get(session, node.parent_id)
        if node.kind == "ops":
            break
        chain.append(node)
    return checked_chain(unit, chain)


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


async def reparent(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, parent_id: uuid.UUID | None
) -> OrgRead:
    """Ops move an org; chains already fixed on submitted declarations are not rewritten."""
    org = await move(session, await get(session, org_id), parent_id=parent_id)
    await audit.record(
        session,
        principal=principal,
        action="org_moved",
        reason=f"{org.id} → parent {org.parent_id}",
    )
    return OrgRead.model_validate(org, from_attributes=True)
