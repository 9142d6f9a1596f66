"""What the statistics and the problem-rate reports count, behind the caller's jurisdiction:
the counts kept per campaign and unit (`api.declaration_count`, migration api_0033), or,
for a role whose visibility they cannot express, the declarations themselves.

Each source is a subquery of one campaign's visible declarations with the columns the
reports group or filter by (unit_org_id, status, level, specialty, path, passed,
returned_above) and `n`, how many declarations each row stands for."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    exists,
    false,
    literal,
    not_,
    or_,
)
from sqlalchemy import select as sa_select
from sqlalchemy.types import BigInteger

from services.api.access import (
    OFFICE_ROLES,
    REVIEWER_ROLES,
    ROLE_ORG_KIND,
    region_prefix,
)
from services.api.declarations.service import visible
from services.api.models import Declaration, DeclarationReturn, Org, ReviewStep
from services.kit.auth import Principal

# api_0033: the declarations of a campaign and unit with the same status, level, specialty,
# path, passed and returned_above, once with reach_org null (every declaration) and once
# for each (org, kind) of the review steps they reached.
declaration_count = Table(
    "declaration_count",
    MetaData(schema="api"),
    Column("campaign_id", Uuid, nullable=False),
    Column("unit_org_id", Uuid, nullable=False),
    Column("reach_org", Uuid),
    Column("reach_kind", Text),
    Column("status", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("specialty", Text),
    Column("path", Text, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("returned_above", Boolean, nullable=False),
    Column("n", BigInteger, nullable=False),
)

COLUMNS = ("unit_org_id", "status", "level", "specialty", "path", "passed", "returned_above")


def _counted(principal: Principal) -> Any | None:
    """SQL condition on `declaration_count`: the rows that add up to the declarations
    `visible(principal)` admits, each once; None for a role they cannot express (an
    applicant's own declarations, an expert's panel)."""
    c = declaration_count.c
    base = c.reach_org.is_(None)
    if principal.role == "ops":
        return base  # every declaration, drafts included
    if principal.role == "portal":  # access.portal_jurisdiction
        prefixes = [region_prefix(code) for code in principal.jurisdiction or []]
        if not prefixes:
            return false()
        units = sa_select(Org.id).where(or_(*[Org.region_code.like(p + "%") for p in prefixes]))
        return and_(base, c.status != "draft", c.unit_org_id.in_(units))
    if principal.role not in REVIEWER_ROLES:
        return None
    if not principal.org_id:
        return false()
    org_id = uuid.UUID(principal.org_id)
    reached = and_(c.reach_org == org_id, c.reach_kind == ROLE_ORG_KIND[principal.role])
    if principal.role not in OFFICE_ROLES:
        return and_(c.status != "draft", reached)
    # An office: its subtree as it stands now, and what reached it from outside.
    tree = sa_select(Org.id).where(Org.id == org_id).cte("subtree", recursive=True)
    tree = tree.union_all(sa_select(Org.id).where(Org.parent_id == tree.c.id))
    below = c.unit_org_id.in_(sa_select(tree.c.id))
    return and_(c.status != "draft", or_(and_(base, below), and_(reached, not_(below))))


def visible_in(principal: Principal, campaign_id: uuid.UUID) -> Any:
    """The campaign's declarations the principal may see, as a subquery of COLUMNS and n."""
    scope = _counted(principal)
    if scope is not None:
        c = declaration_count.c
        return (
            sa_select(*(c[name] for name in COLUMNS), c.n)
            .where(c.campaign_id == campaign_id, scope)
            .subquery("counted")
        )
    # Bounded by the principal (its own declarations, its panel's): read them.
    passed = exists().where(
        ReviewStep.declaration_id == Declaration.id,
        ReviewStep.position == 0,
        ReviewStep.completed_at.is_not(None),
    )
    returned_above = exists().where(
        DeclarationReturn.declaration_id == Declaration.id, DeclarationReturn.position > 0
    )
    return (
        sa_select(
            Declaration.unit_org_id,
            Declaration.status,
            Declaration.level,
            Declaration.specialty,
            Declaration.path,
            passed.correlate(Declaration).label("passed"),
            returned_above.correlate(Declaration).label("returned_above"),
            literal(1, BigInteger).label("n"),
        )
        .where(Declaration.campaign_id == campaign_id, visible(principal))
        .subquery("counted")
    )
